public import Catalog
public import Foundation

/// What one channel should show, derived from the merchant's items.
///
/// The rules apply in this order: `include`/`exclude` (on the merchant's data), the sale window
/// (for channels that take no sale dates), `price`, `link_params`, then stock and availability.
public struct ChannelRules: Sendable {
    public var stock: StockPolicy
    public var allocation: StockAllocation
    /// Every given criterion must match for the channel to list an item.
    public var include: ItemFilter
    /// An item matching any given criterion is not listed.
    public var exclude: ItemFilter
    public var price: PriceRules
    public var linkParameters: LinkParameters
    /// Whether the channel's API takes `sale_price_effective_date` and applies the window itself.
    /// When `false`, the daemon applies the window (see `SaleSchedule`).
    public var takesSaleDates: Bool

    public init(stock: StockPolicy = StockPolicy(), allocation: StockAllocation = .shared,
                include: ItemFilter = ItemFilter(), exclude: ItemFilter = ItemFilter(),
                price: PriceRules = PriceRules(), linkParameters: LinkParameters = LinkParameters(),
                takesSaleDates: Bool = true) {
        self.stock = stock
        self.allocation = allocation
        self.include = include
        self.exclude = exclude
        self.price = price
        self.linkParameters = linkParameters
        self.takesSaleDates = takesSaleDates
    }

    /// Whether the channel lists the item at all: it matches every `include` criterion and no `exclude` one.
    public func selects(_ base: Listing) -> Bool {
        include.matchesEvery(base) && !exclude.matchesAny(base)
    }

    /// The listing this channel should have for an item at `now`, or `nil` when the channel should not list it
    /// (so it is deleted from the channel if it is there).
    ///
    /// The published quantity is `allocatedQuantity` when given (from `Allocation.quantities(for:channels:)`),
    /// never more than the stock; else, for `shared` allocation, the stock policy's. A `partition` channel
    /// needs its allocated quantity: without one it publishes 0, because alone it cannot know what the
    /// other channels of its group promise. Availability follows the published quantity
    /// (0 → `out_of_stock`) except for preorder and backorder items.
    public func desiredListing(from base: Listing, now: Date, allocatedQuantity: Int? = nil) -> Listing? {
        guard selects(base) else { return nil }
        var listing = base
        if !takesSaleDates { SaleSchedule.resolve(&listing, at: now) }
        price.apply(to: &listing)
        if !linkParameters.isEmpty, case .text(let link)? = listing["link"] {
            listing["link"] = .text(linkParameters.applied(to: link))
        }
        let availability = base["availability"].flatMap { Availability(feedValue: $0.description) } ?? .inStock
        if let stock = base.quantity {
            let published: Int
            if availability == .outOfStock {
                published = 0
            } else if let allocatedQuantity {
                published = max(0, min(allocatedQuantity, stock))
            } else if case .partition = allocation {
                published = 0
            } else {
                published = self.stock.published(stock: stock)
            }
            listing["quantity"] = .integer(published)
            if !availability.ignoresStock {
                listing["availability"] = .text((published > 0 ? Availability.inStock : .outOfStock).rawValue)
            }
        }
        return listing
    }

    /// The listing at the current time: a bridge for callers that do not pass a clock yet.
    ///
    /// Prefer `desiredListing(from:now:allocatedQuantity:)`: the daemon's clock keeps reconciles and
    /// tests reproducible, and partition channels need their allocated quantity.
    public func desiredListing(from base: Listing) -> Listing? {
        desiredListing(from: base, now: Date())
    }

    /// When this channel's view of `base` next changes by the clock alone (a sale window boundary).
    ///
    /// - Returns: `nil` for channels that take sale dates (the platform applies the window), and for
    ///   items without a future boundary.
    public func nextChange(after now: Date, for base: Listing) -> Date? {
        takesSaleDates ? nil : SaleSchedule.nextChange(after: now, for: base)
    }
}
