public import Catalog
public import Foundation

/// Sale windows for channels whose API takes no sale dates: the daemon applies the window itself.
///
/// Such a channel is told a `sale_price` only while the sale runs (DESIGN promise 5), and never a
/// `sale_price_effective_date`. When the window closes, the desired listing has no `sale_price`;
/// `Reconciler.decide` then sends the field as cleared. The daemon asks `nextChange(after:for:)`
/// when to look again, so a sale that opens at 00:00 is pushed at 00:00, not at the next feed.
public enum SaleSchedule {
    /// Resolves the sale of `listing` at `now`, for a channel that takes no sale dates.
    ///
    /// - No `sale_price`: any effective date is dropped.
    /// - A `sale_price` without dates: the sale always applies.
    /// - Inside the window (start inclusive, end exclusive, as `SaleWindow.contains`): the sale price
    ///   stays, the dates go.
    /// - Outside the window, or dates that cannot be read: both go. Showing the regular price when
    ///   unsure never sells below what the merchant asked.
    public static func resolve(_ listing: inout Listing, at now: Date) {
        defer { listing["sale_price_effective_date"] = nil }
        guard listing["sale_price"] != nil, let dates = listing["sale_price_effective_date"] else { return }
        let isOn = (try? SaleWindow.parse(dates.description))?.contains(now) ?? false
        if !isOn { listing["sale_price"] = nil }
    }

    /// When the sale state of `listing` next changes after `now`: the next window start or end.
    ///
    /// - Returns: `nil` when the listing has no sale price, no readable window, or no boundary after `now`.
    public static func nextChange(after now: Date, for listing: Listing) -> Date? {
        guard listing["sale_price"] != nil, let dates = listing["sale_price_effective_date"],
              let window = try? SaleWindow.parse(dates.description) else { return nil }
        return window.nextBoundary(after: now)
    }

    /// The earliest `nextChange(after:for:)` among `listings`.
    public static func nextChange(after now: Date, for listings: some Sequence<Listing>) -> Date? {
        var earliest: Date?
        for listing in listings {
            if let date = nextChange(after: now, for: listing), earliest.map({ date < $0 }) ?? true {
                earliest = date
            }
        }
        return earliest
    }
}

extension SaleWindow {
    /// The first of `start` and `end` strictly after `now`, or `nil` when neither is.
    public func nextBoundary(after now: Date) -> Date? {
        [start, end].compactMap { $0 }.filter { $0 > now }.min()
    }
}
