import Catalog
import Foundation
import Reconcile
import Store

/// Whether a reconcile of one channel may look at the SKUs the run touched only (see `CatalogStore.touch`).
///
/// It may when the channel's last whole reconcile (its `reconcile_marks` row) was made with the same
/// configuration and build, no sale window has opened or closed since (the mark's horizon), no feed is
/// stale, nothing outside reconcile changed the channel's listings (verify and resync clear the mark), and the
/// run touched at most a quarter of the items — beyond that, walking everything in order is cheaper.
struct ReconcileScope {
    let store: CatalogStore
    let channel: String
    let configKey: String
    let touchedOnly: Bool
    /// Whether this reconcile leaves a mark for the next (not after a re-push, not while a feed is stale).
    let marks: Bool
    /// The horizon of the mark this reconcile relies on.
    let horizon: Date?

    init(job: SyncJob, channel: String, now: Date, staleness: [String: StaleFeed.Outcome],
         repushEverything: Bool) throws {
        store = job.store
        self.channel = channel
        configKey = Self.key(job.config)
        marks = !repushEverything && staleness.values.allSatisfy { $0 == .fresh }
        guard marks, let mark = try store.reconcileMark(channel: channel), mark.configKey == configKey else {
            (touchedOnly, horizon) = (false, nil)
            return
        }
        let until = mark.validUntil.map { CatalogStore.date(fromTimestamp: $0) ?? .distantPast }
        let fits = try store.touchedCount() * 4 <= store.totalItemCount()
        touchedOnly = fits && (until.map { now < $0 } ?? true)
        horizon = until
    }

    /// Records the reconcile that just ran; `nextChange` is the earliest sale boundary among the items it
    /// walked. - Returns: the earliest sale boundary among all items (what the daemon schedules a run for).
    func record(nextChange: Date?) throws -> Date? {
        let horizon = touchedOnly ? [self.horizon, nextChange].compactMap { $0 }.min() : nextChange
        if marks {
            try store.setReconcileMark(channel: channel, configKey: configKey,
                                       validUntil: horizon.map(CatalogStore.timestamp))
        } else {
            try store.clearReconcileMark(channel: channel)
        }
        return horizon
    }

    /// What in the configuration a listing depends on besides its item (the feeds' order and kinds, the
    /// channels and their rules), and the build. How a feed is read is not: a change there changes items,
    /// and those are touched.
    static func key(_ config: Config) -> String {
        let parts = ["reconcile-1", FeedScanner.buildIdentity, config.feeds.map { "\($0.name):\($0.kind)" }.joined(separator: ","),
                     CanonicalText.of(config.channels)]
        return String(RowHash.hash(parts), radix: 16)
    }
}
