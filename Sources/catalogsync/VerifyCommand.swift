import Daemon
import Foundation
import Store

enum VerifyCommand: Command {
    static let help = """
        usage: catalogsync verify [--channel NAME] [--config PATH]

        Compares each channel's real listing (fetched from the platform) with what catalogsync told it,
        logs one event=mismatch line per differing field (channel= sku= field= expected= actual=) and
        records the real state, so the next sync pushes the repair. Items the platform has that were never
        listed there are reported as orphans, not deleted. A file channel has nothing to fetch.
        The daemon does the same for every channel with a `verify` interval.

        exit status: 0 no differences; 1 differences found (repairs enqueued); 3 a channel could not be read
        """
    static let flags: Set<String> = []
    static let options: Set<String> = ["--config", "--channel"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        let config = try Config.load(from: configURL(arguments))
        let wanted = arguments["--channel"]
        let channels = config.channels.filter { channel in wanted.map { $0 == channel.name } ?? true }
        guard !channels.isEmpty else { throw UsageError("\(arguments["--channel"] ?? "") is not a configured channel") }
        let lock = try StateLock(directory: config.stateDirectory, owner: "verify")
        let store = try CatalogStore(directory: config.stateDirectory)
        let verifier = Verifier(config: config, store: store, logger: makeLogger(config))
        var status = ExitStatus.success
        for channel in channels {
            let report = try await verifier.verify(channel)
            if let why = report.skipped {
                print("channel \(channel.name): not verified: \(why)")
                if channel.type != .file { status = ExitStatus.couldNotRun }
                continue
            }
            print("channel \(channel.name): \(report.checked) checked, \(report.mismatches.count) fields differ, "
                  + "\(report.missing.count) missing, \(report.orphans.count) orphans")
            for m in report.mismatches.prefix(50) {
                print("  \(m.sku) \(m.field): expected \(m.expected.isEmpty ? "(none)" : m.expected), "
                      + "actual \(m.actual.isEmpty ? "(none)" : m.actual)")
            }
            if !report.mismatches.isEmpty || !report.missing.isEmpty, status == ExitStatus.success {
                status = ExitStatus.dataProblems
            }
        }
        withExtendedLifetime(lock) {}
        return status
    }
}
