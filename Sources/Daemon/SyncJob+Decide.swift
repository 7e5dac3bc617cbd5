import Catalog
import Dispatch
import Foundation
import Reconcile
import Store

extension SyncJob {
    /// SKUs reconcile hands over to be decided at a time.
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
        /// The channel's `listings` row for the SKU exists (the snapshot had an entry).
        var listed: Bool
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
            return Decided(decision: decision, valuesText: valuesText, nextChange: nextChange,
                           listed: comparison.entry != nil)
        }
    }

    /// A batch of SKUs being decided on another core while the cycle's thread goes on reading and writing.
    ///
    /// Each thread frees what it made: with glibc's malloc, freeing a block another thread allocated takes that
    /// thread's arena lock, and the two threads of reconcile then wait for each other's locks. So the comparisons
    /// stay here until the cycle's thread lets go of this object (the queue's work item lets go of it as it signals,
    /// nearly always first), and the decisions go back to `queue` once they are written (`dispose`).
    ///
    /// `@unchecked Sendable`: `decided` is written by the queue's work item before it signals `done`, and
    /// read only after `wait()` has seen that signal.
    final class Decisions: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let comparisons: [Comparison]
        private let queue: DispatchQueue
        private var decided: [Decided] = []

        /// Starts deciding `comparisons` on `queue` (a serial queue decides batches one after the other).
        init(_ comparisons: [Comparison], by decider: Decider, on queue: DispatchQueue) {
            self.comparisons = comparisons
            self.queue = queue
            queue.async { [self] in
                decided = self.comparisons.map(decider.decide)
                done.signal()
            }
        }

        /// The decisions, in the comparisons' order; waits until they are all made. Call it once, and hand
        /// the decisions to `dispose` when done with them.
        func wait() -> [Decided] {
            done.wait()
            defer { decided = [] }  // the caller's is the only reference left
            return decided
        }

        /// Lets go of `decisions` on the queue that made them.
        func dispose(_ decisions: [Decided]) {
            queue.async { withExtendedLifetime(decisions) {} }
        }
    }
}
