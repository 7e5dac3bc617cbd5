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
    /// Whether the push ended after a batch to let a feed change waiting go first (`SyncOptions.shouldYield`):
    /// the rest goes out in the next cycle.
    public var yielded = false
    /// When a sale window opens or closes next for a channel that takes no sale dates: reconcile again then.
    public var nextChange: Date?
    /// Seconds from "seen in a feed" to "confirmed by the channel", per confirmed delta (at most 10,000 kept).
    public var latencies: [Double] = []
    /// SKUs the reconcile compared: every SKU, or only those the run touched (see `ReconcileScope`).
    public var compared = 0
}

/// What a run should do beyond the usual.
public struct SyncOptions: Sendable {
    /// Feeds to read; `nil` reads every configured feed.
    public var feeds: Set<String>?
    /// Re-push every listing, changed or not (`resync --full --force`).
    public var repushEverything = false
    /// Apply feeds even when a guard would hold them (`sync --force`).
    public var ignoreGuards = false
    /// Download http(s) feeds whole, without the conditional GET (`resync --full`).
    public var refetch = false
    /// Asked between push batches: `true` stops pushing (the daemon is shutting down).
    public var shouldStop: @Sendable () -> Bool = { false }
    /// Asked between push batches, after the first: `true` ends the push, leaving the rest to the next cycle
    /// (the daemon has a feed change waiting: the cycle that reads it pushes its deltas with the rest, most
    /// urgent first).
    public var shouldYield: @Sendable () -> Bool = { false }
    /// Asked while the run reads a primary feed (each row written, each run of unchanged rows) and reconciles (each
    /// batch of SKUs): `true` abandons the run with `SyncGaveWay`, its transaction rolled back, so that a change
    /// waiting on a small feed (an inventory feed's stock drop) goes first; the caller runs this one again after it.
    public var shouldGiveWay: @Sendable () -> Bool = { false }
    /// Remote feeds' downloads kept from a run that gave way (`SyncGaveWay.downloads`): read, not fetched again.
    var keptDownloads: [String: SyncJob.KeptDownload] = [:]
    /// Bring each feed's digest file up to the generation read; `false` for a run that is rolled back (`preview`),
    /// which would otherwise leave a file the next run may not be able to use.
    var writesDigestFiles = true

    public init(feeds: Set<String>? = nil, repushEverything: Bool = false, ignoreGuards: Bool = false) {
        self.feeds = feeds
        self.repushEverything = repushEverything
        self.ignoreGuards = ignoreGuards
    }
}

/// A run abandoned before its commit for a change waiting elsewhere (`SyncOptions.shouldGiveWay`): nothing of it
/// was applied or pushed.
public struct SyncGaveWay: Error {
    /// The remote feeds it downloaded, for the run that reads them again (`SyncOptions.keptDownloads`).
    var downloads: [String: SyncJob.KeptDownload] = [:]
}

/// The outcome of `sync --once`.
public struct SyncSummary: Sendable {
    public var feeds: [FeedReport] = []
    public var channels: [ChannelReport] = []

    /// 0 when everything was applied and pushed; 1 when there were data problems (DESIGN, exit statuses).
    public var exitStatus: Int32 {
        let dataProblems = feeds.contains { $0.outcome == .rejected || $0.outcome == .held || $0.issueCount > 0 }
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
        let sources = await fetchRemoteFeeds(options: options)
        do {
            try store.transaction { try ingestAndReconcile(now: now, options: options, sources: sources, into: &summary) }
        } catch is SyncGaveWay {
            throw SyncGaveWay(downloads: Self.downloads(in: sources))
        }
        store.removeDigestFiles(keeping: config.feeds.filter { $0.kind == .primary }.map(\.name))
        for index in summary.channels.indices {
            let channel = config.channels[index]
            do {
                try await push(channel, adapter: makeAdapter(channel), report: &summary.channels[index],
                               shouldStop: options.shouldStop, shouldYield: options.shouldYield)
            } catch let error as ChannelSetupError {
                summary.channels[index].pushError = error.message
                logger.error("push.failed", ["channel": channel.name, "error": error.message])
            }
            summary.channels[index].pending = try store.pendingCounts()[channel.name] ?? 0
            if summary.channels[index].yielded {
                logger.info("push.yielded", ["channel": channel.name, "pending": summary.channels[index].pending])
            }
        }
        return summary
    }

