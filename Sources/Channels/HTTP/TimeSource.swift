public import Foundation
import Catalog
import Synchronization

/// The clocks and the sleep that retries, rate limits and polling use, injectable so tests never wait.
public struct TimeSource: Sendable {
    /// Monotonic seconds since an arbitrary origin: for intervals and deadlines.
    public var now: @Sendable () -> Double
    /// The wall clock: only to read HTTP-dates (`Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`).
    public var date: @Sendable () -> Date
    /// Suspends for `seconds`; throws `CancellationError` when the task is cancelled.
    public var sleep: @Sendable (_ seconds: Double) async throws -> Void

    public init(now: @escaping @Sendable () -> Double, date: @escaping @Sendable () -> Date,
                sleep: @escaping @Sendable (_ seconds: Double) async throws -> Void) {
        self.now = now
        self.date = date
        self.sleep = sleep
    }

    /// The real clocks: `ContinuousClock` and `Date()`, and `Task.sleep`.
    public static let system: TimeSource = {
        let clock = ContinuousClock()
        let origin = clock.now
        return TimeSource(
            now: {
                let elapsed = clock.now - origin
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            },
            date: { Date() },
            sleep: { seconds in
                guard seconds > 0 else { return try Task.checkCancellation() }
                try await Task.sleep(for: .seconds(seconds))
            })
    }()
}

/// A source of uniform random numbers in `0..<1` for backoff jitter; seed it in tests.
public final class JitterSource: Sendable {
    private let isSeeded: Bool
    private let generator: Mutex<SplitMix64>

    /// The system's random numbers.
    public init() {
        isSeeded = false
        generator = Mutex(SplitMix64(seed: 0))
    }

    /// A reproducible sequence (SplitMix64) from `seed`.
    public init(seed: UInt64) {
        isSeeded = true
        generator = Mutex(SplitMix64(seed: seed))
    }

    /// The next number in `0..<1`.
    public func next() -> Double {
        guard isSeeded else { return Double.random(in: 0..<1) }
        return generator.withLock { $0.nextUnit() }
    }
}
