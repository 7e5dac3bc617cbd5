public import Catalog

/// What one channel should show, derived from the merchant's items.
public struct ChannelRules: Sendable {
    public var stock: StockPolicy

    public init(stock: StockPolicy = StockPolicy()) {
        self.stock = stock
    }

    /// The listing this channel should have for an item, or `nil` when the channel should not list it.
    ///
    /// The published quantity follows the stock policy, and availability follows the published
    /// quantity (0 → `out_of_stock`) except for preorder and backorder items.
    public func desiredListing(from base: Listing) -> Listing? {
        var listing = base
        let availability = base["availability"].flatMap { Availability(feedValue: $0.description) } ?? .inStock
        if let stock = base.quantity {
            let published = availability == .outOfStock ? 0 : self.stock.published(stock: stock)
            listing["quantity"] = .integer(published)
            if !availability.ignoresStock {
                listing["availability"] = .text((published > 0 ? Availability.inStock : .outOfStock).rawValue)
            }
        }
        return listing
    }
}