    /// What a run would push now, per channel, most urgent first — without pushing or changing any state:
    /// the feeds are read and reconciled inside a transaction that is rolled back.
    public func preview(now: Date = Date(), options: SyncOptions = SyncOptions()) throws
        -> (summary: SyncSummary, deltas: [String: [OutboxEntry]]) {
        var summary = SyncSummary()
        var deltas: [String: [OutboxEntry]] = [:]
        var options = options
        options.writesDigestFiles = false
        struct RollBack: Error {}
        do {
            try store.transaction {
                try ingestAndReconcile(now: now, options: options, sources: cachedRemoteFeeds(), into: &summary)
                for channel in config.channels {
                    deltas[channel.name] = try store.pendingDeltas(channel: channel.name, limit: Int.max)
                }
                throw RollBack()
            }
        } catch is RollBack {}
        return (summary, deltas)
    }

    /// Reads the feeds and reconciles every channel; the caller owns the transaction.
    private func ingestAndReconcile(now: Date, options: SyncOptions, sources: [String: RemoteSource],
                                    into summary: inout SyncSummary) throws {
        let seenAt = CatalogStore.timestamp(now)
        summary.feeds = try ingestFeeds(now: now, options: options, sources: sources)
        summary.feeds.forEach(log)
        try store.touchOverridden()
        for channel in config.channels {
            var report = ChannelReport(name: channel.name, type: channel.type.rawValue)
            try reconcile(channel, now: now, seenAt: seenAt, repushEverything: options.repushEverything,
                          shouldGiveWay: options.shouldGiveWay, report: &report)
            summary.channels.append(report)
        }
    }

    /// Reads each feed into the store, all or nothing per feed, in the caller's transaction.
    ///
    /// Not with a savepoint per feed: SQLite would first copy every page a feed changes into a sub-journal,
    /// in case it is rolled back (a steady 1M-SKU generation: about 320 MB, as much again as the WAL gets).
    /// Instead a feed rejected or held after it changed something rolls the whole transaction back; the
    /// feeds before it are read again, and it is only recorded as turned down.
    private func ingestFeeds(now: Date, options: SyncOptions, sources: [String: RemoteSource]) throws
        -> [FeedReport] {
        var turnedDown: [String: FeedReport] = [:]
        readingAll: while true {
            try store.beginTouched()
            var reports: [FeedReport] = []
            for var feed in config.feeds where options.feeds?.contains(feed.name) ?? true {
                var rejection: FeedRejection?
                var validators: FetchValidators?
                switch sources[feed.name] {
                case .file(let file, let fetched)?:
                    feed.sourceURL = file
                    validators = fetched
                case .unchanged?:
                    var report = FeedReport(name: feed.name, source: feed.source)
                    report.outcome = .unchanged
                    reports.append(report)
                    continue
                case .failed(let error)?: rejection = error
                case nil: break
                }
                let ingest = Ingest(feed: feed, store: store, logger: logger, ignoreGuards: options.ignoreGuards,
                                    writesDigestFile: options.writesDigestFiles, shouldGiveWay: options.shouldGiveWay)
                // The download was read (applied or turned down): the next fetch may ask whether it changed.
                func recordDownload() throws {
                    if let validators { try store.setFetchValidators(feed: feed.name, source: feed.source, validators) }
                }
                if let report = turnedDown[feed.name] {
                    try ingest.recordTurnedDown(report, now: now)
                    try recordDownload()
                    reports.append(report)
                    continue
                }
                let report = try ingest.run(now: now, rejection: rejection)
                if report.outcome == .rejected || report.outcome == .held {
                    turnedDown[feed.name] = report
                    guard rejection != nil else {  // it read and wrote, then was turned down
                        try store.restartTransaction()
                        continue readingAll
                    }
                    try ingest.recordTurnedDown(report, now: now)
                }
                try recordDownload()
                reports.append(report)
            }
            return reports
        }
    }

