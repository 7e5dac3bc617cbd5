import Foundation

/// How a locale writes amounts: which mark separates decimals.
public struct AmountLocale: Hashable, Sendable {
    public enum DecimalMark: Sendable, Hashable { case dot, comma }
    public var decimalMark: DecimalMark

    public init(decimalMark: DecimalMark) { self.decimalMark = decimalMark }

    /// `sv_SE`, `de-DE`, `nl_NL` write decimal commas; `en_US`, `en_GB`, `ja_JP`, `de_CH` decimal dots.
    ///
    /// Accepts POSIX and BCP 47 spellings in any case (`sv_SE`, `sv-SE`, `sv_SE.UTF-8`) and a bare
    /// language (`sv`). The marks follow CLDR's Latin-digit number formats.
    /// - Returns: `nil` for an identifier we cannot place.
    public init?(identifier: String) {
        var id = Substring(identifier.lowercased())
        if let end = id.firstIndex(where: { $0 == "." || $0 == "@" }) { id = id[..<end] }
        let parts = id.split(separator: "_", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "-", omittingEmptySubsequences: false) }
        let language = String(parts[0])
        guard (2...3).contains(language.count), language.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        let region = parts.count > 1 ? String(parts[1]) : ""
        if let mark = AmountLocale.regionalMarks[language + "_" + region] {
            decimalMark = mark
        } else if AmountLocale.commaLanguages.contains(language) {
            decimalMark = .comma
        } else if AmountLocale.dotLanguages.contains(language) {
            decimalMark = .dot
        } else {
            return nil
        }
    }

    static let commaLanguages: Set<String> = Set("""
        sv nb nn no da fi is fo de nl fr it es pt pl lt lv et cs sk sl hr bs sr hu ro bg ru uk be el tr ca eu gl \
        az kk id vi mk sq ka hy lb af
        """.split(separator: " ").map(String.init))
    static let dotLanguages: Set<String> = [
        "en", "ja", "zh", "ko", "th", "he", "hi", "ms", "ga", "cy", "mt", "fil", "ta",
    ]
    /// Regions that write a language's amounts differently from the language's home.
    static let regionalMarks: [String: DecimalMark] = [
        "de_ch": .dot, "de_li": .dot, "it_ch": .dot, "es_mx": .dot, "es_us": .dot, "es_pr": .dot,
        "es_do": .dot, "es_gt": .dot, "es_hn": .dot, "es_ni": .dot, "es_pa": .dot, "es_sv": .dot,
        "en_za": .comma,
    ]
}

/// Why a text is not an amount of money (or a sale window).
///
/// `why` reads after the quoted value: `"1,299" is ambiguous: …`, as `FeedIssue.invalidAmount` prints it.
public struct MoneyParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var why: String
    public init(_ why: String) { self.why = why }
    public var description: String { why }
}

extension Money {
    /// Parses an amount as merchants export it: `199.00 SEK`, `SEK 199,00`, `1 299,00 kr`, `1.299,00 EUR`,
    /// `1,299.00 USD`, `€19,99`, `¥1500`, `1'299.00 CHF`, or a bare `19.99` in the feed's currency.
    ///
    /// The last of two different marks is the decimal mark; a mark that repeats, spaces (also U+00A0 and
    /// U+202F) and apostrophes group thousands, in groups of 3. A lone mark followed by exactly three digits
    /// (`1,299`) is settled by the locale; without one it is an error, except where grouping is impossible
    /// (`0,500`, `12345,678`) or the currency settles it: JPY has no decimals, so `1,500` is 1500 yen,
    /// and `1.500 KWD` is how `Money.description` writes 1.5 KWD.
    /// `kr` means the feed's currency when that is SEK, NOK or DKK; `$` and `¥` may mean the feed's
    /// dollar or yuan, else USD and JPY. Nothing is ever rounded.
    ///
    /// - Parameters:
    ///   - defaultCurrency: the feed's currency, for a bare amount.
    ///   - locale: the feed's locale, which settles `1,299` and `1.299`; without one those are rejected.
    /// - Throws: `MoneyParseError` for empty text, a negative amount, too many decimals, an unknown or
    ///   missing currency, two currencies, malformed digit groups, or more than `Int64` holds.
    public static func parse(_ text: some StringProtocol, defaultCurrency: Currency?,
                             locale: AmountLocale?) throws(MoneyParseError) -> Money {
        // Most feeds write `199.00 SEK` or `19,99`: read those from their bytes.
        if let amount = parsePlain(text, defaultCurrency: defaultCurrency) { return amount }
        return try parseScalars(text, defaultCurrency: defaultCurrency, locale: locale)
    }

