public import Catalog
public import Feeds
public import Foundation
public import Reconcile

public enum FeedFormat: String, Sendable, CaseIterable {
    case auto, csv, tsv, xml, json, jsonl

    /// The format of `file`, from its extension, else from its first non-blank byte (`<` XML, `[` or `{` JSON).
    public static func detect(_ file: URL) -> FeedFormat {
        switch file.pathExtension.lowercased() {
        case "xml", "rss", "atom": return .xml
        case "json": return .json
        case "jsonl", "ndjson": return .jsonl
        case "tsv", "tab": return .tsv
        case "csv", "txt": return .csv
        default: break
        }
        guard let handle = try? FileHandle(forReadingFrom: file) else { return .csv }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        let first = head.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF
            || $0 == 0xBB || $0 == 0xBF }).first
        switch first {
        case UInt8(ascii: "<"): return .xml
        case UInt8(ascii: "["), UInt8(ascii: "{"): return .json
        default: return .csv
        }
    }
}

public enum FeedKind: String, Sendable {
    /// The complete catalog: an item missing from it is deleted.
    case primary
    /// A partial update of stock (and price): never deletes.
    case inventory
}

public struct FeedConfig: Sendable {
    public var name: String
    /// A file, a folder (its newest complete file) or an http(s) URL, as written in the configuration.
    public var source: String
    public var sourceURL: URL
    /// Whether the source is an http(s) URL, fetched with a conditional GET into the state folder.
    public var isRemote: Bool { sourceURL.scheme == "http" || sourceURL.scheme == "https" }
    public var format: FeedFormat
    public var profile: String
    public var kind: FeedKind
    public var currency: Currency?
    public var locale: AmountLocale?
    public var localeName: String?
    public var encoding: FeedEncoding
    public var delimiter: UInt8?
    public var pollSeconds: Double?
    public var maxAgeSeconds: Double?
    public var stale: String
    /// What the feed's items publish once it is older than `max_age`.
    public var staleMode: StaleFeed.Mode = .hold
    public var guards: FeedGuards
    /// `profile: custom`: attribute → source column, XML element or JSON dot path.
    public var mapping: [String: String] = [:]
    /// JSON: the array of records inside a top-level object (`products` for Shopify's products.json).
    public var recordPath: String?
    /// The zone of dates written without one (WooCommerce sale dates); UTC when unset.
    public var timeZone: TimeZone?

