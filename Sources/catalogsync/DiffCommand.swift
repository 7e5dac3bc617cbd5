import Catalog
import Channels
import Daemon
import Foundation
import Store

enum DiffCommand: Command {
    static let help = """
        usage: catalogsync diff [--channel NAME] [--json] [--config PATH]

        Shows what a sync would push now — the feeds read and reconciled, nothing pushed and no state
        changed — grouped by priority (stock decreases first) and kind. --json prints one JSON object
        per delta per line, in the file channel's shape plus "channel" and "priority".

        exit status: 0; 1 when a feed would be rejected or held or has bad rows; 2 configuration error
        """
    static let flags: Set<String> = ["--json"]
    static let options: Set<String> = ["--config", "--channel"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        let config = try Config.load(from: configURL(arguments))
        if let channel = arguments["--channel"], !config.channels.contains(where: { $0.name == channel }) {
            throw UsageError("\(channel) is not a configured channel")
        }
        let lock = try StateLock(directory: config.stateDirectory, owner: "diff")
        let store = try CatalogStore(directory: config.stateDirectory)
        var logger = makeLogger(config)
        logger.minimumLevel = .warning
        let (summary, deltas) = try SyncJob(config: config, store: store, logger: logger).preview()
        for channel in config.channels where arguments["--channel"].map({ $0 == channel.name }) ?? true {
            let entries = deltas[channel.name] ?? []
            if arguments.has("--json") {
                for entry in entries {
                    var line = FileChannel.line(for: entry.delta)
                    line.removeLast()
                    print(line + ",\"channel\":\"\(channel.name)\",\"priority\":\"\(entry.delta.priority.name)\"}")
                }
                continue
            }
            print("channel \(channel.name) (\(channel.type.rawValue)): \(entries.count) deltas")
            for priority in DeltaPriority.allCases {
                let group = entries.filter { $0.delta.priority == priority }
                guard !group.isEmpty else { continue }
                let kinds = Delta.Operation.allCases.map { op in "\(group.filter { $0.delta.operation == op }.count) \(op.rawValue)" }
                print("  \(priority.name): \(kinds.joined(separator: ", "))")
                for entry in group.prefix(20) {
                    let values = entry.delta.changed.prefix(4).map { "\($0)=\(entry.delta.values[$0]?.description ?? "")" }
                    print("    \(entry.delta.operation.rawValue) \(entry.delta.sku) \(values.joined(separator: " "))")
                }
                if group.count > 20 { print("    … and \(group.count - 20) more (--json lists all)") }
            }
        }
        withExtendedLifetime(lock) {}
        return summary.exitStatus
    }
}