    /// `parse`, scalar by scalar: every form and every error.
    static func parseScalars(_ text: some StringProtocol, defaultCurrency: Currency?,
                             locale: AmountLocale?) throws(MoneyParseError) -> Money {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.firstIndex(where: isDigit), let last = scalars.lastIndex(where: isDigit) else {
            throw MoneyParseError(scalars.allSatisfy(isBlank) ? "is empty" : "has no digits")
        }
        let prefix = scalars[..<first], suffix = scalars[(last + 1)...]
        if prefix.contains(where: { $0 == "-" || $0 == "\u{2212}" }) {
            throw MoneyParseError("is negative; a price cannot be below zero")
        }
        let marks = try currencyMarks(in: prefix) + currencyMarks(in: suffix)
        let currency = try resolve(marks, defaultCurrency: defaultCurrency)
        let digits = try AmountDigits(scalars[first...last], currency: currency, locale: locale)
        return Money(minorUnits: try digits.minorUnits(in: currency), currency: currency)
    }

    /// How a currency appears next to the digits.
    private enum CurrencyMark {
        case code(Currency), kronor, symbol(Unicode.Scalar)
    }

    private static func currencyMarks(
        in scalars: ArraySlice<Unicode.Scalar>
    ) throws(MoneyParseError) -> [CurrencyMark] {
        var marks: [CurrencyMark] = []
        for token in scalars.split(whereSeparator: isBlank) {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: token)
            let text = String(view)
            if token.count == 1, let symbol = token.first, "€$£¥".unicodeScalars.contains(symbol) {
                marks.append(.symbol(symbol))
            } else if text.lowercased() == "kr" || text.lowercased() == "kr." {
                marks.append(.kronor)
            } else if token.count == 3, token.allSatisfy({ $0.properties.isAlphabetic && $0.isASCII }) {
                guard let currency = Currency(code: text) else {
                    throw MoneyParseError("has an unknown currency code \"\(text.uppercased())\"")
                }
                marks.append(.code(currency))
            } else {
                throw MoneyParseError("has unexpected text \"\(text)\"")
            }
        }
        return marks
    }

    private static let dollarCurrencies: Set<String> = ["USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN"]

    private static func resolve(_ marks: [CurrencyMark],
                                defaultCurrency: Currency?) throws(MoneyParseError) -> Currency {
        var resolved: Currency?
        for mark in marks {
            let currency: Currency
            switch mark {
            case .code(let code):
                currency = code
            case .kronor:
                // "kr" is written by Swedish, Norwegian and Danish shops alike; only the feed can say which.
                guard let defaultCurrency, ["SEK", "NOK", "DKK"].contains(defaultCurrency.code) else {
                    let setting = defaultCurrency.map { "it is \($0.code)" } ?? "it has none"
                    throw MoneyParseError(
                        "writes \"kr\", which needs the feed's currency to be SEK, NOK or DKK (\(setting))")
                }
                currency = defaultCurrency
            case .symbol("$"):
                currency = defaultCurrency.flatMap { dollarCurrencies.contains($0.code) ? $0 : nil } ?? .usd
            case .symbol("¥"):
                let yen = Currency(code: "JPY")!
                currency = defaultCurrency.flatMap { ["JPY", "CNY"].contains($0.code) ? $0 : nil } ?? yen
            case .symbol("£"):
                currency = Currency(code: "GBP")!
            case .symbol:  // "€", the only other symbol `currencyMarks` accepts
                currency = .eur
            }
            if let resolved, resolved != currency {
                throw MoneyParseError("names two currencies, \(resolved.code) and \(currency.code)")
            }
            resolved = currency
        }
        guard let currency = resolved ?? defaultCurrency else {
            throw MoneyParseError("has no currency, and the feed sets no default currency")
        }
        return currency
    }
}

/// The digits of an amount, split into the whole part and the decimals once the marks are understood.
private struct AmountDigits {
    private enum Separator: Hashable {
        case dot, comma, space, apostrophe

        init?(_ scalar: Unicode.Scalar) {
            switch scalar {
            case ".": self = .dot
            case ",": self = .comma
            case " ", "\u{00A0}", "\u{202F}", "\u{2009}", "\u{2007}": self = .space
            case "'", "\u{2019}": self = .apostrophe
            default: return nil
            }
        }

        var isMark: Bool { self == .dot || self == .comma }
        var text: String { self == .dot ? "." : "," }
    }

    var whole: [UInt8] = []
    var decimals: [UInt8] = []

