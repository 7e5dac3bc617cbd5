public import Catalog
import Foundation
import Reconcile
import Store

/// What reading one feed did.
public struct FeedReport: Sendable {
    public enum Outcome: String, Sendable {
        /// A new generation was applied.
        case applied
        /// The feed could not be read as a whole (empty, unreadable, cut off): nothing applied.
        case rejected
        /// A guard tripped: nothing applied until `catalogsync approve FEED` or `sync --force`.
        case held
        /// A remote feed the server says has not changed since the last download (HTTP 304).
        case unchanged
    }

    public var name: String
    public var source: String
    public var rowsRead = 0
    public var rowsAccepted = 0
    public var created = 0
    public var updated = 0
    public var deleted = 0
    /// Rows skipped as byte for byte what their item was read from (not decoded, not mapped).
    public var skipped = 0
    /// Items written in SKU order at the end of the feed, since the feed lists them in another (`SKUOrder`).
    public var staged = 0
    /// The row issues, in feed order (at most `Ingest.keptIssues`; `issueCount` counts them all).
    public var issues: [FeedIssue] = []
    public var issueCount = 0
    public var outcome: Outcome = .applied
    /// Why the whole feed was rejected or held.
    public var rejection: String?
    /// The profile the rows were read with (what `profile: auto` detected).
    public var profile: String?
    /// Where the items' digests were read: "file" (the feed's digest file) or "table"; `nil` for inventory feeds.
    public var digestSource: String?

    mutating func note(_ issue: FeedIssue) {
        issueCount += 1
        if issues.count < Ingest.keptIssues { issues.append(issue) }
    }
}

/// Reads one feed into the store as a new generation. Runs inside the caller's transaction.
struct Ingest {
    static let keptIssues = 1_000

    let feed: FeedConfig
    let store: CatalogStore
    let logger: Logger
    /// `sync --force`: apply even when a guard would hold the feed.
    var ignoreGuards = false
    /// Bring the feed's digest file up to this generation (`SyncOptions.writesDigestFiles`).
    var writesDigestFile = true
    /// Asked for each row (or run of unchanged rows) of a primary feed that the writing thread takes: `true` throws
    /// `SyncGaveWay` (`SyncOptions.shouldGiveWay`).
    var shouldGiveWay: @Sendable () -> Bool = { false }

    /// Reads the feed and applies it, inside the caller's transaction. A feed rejected or held comes back with
    /// that outcome, and whatever it changed before is still in the transaction: the caller rolls it back and
    /// records the feed with `recordTurnedDown` (`SyncJob.ingestFeeds`).
    /// - Parameter rejection: the feed could not even be fetched: read nothing.
    func run(now: Date, rejection: FeedRejection? = nil) throws -> FeedReport {
        var report = FeedReport(name: feed.name, source: feed.source)
        do {
            if let rejection { throw rejection }
            try apply(into: &report, now: now)
        } catch let rejection as FeedRejection {
            report.outcome = rejection.isHold ? .held : .rejected
            report.rejection = rejection.message
        }
        return report
    }

    /// Records why the feed was rejected or held: its status, and an alert.
    func recordTurnedDown(_ report: FeedReport, now: Date) throws {
        let held = report.outcome == .held
        let reason = report.rejection ?? ""
        let previous = try store.feedState(feed.name)
        try store.recordFeed(FeedState(name: feed.name, source: feed.source, generation: previous?.generation ?? 0,
                                       appliedAt: previous?.appliedAt, itemCount: previous?.itemCount ?? 0,
                                       status: held ? "held" : "rejected", statusReason: reason))
        try store.recordAlert(at: CatalogStore.timestamp(now), event: held ? "guard.held" : "feed.rejected",
                              feed: feed.name, message: reason)
    }

    /// Reads the feed into the store: a primary feed's items, or an inventory feed's stock.
    private func apply(into report: inout FeedReport, now: Date) throws {
        if feed.kind == .inventory {
            try applyInventory(into: &report)
        } else {
            try applyPrimary(into: &report, now: now)
        }
    }

