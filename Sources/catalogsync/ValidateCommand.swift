import Catalog
import Daemon
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

enum ValidateCommand: Command {
    static let help = """
        usage: catalogsync validate FEED [--profile NAME] [--currency CODE] [--locale ID] [--encoding NAME]
                                         [--delimiter CHAR] [--config PATH]

        Reads a feed the way sync would and lists every bad row as file:line: reason, then a count.
        FEED is a configured feed's name (its settings apply) or a file path. Changes no state.

        options:
          --profile NAME    google, meta, shopify, woocommerce, custom or auto (default: the feed's, else auto,
                            which detects it from the column names and says which it chose)
          --currency CODE   the currency of bare amounts, e.g. SEK
          --locale ID       settles amounts like 1,299 (e.g. sv_SE: decimal comma; en_US: decimal dot)
          --encoding NAME   auto, utf-8, windows-1252 or iso-8859-1
          --delimiter CHAR  , ; | or tab (default: detected from the header)
          --config PATH     the configuration that names the feeds
          --help            this text

        exit status: 0 no bad rows; 1 bad rows, or the feed is rejected whole; 2 usage error
        """
    static let flags: Set<String> = []
    static let options: Set<String> = ["--config", "--profile", "--currency", "--locale", "--encoding", "--delimiter"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        guard arguments.positionals.count == 1 else { throw UsageError("validate takes one FEED") }
        let target = arguments.positionals[0]
        var feed: FeedConfig
        let configFile = configURL(arguments)
        let config = FileManager.default.fileExists(atPath: configFile.path) || arguments["--config"] != nil
            ? try Config.load(from: configFile) : nil
        let path = URL(fileURLWithPath: target).standardizedFileURL
        if let configured = config?.feeds.first(where: { $0.name == target || $0.sourceURL.path == path.path }) {
            feed = configured
        } else {
            guard FileManager.default.fileExists(atPath: path.path) else {
                throw UsageError("\(target) is neither a configured feed nor a file")
            }
            feed = FeedConfig(name: path.lastPathComponent, file: path)
        }
        var temporary: URL?
        defer { temporary.map { try? FileManager.default.removeItem(at: $0) } }
        if feed.isRemote {
            // validate changes no state: download to a temporary file, not the state folder.
            let (file, response) = try await URLSession.shared.download(from: feed.sourceURL)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                print("\(feed.sourceURL.absoluteString): fetch failed: \(response): the feed would be rejected whole")
                return ExitStatus.dataProblems
            }
            let local = FileManager.default.temporaryDirectory
                .appendingPathComponent("catalogsync-validate-\(UUID().uuidString)-\(feed.sourceURL.lastPathComponent)")
            try FileManager.default.moveItem(at: file, to: local)
            temporary = local
            feed.sourceURL = local
        }
        try feed.override(currency: arguments["--currency"], locale: arguments["--locale"],
                          encoding: arguments["--encoding"], delimiter: arguments["--delimiter"],
                          profile: arguments["--profile"])
        var accepted = 0, rejected = 0
        do {
            var (scanner, _) = try FeedScanner.open(feed)
            while let row = try scanner.next() {
                switch row {
                case .offer, .unchanged, .update: accepted += 1
                case .issue(let issue):
                    rejected += 1
                    print(issue.description)
                }
            }
            guard scanner.rowsRead > 0 else {
                print("\(scanner.context.feed): the feed has a header but no rows: it would be rejected whole")
                return ExitStatus.dataProblems
            }
            let profile = scanner.profile.map { " (profile \($0.rawValue))" } ?? ""
            print("\(scanner.context.feed): \(scanner.rowsRead) rows, \(accepted) ok, \(rejected) rejected\(profile)")
        } catch {
            print("\(error): the feed would be rejected whole")
            return ExitStatus.dataProblems
        }
        return rejected == 0 ? ExitStatus.success : ExitStatus.dataProblems
    }
}
