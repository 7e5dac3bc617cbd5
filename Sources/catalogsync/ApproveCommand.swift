import Daemon
import Foundation
import Store

enum ApproveCommand: Command {
    static let help = """
        usage: catalogsync approve FEED [--config PATH]

        Lets a feed generation that a guard held (too many deletions or zeroes, too few items, a file older
        than the one last applied) through: marks the feed approved and runs a sync at once, which applies it
        and clears the approval. A held http(s) feed is read from the download kept in the state folder. With
        a daemon running, the sync is handed to it.

        exit status: as sync --once; 2 when FEED is not a configured feed
        """
    static let flags: Set<String> = []
    static let options: Set<String> = ["--config", "--wait"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        guard arguments.positionals.count == 1 else { throw UsageError("approve takes one FEED") }
        let name = arguments.positionals[0]
        let config = try Config.load(from: configURL(arguments))
        guard config.feeds.contains(where: { $0.name == name }) else {
            throw UsageError("\(name) is not a configured feed (\(config.feeds.map(\.name).joined(separator: ", ")))")
        }
        if StateLock.isHeldByDaemon(config.stateDirectory) {
            try CatalogStore(directory: config.stateDirectory).setApproved(feed: name, true)
            return try await handOffToDaemon(config, kind: "sync", arguments: "", waitSeconds: waitSeconds(arguments))
        }
        let lock = try StateLock(directory: config.stateDirectory, owner: "approve")
        let store = try CatalogStore(directory: config.stateDirectory)
        guard let state = try store.feedState(name) else { throw UsageError("\(name) has never been read") }
        if state.status != "held" { print("feed \(name) is not held (status \(state.status)); syncing anyway") }
        try store.setApproved(feed: name, true)
        let summary = try await SyncJob(config: config, store: store, logger: makeLogger(config)).run()
        print(SyncSummary.render(summary))
        withExtendedLifetime(lock) {}
        return summary.exitStatus
    }
}