    private func applyPrimary(into report: inout FeedReport, now: Date) throws {
        var (scanner, file) = try FeedScanner.open(feed)
        let previous = try store.feedState(feed.name)
        try checkNotOlder(file, than: previous)
        let generation = (previous?.generation ?? 0) + 1
        let loaded = try store.loadItemDigests(feed: feed.name, expectedCount: previous?.itemCount ?? 0)
        let known = loaded.digests
        let previousCount = known.count
        report.digestSource = loaded.isFromFile ? "file" : "table"
        // What this generation writes, for the feed's digest file (`saveItemDigests`, below).
        var changes = ItemDigests.Changes(known: known)
        // A record byte for byte what an item was read from is that item, unchanged: not decoded, not mapped.
        // The scanner marks every item this generation has seen (skipped or mapped): what is left is deleted.
        scanner.known = known
        // Reading and mapping run on a thread of their own, ahead of the writes here. Until `finish()`, only that
        // thread touches the scanner and `known`.
        let rows = ReadAhead { () throws(FeedRejection) -> PreparedRow? in
            try Self.prepare(next: &scanner, known: known)
        }
        defer { rows.finish() }
        var zeroed = 0
        // Items are written as they come while they come in SKU order (`SKUOrder`). Out of order, and with at least
        // a quarter of the rows so far written (a first sync), the rest are staged and written in SKU order at the
        // end of the feed (`CatalogStore.stageItem`). Sparser writes land on a page each in any order: a steady 1M
        // generation of a shuffled feed (64k items written) was no quicker staged, and took 23 MiB more memory.
        var order = SKUOrder()
        var staging = false
        try store.beginStagedItems()
        while let row = try rows.next() {
            if shouldGiveWay() { throw SyncGaveWay() }
            let prepared: PreparedOffer
            switch row {
            case .issue(let issue):
                report.note(issue)
                continue
            case .unchanged(let count):
                report.rowsAccepted += count
                report.skipped += count
                continue
            case .offer(let offer):
                prepared = offer
            }
            report.rowsAccepted += 1
            let offer = prepared.offer
            if let before = prepared.before {
                if before.fingerprint == prepared.fingerprint {
                    // The same item from a record that changed in ways it does not show (or was not hashed before).
                    if before.rawHash != prepared.digest {
                        try store.setRawHash(feed: feed.name, sku: offer.id, prepared.digest)
                        changes.update(before.entry, rawHash: prepared.digest, fingerprint: before.fingerprint)
                    }
                    continue
                }
                report.updated += 1
                changes.update(before.entry, rawHash: prepared.digest, fingerprint: prepared.fingerprint)
                if Self.publishesZero(offer), let before = try store.itemData(feed: feed.name, sku: offer.id),
                   Listing(jsonText: before).map(Reconciler.isBuyable) == true {
                    zeroed += 1
                }
            } else {
                report.created += 1
                changes.create(sku: offer.id, rawHash: prepared.digest, fingerprint: prepared.fingerprint,
                               line: prepared.line)
            }
            staging = staging || !order.isOrdered && (report.created + report.updated) * 4 > report.rowsAccepted
            if !staging {
                try store.upsertItem(feed: feed.name, sku: offer.id, groupID: offer.groupId,
                                     fingerprint: prepared.fingerprint, data: prepared.data, line: prepared.line,
                                     generation: generation, rawHash: prepared.digest)
                order.note(offer.id)
            } else {
                try store.stageItem(feed: feed.name, sku: offer.id, groupID: offer.groupId,
                                    fingerprint: prepared.fingerprint, data: prepared.data, line: prepared.line,
                                    generation: generation, rawHash: prepared.digest)
                report.staged += 1
            }
            try store.touch(sku: offer.id)
        }
        rows.finish()
        try store.applyStagedItems()
        report.rowsRead = scanner.rowsRead
        report.profile = scanner.profile?.rawValue
        if report.rowsAccepted == 0 {
            let why = report.rowsRead == 0 ? "the feed has a header but no rows" : "no row of the feed could be read"
            throw FeedRejection("\(file.lastPathComponent): \(why); nothing was applied and nothing deleted")
        }
        // Any read error in the feed means no deletions from it: a row that failed may be an item that exists.
        let missing = previousCount - known.seenCount
        let deletions = report.issueCount > 0 ? 0 : missing
        if case .hold(let reason) = GuardCheck.evaluate(previousItemCount: previousCount,
                                                         newItemCount: report.rowsAccepted, deletions: deletions,
                                                         zeroedStock: zeroed, guards: feed.guards) {
            try hold(file, because: "the new generation \(reason)")
        }
        if deletions > 0 {
            for sku in known.unseenSKUs() {
                try store.deleteItem(feed: feed.name, sku: sku)
                try store.touch(sku: sku)
            }
        } else if missing > 0 {
            logger.warning("feed.deletions_skipped", ["feed": feed.name, "missing": missing,
                                                      "reason": "the feed had \(report.issueCount) bad rows"])
        }
        report.deleted = deletions
        try store.recordFeed(FeedState(name: feed.name, source: feed.source, generation: generation,
                                       appliedAt: CatalogStore.timestamp(now), itemCount: previousCount
                                        + report.created - deletions, status: "ok", statusReason: nil))
        try store.setApproved(feed: feed.name, false)
        try store.setSourceTime(feed: feed.name, CatalogStore.timestamp(Self.modificationTime(of: file) ?? now))
        if writesDigestFile, let failure = try store.saveItemDigests(feed: feed.name, loaded, changes: changes,
                                                                     deletesUnseen: deletions > 0) {
            logger.warning("feed.digest_file_failed", ["feed": feed.name, "error": failure])
        }
    }

