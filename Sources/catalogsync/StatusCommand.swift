import Daemon
import Foundation
import Store

enum StatusCommand: Command {
    static let help = """
        usage: catalogsync status [--config PATH]

        Shows each feed (status, generation, items, when it was last applied, why it was rejected), each
        channel (items listed, deltas pending) and the last runs. Reads the state; changes nothing.

        exit status: 0 all feeds ok and nothing rejected; 1 a feed is rejected or deltas are parked;
                     2 configuration error; 3 the state cannot be read
        """
    static let flags: Set<String> = []
    static let options: Set<String> = ["--config"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        guard arguments.positionals.isEmpty else { throw UsageError("unexpected \(arguments.positionals[0])") }
        let config = try Config.load(from: configURL(arguments))
        let database = config.stateDirectory.appendingPathComponent("catalogsync.db")
        guard FileManager.default.fileExists(atPath: database.path) else {
            print("no state yet in \(config.stateDirectory.path): run `catalogsync sync --once` first")
            return ExitStatus.success
        }
        let store = try CatalogStore(path: database.path)
        let pending = try store.pendingCounts(), listed = try store.listedCounts(), parked = try store.rejectedCounts()
        let retrying = try store.retryingCounts()
        var healthy = true
        print("feeds:")
        for feed in config.feeds {
            guard let state = try store.feedState(feed.name) else {
                print("  \(feed.name): never read (\(feed.source))")
                continue
            }
            var line = "  \(feed.name): \(state.status), generation \(state.generation), \(state.itemCount) items, "
                + "applied \(state.appliedAt ?? "never")"
            if let reason = state.statusReason { line += "\n    last rejection: \(reason)" }
            if state.status != "ok" { healthy = false }
            print(line)
        }
        print("channels:")
        for channel in config.channels {
            let parkedCount = parked[channel.name] ?? 0
            if parkedCount > 0 { healthy = false }
            let retry = retrying[channel.name].map { " (\($0) after a failed push)" } ?? ""
            print("  \(channel.name) (\(channel.type.rawValue)): \(listed[channel.name] ?? 0) listed, "
                  + "\(pending[channel.name] ?? 0) pending\(retry), \(parkedCount) rejected")
        }
        print("last runs:")
        for run in try store.recentRuns(limit: 5) {
            print("  \(run.startedAt) \(run.kind): \(run.outcome ?? "running") \(run.stats ?? "")")
        }
        return healthy ? ExitStatus.success : ExitStatus.dataProblems
    }
}
