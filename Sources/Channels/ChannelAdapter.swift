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
    /// Items sent whose fate the platform did not confirm (a batch still processing when polling gave up,
    /// an item whose retries ran out): neither acknowledged nor rejected, so they stay pending and are
    /// re-sent (deltas carry absolute values). A non-empty list is worth an alert.
    public var pending: [Pending] = []

    public struct Pending: Sendable, Equatable {
        public var delta: Delta
        public var message: String
        public init(delta: Delta, message: String) {
            self.delta = delta
            self.message = message
        }
    }

    public struct Rejection: Sendable, Equatable {
        public var delta: Delta
        public var message: String
        public init(delta: Delta, message: String) {
            self.delta = delta
            self.message = message
        }
    }

    public init(acknowledged: [Delta], rejected: [Rejection] = [], pending: [Pending] = []) {
        self.acknowledged = acknowledged
        self.rejected = rejected
        self.pending = pending
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
    /// The platform's id for the failed request (`x-fb-trace-id`, `fbtrace_id`, `x-request-id`, …), for its support.
    public var requestID: String?
    /// The start of the response body (at most 512 bytes), with any credential removed.
    public var responseBody: String?

    public init(channel: String, operation: String, status: Int? = nil, message: String, disposition: Disposition,
                requestID: String? = nil, responseBody: String? = nil) {
        self.channel = channel
        self.operation = operation
        self.status = status
        self.message = message
        self.disposition = disposition
        self.requestID = requestID
        self.responseBody = responseBody
    }

    public var description: String {
        "channel \(channel): \(operation) failed" + (status.map { " (HTTP \($0))" } ?? "") + ": \(message)"
            + (requestID.map { " [request \($0)]" } ?? "")
    }
}

/// A platform adapter that can read back what the platform shows, for the verifier.
public protocol ListingFetcher: Sendable {
    /// Whether `fetchListings(skus:)` can list the whole catalogue; `false` where the platform can only
    /// look items up by id (Pinterest), so the caller must pass the SKUs it expects.
    var listsWholeCatalog: Bool { get }

    /// What the platform shows, by SKU, in our listing vocabulary (best effort: title, link, price,
    /// sale_price, availability, quantity where the platform has them).
    ///
    /// - Parameter skus: the SKUs to look up where the platform cannot list everything; platforms that
    ///   can list the whole catalogue ignore it and return every item, so extra items are found too.
    /// - Throws: `ChannelError`.
    func fetchListings(skus: [String]) async throws -> [String: Listing]
}

extension ListingFetcher {
    /// Every listing on a platform that can list its whole catalogue.
    public func fetchListings() async throws -> [String: Listing] {
        try await fetchListings(skus: [])
    }
}
