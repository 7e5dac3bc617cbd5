import Daemon
import Foundation
import Store

enum ResyncCommand: Command {
    static let help = """
        usage: catalogsync resync --full [--force] [--config PATH] [--wait SECONDS]

        What cron or a systemd timer runs: re-reads every feed and reconciles every channel, pushing
        whatever differs. --force re-sends every listing in full, changed or not (absolute values:
        harmless to a channel that already has them). With a daemon running, the work is handed to it
        and this command waits for its outcome.

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
        let summary = try await SyncJob(config: config, store: store, logger: makeLogger(config))
            .run(now: started, options: SyncOptions(repushEverything: force))
        try store.recordRun(kind: "resync", startedAt: CatalogStore.timestamp(started),
                            endedAt: CatalogStore.timestamp(Date()),
                            outcome: summary.exitStatus == ExitStatus.success ? "ok" : "data_problems",
                            stats: SyncSummary.statsLine(summary))
        print(SyncSummary.render(summary))
        withExtendedLifetime(lock) {}
        return summary.exitStatus
    }
}