    /// Diffs every item against the channel's snapshot, walking both in SKU byte order — or only the SKUs
    /// this run touched, when `ReconcileScope` says the rest are reconciled already.
    ///
    /// `repushEverything` diffs against an empty listing wherever the channel has the SKU, so every
    /// listing is sent again in full (absolute values: harmless to a channel that has them).
    func reconcile(_ channel: ChannelConfig, now: Date, seenAt: String, repushEverything: Bool = false,
                   shouldGiveWay: () -> Bool = { false }, report: inout ChannelReport) throws {
        var counts: [Delta.Operation: Int] = [:]
        var nextChange: Date?
        let staleness = try staleOutcomes(now: now, channel: channel.name)
        let scope = try ReconcileScope(job: self, channel: channel.name, now: now, staleness: staleness,
                                       repushEverything: repushEverything)
        let snapshot = try store.snapshot(channel: channel.name, touchedOnly: scope.touchedOnly)
        var entry: SnapshotEntry?
        var compared = 0
        // SKUs are decided a batch at a time on another core (deciding reads nothing from the store), while
        // this thread reads the next batch and writes the deltas of the one before, in SKU order.
        let decider = Decider(channel: channel, everyChannel: config.channels.map { (name: $0.name, rules: $0.rules) },
                              now: now, staleness: staleness, repushEverything: repushEverything)
        let deciding = DispatchQueue(label: "catalogsync.reconcile.decide")
        var undecided: [Comparison] = []
        undecided.reserveCapacity(Self.decisionBatch)
        var inFlight: Decisions?
        // Deltas go to the outbox as they are decided, a batch behind the snapshot cursor: every SKU written
        // lies behind it (`enqueue`).
        func write(_ decisions: [Decided]) throws {
            for decided in decisions {
                compared += 1
                if let change = decided.nextChange { nextChange = min(nextChange ?? change, change) }
                guard case .enqueue(let delta) = decided.decision else { continue }
                try store.enqueue(delta, valuesText: decided.valuesText, seenAt: seenAt, listed: decided.listed)
                counts[delta.operation, default: 0] += 1
            }
        }
        /// Hands the collected SKUs over to be decided, and writes the batch handed over before them.
        func handOver() throws {
            if shouldGiveWay() { throw SyncGaveWay() }
            let previous = inFlight
            inFlight = undecided.isEmpty ? nil : Decisions(undecided, by: decider, on: deciding)
            undecided.removeAll(keepingCapacity: true)
            if let previous { try finish(previous) }
        }
        func finish(_ batch: Decisions) throws {
            let decisions = batch.wait()
            defer { batch.dispose(decisions) }
            try write(decisions)
        }
        /// Decides and writes every SKU settled so far.
        func drain() throws {
            try handOver()
            if let last = inFlight {
                inFlight = nil
                try finish(last)
            }
        }
        func advance() throws { entry = try snapshot.next() }
        func settle(_ sku: String, item: ItemRow?, entry: SnapshotEntry?) throws {
            undecided.append(Comparison(sku: sku, item: item, entry: entry))
            if undecided.count == Self.decisionBatch { try handOver() }
        }
        try advance()
        try store.forEachItem(feedOrder: config.feeds.map(\.name), touchedOnly: scope.touchedOnly) { item in
            while let current = entry, current.sku.utf8.lexicographicallyPrecedes(item.sku.utf8) {
                try settle(current.sku, item: nil, entry: current)
                try advance()
            }
            if let current = entry, current.sku == item.sku {
                try settle(item.sku, item: item, entry: current)
                try advance()
            } else {
                try settle(item.sku, item: item, entry: nil)
            }
        }
        while let current = entry {
            try settle(current.sku, item: nil, entry: current)
            try advance()
        }
        try drain()
        nextChange = try scope.record(nextChange: nextChange)
        for (operation, count) in counts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            logger.info("reconcile.enqueued", ["channel": channel.name, "op": operation.rawValue, "count": count])
        }
        logger.info("reconcile.compared", ["channel": channel.name, "skus": compared,
                                            "scope": scope.touchedOnly ? "touched" : "all"])
        report.enqueued = counts
        report.nextChange = nextChange
        report.compared = compared
    }

    private func log(_ report: FeedReport) {
        guard report.outcome != .unchanged else { return }  // `feed.not_modified` said so
        for issue in report.issues {
            logger.warning("row.rejected", ["feed": report.name, "line": issue.location.line,
                                            "reason": issue.code, "detail": issue.message])
        }
        if report.outcome == .held {
            logger.error("guard.held", ["feed": report.name, "reason": report.rejection ?? ""])
        } else if report.outcome == .rejected {
            logger.error("feed.rejected", ["feed": report.name, "reason": report.rejection ?? ""])
        } else {
            logger.info("feed.ingested", ["feed": report.name, "profile": report.profile ?? "inventory",
                                         "rows": report.rowsRead, "accepted": report.rowsAccepted,
                                         "rejected": report.issueCount, "created": report.created,
                                         "updated": report.updated, "deleted": report.deleted,
                                         "skipped_unchanged": report.skipped, "staged": report.staged,
                                         "digests": report.digestSource ?? "-"])
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
