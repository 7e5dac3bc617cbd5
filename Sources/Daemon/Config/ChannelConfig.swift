import Catalog
public import Foundation
public import Reconcile

public enum ChannelType: String, Sendable, CaseIterable {
    case file, meta, google, pinterest, webhook
}

/// One channel of the configuration: where it is, how to reach it, and its rules.
public struct ChannelConfig: Sendable {
    public var name: String
    public var type: ChannelType
    /// File channel: the folder that receives the batch files.
    public var path: URL?
    public var batchSize: Int
    /// How many batches the channel may have at once (`batches_in_flight`): a platform that confirms a batch only
    /// when asked later (Meta) works on the next ones meanwhile. 1 for the others: their answer comes with the request.
    public var batchesInFlight: Int
    public var rules: ChannelRules
    public var verifySeconds: Double?
    /// Platform channels (and webhook): how to reach the API.
    public var platform: PlatformConfig?

    static let maxBatchesInFlight = 16

    init(_ o: inout ConfigObject, resolve: (String) -> URL) throws(ConfigError) {
        name = try o.requiredString("name")
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw o.error("name", "may hold only letters, digits, - and _")
        }
        let typeText = try o.requiredString("type")
        guard let type = ChannelType(rawValue: typeText) else {
            throw o.error("type", "must be one of \(ChannelType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.type = type
        path = try o.string("path").map(resolve)
        if type == .file && path == nil { throw o.error("path", "is required for a file channel") }
        batchSize = try o.integer("batch_size", minimum: 1) ?? 5_000
        batchesInFlight = try o.integer("batches_in_flight", minimum: 1) ?? (type == .meta ? 4 : 1)
        guard batchesInFlight <= Self.maxBatchesInFlight else {
            throw o.error("batches_in_flight", "must be at most \(Self.maxBatchesInFlight)")
        }
        if type != .file { platform = try PlatformConfig(&o, type: type, resolve: resolve) }
        var policy = StockPolicy()
        var allocation = StockAllocation.shared
        if var stock = try o.object("stock") {
            policy.buffer = try stock.integer("buffer") ?? 0
            if let text = try stock.number("share") {
                guard let millionths = Self.millionths(text), millionths <= 1_000_000 else {
                    throw stock.error("share", "must be a fraction from 0 to 1 with at most 6 decimals")
                }
                policy.shareMillionths = millionths
            }
            policy.cap = try stock.integer("cap")
            policy.zeroBelow = try stock.integer("zero_below") ?? 0
            switch try stock.string("allocation") ?? "shared" {
            case "shared":
                for key in ["group", "weight", "priority"] where stock.has(key) {
                    throw stock.error(key, "applies to allocation partition only")
                }
            case "partition":
                guard let group = try stock.string("group"), !group.isEmpty else {
                    throw stock.error("group", "is required with allocation partition (the channels that share stock)")
                }
                let weight = try stock.integer("weight", minimum: 1) ?? 1
                let priority = try stock.integer("priority", minimum: Int.min) ?? 0
                allocation = .partition(group: group, weight: weight, priority: priority)
            default:
                throw stock.error("allocation", "must be shared or partition")
            }
            try stock.rejectUnknownKeys()
        }
        let include = try Self.filter(&o, "include")
        let exclude = try Self.filter(&o, "exclude")
        let price = try Self.priceRules(&o)
        let linkParameters = LinkParameters(try o.string("link_params") ?? "")
        let takesSaleDates = try o.bool("sale_dates") ?? true
        rules = ChannelRules(stock: policy, allocation: allocation, include: include, exclude: exclude, price: price,
                             linkParameters: linkParameters, takesSaleDates: takesSaleDates)
        verifySeconds = try o.duration("verify")
    }

    /// `include` / `exclude`: ids, brands, product_types, google_product_categories, custom_label_0…4,
    /// availability, min_price, max_price.
    static func filter(_ o: inout ConfigObject, _ key: String) throws(ConfigError) -> ItemFilter {
        guard var f = try o.object(key) else { return ItemFilter() }
        var filter = ItemFilter()
        filter.ids = try f.strings("ids")
        filter.brands = try f.strings("brands")
        filter.productTypes = try f.strings("product_types")
        filter.googleProductCategories = try f.strings("google_product_categories")
        for index in 0..<5 {
            let values = try f.strings("custom_label_\(index)")
            if !values.isEmpty { filter.customLabels[index] = values }
        }
        for text in try f.strings("availability") {
            guard let value = Availability(feedValue: text) else {
                throw f.error("availability", "\"\(text)\" is not in_stock, out_of_stock, preorder or backorder")
            }
            filter.availability.append(value)
        }
        for bound in ["min_price", "max_price"] {
            guard let text = try f.amountText(bound) else { continue }
            guard let amount = RuleAmount(text) else {
                throw f.error(bound, "\"\(text)\" is not an amount", hint: "write 100 or \"100 SEK\"")
            }
            if bound == "min_price" { filter.minPrice = amount } else { filter.maxPrice = amount }
        }
        try f.rejectUnknownKeys()
        return filter
    }

    /// `price`: markup_pct, add, round, per_currency { CODE: { markup_pct, add, round } }.
    static func priceRules(_ o: inout ConfigObject) throws(ConfigError) -> PriceRules {
        guard var p = try o.object("price") else { return PriceRules() }
        func override(_ p: inout ConfigObject) throws(ConfigError) -> PriceRule.Override {
            var result = PriceRule.Override()
            if let text = try p.number("markup_pct") {
                guard let value = ExactDecimal(text) else { throw p.error("markup_pct", "\"\(text)\" is not a number") }
                result.markupPercent = value
            }
            if let text = try p.amountText("add") {
                guard let value = RuleAmount(text) else {
                    throw p.error("add", "\"\(text)\" is not an amount", hint: "write \"10\" or \"10 SEK\"")
                }
                result.add = value
            }
            if let text = try p.string("round") {
                guard let value = PriceRounding(configValue: text) else {
                    throw p.error("round", "must be \"0.99\", \"0.95\", \"whole\" or null")
                }
                result.rounding = value
            }
            return result
        }
        let base = PriceRule().merging(try override(&p))
        var perCurrency: [String: PriceRule.Override] = [:]
        if var currencies = try p.object("per_currency") {
            for code in currencies.keys {
                guard let currency = Currency(code: code) else {
                    throw currencies.error(code, "is not an ISO 4217 currency code")
                }
                guard var entry = try currencies.object(code) else { continue }
                perCurrency[currency.code] = try override(&entry)
                try entry.rejectUnknownKeys()
            }
            try currencies.rejectUnknownKeys()
        }
        try p.rejectUnknownKeys()
        return PriceRules(base, perCurrency: perCurrency)
    }

    /// "0.5" → 500000; exact, no floating point.
    static func millionths(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int(parts[0].isEmpty ? "0" : parts[0]), whole >= 0 else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 6, fraction.allSatisfy(\.isNumber) else { return nil }
        fraction += String(repeating: "0", count: 6 - fraction.count)
        return whole * 1_000_000 + (Int(fraction) ?? 0)
    }
}

/// How to reach a platform: base URL, account ids, token file, limits.
public struct PlatformConfig: Sendable {
    public var baseURL: URL
    /// The token's file; `nil` means `$CREDENTIALS_DIRECTORY/<channel name>` (systemd LoadCredential=).
    public var tokenFile: String?
    public var rate: Double?
    public var country: String
    public var language: String
    public var catalogID: String?
    public var merchantID: String?
    public var dataSource: String?
    public var feedLabel: String?
    public var contentLanguage: String?
    public var adAccountID: String?
    public var secretFile: String?
    public var pollIntervalSeconds: Double
    public var unconfirmedAfterSeconds: Double

