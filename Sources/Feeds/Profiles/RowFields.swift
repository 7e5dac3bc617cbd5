import Catalog
import Foundation

/// One record's fields looked up by attribute name, plus the parsing every profile shares.
///
/// Lookups ignore case, spacing and a `g:` prefix (`Variant Price`, `variant_price` and `VARIANT PRICE` are one
/// column), as `GoogleProfile.attributeName` spells them. A profile passes the name the merchant sees in the
/// export (`Variant Price`), which is also the field every issue names.
struct RowFields {
    let record: FeedRecord
    let context: MappingContext
    /// Attribute name → indices into `record.fields`, in source order.
    private let index: [String: [Int]]

    init(_ record: FeedRecord, context: MappingContext) {
        self.record = record
        self.context = context
        var index: [String: [Int]] = [:]
        index.reserveCapacity(record.fields.count)
        for (position, field) in record.fields.enumerated() {
            index[RowFields.key(field.name), default: []].append(position)
        }
        self.index = index
    }

    /// The lookup key of a name: `GoogleProfile.attributeName`, with a fast path for names already in that form.
    static func key(_ name: String) -> String {
        // Most feeds (CSV headers after `CSVRecordSource`, Google XML) already use lower-case attribute names.
        let isPlain = name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        if isPlain, !name.isEmpty { return GoogleProfile.aliases[name] ?? name }
        return GoogleProfile.attributeName(name)
    }

    /// Whether the record has a column called `name`, empty or not.
    func has(_ name: String) -> Bool { index[RowFields.key(name)] != nil }

    /// The first non-empty value of `name`, trimmed of surrounding white space, or `nil`.
    func text(_ name: String) -> String? {
        for position in index[RowFields.key(name)] ?? [] {
            let trimmed = Substring(record.fields[position].value).trimmingSpaces()
            if !trimmed.isEmpty { return String(trimmed) }
        }
        return nil
    }

    /// The first non-empty value among several names for one attribute, with the name it was found under.
    func first(_ names: [String]) -> (name: String, value: String)? {
        for name in names {
            if let value = text(name) { return (name, value) }
        }
        return nil
    }

    /// Every value of `name` in source order, each split at commas, trimmed, empty ones left out.
    func list(_ name: String) -> [String] {
        (index[RowFields.key(name)] ?? []).flatMap { record.fields[$0].value.split(separator: ",") }
            .map { String(Substring($0).trimmingSpaces()) }.filter { !$0.isEmpty }
    }

    func location(_ field: String?) -> SourceLocation {
        SourceLocation(feed: context.feed, line: record.line, field: field)
    }

    func missing(_ field: String) -> FeedIssue {
        FeedIssue(.missingValue(field), at: location(field))
    }

    func invalid(_ field: String, _ value: String, _ why: String) -> FeedIssue {
        FeedIssue(.invalidValue(field: field, value: value, why: why), at: location(field))
    }

    /// The amount in `name`, in the feed's currency and locale unless the text names its own currency.
    func money(_ name: String, currency: Currency? = nil) throws(FeedIssue) -> Money? {
        guard let value = text(name) else { return nil }
        do {
            return try Money.parse(value, defaultCurrency: currency ?? context.currency, locale: context.locale)
        } catch {
            throw FeedIssue(.invalidAmount(field: name, value: value, why: error.why), at: location(name))
        }
    }

    /// A whole number in `name`; negative stock counts as 0 when `clampsNegative` (Shopify and WooCommerce
    /// export oversold stock as a negative count).
    func count(_ name: String, clampsNegative: Bool = false) throws(FeedIssue) -> Int? {
        guard let value = text(name) else { return nil }
        // Some exports write stock as `5.0` or `+3`; accept whole numbers only, never round.
        var digits = Substring(value)
        if digits.hasSuffix(".0") { digits = digits.dropLast(2) }
        guard let number = Int(digits), number >= 0 || clampsNegative else {
            throw invalid(name, value, "is not a whole number of 0 or more")
        }
        return max(number, 0)
    }

    /// An availability as feeds write it (`in stock`, `IN_STOCK`, `available for order`, …).
    func availability(_ name: String) throws(FeedIssue) -> Availability? {
        guard let value = text(name) else { return nil }
        guard let parsed = Availability(profileValue: value) else {
            throw invalid(name, value, "is not in_stock, out_of_stock, preorder or backorder")
        }
        return parsed
    }
}

extension Availability {
    /// `Availability(feedValue:)` plus the values of Google-based comparison-site feeds.
    ///
    /// Prisjakt's `download` (a digital item, deliverable at once) and `pickup` (in stock, collected in a store)
    /// both mean the item exists and can be bought now, so both are `in_stock`; no channel we push to has a
    /// pickup-only state, and a feed's quantity still caps what is published.
    init?(profileValue value: String) {
        if let parsed = Availability(feedValue: value) {
            self = parsed
            return
        }
        switch Substring(value).trimmingSpaces().lowercased() {
        case "download", "pickup": self = .inStock
        default: return nil
        }
    }
}

extension Money {
    /// Whether both amounts are in one currency and `self` is the larger.
    func isGreater(than other: Money) -> Bool {
        currency == other.currency && minorUnits > other.minorUnits
    }
}

/// Option and attribute names that stand for a variant attribute: `Color`/`Colour`, `Size`, …
enum VariantAttribute {
    /// The `Offer` attribute a shop's option name stands for, or `nil` for one the offer has no slot for.
    static func named(_ name: String) -> WritableKeyPath<Offer, String?>? {
        switch Substring(name).trimmingSpaces().lowercased() {
        case "color", "colour": return \.color
        case "size": return \.size
        case "material": return \.material
        case "pattern": return \.pattern
        case "gender": return \.gender
        case "age group", "age_group": return \.ageGroup
        default: return nil
        }
    }
}
