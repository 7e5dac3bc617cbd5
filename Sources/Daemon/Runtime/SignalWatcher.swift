#if canImport(Glibc)
import Glibc
#endif
public import Dispatch

/// Turns SIGTERM, SIGINT and SIGHUP into an async stream, so the service loop handles them between tasks.
///
/// The signals' default actions are switched off first (`SIG_IGN`) so that the dispatch sources see them.
public final class SignalWatcher: @unchecked Sendable {
    public enum Event: Sendable, Equatable { case terminate(Int32), reload }

    private var sources: [DispatchSourceSignal] = []
    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    public init(queue: DispatchQueue = DispatchQueue(label: "catalogsync.signals")) {
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            let continuation = continuation
            source.setEventHandler {
                continuation.yield(signalNumber == SIGHUP ? .reload : .terminate(signalNumber))
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
        continuation.finish()
    }
}
