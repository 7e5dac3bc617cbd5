import Catalog
import Dispatch
import Foundation
import Reconcile
import Store

extension SyncJob {
    /// SKUs reconcile decides at a time, half on each core.
    static let decisionBatch = 512

    /// One SKU as reconcile compares it: its item (`nil`: no feed has it any more) and what the channel has
    /// (`nil`: the SKU has never been on the channel, nor enqueued for it).
    struct Comparison: Sendable {
        var sku: String
        var item: ItemRow?
        var entry: SnapshotEntry?
    }

    /// What reconcile decided for one SKU.
    struct Decided: Sendable {
        var decision: Reconciler.Decision
        /// `decision`'s delta values as JSON text, for the outbox.
        var valuesText: String?
        /// When the item's listing on the channel changes next by itself (a sale window opens or closes).
        var nextChange: Date?
    }

    /// Everything a decision depends on besides the SKU's own rows. Deciding reads nothing from the store,
    /// so it runs on any thread.
    struct Decider: Sendable {
        var channel: ChannelConfig
        var everyChannel: [(name: String, rules: ChannelRules)]
        var now: Date
        var staleness: [String: StaleFeed.Outcome]
        /// Every acknowledged SKU is sent again whole (`resync --repush`).
        var repushEverything: Bool

        func decide(_ comparison: Comparison) -> Decided {
            var desired: Listing?
            var nextChange: Date?
            if let item = comparison.item, let base = SyncJob.baseListing(item) {
                desired = SyncJob.desiredListing(base, for: channel, among: everyChannel, now: now,
                                                 stale: staleness[item.feed] ?? .fresh,
                                                 acked: comparison.entry?.ackedText)
                if !channel.rules.takesSaleDates { nextChange = channel.rules.nextChange(after: now, for: base) }
            }
            var entry = comparison.entry
            if repushEverything, entry?.ackedText != nil { entry?.ackedText = Listing().jsonText }
            let (decision, valuesText) = Reconciler.decideWithText(channel: channel.name, sku: comparison.sku,
                                                                   desired: desired, entry: entry)
            return Decided(decision: decision, valuesText: valuesText, nextChange: nextChange)
        }

        /// Decides every comparison, in order: the first half on this thread, the second on another core.
        func decide(_ comparisons: [Comparison]) -> [Decided] {
            guard comparisons.count >= 64 else { return comparisons.map(decide) }
            let half = comparisons.count / 2
            let halves = Halves()
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                if part == 0 {
                    halves.first = comparisons[..<half].map(decide)
                } else {
                    halves.second = comparisons[half...].map(decide)
                }
            }
            return halves.first + halves.second
        }
    }

    /// The two halves' decisions. `@unchecked Sendable`: each array is written by one iteration only, and read
    /// after both have ended.
    private final class Halves: @unchecked Sendable {
        var first: [Decided] = []
        var second: [Decided] = []
    }
}
