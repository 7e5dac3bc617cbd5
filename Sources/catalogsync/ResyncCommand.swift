import Daemon
import Foundation
import Store

enum ResyncCommand: Command {
    static let help = """
        usage: catalogsync resync --full [--force] [--config PATH] [--wait SECONDS]

        What cron or a systemd timer runs. First lists every platform channel's real catalog: fields that
        differ are logged (event=mismatch) and pushed again; items on the platform that no feed has
        (orphans) are deleted — unless that would delete more than the feed guard's max_delete_pct, then
        they are held (event=orphans.held) until --force; Google items last pushed over 25 days ago are
        pushed again (Google expires items after 30). Then re-reads every feed and pushes whatever
        differs. --force also re-sends every listing in full (absolute values: harmless). With a daemon
        running, the work is handed to it and this command waits for its outcome.

        exit status: as sync --once
        """
    static let flags: Set<String> = ["--full", "--force"]
    static let options: Set<String> = ["--config", "--wait"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        guard arguments.has("--full") else { throw UsageError("resync needs --full") }
        guard arguments.positionals.isEmpty else { throw UsageError("unexpected \(arguments.positionals[0])") }
        let config = try Config.load(from: configURL(arguments))
        let force = arguments.has("--force")
        if StateLock.isHeldByDaemon(config.stateDirectory) {
            return try await handOffToDaemon(config, kind: "resync", arguments: force ? "full force" : "full",
                                             waitSeconds: waitSeconds(arguments))
        }
        let lock = try StateLock(directory: config.stateDirectory, owner: "resync")
        let store = try CatalogStore(directory: config.stateDirectory)
        let started = Date()
        let logger = makeLogger(config)
        let prepared = try await FullResync(config: config, store: store, logger: logger).prepare(force: force)
        let summary = try await SyncJob(config: config, store: store, logger: logger)
            .run(now: started, options: { var o = SyncOptions(repushEverything: force); o.refetch = true; return o }())
        prepared.lines.forEach { print($0) }
        logger.info("resync.done", ["outcome": summary.exitStatus == ExitStatus.success && !prepared.held ? "ok" : "data_problems",
                                    "seconds": String(format: "%.3f", -started.timeIntervalSinceNow)])
        try store.recordRun(kind: "resync", startedAt: CatalogStore.timestamp(started),
                            endedAt: CatalogStore.timestamp(Date()),
                            outcome: summary.exitStatus == ExitStatus.success ? "ok" : "data_problems",
                            stats: SyncSummary.statsLine(summary))
        print(SyncSummary.render(summary))
        withExtendedLifetime(lock) {}
        return prepared.held ? max(summary.exitStatus, ExitStatus.dataProblems) : summary.exitStatus
    }
}
