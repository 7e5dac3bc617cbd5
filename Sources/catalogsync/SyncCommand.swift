import Catalog
import Daemon
import Foundation
import Store

enum SyncCommand: Command {
    static let help = """
        usage: catalogsync sync --once [--config PATH]

        Reads every configured feed, works out what each channel should show, pushes the differences
        (stock decreases first) and prints a summary: rows read, rows rejected with their reasons, and
        deltas by kind per channel. A feed that is empty or cannot be read is rejected whole: nothing of it
        is applied and nothing is deleted.

        options:
          --once         run one pass and exit (the only mode of sync; the daemon is `catalogsync run`)
          --config PATH  the configuration file
          --help         this text

        exit status: 0 done; 1 rows or feeds rejected, or items rejected by a channel;
                     2 usage or configuration error; 3 could not run (state locked, I/O failure)
        """
    static let flags: Set<String> = ["--once"]
    static let options: Set<String> = ["--config"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        guard arguments.has("--once") else { throw UsageError("sync needs --once") }
        guard arguments.positionals.isEmpty else { throw UsageError("unexpected \(arguments.positionals[0])") }
        let config = try Config.load(from: configURL(arguments))
        let logger = makeLogger(config)
        let lock = try StateLock(directory: config.stateDirectory)
        let store = try CatalogStore(directory: config.stateDirectory)
        let started = Date()
        logger.info("sync.started", ["config": config.file.path, "feeds": config.feeds.count,
                                     "channels": config.channels.count])
        let summary = try await SyncJob(config: config, store: store, logger: logger).run(now: started)
        let outcome = summary.exitStatus == ExitStatus.success ? "ok" : "data_problems"
        try store.recordRun(kind: "sync", startedAt: CatalogStore.timestamp(started),
                            endedAt: CatalogStore.timestamp(Date()), outcome: outcome, stats: statsLine(summary))
        logger.info("sync.finished", ["outcome": outcome, "seconds": String(format: "%.3f", -started.timeIntervalSinceNow)])
        print(render(summary))
        withExtendedLifetime(lock) {}
        return summary.exitStatus
    }

    static func statsLine(_ summary: SyncSummary) -> String {
        let rows = summary.feeds.reduce(0) { $0 + $1.rowsRead }
        let rejected = summary.feeds.reduce(0) { $0 + $1.issueCount }
        let pushed = summary.channels.reduce(0) { $0 + $1.pushed.values.reduce(0, +) }
        return "rows=\(rows) rejected=\(rejected) pushed=\(pushed)"
    }

    static func render(_ summary: SyncSummary) -> String {
        var lines: [String] = []
        for feed in summary.feeds {
            if feed.outcome == .rejected {
                lines.append("feed \(feed.name): REJECTED: \(feed.rejection ?? "")")
                continue
            }
            lines.append("feed \(feed.name): \(feed.rowsRead) rows read, \(feed.rowsAccepted) accepted, "
                         + "\(feed.issueCount) rejected; items \(feed.created) new, \(feed.updated) changed, "
                         + "\(feed.deleted) removed")
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
