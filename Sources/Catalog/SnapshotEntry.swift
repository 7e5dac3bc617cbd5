/// What one channel has for one SKU, as far as we know: the acknowledged listing and any unsent delta.
public struct SnapshotEntry: Sendable, Equatable {
    public var sku: String
    /// The canonical JSON of the listing the channel acknowledged; `nil` when the SKU is not on the channel.
    public var ackedText: String?
    public var ackedVersion: Int64
    /// The highest version ever given to a delta for this SKU on this channel.
    public var lastVersion: Int64
    /// The unsent delta waiting in the outbox, if any.
    public var pending: Pending?

    public struct Pending: Sendable, Equatable {
        public var version: Int64
        public var operation: Delta.Operation
        public var payloadText: String
        public init(version: Int64, operation: Delta.Operation, payloadText: String) {
            self.version = version
            self.operation = operation
            self.payloadText = payloadText
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
