import Catalog
import Foundation
import Reconcile
import Store

extension SyncJob {
    /// What `channel` should show for one item: its rules, the stock split across channels, and, for a
    /// feed older than its `max_age`, the configured fail-safe (hold, zero, or a larger buffer).
    static func desiredListing(_ base: Listing, for channel: ChannelConfig,
                               among channels: [(name: String, rules: ChannelRules)], now: Date,
                               stale: StaleFeed.Outcome, acked: String?) -> Listing? {
        guard stale != .fresh else {
            let quantities = Allocation.quantities(for: base, channels: channels)
            return channel.rules.desiredListing(from: base, now: now, allocatedQuantity: quantities[channel.name])
        }
        let adjusted = channels.map { member -> (name: String, rules: ChannelRules) in
            var rules = member.rules
            rules.stock = stale.applied(to: rules.stock)
            return (member.name, rules)
        }
        let rules = adjusted.first { $0.name == channel.name }?.rules ?? channel.rules
        let quantities = Allocation.quantities(for: base, channels: adjusted)
        guard var desired = rules.desiredListing(from: base, now: now, allocatedQuantity: quantities[channel.name])
        else { return nil }
        guard case .hold = stale else { return desired }
        // Hold: nothing new is listed from a stale feed, and no quantity goes up.
        guard let acked, let last = Listing(jsonText: acked) else { return nil }
        if let computed = desired.quantity,
           let held = StaleFeed.quantity(stale, computed: computed, lastPublished: last.quantity) {
            desired["quantity"] = .integer(held)
            if held == 0, desired["availability"] == .text(Availability.inStock.rawValue) {
                desired.set("availability", Availability.outOfStock.rawValue)
            }
        }
        return desired
    }

    /// The fail-safe outcome of each primary feed at `now` (logged once per stale feed and channel).
    func staleOutcomes(now: Date, channel: String) throws -> [String: StaleFeed.Outcome] {
        var outcomes: [String: StaleFeed.Outcome] = [:]
        for feed in config.feeds where feed.kind == .primary && feed.maxAgeSeconds != nil {
            guard let time = try store.sourceTime(feed: feed.name).flatMap(CatalogStore.date(fromTimestamp:)) else {
                continue
            }
            let age = now.timeIntervalSince(time)
            let outcome = StaleFeed.outcome(age: age, maxAge: feed.maxAgeSeconds, mode: feed.staleMode)
            outcomes[feed.name] = outcome
            if outcome != .fresh {
                logger.warning("feed.stale", ["feed": feed.name, "channel": channel, "age_seconds": Int(age),
                                              "max_age_seconds": Int(feed.maxAgeSeconds ?? 0), "action": feed.stale])
            }
        }
        return outcomes
    }

    /// The item as the feeds describe it: the primary listing with a newer inventory feed's stock on top.
    static func baseListing(_ item: ItemRow) -> Listing? {
        guard var base = Listing(jsonText: item.data) else { return nil }
        if let override = item.override {
            if let quantity = override.quantity { base["quantity"] = .integer(quantity) }
            if let availability = override.availability {
                base.set("availability", availability)
            } else if let quantity = override.quantity, base["availability"] != .text(Availability.preorder.rawValue),
                      base["availability"] != .text(Availability.backorder.rawValue) {
                base.set("availability", (quantity > 0 ? Availability.inStock : .outOfStock).rawValue)
            }
            if let price = override.price { base.set("price", price) }
            if let sale = override.salePrice { base.set("sale_price", sale) }
        }
        return base
    }
}
