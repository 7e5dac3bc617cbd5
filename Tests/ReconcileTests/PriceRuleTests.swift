import Catalog
import Testing
@testable import Reconcile

@Suite struct PriceRuleTests {
    func sek(_ text: String) -> Money {
        try! Money.parse(text + " SEK", defaultCurrency: nil, locale: AmountLocale(decimalMark: .dot))
    }

    @Test func exactDecimalsParseWithoutFloatingPoint() {
        #expect(ExactDecimal("12.5") == ExactDecimal(units: 125, scale: 1))
        #expect(ExactDecimal("12.50") == ExactDecimal("12.5"))
        #expect(ExactDecimal("-0.125")?.description == "-0.125")
        #expect(ExactDecimal("7")?.description == "7")
        #expect(ExactDecimal(".5")?.description == "0.5")
        for bad in ["", "-", "1.2.3", "1e3", "12,5", "0.1234567", "1234567890123456789"] {
            #expect(ExactDecimal(bad) == nil, "\(bad)")
        }
    }

    @Test func ruleAmountsAreBareOrInACurrency() {
        #expect(RuleAmount("5") == RuleAmount(ExactDecimal(units: 5)))
        #expect(RuleAmount("-10 EUR") == RuleAmount(ExactDecimal(units: -1000, scale: 2), currency: .eur))
        #expect(RuleAmount("10.00 EUR")?.description == "10 EUR")
        #expect(RuleAmount("ten") == nil)
    }

    @Test func markupIsExactAndRoundedHalfUpWithoutARoundingRule() {
        let rule = PriceRule(markupPercent: ExactDecimal("12.5")!)
        #expect(rule.apply(to: sek("199.00")) == sek("223.88"))  // 223.875 → 223.88
        #expect(rule.apply(to: sek("0.04")) == sek("0.05"))  // 0.045 → 0.05
        #expect(PriceRule(markupPercent: ExactDecimal("10")!).apply(to: sek("0.04")) == sek("0.04"))  // 0.044
    }

    @Test(arguments: [
        ("223.875", PriceRounding.endingIn99, "223.99"), ("224.00", .endingIn99, "224.99"),
        ("223.99", .endingIn99, "223.99"), ("0.00", .endingIn99, "0.99"), ("223.96", .endingIn95, "224.95"),
        ("223.01", .whole, "224.00"), ("224.00", .whole, "224.00"), ("223.005", .none, "223.01"),
    ])
    func roundingGoesUpToTheNextAllowedEnding(_ input: String, _ rounding: PriceRounding, _ expected: String) {
        // The input is expressed as price + bare add so fractions of a cent reach the rounding step.
        let add = RuleAmount(ExactDecimal(input)!)
        #expect(PriceRule(add: add, rounding: rounding).apply(to: sek("0")) == sek(expected))
    }

    @Test func roundingModesFromConfig() {
        #expect(PriceRounding(configValue: nil) == PriceRounding.none)
        #expect(PriceRounding(configValue: "0.99") == .endingIn99)
        #expect(PriceRounding(configValue: "0.95") == .endingIn95)
        #expect(PriceRounding(configValue: "whole") == .whole)
        #expect(PriceRounding(configValue: "0.49") == nil)
    }

    @Test func currenciesWithoutCentsRoundToWholeUnitsAndKWDKeepsThreeDecimals() {
        let rule = PriceRule(markupPercent: ExactDecimal("10")!, rounding: .endingIn99)
        #expect(rule.apply(to: Money(minorUnits: 1505, currency: Currency(code: "JPY")!)).description == "1656 JPY")
        #expect(rule.apply(to: Money(minorUnits: 1_000, currency: Currency(code: "KWD")!)).description == "1.990 KWD")
    }

    @Test func addInAnotherCurrencyIsSkippedAndNegativeResultsStopAtZero() {
        let rule = PriceRule(add: RuleAmount("10.00 EUR")!)
        #expect(rule.apply(to: sek("100.00")) == sek("100.00"))
        #expect(rule.apply(to: Money(minorUnits: 100, currency: .eur)).description == "11.00 EUR")
        #expect(PriceRule(add: RuleAmount("-500")!).apply(to: sek("100.00")) == sek("0.00"))
        #expect(PriceRule(markupPercent: ExactDecimal("-150")!).apply(to: sek("100.00")) == sek("0.00"))
    }

    @Test func absurdRuleValuesDoNotTrap() {
        let rule = PriceRule(markupPercent: ExactDecimal("999999999999.999999")!, add: RuleAmount("0.000001")!)
        #expect(rule.apply(to: Money(minorUnits: .max, currency: .sek)).minorUnits == .max)
    }

    @Test func perCurrencyOverridesMergeIntoTheTopLevelRule() {
        let rules = PriceRules(PriceRule(markupPercent: ExactDecimal("10")!, rounding: .endingIn99),
                               perCurrency: ["EUR": .init(rounding: .endingIn95)])
        #expect(rules.apply(to: sek("100.00")) == sek("110.99"))
        #expect(rules.apply(to: Money(minorUnits: 10_000, currency: .eur)).description == "110.95 EUR")
    }

    @Test func rulesApplyToPriceAndSalePriceOfAListing() {
        var listing = Listing()
        listing.set("price", "199.00 SEK")
        listing.set("sale_price", "149.00 SEK")
        PriceRules(PriceRule(markupPercent: ExactDecimal("10")!, rounding: .endingIn99)).apply(to: &listing)
        #expect(listing["price"] == .text("218.99"  + " SEK"))
        #expect(listing["sale_price"] == .text("163.99 SEK"))
    }

    @Test func saleThatRoundingMakesNoCheaperIsDropped() {
        var listing = Listing()
        listing.set("price", "10.00 SEK")
        listing.set("sale_price", "9.50 SEK")
        listing.set("sale_price_effective_date", "2024-11-29T00:00+01:00/2024-11-30T00:00+01:00")
        PriceRules(PriceRule(rounding: .whole)).apply(to: &listing)
        #expect(listing["price"] == .text("10.00 SEK"))
        #expect(listing["sale_price"] == nil)
        #expect(listing["sale_price_effective_date"] == nil)
    }
}
