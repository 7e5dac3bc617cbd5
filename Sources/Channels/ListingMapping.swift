import Catalog
import Foundation

/// Reading our listing vocabulary (Google attribute names) for the platform mappings.
extension Listing {
    /// An attribute as text (`quantity` as its digits), or `nil` when absent or empty.
    func text(_ name: String) -> String? {
        guard let value = self[name] else { return nil }
        let text = value.description
        return text.isEmpty ? nil : text
    }

    /// A price attribute (`"199.00 SEK"`) as `Money`.
    /// - Throws: `MappingError` naming the attribute when the text is not an amount with a currency.
    func money(_ name: String) throws(MappingError) -> Money? {
        guard let text = text(name) else { return nil }
        guard let money = Prices.parse(text) else {
            throw MappingError("\(name) \"\(text)\" is not an amount with an ISO 4217 currency, e.g. \"199.00 SEK\"")
        }
        return money
    }

    /// The listing's availability, or `nil` when absent or unknown.
    var availability: Availability? {
        text("availability").flatMap { Availability(feedValue: $0) }
    }
}

/// A listing a platform mapping cannot express; the delta is rejected with this message.
struct MappingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prices as platforms want them.
enum Prices {
    /// `"199.00 SEK"` (what the reconciler writes), and other unambiguous forms platforms return.
    static func parse(_ text: String) -> Money? {
        try? Money.parse(text, defaultCurrency: nil, locale: AmountLocale(decimalMark: .dot))
    }

    /// Google's micros: minor units × 10^(6 − exponent). `199.00 SEK` → 199000000, `1500 JPY` →
    /// 1500000000, `1.250 KWD` → 1250000. - Returns: `nil` on overflow (or an exponent above 6).
    static func micros(_ money: Money) -> Int64? {
        let exponent = money.currency.exponent
        guard exponent <= 6 else { return nil }
        var factor: Int64 = 1
        for _ in 0..<(6 - exponent) { factor *= 10 }
        let (value, overflow) = money.minorUnits.multipliedReportingOverflow(by: factor)
        return overflow ? nil : value
    }

    /// The inverse of `micros(_:)`. - Returns: `nil` for an unknown currency or micros finer than
    /// the currency's minor unit.
    static func money(micros: Int64, currencyCode: String) -> Money? {
        guard let currency = Currency(code: currencyCode), currency.exponent <= 6 else { return nil }
        var factor: Int64 = 1
        for _ in 0..<(6 - currency.exponent) { factor *= 10 }
        guard micros % factor == 0 else { return nil }
        return Money(minorUnits: micros / factor, currency: currency)
    }

    /// A platform's price text in our form (`"199.00 SEK"`), or the text unchanged when it cannot be read.
    static func normalized(_ text: String) -> String {
        parse(text)?.description ?? text
    }
}

/// Platform availability words, both ways.
enum AvailabilityText {
    /// Meta's and Pinterest's words back to ours: `in stock` → `in_stock`, `available for order` → `backorder`.
    static func fromPlatform(_ text: String) -> String {
        let lower = text.lowercased()
        if lower == "available for order" { return Availability.backorder.rawValue }
        return Availability(feedValue: lower)?.rawValue ?? text
    }
}
