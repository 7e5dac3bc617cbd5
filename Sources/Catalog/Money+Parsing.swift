// STUB (replaced by the Money parsing work): accepts only "199.00 SEK" and a bare "199.00".

/// How a locale writes amounts: which mark separates decimals.
public struct AmountLocale: Hashable, Sendable {
    public enum DecimalMark: Sendable, Hashable { case dot, comma }
    public var decimalMark: DecimalMark

    public init(decimalMark: DecimalMark) { self.decimalMark = decimalMark }

    /// `sv_SE`, `de-DE`, `nl_NL` write decimal commas; `en_US`, `en_GB`, `ja_JP` decimal dots.
    /// - Returns: `nil` for an identifier we cannot place.
    public init?(identifier: String) {
        return nil
    }
}

/// Why a text is not an amount of money.
public struct MoneyParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var why: String
    public init(_ why: String) { self.why = why }
    public var description: String { why }
}

extension Money {
    /// Parses an amount as merchants export it.
    ///
    /// - Parameters:
    ///   - defaultCurrency: the feed's currency, for a bare amount.
    ///   - locale: the feed's locale, which settles `1,299` and `1.299`; without one those are rejected.
    public static func parse(_ text: some StringProtocol, defaultCurrency: Currency?,
                             locale: AmountLocale?) throws(MoneyParseError) -> Money {
        let parts = text.split(separator: " ")
        guard let amount = parts.first, parts.count <= 2 else { throw MoneyParseError("is not an amount") }
        let currency: Currency
        if parts.count == 2 {
            guard let code = Currency(code: parts[1]) else { throw MoneyParseError("has an unknown currency") }
            currency = code
        } else {
            guard let defaultCurrency else { throw MoneyParseError("has no currency") }
            currency = defaultCurrency
        }
        let pieces = amount.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = Int64(pieces[0]) else { throw MoneyParseError("is not an amount") }
        var fraction = pieces.count == 2 ? String(pieces[1]) : ""
        guard fraction.count <= currency.exponent else { throw MoneyParseError("has too many decimals") }
        fraction += String(repeating: "0", count: currency.exponent - fraction.count)
        var scale: Int64 = 1
        for _ in 0..<currency.exponent { scale *= 10 }
        return Money(minorUnits: whole * scale + (Int64(fraction) ?? 0), currency: currency)
    }
}

extension SaleWindow {
    /// Parses Google's `sale_price_effective_date`: two ISO 8601 date-times joined by `/`.
    public static func parse(_ text: some StringProtocol) throws(MoneyParseError) -> SaleWindow {
        throw MoneyParseError("sale windows are not parsed yet")
    }
}
