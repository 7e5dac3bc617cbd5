public import Foundation

/// When a sale price applies: Google's `sale_price_effective_date`, an ISO 8601 interval
/// `2024-11-29T00:00+01:00/2024-11-29T23:59+01:00`. Either end may be open.
public struct SaleWindow: Hashable, Sendable {
    public var start: Date?
    public var end: Date?

    public init(start: Date?, end: Date?) {
        self.start = start
        self.end = end
    }

    /// Whether the sale applies at `date`: from `start` (inclusive) until `end` (exclusive).
    public func contains(_ date: Date) -> Bool {
        if let start, date < start { return false }
        if let end, date >= end { return false }
        return true
    }
}
