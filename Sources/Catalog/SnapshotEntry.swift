/// What one channel has for one SKU, as far as we know: the acknowledged listing and any unsent delta.
public struct SnapshotEntry: Sendable, Equatable {
    public var sku: String
    /// The canonical JSON of the listing the channel acknowledged; `nil` when the SKU is not on the channel.
    public var ackedText: String?
    public var ackedVersion: Int64
    /// The highest version ever given to a delta for this SKU on this channel.
    public var lastVersion: Int64
    /// The unacknowledged delta in the outbox, if any.
    public var pending: Pending?

    /// A delta the channel has not acknowledged. Unless the channel rejected it, it may have reached the
    /// channel already: sent by a process killed before the acknowledgement was stored, or sent and
    /// left unconfirmed (a timeout, a batch still processing).
    public struct Pending: Sendable, Equatable {
        public var version: Int64
        public var operation: Delta.Operation
        public var payloadText: String
        /// The fields the delta names as changed.
        public var changed: [String]
        /// The channel refused it: it was not applied.
        public var rejected: Bool
        public init(version: Int64, operation: Delta.Operation, payloadText: String, changed: [String] = [],
                    rejected: Bool = false) {
            self.version = version
            self.operation = operation
            self.payloadText = payloadText
            self.changed = changed
            self.rejected = rejected
        }
    }

    public init(sku: String, ackedText: String?, ackedVersion: Int64, lastVersion: Int64, pending: Pending?) {
        self.sku = sku
        self.ackedText = ackedText
        self.ackedVersion = ackedVersion
        self.lastVersion = lastVersion
        self.pending = pending
    }
}
