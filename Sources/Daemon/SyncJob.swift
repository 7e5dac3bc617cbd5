public import Catalog
import Channels
public import Foundation
import Reconcile
public import Store

/// What one channel got in a run.
public struct ChannelReport: Sendable {
    public var name: String
    public var type: String
    /// Deltas enqueued by this run's reconcile, by operation.
    public var enqueued: [Delta.Operation: Int] = [:]
    /// Deltas the channel acknowledged in this run, by operation.
    public var pushed: [Delta.Operation: Int] = [:]
    public var rejected: [String] = []
    /// Deltas still waiting after the run.
    public var pending = 0
    /// Why pushing stopped early, if it did.
    public var pushError: String?
    /// Seconds from "seen in a feed" to "confirmed by the channel", per confirmed delta (at most 10,000 kept).
    public var latencies: [Double] = []
}

/// What a run should do beyond the usual.
public struct SyncOptions: Sendable {
    /// Feeds to read; `nil` reads every configured feed.
    public var feeds: Set<String>?
    /// Re-push every listing, changed or not (`resync --full --force`).
    public var repushEverything = false
    /// Asked between push batches: `true` stops pushing (the daemon is shutting down).
    public var shouldStop: @Sendable () -> Bool = { false }

    public init(feeds: Set<String>? = nil, repushEverything: Bool = false) {
        self.feeds = feeds
        self.repushEverything = repushEverything
    }
}

/// The outcome of `sync --once`.
public struct SyncSummary: Sendable {
    public var feeds: [FeedReport] = []
    public var channels: [ChannelReport] = []

    /// 0 when everything was applied and pushed; 1 when there were data problems (DESIGN, exit statuses).
    public var exitStatus: Int32 {
        let dataProblems = feeds.contains { $0.outcome == .rejected || $0.issueCount > 0 }
            || channels.contains { !$0.rejected.isEmpty || $0.pushError != nil }
        return dataProblems ? ExitStatus.dataProblems : ExitStatus.success
    }
}

/// One complete pass: ingest every feed, reconcile every channel, push what is pending.
public struct SyncJob {
    public let config: Config
    public let store: CatalogStore
    public let logger: Logger

    public init(config: Config, store: CatalogStore, logger: Logger) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    public func run(now: Date = Date(), options: SyncOptions = SyncOptions()) async throws -> SyncSummary {
        var summary = SyncSummary()
        let seenAt = CatalogStore.timestamp(now)
        try store.transaction {
            for feed in config.feeds where options.feeds?.contains(feed.name) ?? true {
                let report = try Ingest(feed: feed, store: store, logger: logger).run(now: now)
                log(report)
                summary.feeds.append(report)
            }
            for channel in config.channels {
                var report = ChannelReport(name: channel.name, type: channel.type.rawValue)
                report.enqueued = try reconcile(channel, seenAt: seenAt, repushEverything: options.repushEverything)
                summary.channels.append(report)
            }
        }
        for index in summary.channels.indices {
            let channel = config.channels[index]
            try await push(channel, adapter: makeAdapter(channel), report: &summary.channels[index],
                           shouldStop: options.shouldStop)
            summary.channels[index].pending = try store.pendingCounts()[channel.name] ?? 0
        }
        return summary
    }