    init(_ o: inout ConfigObject, resolve: (String) -> URL) throws(ConfigError) {
        name = try o.requiredString("name")
        source = try o.requiredString("source")
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            guard let url = URL(string: source), url.host != nil else { throw o.error("source", "is not a valid URL") }
            sourceURL = url
        } else {
            sourceURL = resolve(source)
        }
        let formatText = try o.string("format") ?? "auto"
        guard let format = FeedFormat(rawValue: formatText) else {
            throw o.error("format", "must be one of \(FeedFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.format = format
        profile = try o.string("profile") ?? "auto"
        guard profile == "auto" || ProfileKind(rawValue: profile) != nil else {
            throw o.error("profile", "must be auto or one of "
                          + ProfileKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let kindText = try o.string("kind") ?? "primary"
        guard let kind = FeedKind(rawValue: kindText) else { throw o.error("kind", "must be primary or inventory") }
        self.kind = kind
        if let code = try o.string("currency") {
            guard let currency = Currency(code: code) else {
                throw o.error("currency", "\"\(code)\" is not an ISO 4217 currency code")
            }
            self.currency = currency
        }
        if let identifier = try o.string("locale") {
            guard let locale = AmountLocale(identifier: identifier) else {
                throw o.error("locale", "\"\(identifier)\" is not a locale catalogsync knows", hint: "e.g. sv_SE, de_DE, en_US")
            }
            self.locale = locale
            localeName = identifier
        }
        let encodingText = try o.string("encoding") ?? "auto"
        guard let encoding = FeedEncoding(rawValue: encodingText.lowercased()) else {
            throw o.error("encoding", "must be one of \(FeedEncoding.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.encoding = encoding
        if let text = try o.string("delimiter") {
            let map: [String: UInt8] = [",": 0x2C, ";": 0x3B, "\t": 0x09, "tab": 0x09, "|": 0x7C]
            guard let byte = map[text] else { throw o.error("delimiter", "must be one of , ; | tab") }
            delimiter = byte
        }
        if format == .tsv && delimiter == nil { delimiter = 0x09 }
        pollSeconds = try o.duration("poll")
        maxAgeSeconds = try o.duration("max_age")
        stale = try o.string("stale") ?? "hold"
        let staleBuffer = try o.integer("stale_buffer")
        switch stale {
        case "hold": staleMode = .hold
        case "zero": staleMode = .zero
        case "buffer":
            guard let units = staleBuffer else {
                throw o.error("stale", "buffer needs stale_buffer: the units to hold back while the feed is stale")
            }
            staleMode = .buffer(units)
        default: throw o.error("stale", "must be hold, zero or buffer")
        }
        if staleBuffer != nil && stale != "buffer" { throw o.error("stale_buffer", "applies to stale: buffer only") }
        guards = FeedGuards()
        if var g = try o.object("guards") {
            for key in ["max_delete_pct", "max_zero_pct"] {
                guard let text = try g.number(key) else { continue }
                guard let value = ExactDecimal(text), let number = Double(text), (0...100).contains(number) else {
                    throw g.error(key, "must be a percentage from 0 to 100")
                }
                if key == "max_delete_pct" { guards.maxDeletePct = value } else { guards.maxZeroPct = value }
            }
            guards.minItems = try g.integer("min_items") ?? guards.minItems
            try g.rejectUnknownKeys()
        }
        if var map = try o.object("mapping") {
            for key in map.keys {
                guard let source = try map.string(key), !source.isEmpty else {
                    throw map.error(key, "expected the source column or path as a string")
                }
                mapping[key] = source
            }
            try map.rejectUnknownKeys()
        }
        if profile == "custom" && mapping["id"] == nil {
            throw o.error("mapping", "profile custom needs a mapping with at least id and price",
                          hint: "e.g. mapping: { id: \"sku\", price: \"priceInfo.price\" }")
        }
        recordPath = try o.string("record_path")
        if let zone = try o.string("time_zone") {
            guard let value = TimeZone(identifier: zone) else {
                throw o.error("time_zone", "\"\(zone)\" is not a time zone", hint: "e.g. Europe/Stockholm")
            }
            timeZone = value
        }
    }
}

extension FeedConfig {
    /// A feed that is not in any configuration (for `validate PATH`): CSV, Google profile, defaults otherwise.
    public init(name: String, file: URL) {
        self.name = name
        source = file.path
        sourceURL = file
        format = .auto
        profile = "auto"
        kind = .primary
        encoding = .auto
        stale = "hold"
        guards = FeedGuards()
    }

    /// Applies command-line overrides (`--currency SEK`, `--locale sv_SE`, `--encoding …`, `--delimiter ;`).
    public mutating func override(currency: String?, locale: String?, encoding: String?,
                                  delimiter: String?, profile: String?) throws(ConfigError) {
        var members: [(key: String, value: ConfigValue, line: Int)] = [
            ("name", .string(name, line: 0), 0), ("source", .string(sourceURL.path, line: 0), 0),
        ]
        let settings: [(String, String?)] = [("currency", currency ?? self.currency?.code), ("locale", locale ?? localeName),
                        ("encoding", encoding ?? self.encoding.rawValue), ("profile", profile ?? self.profile),
                        ("delimiter", delimiter ?? self.delimiter.map { String(UnicodeScalar($0)) })]
        for case (let key, let value?) in settings { members.append((key, .string(value, line: 0), 0)) }
        var object = try ConfigObject(.object(members, line: 0), file: "command line", path: "")
        let keep = (guards, pollSeconds, maxAgeSeconds, stale, mapping, recordPath, timeZone, kind, format, staleMode)
        if !mapping.isEmpty {
            members.append(("mapping", .object(mapping.map { ($0.key, .string($0.value, line: 0), 0) }, line: 0), 0))
            object = try ConfigObject(.object(members, line: 0), file: "command line", path: "")
        }
        self = try FeedConfig(&object, resolve: { URL(fileURLWithPath: $0) })
        (guards, pollSeconds, maxAgeSeconds, stale, mapping, recordPath, timeZone, kind, format, staleMode) = keep
    }
}
