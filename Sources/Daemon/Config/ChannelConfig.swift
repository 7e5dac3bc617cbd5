public import Foundation
public import Reconcile

public enum ChannelType: String, Sendable, CaseIterable {
    case file, meta, google, pinterest, webhook
}

public struct ChannelConfig: Sendable {
    public var name: String
    public var type: ChannelType
    /// File channel: the folder that receives the batch files.
    public var path: URL?
    public var batchSize: Int
    public var rules: ChannelRules
    public var verifySeconds: Double?

    init(_ o: inout ConfigObject, resolve: (String) -> URL) throws(ConfigError) {
        name = try o.requiredString("name")
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw o.error("name", "may hold only letters, digits, - and _")
        }
        let typeText = try o.requiredString("type")
        guard let type = ChannelType(rawValue: typeText) else {
            throw o.error("type", "must be one of \(ChannelType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard type == .file else {
            throw o.error("type", "\(typeText) channels are not supported by this version yet", hint: "use file")
        }
        self.type = type
        path = try o.string("path").map(resolve)
        if type == .file && path == nil { throw o.error("path", "is required for a file channel") }
        batchSize = try o.integer("batch_size", minimum: 1) ?? 5_000
        var policy = StockPolicy()
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
            if let allocation = try stock.string("allocation"), allocation != "shared" {
                throw stock.error("allocation", "\"\(allocation)\" is not supported by this version yet",
                                  hint: "use shared")
            }
            try stock.rejectUnsupported(["group", "weight", "priority"], "they apply to allocation partition")
            try stock.rejectUnknownKeys()
        }
        rules = ChannelRules(stock: policy)
        verifySeconds = try o.duration("verify")
        try o.rejectUnsupported(["include", "exclude", "price", "link_params", "base_url", "token_file", "rate",
                                 "country", "language", "catalog_id", "merchant_id", "data_source", "ad_account_id"],
                                "it comes with the reconciler and platform adapter work")
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
