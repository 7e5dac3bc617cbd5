import Foundation

/// A token bucket: at most `perSecond` requests a second on average, bursts up to `burst`.
///
/// `acquire()` reserves the next token and sleeps until it is due, so concurrent callers are spaced
/// evenly and served in the order they asked. Time comes from a `TimeSource`, so tests never wait.
public actor RateLimiter {
    public let perSecond: Double
    public let burst: Double
    private let time: TimeSource
    private var tokens: Double
    private var updatedAt: Double

    public init(perSecond: Double, burst: Double? = nil, time: TimeSource = .system) {
        self.perSecond = max(perSecond, 1e-9)
        self.burst = max(1, burst ?? perSecond.rounded(.up))
        self.time = time
        tokens = self.burst
        updatedAt = time.now()
    }

    /// A limiter from a configuration text: `"10/s"`, `"600/m"`, `"5000/h"`, `"2.5/s"`.
    /// - Throws: `RateParseError` naming the text.
    public init(_ text: String, time: TimeSource = .system) throws(RateParseError) {
        self.init(perSecond: try Self.parse(text), time: time)
    }

    /// Requests per second for `"10/s"`, `"600/m"`, `"5000/h"` (also `sec`, `min`, `hour`, `d`).
    public static func parse(_ text: String) throws(RateParseError) -> Double {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let count = Double(parts[0]), count > 0, count.isFinite else {
            throw RateParseError(text: text)
        }
        let seconds: Double
        switch parts[1].lowercased() {
        case "s", "sec", "second": seconds = 1
        case "m", "min", "minute": seconds = 60
        case "h", "hour": seconds = 3600
        case "d", "day": seconds = 86_400
        default: throw RateParseError(text: text)
        }
        return count / seconds
    }

    /// Waits until a request may be sent.
    /// - Throws: `CancellationError` when cancelled while waiting (the token is not returned).
    public func acquire() async throws {
        let wait = reserve()
        if wait > 0 { try await time.sleep(wait) }
    }

    /// Takes one token, which may leave the bucket in debt. - Returns: the seconds until it is due.
    func reserve() -> Double {
        let now = time.now()
        tokens = min(burst, tokens + (now - updatedAt) * perSecond)
        updatedAt = now
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / perSecond
    }
}

/// A rate that is not `<count>/<s|m|h|d>`.
public struct RateParseError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var description: String { "rate \"\(text)\" is not <count>/<s|m|h|d>, e.g. \"10/s\" or \"600/m\"" }
}
