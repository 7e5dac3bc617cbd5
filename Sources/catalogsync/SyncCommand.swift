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

        When a catalogsync daemon is running on the same state, the pass is handed to it and this
        command waits for its outcome, prints it and exits with its status.

        options:
          --once         run one pass and exit (the only mode of sync; the daemon is `catalogsync run`)
          --force        apply feeds even when a guard would hold them (see also `approve FEED`)
          --config PATH  the configuration file
          --wait SECONDS how long to wait for a running daemon (default 1800)
          --help         this text

        exit status: 0 done; 1 rows or feeds rejected, or items rejected by a channel;
                     2 usage or configuration error; 3 could not run (state locked, I/O failure)
        """
    static let flags: Set<String> = ["--once", "--force"]
    static let options: Set<String> = ["--config", "--wait"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        guard arguments.has("--once") else { throw UsageError("sync needs --once") }
        guard arguments.positionals.isEmpty else { throw UsageError("unexpected \(arguments.positionals[0])") }
        let config = try Config.load(from: configURL(arguments))
        if StateLock.isHeldByDaemon(config.stateDirectory) {
            return try await handOffToDaemon(config, kind: "sync", arguments: arguments.has("--force") ? "force" : "",
                                             waitSeconds: waitSeconds(arguments))
        }
        let logger = makeLogger(config)
        let lock = try StateLock(directory: config.stateDirectory, owner: "sync")
        let store = try CatalogStore(directory: config.stateDirectory)
        let started = Date()
        logger.info("sync.started", ["config": config.file.path, "feeds": config.feeds.count,
                                     "channels": config.channels.count])
        let summary = try await SyncJob(config: config, store: store, logger: logger)
            .run(now: started, options: SyncOptions(ignoreGuards: arguments.has("--force")))
        let outcome = summary.exitStatus == ExitStatus.success ? "ok" : "data_problems"
        try store.recordRun(kind: "sync", startedAt: CatalogStore.timestamp(started),
                            endedAt: CatalogStore.timestamp(Date()), outcome: outcome, stats: SyncSummary.statsLine(summary))
        logger.info("sync.finished", ["outcome": outcome, "seconds": String(format: "%.3f", -started.timeIntervalSinceNow)])
        print(SyncSummary.render(summary))
        withExtendedLifetime(lock) {}
        return summary.exitStatus
    }
}
