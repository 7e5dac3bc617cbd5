public import Foundation
import Reconcile
public import Store

/// `resync --full`: before the sync, list every platform channel's real catalog, record what differs,
/// queue deletes for orphans (items on the platform that no feed has) under the feed deletion guard,
/// and mark Google items acknowledged long ago for a re-push (Google expires items after 30 days).
public struct FullResync {
    /// Re-push what Google was told longer ago than this (it expires items after 30 days).
    public static let googleRepushAge: TimeInterval = 25 * 86_400

    public let config: Config
    public let store: CatalogStore
    public let logger: Logger

    public init(config: Config, store: CatalogStore, logger: Logger) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    /// Prepares the state; the caller then runs the sync.
    /// - Returns: a line per channel for the summary, and whether a guard held orphan deletions (exit 1).
    public func prepare(force: Bool, now: Date = Date()) async throws -> (lines: [String], held: Bool) {
        var lines: [String] = []
        var held = false
        let verifier = Verifier(config: config, store: store, logger: logger)
        for channel in config.channels where channel.type != .file {
            let report = try await verifier.verify(channel, now: now)
            if let why = report.skipped {
                lines.append("channel \(channel.name): real catalog not listed: \(why)")
                continue
            }
            let orphans = try report.orphans.filter { try !store.hasItem(sku: $0) }  // in no feed
            let listed = max(report.checked, 1)
            let guards = config.feeds.first?.guards ?? FeedGuards()
            let verdict = GuardCheck.evaluate(previousItemCount: listed, newItemCount: listed, deletions: orphans.count,
                                              zeroedStock: 0, guards: FeedGuards(maxDeletePct: guards.maxDeletePct,
                                                                                maxZeroPct: nil, minItems: 0))
            if case .hold(let reason) = verdict, !force {
                held = true
                logger.error("orphans.held", ["channel": channel.name, "orphans": orphans.count, "reason": reason])
                lines.append("channel \(channel.name): \(orphans.count) orphans NOT deleted: deleting them \(reason); "
                             + "resync --full --force deletes them")
            } else {
                try store.transaction { try store.recordOrphans(channel: channel.name, skus: report.orphans) }
                if !orphans.isEmpty { logger.info("orphans.deleting", ["channel": channel.name, "count": orphans.count]) }
            }
            var repushed = 0
            if channel.type == .google {
                let cutoff = CatalogStore.timestamp(now.addingTimeInterval(-Self.googleRepushAge))
                repushed = try store.transaction { try store.markForRepush(channel: channel.name, ackedBefore: cutoff) }
            }
            lines.append("channel \(channel.name): \(report.checked) checked, \(report.mismatches.count) fields "
                         + "differ, \(report.missing.count) missing, \(orphans.count) orphans, \(repushed) near expiry")
        }
        logger.info("resync.prepared", ["channels": config.channels.count])
        return (lines, held)
    }
}
