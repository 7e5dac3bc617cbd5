import Foundation

public enum LogFormat: String, Sendable { case logfmt, json }

public enum LogLevel: Int, Sendable, Comparable {
    case debug, info, warning, error

    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// One line per event, with stable event names and keys (README "Log events"): `ts= level= event= …`.
///
/// A value type with a swappable sink, passed in, never created by library code.
public struct Logger: Sendable {
    public var format: LogFormat
    public var minimumLevel: LogLevel
    /// Whether each line carries `ts=`: not under journald (`$JOURNAL_STREAM` set), which stamps lines itself.
    public var timestamps: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] == nil
    public var sink: @Sendable (String) -> Void

    public init(format: LogFormat = .logfmt, minimumLevel: LogLevel = .info,
                sink: @escaping @Sendable (String) -> Void = Logger.standardError) {
        self.format = format
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.error, event, fields) }

    public func log(_ level: LogLevel, _ event: String, _ fields: KeyValuePairs<String, Any>) {
        guard level >= minimumLevel else { return }
        let ts = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)
            .timeZone(separator: .omitted))
        var pairs: [(String, String)] = timestamps ? [("ts", ts)] : []
        pairs += [("level", level.name), ("event", event)]
        for (key, value) in fields { pairs.append((key, "\(value)")) }
        sink(format == .json ? Self.json(pairs) : Self.logfmt(pairs))
    }

    static func logfmt(_ pairs: [(String, String)]) -> String {
        pairs.map { key, value in
            let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\n" }
            guard needsQuotes else { return key + "=" + value }
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return key + "=\"" + escaped + "\""
        }.joined(separator: " ")
    }

    static func json(_ pairs: [(String, String)]) -> String {
        var out = "{"
        for (index, (key, value)) in pairs.enumerated() {
            if index > 0 { out += "," }
            out += "\"\(key)\":"
            appendJSONString(value, to: &out)
        }
        return out + "}"
    }

    private static func appendJSONString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case let s where s.value < 0x20: out += String(format: "\\u%04x", s.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