    static let defaultBaseURLs: [ChannelType: String] = [
        .meta: "https://graph.facebook.com/v21.0", .google: "https://merchantapi.googleapis.com",
        .pinterest: "https://api.pinterest.com/v5",
    ]

    init(_ o: inout ConfigObject, type: ChannelType, resolve: (String) -> URL) throws(ConfigError) {
        let text = try o.string("base_url") ?? Self.defaultBaseURLs[type]
        guard let text else { throw o.error("base_url", "is required for a \(type.rawValue) channel") }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else { throw o.error("base_url", "\"\(text)\" is not an http(s) URL") }
        baseURL = url
        tokenFile = try o.string("token_file").map { resolve($0).path }
        if let rateText = try o.string("rate") {
            let parts = rateText.split(separator: "/")
            let units: [String: Double] = ["s": 1, "m": 60, "h": 3600]
            guard parts.count == 2, let count = Double(parts[0]), count > 0, let unit = units[String(parts[1])] else {
                throw o.error("rate", "\"\(rateText)\" is not a rate", hint: "write it like 10/s or 600/m")
            }
            rate = count / unit
        }
        country = try o.string("country") ?? "SE"
        language = try o.string("language") ?? "sv"
        catalogID = try o.string("catalog_id")
        merchantID = try o.string("merchant_id")
        dataSource = try o.string("data_source")
        feedLabel = try o.string("feed_label")
        contentLanguage = try o.string("content_language")
        adAccountID = try o.string("ad_account_id")
        secretFile = try o.string("secret_file").map { resolve($0).path }
        pollIntervalSeconds = try o.duration("poll_interval") ?? 2
        unconfirmedAfterSeconds = try o.duration("unconfirmed_after") ?? 300
        switch type {
        case .meta where catalogID == nil: throw o.error("catalog_id", "is required for a meta channel")
        case .google where merchantID == nil: throw o.error("merchant_id", "is required for a google channel")
        case .google where dataSource == nil: throw o.error("data_source", "is required for a google channel")
        case .webhook where o.has("base_url") == false: throw o.error("base_url", "is required for a webhook channel")
        default: break
        }
    }
}

extension ConfigObject {
    /// A list of strings (a single string counts as a list of one).
    mutating func strings(_ key: String) throws(ConfigError) -> [String] {
        guard let value = value(key) else { return [] }
        switch value {
        case .string(let text, _): return [text]
        case .array(let elements, _):
            var result: [String] = []
            for element in elements {
                guard case .string(let text, _) = element else { throw error(key, "expected a list of strings") }
                result.append(text)
            }
            return result
        default: throw error(key, "expected a list of strings")
        }
    }

    /// An amount written as a number (`10`) or text (`"10 SEK"`).
    mutating func amountText(_ key: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text, _), .number(let text, _): return text
        default: throw error(key, "expected an amount such as 10 or \"10 SEK\"")
        }
    }

    mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag, _) = value else { throw error(key, "expected true or false") }
        return flag
    }
}
