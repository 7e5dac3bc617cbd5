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
    /// Where each attribute's values are in `record.fields`.
    let layout: RowLayout

    /// - Parameter layout: `record`'s layout (one that `fits` it), or `nil` to find it here.
    init(_ record: FeedRecord, context: MappingContext, layout: RowLayout? = nil) {
        self.record = record
        self.context = context
        self.layout = layout ?? RowLayout(record)
    }

    /// The lookup key of a name: `GoogleProfile.attributeName`, with a fast path for names already in that form.
    static func key(_ name: String) -> String {
        // Most feeds (CSV headers after `CSVRecordSource`, Google XML) already use lower-case attribute names.
        let isPlain = name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        if isPlain, !name.isEmpty { return GoogleProfile.aliases[name] ?? name }
        return GoogleProfile.attributeName(name)
    }

    /// The positions in `record.fields` of the columns called `name`.
    func positions(_ name: String) -> [Int] { layout.index[RowFields.key(name)] ?? [] }

    /// Whether the record has a column called `name`, empty or not.
    func has(_ name: String) -> Bool { layout.index[RowFields.key(name)] != nil }

    /// The first non-empty value of `name`, trimmed of surrounding white space, or `nil`.
    func text(_ name: String) -> String? { text(at: positions(name)) }

    /// `text(_:)` of a Google attribute, found without hashing its name.
    func text(_ attribute: GoogleProfile.Attribute) -> String? { text(at: layout.positions(of: attribute)) }

    /// The first non-empty value of the fields at `positions`, trimmed of surrounding white space, or `nil`.
    private func text(at positions: [Int]) -> String? {
        for position in positions {
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
    func list(_ name: String) -> [String] { list(at: positions(name)) }

    func list(_ attribute: GoogleProfile.Attribute) -> [String] { list(at: layout.positions(of: attribute)) }

    private func list(at positions: [Int]) -> [String] {
        positions.flatMap { record.fields[$0].value.split(separator: ",") }
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
        try money(text(name), name: name, currency: currency)
    }

    func money(_ attribute: GoogleProfile.Attribute, currency: Currency? = nil) throws(FeedIssue) -> Money? {
        try money(text(attribute), name: attribute.name, currency: currency)
    }

    /// `value`, the text of the column `name`, as an amount.
    private func money(_ value: String?, name: String, currency: Currency?) throws(FeedIssue) -> Money? {
        guard let value else { return nil }
        do {
            return try Money.parse(value, defaultCurrency: currency ?? context.currency, locale: context.locale)
        } catch {
            throw FeedIssue(.invalidAmount(field: name, value: value, why: error.why), at: location(name))
        }
    }

    /// A whole number in `name`; negative stock counts as 0 when `clampsNegative` (Shopify and WooCommerce
    /// export oversold stock as a negative count).
    func count(_ name: String, clampsNegative: Bool = false) throws(FeedIssue) -> Int? {
        try count(text(name), name: name, clampsNegative: clampsNegative)
    }

    func count(_ attribute: GoogleProfile.Attribute) throws(FeedIssue) -> Int? {
        try count(text(attribute), name: attribute.name, clampsNegative: false)
    }

    /// `value`, the text of the column `name`, as a whole number.
    private func count(_ value: String?, name: String, clampsNegative: Bool) throws(FeedIssue) -> Int? {
        guard let value else { return nil }
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
        try availability(text(name), name: name)
    }

    func availability(_ attribute: GoogleProfile.Attribute) throws(FeedIssue) -> Availability? {
        try availability(text(attribute), name: attribute.name)
    }

    /// `value`, the text of the column `name`, as an availability.
    private func availability(_ value: String?, name: String) throws(FeedIssue) -> Availability? {
        guard let value else { return nil }
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
