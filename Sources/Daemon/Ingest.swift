public import Catalog
import Foundation
import Store

/// What reading one feed did.
public struct FeedReport: Sendable {
    public enum Outcome: String, Sendable {
        case applied, rejected
    }

    public var name: String
    public var source: String
    public var rowsRead = 0
    public var rowsAccepted = 0
    public var created = 0
    public var updated = 0
    public var deleted = 0
    /// The row issues, in feed order (at most `Ingest.keptIssues`; `issueCount` counts them all).
    public var issues: [FeedIssue] = []
    public var issueCount = 0
    public var outcome: Outcome = .applied
    /// Why the whole feed was rejected.
    public var rejection: String?

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

    /// Reads the feed and applies it; a rejected feed changes nothing in the store but its status.
    func run(now: Date) throws -> FeedReport {
        var report = FeedReport(name: feed.name, source: feed.source)
        do {
            try store.savepoint("ingest") {
                try apply(into: &report, now: now)
            }
        } catch let rejection as FeedRejection {
            report.outcome = .rejected
            report.rejection = rejection.message
            let previous = try store.feedState(feed.name)
            try store.recordFeed(FeedState(name: feed.name, source: feed.source, generation: previous?.generation ?? 0,
                                           appliedAt: previous?.appliedAt, itemCount: previous?.itemCount ?? 0,
                                           status: "rejected", statusReason: rejection.message))
        }
        return report
    }

    private func apply(into report: inout FeedReport, now: Date) throws {
        var (scanner, file) = try FeedScanner.open(feed)
        let generation = (try store.feedState(feed.name)?.generation ?? 0) + 1
        var known = try store.itemFingerprints(feed: feed.name)
        while let row = try scanner.next() {
            guard case .offer(let offer, let line) = row else {
                if case .issue(let issue) = row { report.note(issue) }
                continue
            }
            report.rowsAccepted += 1
            let data = offer.baseListing.jsonText
            let fingerprint = CatalogStore.fingerprint(data)
            let old = known.removeValue(forKey: offer.id)
            guard old != fingerprint else { continue }
            if old == nil { report.created += 1 } else { report.updated += 1 }
            try store.upsertItem(feed: feed.name, sku: offer.id, groupID: offer.groupId, fingerprint: fingerprint,
                                 data: data, line: line, generation: generation)
        }
        report.rowsRead = scanner.rowsRead
        if report.rowsAccepted == 0 {
            let why = report.rowsRead == 0 ? "the feed has a header but no rows" : "no row of the feed could be read"
            throw FeedRejection("\(file.lastPathComponent): \(why); nothing was applied and nothing deleted")
        }
        if report.rowsAccepted < feed.guards.minItems {
            throw FeedRejection("\(file.lastPathComponent): \(report.rowsAccepted) items, fewer than guards.min_items "
                                + "(\(feed.guards.minItems)); nothing was applied")
        }
        for sku in known.keys {
            try store.deleteItem(feed: feed.name, sku: sku)
        }
        report.deleted = known.count
        try store.recordFeed(FeedState(name: feed.name, source: feed.source, generation: generation,
                                       appliedAt: CatalogStore.timestamp(now), itemCount: report.rowsAccepted,
                                       status: "ok", statusReason: nil))
    }
}
