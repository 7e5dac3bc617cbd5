import Catalog

extension SyncSummary {
    public static func statsLine(_ summary: SyncSummary) -> String {
        let rows = summary.feeds.reduce(0) { $0 + $1.rowsRead }
        let rejected = summary.feeds.reduce(0) { $0 + $1.issueCount }
        let pushed = summary.channels.reduce(0) { $0 + $1.pushed.values.reduce(0, +) }
        return "rows=\(rows) rejected=\(rejected) pushed=\(pushed)"
    }

    public static func render(_ summary: SyncSummary) -> String {
        var lines: [String] = []
        for feed in summary.feeds {
            if feed.outcome == .unchanged {
                lines.append("feed \(feed.name): unchanged since the last download (HTTP 304)")
                continue
            }
            if feed.outcome != .applied {
                lines.append("feed \(feed.name): \(feed.outcome == .held ? "HELD" : "REJECTED"): \(feed.rejection ?? "")")
                continue
            }
            let profile = feed.profile.map { " (profile \($0))" } ?? ""
            lines.append("feed \(feed.name)\(profile): \(feed.rowsRead) rows read, \(feed.rowsAccepted) accepted, "
                         + "\(feed.issueCount) rejected; items \(feed.created) new, \(feed.updated) changed, "
                         + "\(feed.deleted) removed"
                         + (feed.skipped > 0 ? "; \(feed.skipped) rows unchanged (not mapped again)" : ""))
            for issue in feed.issues { lines.append("  \(issue)") }
            if feed.issueCount > feed.issues.count {
                lines.append("  … and \(feed.issueCount - feed.issues.count) more (catalogsync validate lists them all)")
            }
        }
        for channel in summary.channels {
            func counts(_ map: [Delta.Operation: Int]) -> String {
                Delta.Operation.allCases.map { "\(map[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
            }
            lines.append("channel \(channel.name) (\(channel.type)): enqueued \(counts(channel.enqueued)); "
                         + "pushed \(counts(channel.pushed)); \(channel.pending) pending")
            if let error = channel.pushError { lines.append("  push stopped: \(error)") }
            for rejection in channel.rejected { lines.append("  rejected \(rejection)") }
        }
        return lines.joined(separator: "\n")
    }
}
