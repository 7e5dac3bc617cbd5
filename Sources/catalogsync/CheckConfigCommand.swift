import Daemon
import Foundation

enum CheckConfigCommand: Command {
    static let help = """
        usage: catalogsync check-config [--config PATH]

        Reads the configuration and reports the first mistake with its file, line and key — run it
        before `systemctl reload catalogsync`. Checks that every feed source exists.

        exit status: 0 valid; 2 a mistake (printed)
        """
    static let flags: Set<String> = []
    static let options: Set<String> = ["--config"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        let url = configURL(arguments)
        let config = try Config.load(from: url)
        var missing: [String] = []
        for feed in config.feeds where !FileManager.default.fileExists(atPath: feed.sourceURL.path) {
            missing.append("feed \(feed.name): source \(feed.sourceURL.path) does not exist (yet)")
        }
        print("\(url.path): ok — \(config.feeds.count) feeds, \(config.channels.count) channels, "
              + "state in \(config.stateDirectory.path)")
        for line in missing { print("warning: \(line)") }
        return ExitStatus.success
    }
}
