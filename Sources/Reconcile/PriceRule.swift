public import Catalog

/// How a rule rounds a computed price. Every mode rounds *up* to the nearest allowed amount, so a
/// markup is never eaten by rounding and the result is reproducible.
public enum PriceRounding: Hashable, Sendable {
    /// To the nearest minor unit, halves up (`223.875` → `223.88`).
    case none
    /// To the smallest amount at or above the price that ends in `.99` (`223.88` → `223.99`, `224.00` → `224.99`).
    case endingIn99
    /// To the smallest amount at or above the price that ends in `.95`.
    case endingIn95
    /// To the smallest whole amount at or above the price (`223.01` → `224.00`).
    case whole

    /// Reads the config's `round`: `null` (→ `.none`), `"0.99"`, `"0.95"`, `"whole"`.
    /// - Returns: `nil` for any other text.
    public init?(configValue: String?) {
        switch configValue?.lowercased() {
        case nil, "none": self = .none
        case "0.99", ".99": self = .endingIn99
        case "0.95", ".95": self = .endingIn95
        case "whole", "1": self = .whole
        default: return nil
        }
    }
}

/// One price rule: `price × (1 + markup_pct / 100) + add`, then rounded; never below zero.
///
/// All arithmetic is exact (fractions of minor units in `Int128`) until the single rounding step.
/// A computed price below zero becomes zero before rounding. For currencies with fewer than two
/// decimals (JPY, ISK) `.99` and `.95` round like `.whole`: there is no `.99` yen.
public struct PriceRule: Hashable, Sendable {
    /// Percent, e.g. `12.5`; may be negative for a discount.
    public var markupPercent: ExactDecimal
    /// Added after the markup; skipped for prices in a currency other than the amount's own.
    public var add: RuleAmount
    public var rounding: PriceRounding

    public init(markupPercent: ExactDecimal = .zero, add: RuleAmount = RuleAmount(.zero),
                rounding: PriceRounding = .none) {
        self.markupPercent = markupPercent
        self.add = add
        self.rounding = rounding
    }

    /// Whether the rule leaves every price as it is.
    public var isIdentity: Bool { markupPercent.isZero && add.value.isZero && rounding == .none }

    /// The price after this rule, in the same currency.
    public func apply(to price: Money) -> Money {
        if isIdentity { return price }
        let currency = price.currency
        guard let minor = exactResult(price.minorUnits, currency: currency) else {
            // Only absurd rule values (a markup of 10^12 %) get here: keep the largest representable price.
            return Money(minorUnits: .max, currency: currency)
        }
        return Money(minorUnits: Int64(clamping: minor), currency: currency)
    }

    /// The rounded result in minor units, or `nil` when an intermediate value overflows `Int128`.
    private func exactResult(_ minorUnits: Int64, currency: Currency) -> Int128? {
        func times(_ a: Int128, _ b: Int128) -> Int128? {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? nil : product
        }
        // value = numerator / denominator minor units
        let markupDenominator = 100 * markupPercent.denominator
        guard var numerator = times(Int128(minorUnits), markupDenominator + Int128(markupPercent.units)) else {
            return nil
        }
        var denominator = markupDenominator
        if let (addNumerator, addDenominator) = add.minorUnits(in: currency), addNumerator != 0 {
            guard let scaled = times(numerator, addDenominator), let added = times(addNumerator, denominator),
                  case (let sum, false) = scaled.addingReportingOverflow(added) else { return nil }
            numerator = sum
            denominator *= addDenominator
        }
        if numerator < 0 { numerator = 0 }
        guard numerator < Int128.max / 4 else { return nil }
        return PriceRule.round(numerator, denominator, rounding, exponent: currency.exponent)
    }

    /// Rounds the non-negative fraction `numerator / denominator` (minor units) as `mode` says.
    static func round(_ numerator: Int128, _ denominator: Int128, _ mode: PriceRounding, exponent: Int) -> Int128 {
        let ceiling = (numerator + denominator - 1) / denominator
        let unit = Int128.power10(exponent)
        let ending: Int128
        switch mode {
        case .none: return (2 * numerator + denominator) / (2 * denominator)
        case .whole: ending = 0
        case .endingIn99: ending = exponent >= 2 ? 99 * Int128.power10(exponent - 2) : 0
        case .endingIn95: ending = exponent >= 2 ? 95 * Int128.power10(exponent - 2) : 0
        }
        // The smallest k·unit + ending ≥ ceiling, with k ≥ 0.
        let gap = ceiling - ending
        let k = gap <= 0 ? 0 : (gap + unit - 1) / unit
        return k * unit + ending
    }

    /// Per-currency changes to a rule: fields left `nil` keep the top-level rule's value.
    public struct Override: Hashable, Sendable {
        public var markupPercent: ExactDecimal?
        public var add: RuleAmount?
        public var rounding: PriceRounding?

        public init(markupPercent: ExactDecimal? = nil, add: RuleAmount? = nil, rounding: PriceRounding? = nil) {
            self.markupPercent = markupPercent
            self.add = add
            self.rounding = rounding
        }
    }

    /// This rule with the fields `override` sets replaced.
    public func merging(_ override: Override) -> PriceRule {
        PriceRule(markupPercent: override.markupPercent ?? markupPercent, add: override.add ?? add,
                  rounding: override.rounding ?? rounding)
    }
}

/// A channel's `price` block: a rule for every currency, and per-currency overrides (`per_currency: {EUR: {…}}`).
///
/// An override is merged field by field into the top-level rule, so `{EUR: {round: "0.95"}}` keeps the
/// top-level markup for EUR prices; write `markup_pct: 0` in the override to drop it.
public struct PriceRules: Hashable, Sendable {
    public var base: PriceRule
    /// Keyed by ISO 4217 code, upper case.
    public var perCurrency: [String: PriceRule.Override]

    public init(_ base: PriceRule = PriceRule(), perCurrency: [String: PriceRule.Override] = [:]) {
        self.base = base
        self.perCurrency = perCurrency
    }

    /// Whether no price in any currency is changed.
    public var isIdentity: Bool {
        base.isIdentity && perCurrency.values.allSatisfy { base.merging($0).isIdentity }
    }

    public func rule(for currency: Currency) -> PriceRule {
        perCurrency[currency.code].map(base.merging) ?? base
    }

    public func apply(to price: Money) -> Money {
        rule(for: price.currency).apply(to: price)
    }

    /// Applies the rules to `price` and `sale_price` of a listing.
    ///
    /// A text that is not a price (the validator should have caught it) is left as it is. When the
    /// sale price after the rules is not below the price after the rules (rounding can do that), the
    /// sale is dropped with its dates: platforms reject a sale price that is not a reduction. Rules
    /// that change no price (`isIdentity`) leave the listing exactly as it is.
    public func apply(to listing: inout Listing) {
        // Most channels have no price rules: skip parsing (Marco's 1.2 million items, per channel).
        guard !isIdentity else { return }
        let newPrice = Self.money(listing["price"]).map(apply(to:))
        if let newPrice { listing["price"] = .text(newPrice.description) }
        guard let sale = Self.money(listing["sale_price"]).map(apply(to:)) else { return }
        if let newPrice, sale.currency == newPrice.currency, sale.minorUnits >= newPrice.minorUnits {
            listing["sale_price"] = nil
            listing["sale_price_effective_date"] = nil
        } else {
            listing["sale_price"] = .text(sale.description)
        }
    }

    static func money(_ value: ListingValue?) -> Money? {
        guard case .text(let text)? = value else { return nil }
        return try? Money.parse(text, defaultCurrency: nil, locale: AmountLocale(decimalMark: .dot))
    }
}
