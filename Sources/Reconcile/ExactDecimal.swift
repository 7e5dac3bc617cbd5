public import Catalog

/// An exact decimal number, `units / 10^scale`: `12.5` is `ExactDecimal(units: 125, scale: 1)`.
///
/// Used for percentages (`markup_pct: 12.5`) and bare amounts (`add: "5"`). Never `Double`: a
/// markup of 12.5 % must give the same cent on every machine. Trailing zeros of the fraction are
/// dropped, so `12.50` and `12.5` are equal.
public struct ExactDecimal: Hashable, Sendable, CustomStringConvertible {
    public private(set) var units: Int64
    /// Digits after the decimal point, 0 through `maxScale`.
    public private(set) var scale: Int

    /// The most decimals a rule value may have; keeps every price computation inside `Int128`.
    public static let maxScale = 6
    public static let zero = ExactDecimal(units: 0, scale: 0)

    public init(units: Int64, scale: Int = 0) {
        var units = units, scale = max(0, scale)
        while scale > 0 && units % 10 == 0 {
            units /= 10
            scale -= 1
        }
        self.units = units
        self.scale = scale
    }

    /// Reads `12.5`, `-3`, `+0.125`, `7.`: an optional sign, digits, an optional dot and decimals.
    ///
    /// - Returns: `nil` for anything else, more than `maxScale` decimals, or more than 18 digits in all.
    public init?(_ text: some StringProtocol) {
        var bytes = Substring(text).trimmingSpaces().utf8[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let isDigit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        let whole = bytes.prefix(while: isDigit)
        var fraction = bytes[whole.endIndex...].prefix(0)
        var rest = bytes[whole.endIndex...]
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fraction = rest.prefix(while: isDigit)
            rest = rest[fraction.endIndex...]
        }
        guard rest.isEmpty, !(whole.isEmpty && fraction.isEmpty), whole.count + fraction.count <= 18,
              fraction.count <= ExactDecimal.maxScale else { return nil }
        var units: Int64 = 0
        for digit in whole { units = units * 10 + Int64(digit - 0x30) }
        for digit in fraction { units = units * 10 + Int64(digit - 0x30) }
        self.init(units: negative ? -units : units, scale: fraction.count)
    }

    public var isZero: Bool { units == 0 }
    public var isNegative: Bool { units < 0 }

    /// `10^scale`, the denominator.
    var denominator: Int128 { Int128.power10(scale) }

    public var description: String {
        guard scale > 0 else { return String(units) }
        let magnitude = String(units.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - magnitude.count)) + magnitude
        let split = padded.index(padded.endIndex, offsetBy: -scale)
        return (units < 0 ? "-" : "") + padded[..<split] + "." + padded[split...]
    }
}

/// An amount in a rule: with a currency (`"10 EUR"`) it applies to prices in that currency only;
/// bare (`"10"`, `"-5"`) it means that many units of whatever currency the item is priced in.
public struct RuleAmount: Hashable, Sendable, CustomStringConvertible {
    /// In major units: `10.5` EUR is `ExactDecimal("10.5")`.
    public var value: ExactDecimal
    /// `nil` for a bare amount, which takes the item's currency.
    public var currency: Currency?

    public init(_ value: ExactDecimal, currency: Currency? = nil) {
        self.value = value
        self.currency = currency
    }

    /// Reads a bare amount (`"5"`, `"-2.50"`) or a money text (`"10.00 EUR"`, `"-10 EUR"`).
    ///
    /// Money texts are read with a decimal dot, as config files write them.
    /// - Returns: `nil` when the text is neither.
    public init?(_ text: String) {
        if let bare = ExactDecimal(text) {
            self.init(bare)
            return
        }
        var body = Substring(text).trimmingSpaces()
        let negative = body.first == "-"
        if negative { body = body.dropFirst() }
        guard let money = try? Money.parse(body, defaultCurrency: nil, locale: AmountLocale(decimalMark: .dot))
        else { return nil }
        self.init(ExactDecimal(units: negative ? -money.minorUnits : money.minorUnits,
                               scale: money.currency.exponent), currency: money.currency)
    }

    /// The amount in minor units of `currency`, as an exact fraction; `nil` when the amount is in another currency.
    func minorUnits(in currency: Currency) -> (numerator: Int128, denominator: Int128)? {
        if let own = self.currency, own != currency { return nil }
        return (Int128(value.units) * Int128.power10(currency.exponent), value.denominator)
    }

    public var description: String { value.description + (currency.map { " " + $0.code } ?? "") }
}

extension Int128 {
    /// `10^exponent` for the small exponents money and rule values use.
    static func power10(_ exponent: Int) -> Int128 {
        var result: Int128 = 1
        for _ in 0..<Swift.max(0, exponent) { result *= 10 }
        return result
    }
}
