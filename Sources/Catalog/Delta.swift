/// One change to push to one channel: absolute target values, never increments.
public struct Delta: Hashable, Sendable {
    public enum Operation: String, Sendable, CaseIterable, Hashable {
        case create, update, delete
    }

    public var channel: String
    public var sku: String
    public var operation: Operation
    /// Per channel and SKU, strictly increasing: a platform may drop a write older than what it has.
    public var version: Int64
    /// Attribute names that differ from what the channel has, in canonical order.
    public var changed: [String]
    /// The complete desired listing (empty for a delete).
    public var values: Listing
    public var priority: DeltaPriority

    public init(channel: String, sku: String, operation: Operation, version: Int64,
                changed: [String], values: Listing, priority: DeltaPriority) {
        self.channel = channel
        self.sku = sku
        self.operation = operation
        self.version = version
        self.changed = changed
        self.values = values
        self.priority = priority
    }
}

/// The order deltas leave the outbox in: whatever can oversell goes first, and first of all what a channel would sell
/// at its next order though there is none: a listing that stops being buyable.
public enum DeltaPriority: Int, Sendable, Comparable, CaseIterable, Hashable {
    /// Deletions, stock to zero and out-of-stock changes. (-1: stored values of the others kept their meaning.)
    case soldOut = -1
    /// Other stock decreases.
    case stockDecrease = 0
    case price = 1
    case content = 2
    /// Stock increases and creations: safe to wait.
    case increase = 3

    public static func < (a: DeltaPriority, b: DeltaPriority) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .soldOut: return "sold_out"
        case .stockDecrease: return "stock_decrease"
        case .price: return "price"
        case .content: return "content"
        case .increase: return "increase"
        }
    }
}