    /// Diffs every item against the channel's snapshot, walking both in SKU byte order.
    ///
    /// `repushEverything` diffs against an empty listing wherever the channel has the SKU, so every
    /// listing is sent again in full (absolute values: harmless to a channel that has them).
    func reconcile(_ channel: ChannelConfig, seenAt: String, repushEverything: Bool = false) throws
        -> [Delta.Operation: Int] {
        var counts: [Delta.Operation: Int] = [:]
        try store.beginStaging()
        let snapshot = try store.snapshot(channel: channel.name)
        var entry = try snapshot.next()
        func settle(_ sku: String, desired: Listing?, entry: SnapshotEntry?) throws {
            var entry = entry
            if repushEverything, entry?.ackedText != nil { entry?.ackedText = Listing().jsonText }
            switch Reconciler.decide(channel: channel.name, sku: sku, desired: desired, entry: entry) {
            case .keep: break
            case .cancelPending: try store.stageCancel(sku: sku)
            case .enqueue(let delta):
                try store.stage(delta)
                counts[delta.operation, default: 0] += 1
            }
        }
        try store.forEachItem(feedOrder: config.feeds.map(\.name)) { sku, data in
            while let current = entry, current.sku.utf8.lexicographicallyPrecedes(sku.utf8) {
                try settle(current.sku, desired: nil, entry: current)
                entry = try snapshot.next()
            }
            let desired = Listing(jsonText: data).flatMap(channel.rules.desiredListing(from:))
            if let current = entry, current.sku == sku {
                try settle(sku, desired: desired, entry: current)
                entry = try snapshot.next()
            } else {
                try settle(sku, desired: desired, entry: nil)
            }
        }
        while let current = entry {
            try settle(current.sku, desired: nil, entry: current)
            entry = try snapshot.next()
        }
        try store.commitStaged(channel: channel.name, seenAt: seenAt)
        for (operation, count) in counts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            logger.info("reconcile.enqueued", ["channel": channel.name, "op": operation.rawValue, "count": count])
        }
        return counts
    }

    /// Sends pending deltas in batches until none is left; each acknowledgement is committed before the next batch.
    func push(_ channel: ChannelConfig, adapter: any ChannelAdapter, report: inout ChannelReport,
              shouldStop: () -> Bool = { false }) async throws {
        let batchSize = min(channel.batchSize, adapter.maxBatchSize)
        while !shouldStop() {
            let entries = try store.pendingDeltas(channel: channel.name, limit: batchSize)
            let batch = entries.map(\.delta)
            guard !batch.isEmpty else { return }
            try store.markSent(batch, at: CatalogStore.timestamp(Date()))
            let result: PushResult
            do {
                result = try await adapter.push(batch)
            } catch {
                report.pushError = "\(error)"
                logger.error("push.failed", ["channel": channel.name, "deltas": batch.count, "error": "\(error)"])
                return
            }
            let confirmed = Date()
            let time = CatalogStore.timestamp(confirmed)
            try store.transaction {
                try store.acknowledge(result.acknowledged, at: time)
                for rejection in result.rejected { try store.reject(rejection.delta, message: rejection.message) }
            }
            for delta in result.acknowledged { report.pushed[delta.operation, default: 0] += 1 }
            let seen = Dictionary(entries.map { ($0.delta.sku, $0.seenAt) }, uniquingKeysWith: { a, _ in a })
            let latencies = result.acknowledged.compactMap { delta in
                seen[delta.sku].flatMap(CatalogStore.date(fromTimestamp:)).map { confirmed.timeIntervalSince($0) }
            }
            if report.latencies.count < 10_000 { report.latencies += latencies.prefix(10_000 - report.latencies.count) }
            for rejection in result.rejected {
                report.rejected.append("\(rejection.delta.sku): \(rejection.message)")
                logger.warning("push.item_rejected", ["channel": channel.name, "sku": rejection.delta.sku,
                                                      "reason": rejection.message])
            }
            logger.info("push.batch", ["channel": channel.name, "sent": batch.count,
                                       "acked": result.acknowledged.count, "rejected": result.rejected.count,
                                       "seen_to_confirmed_ms_max": Int((latencies.max() ?? 0) * 1000)])
            guard !result.acknowledged.isEmpty || !result.rejected.isEmpty else { return }
        }
    }

    func makeAdapter(_ channel: ChannelConfig) -> any ChannelAdapter {
        switch channel.type {
        case .file, .meta, .google, .pinterest, .webhook:
            // Config refuses the platform types until their adapters exist.
            return FileChannel(name: channel.name, folder: channel.path!, maxBatchSize: channel.batchSize)
        }
    }

    private func log(_ report: FeedReport) {
        for issue in report.issues {
            logger.warning("row.rejected", ["feed": report.name, "line": issue.location.line,
                                            "reason": issue.code, "detail": issue.message])
        }
        if report.outcome == .rejected {
            logger.error("feed.rejected", ["feed": report.name, "reason": report.rejection ?? ""])
        } else {
            logger.info("feed.applied", ["feed": report.name, "rows": report.rowsRead, "accepted": report.rowsAccepted,
                                         "rejected": report.issueCount, "created": report.created,
                                         "updated": report.updated, "deleted": report.deleted])
        }
    }
}

/// Exit statuses of every command (DESIGN: 0 done, 1 data problems, 2 usage/config, 3 could not run).
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let dataProblems: Int32 = 1
    public static let usage: Int32 = 2
    public static let couldNotRun: Int32 = 3
}
