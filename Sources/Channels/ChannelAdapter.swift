public import Catalog

/// One sales channel's API, as the pusher sees it: send deltas, learn which were acknowledged.
public protocol ChannelAdapter: Sendable {
    var name: String { get }
    /// The most deltas one `push` may carry.
    var maxBatchSize: Int { get }
    /// Sends `deltas` (already in priority order) and reports what the channel acknowledged.
    ///
    /// - Throws: `ChannelError` when nothing of the batch can be known to have arrived; the whole
    ///   batch is then retried later (deltas carry absolute values, so a re-send is harmless).
    func push(_ deltas: [Delta]) async throws -> PushResult
}

/// What a channel said about one batch.
public struct PushResult: Sendable, Equatable {
    public var acknowledged: [Delta]
    /// Items the platform refused, with its message: parked, alerted, and not retried as they are.
    public var rejected: [Rejection]

    public struct Rejection: Sendable, Equatable {
        public var delta: Delta
        public var message: String
        public init(delta: Delta, message: String) {
            self.delta = delta
            self.message = message
        }
    }

    public init(acknowledged: [Delta], rejected: [Rejection] = []) {
        self.acknowledged = acknowledged
        self.rejected = rejected
    }
}

/// Why a push failed as a whole, and what to do about it.
public struct ChannelError: Error, Sendable, CustomStringConvertible {
    public enum Disposition: Sendable, Equatable {
        case retry(afterSeconds: Double?)
        case rejected
        case fatal
    }

    public var channel: String
    public var operation: String
    public var status: Int?
    public var message: String
    public var disposition: Disposition

    public init(channel: String, operation: String, status: Int? = nil, message: String, disposition: Disposition) {
        self.channel = channel
        self.operation = operation
        self.status = status
        self.message = message
        self.disposition = disposition
    }

    public var description: String {
        "channel \(channel): \(operation) failed" + (status.map { " (HTTP \($0))" } ?? "") + ": \(message)"
    }
}
