public import Foundation

/// The daemon's configuration: JSON with comments, as documented in README.md.
///
/// Paths are relative to the configuration file's folder. Unknown keys are errors naming the key and line.
public struct Config: Sendable {
    public var file: URL
    public var stateDirectory: URL
    public var logFormat: LogFormat
    public var logLevel: LogLevel
    public var metricsTextfile: URL?
    public var feeds: [FeedConfig]
    public var channels: [ChannelConfig]

    /// Reads and checks the configuration at `url`.
    public static func load(from url: URL) throws(ConfigError) -> Config {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigError(file: url.path, message: "cannot read the configuration: \(Config.reason(error))")
        }
        return try parse(text, file: url)
    }

    /// Parses configuration text; `file` names it in errors and anchors relative paths.
    public static func parse(_ text: String, file: URL) throws(ConfigError) -> Config {
        let name = file.path
        let root: ConfigValue
        do {
            root = try JSON5Parser.parse(text)
        } catch {
            throw ConfigError(file: name, line: error.line, message: "\(error.message) (column \(error.column))")
        }
        var object = try ConfigObject(root, file: name, path: "")
        let base = file.deletingLastPathComponent()
        func resolve(_ path: String) -> URL {
            path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path).standardizedFileURL
        }
        let stateDirectory = resolve(try object.string("state_dir") ?? "../state")
        var logFormat = LogFormat.logfmt, logLevel = LogLevel.info
        if var log = try object.object("log") {
            if let format = try log.string("format") {
                guard let value = LogFormat(rawValue: format) else { throw log.error("format", "must be logfmt or json") }
                logFormat = value
            }
            if let level = try log.string("level") {
                guard let value = LogLevel(name: level) else {
                    throw log.error("level", "must be debug, info, warning or error")
                }
                logLevel = value
            }
            try log.rejectUnknownKeys()
        }
        var metricsTextfile: URL?
        if var metrics = try object.object("metrics") {
            metricsTextfile = try metrics.string("textfile").map(resolve)
            try metrics.rejectUnknownKeys()
        }
        var feeds: [FeedConfig] = []
        for (index, value) in try object.array("feeds").enumerated() {
            var feed = try ConfigObject(value, file: name, path: "feeds[\(index)]")
            let parsed = try FeedConfig(&feed, resolve: resolve)
            if feeds.contains(where: { $0.name == parsed.name }) { throw feed.error("name", "is used by another feed") }
            feeds.append(parsed)
            try feed.rejectUnknownKeys()
        }
        guard !feeds.isEmpty else { throw object.error("feeds", "at least one feed is required") }
        var channels: [ChannelConfig] = []
        for (index, value) in try object.array("channels").enumerated() {
            var channel = try ConfigObject(value, file: name, path: "channels[\(index)]")
            let parsed = try ChannelConfig(&channel, resolve: resolve)
            if channels.contains(where: { $0.name == parsed.name }) {
                throw channel.error("name", "is used by another channel")
            }
            channels.append(parsed)
            try channel.rejectUnknownKeys()
        }
        guard !channels.isEmpty else { throw object.error("channels", "at least one channel is required") }
        try object.rejectUnknownKeys()
        return Config(file: file, stateDirectory: stateDirectory, logFormat: logFormat, logLevel: logLevel,
                      metricsTextfile: metricsTextfile, feeds: feeds, channels: channels)
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

/// `30s`, `5m`, `24h`, `7d`, `250ms` → seconds.
func parseDuration(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        let number = text.dropLast(suffix.count)
        if let value = Double(number), value >= 0, !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }) {
            return value * scale
        }
    }
    return nil
}

extension ConfigObject {
    mutating func duration(_ key: String) throws(ConfigError) -> Double? {
        guard let text = try string(key) else { return nil }
        guard let seconds = parseDuration(text) else {
            throw error(key, "\"\(text)\" is not a duration", hint: "write it like 30s, 5m, 24h or 7d")
        }
        return seconds
    }

    /// Keys of the configuration contract that this version does not act on yet: refused when set,
    /// because silently ignoring a price or stock rule would publish what the merchant did not ask for.
    mutating func rejectUnsupported(_ keys: [String], _ why: String) throws(ConfigError) {
        for key in keys where has(key) {
            if case .object(let members, _)? = value(key), members.isEmpty { continue }
            if case .string(let text, _)? = value(key), text.isEmpty { continue }
            throw error(key, "is not supported by this version yet", hint: why)
        }
    }
}