    /// Holds a primary feed whose file is older than the generation last applied from the same source (DESIGN
    /// promise 4): an export restored from a backup, a mirror that lags behind. Its stock is older than what the
    /// channels were told, and the stock overrides observed since would end with it.
    ///
    /// Older by more than `olderFileSlack`: a download's time is worked out from HTTP dates in whole seconds, and
    /// FAT file systems keep a file's time in steps of two.
    private func checkNotOlder(_ file: URL, than previous: FeedState?) throws {
        guard let previous, previous.source == feed.source, let last = try store.fileTime(feed: feed.name),
              let lastTime = CatalogStore.date(fromTimestamp: last), let time = Self.modificationTime(of: file),
              time < lastTime.addingTimeInterval(-Self.olderFileSlack) else { return }
        try hold(file, because: "file was last modified at \(CatalogStore.timestamp(time)), before the generation "
                 + "last applied (\(last))")
    }

    static let olderFileSlack: TimeInterval = 2

    /// Throws the feed's hold, unless this run lets it through (`approve FEED`, `sync --force`): then logs that.
    private func hold(_ file: URL, because reason: String) throws {
        let approved = try store.isApproved(feed: feed.name)
        guard approved || ignoreGuards else {
            throw FeedRejection("\(file.lastPathComponent): held: the \(reason); nothing was applied. "
                                + "If this is intended: catalogsync approve \(feed.name)", isHold: true)
        }
        logger.warning("feed.guard_overridden", ["feed": feed.name, "reason": reason,
                                                 "by": approved ? "approve" : "force"])
    }

    /// A primary feed's row as the reading thread hands it to the writing one.
    /// Boxed but for `unchanged` (see `FeedScanner.Row`): batches of rows are copied from thread to thread.
    private enum PreparedRow {
        indirect case issue(FeedIssue)
        /// `count` rows in a row, each byte for byte what its item was read from.
        case unchanged(count: Int)
        indirect case offer(PreparedOffer)
    }

    /// A mapped offer with its listing text and fingerprint, and what the store had for its SKU.
    private struct PreparedOffer {
        var offer: Offer
        var data: String
        var fingerprint: Int64
        var line: Int
        var digest: UInt64
        /// The item's digest entry, fingerprint and record hash before this generation; `nil`: a new SKU.
        var before: (entry: ItemDigests.Entry, fingerprint: Int64, rawHash: UInt64)?
    }

    /// Reads the scanner's next row that ingest writes, with everything about it that needs no store.
    private static func prepare(next scanner: inout FeedScanner, known: ItemDigests) throws(FeedRejection)
        -> PreparedRow? {
        // Unchanged rows go over as one count per run of them: an incremental generation hands the writing thread
        // a few rows per changed one, not every row of the feed.
        let unchanged = try scanner.takeUnchanged(upTo: 4_096)
        if unchanged > 0 { return .unchanged(count: unchanged) }
        while let row = try scanner.next() {
            switch row {
            case .issue(let issue): return .issue(issue)
            case .update: continue
            case .unchanged: return .unchanged(count: 1)
            case .offer(let offer, let line, let digest):
                let data = offer.baseListing.jsonText
                let before = known.entry(for: offer.id).map { ($0, known.fingerprint($0), known.rawHash($0)) }
                return .offer(PreparedOffer(offer: offer, data: data, fingerprint: CatalogStore.fingerprint(data),
                                            line: line, digest: digest ?? 0, before: before))
            }
        }
        return nil
    }

    /// An inventory feed: stock (and price) for SKUs of the primary feeds. It never deletes anything.
    private func applyInventory(into report: inout FeedReport) throws {
        var (scanner, file) = try FeedScanner.open(feed)
        let observedAt = CatalogStore.timestamp(Self.modificationTime(of: file) ?? Date())
        var outdated = 0
        while let row = try scanner.next() {
            switch row {
            case .issue(let issue): report.note(issue)
            case .offer, .unchanged: break
            case .update(let update):
                report.rowsAccepted += 1
                if try store.hasItem(sku: update.id) { report.updated += 1 } else { report.created += 1 }
                try store.touch(sku: update.id)
                let override = StockOverride(quantity: update.quantity, availability: update.availability?.rawValue,
                                             price: update.price?.description, salePrice: update.salePrice?.description)
                if try !store.upsertOverride(sku: update.id, feed: feed.name, override: override,
                                             observedAt: observedAt, line: update.line) {
                    outdated += 1
                }
            }
        }
        if outdated > 0 {
            logger.warning("feed.outdated_rows", ["feed": feed.name, "rows": outdated, "observed_at": observedAt])
        }
        report.rowsRead = scanner.rowsRead
        if report.rowsAccepted == 0 {
            throw FeedRejection("\(file.lastPathComponent): no row of the inventory feed could be read")
        }
        let previous = try store.feedState(feed.name)
        try store.recordFeed(FeedState(name: feed.name, source: feed.source, generation: (previous?.generation ?? 0) + 1,
                                       appliedAt: CatalogStore.timestamp(Date()), itemCount: report.rowsAccepted,
                                       status: "ok", statusReason: nil))
    }

    static func publishesZero(_ offer: Offer) -> Bool {
        offer.availability == .outOfStock || (offer.quantity == 0 && !offer.availability.ignoresStock)
    }

    static func modificationTime(of file: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate] as? Date
    }
}