    /// - Parameter scalars: starts and ends with a digit.
    init(_ scalars: ArraySlice<Unicode.Scalar>, currency: Currency, locale: AmountLocale?) throws(MoneyParseError) {
        var runs: [[UInt8]] = [[]]
        var separators: [Separator] = []
        for scalar in scalars {
            if isDigit(scalar) {
                runs[runs.count - 1].append(UInt8(scalar.value - 48))
            } else if let separator = Separator(scalar) {
                guard !runs[runs.count - 1].isEmpty else { throw MoneyParseError("has two separators in a row") }
                separators.append(separator)
                runs.append([])
            } else {
                throw MoneyParseError("has an unexpected character \"\(scalar)\"")
            }
        }

        let marks = separators.indices.filter { separators[$0].isMark }
        var decimalIndex: Int?
        if let last = marks.last, Set(marks.map { separators[$0] }).count == 2 {
            // `1.299,00` and `1,299.00`: the last mark is the decimal mark, the other one groups.
            guard marks.filter({ separators[$0] == separators[last] }).count == 1 else {
                throw MoneyParseError("has more than one decimal mark \"\(separators[last].text)\"")
            }
            decimalIndex = last
        } else if marks.count == 1, let index = marks.first {
            let groupedOtherwise = separators.contains { !$0.isMark }
            if groupedOtherwise || runs[index + 1].count != 3 {
                decimalIndex = index
            } else if try AmountDigits.isDecimal(separators[index], before: runs[0], after: runs[1],
                                                 currency: currency, locale: locale) {
                decimalIndex = index
            }
        }
        // Otherwise there is no mark, or one mark repeats (`1.144.000`), which can only group.

        let groupCount = decimalIndex ?? separators.count
        if let decimalIndex {
            guard decimalIndex == separators.count - 1 else {
                throw MoneyParseError("has a separator after the decimal mark \"\(separators[decimalIndex].text)\"")
            }
            decimals = runs[decimalIndex + 1]
        }
        if groupCount > 0 {
            guard Set(separators[..<groupCount]).count == 1 else {
                throw MoneyParseError("mixes different thousands separators")
            }
            guard (1...3).contains(runs[0].count), runs[1...groupCount].allSatisfy({ $0.count == 3 }) else {
                throw MoneyParseError("has a malformed digit group: thousands separators must make groups of 3")
            }
        }
        whole = runs[0...groupCount].flatMap { $0 }
    }

    /// Settles a lone mark followed by exactly three digits: `1,299`, `1.500`.
    private static func isDecimal(_ mark: Separator, before: [UInt8], after: [UInt8], currency: Currency,
                                  locale: AmountLocale?) throws(MoneyParseError) -> Bool {
        // `12345,678` and `0,500` cannot be grouped, so the mark is a decimal mark whatever the locale.
        if before.count > 3 || before == [0] { return true }
        // A currency without minor units cannot have three decimals, so the mark can only group.
        if currency.exponent == 0 { return false }
        if let locale { return (locale.decimalMark == .dot) == (mark == .dot) }
        // `1.500 KWD` is the canonical form, as `Money.description` writes it and Google's spec asks.
        if mark == .dot && currency.exponent == 3 { return true }
        let head = before.map(String.init).joined(), tail = after.map(String.init).joined()
        throw MoneyParseError("""
            is ambiguous: "\(mark.text)" may be a decimal mark (\(head).\(tail) \(currency.code)) or a thousands \
            separator (\(head)\(tail) \(currency.code)); setting the feed's `locale` resolves it
            """)
    }

    func minorUnits(in currency: Currency) throws(MoneyParseError) -> Int64 {
        guard decimals.count <= currency.exponent else {
            let count = decimals.count == 1 ? "1 decimal" : "\(decimals.count) decimals"
            throw MoneyParseError(
                "has \(count), but \(currency.code) has \(currency.exponent); amounts are never rounded")
        }
        let padding = [UInt8](repeating: 0, count: currency.exponent - decimals.count)
        var value: Int64 = 0
        for digit in whole + decimals + padding {
            let (shifted, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowPlus) = shifted.addingReportingOverflow(Int64(digit))
            guard !overflowTimes, !overflowPlus else {
                throw MoneyParseError("is too large: more than \(Int64.max) minor units of \(currency.code)")
            }
            value = sum
        }
        return value
    }
}

private func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

/// `text` without leading and trailing blanks, `\r\n` included (one `Character`, so trimmed by scalar).
func trimmingBlanks(_ text: Substring) -> Substring {
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !isBlank($0) }),
          let last = scalars.lastIndex(where: { !isBlank($0) }) else { return text[text.endIndex...] }
    return Substring(scalars[first...last])
}

func isBlank(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case " ", "\t", "\n", "\r", "\u{00A0}", "\u{202F}", "\u{2009}", "\u{2007}": return true
    default: return false
    }
}
