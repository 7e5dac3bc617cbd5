import Testing
@testable import Catalog

/// One amount as a merchant writes it, with the feed settings it is read under and the result.
struct AmountCase: CustomTestStringConvertible, Sendable {
    var text: String
    var defaultCurrency: Currency?
    var locale: AmountLocale?
    var expected: Money

    init(_ text: String, _ minorUnits: Int64, _ code: String,
         default defaultCode: String? = nil, locale: String? = nil) {
        self.text = text
        self.defaultCurrency = defaultCode.flatMap { Currency(code: $0) }
        self.locale = locale.flatMap { AmountLocale(identifier: $0) }
        self.expected = Money(minorUnits: minorUnits, currency: Currency(code: code)!)
    }

    var testDescription: String { "\"\(text)\" → \(expected)" }
}

/// A text that is not an amount, with the words its error must contain.
struct RejectionCase: CustomTestStringConvertible, Sendable {
    var text: String
    var defaultCurrency: Currency?
    var locale: AmountLocale?
    var why: String

    init(_ text: String, _ why: String, default defaultCode: String? = nil, locale: String? = nil) {
        self.text = text
        self.defaultCurrency = defaultCode.flatMap { Currency(code: $0) }
        self.locale = locale.flatMap { AmountLocale(identifier: $0) }
        self.why = why
    }

    var testDescription: String { "\"\(text)\" \(why)" }
}

@Suite struct MoneyParsingTests {
    static let merchantFormats: [AmountCase] = [
        AmountCase("199.00 SEK", 19900, "SEK"),
        AmountCase("SEK 199.00", 19900, "SEK"),
        AmountCase("199,00 SEK", 19900, "SEK"),
        AmountCase("199SEK", 19900, "SEK"),
        AmountCase("1 299,00 kr", 129900, "SEK", default: "SEK"),
        AmountCase("1.299,00 EUR", 129900, "EUR"),
        AmountCase("1,299.00 USD", 129900, "USD"),
        AmountCase("€19,99", 1999, "EUR"),
        AmountCase("€ 19,99", 1999, "EUR"),
        AmountCase("$5", 500, "USD"),
        AmountCase("£3.50", 350, "GBP"),
        AmountCase("¥1500", 1500, "JPY"),
        AmountCase("19.99", 1999, "EUR", default: "EUR"),
        AmountCase("1.144.000 SEK", 114_400_000, "SEK"),
        AmountCase("1,144,000 SEK", 114_400_000, "SEK"),
        AmountCase("99,99 SEK", 9999, "SEK"),
        AmountCase("0.00 SEK", 0, "SEK"),
        AmountCase("5 EUR", 500, "EUR"),
    ]

    @Test(arguments: merchantFormats) func merchantFormatIsRead(_ example: AmountCase) throws {
        let money = try Money.parse(example.text, defaultCurrency: example.defaultCurrency, locale: example.locale)
        #expect(money == example.expected)
    }

    static let spacingAndCase: [AmountCase] = [
        AmountCase("1\u{00A0}299,00 SEK", 129900, "SEK"),
        AmountCase("1\u{202F}299,00\u{202F}SEK", 129900, "SEK"),
        AmountCase("1 299 000 SEK", 129_900_000, "SEK"),
        AmountCase("1'299.00 CHF", 129900, "CHF"),
        AmountCase("1’299.00 CHF", 129900, "CHF"),
        AmountCase("  199.00 SEK \n", 19900, "SEK"),
        AmountCase("\t19.99\t", 1999, "EUR", default: "EUR"),
        AmountCase("199.00 sek", 19900, "SEK"),
        AmountCase("Sek 199.00", 19900, "SEK"),
    ]

    @Test(arguments: spacingAndCase) func spacesApostrophesAndCodeCaseAreTolerated(_ example: AmountCase) throws {
        let money = try Money.parse(example.text, defaultCurrency: example.defaultCurrency, locale: example.locale)
        #expect(money == example.expected)
    }

    static let currencyResolution: [AmountCase] = [
        AmountCase("1 299,00 kr", 129900, "NOK", default: "NOK"),
        AmountCase("kr 49", 4900, "DKK", default: "DKK"),
        AmountCase("49 Kr.", 4900, "SEK", default: "SEK"),
        AmountCase("19.99 EUR", 1999, "EUR", default: "SEK"),
        AmountCase("$5 USD", 500, "USD"),
        AmountCase("$5", 500, "CAD", default: "CAD"),
        AmountCase("$5", 500, "USD", default: "EUR"),
        AmountCase("¥1500", 150000, "CNY", default: "CNY"),
    ]

    @Test(arguments: currencyResolution) func symbolOrCodeDecidesTheCurrency(_ example: AmountCase) throws {
        let money = try Money.parse(example.text, defaultCurrency: example.defaultCurrency, locale: example.locale)
        #expect(money == example.expected)
    }

    static let decimalsAndExponents: [AmountCase] = [
        AmountCase("19.9 EUR", 1990, "EUR"),
        AmountCase("19,9 EUR", 1990, "EUR"),
        AmountCase("1.5 KWD", 1500, "KWD"),
        AmountCase("1.500 KWD", 1500, "KWD"),
        AmountCase("1,500.250 KWD", 1_500_250, "KWD"),
        AmountCase("1.500,250 KWD", 1_500_250, "KWD"),
        AmountCase("1 299.000 KWD", 1_299_000, "KWD"),
        AmountCase("¥1,500", 1500, "JPY"),
        AmountCase("1.500 JPY", 1500, "JPY"),
        AmountCase("1,500 JPY", 1500, "JPY", locale: "sv_SE"),
        AmountCase("12345,678 KWD", 12_345_678, "KWD"),
        AmountCase("0,500 KWD", 500, "KWD"),
        AmountCase("9223372036854775807 JPY", Int64.max, "JPY"),
        AmountCase("92233720368547758.07 SEK", Int64.max, "SEK"),
    ]

    @Test(arguments: decimalsAndExponents) func decimalsFollowTheCurrencyExponent(_ example: AmountCase) throws {
        let money = try Money.parse(example.text, defaultCurrency: example.defaultCurrency, locale: example.locale)
        #expect(money == example.expected)
    }

    static let settledByLocale: [AmountCase] = [
        AmountCase("1,299", 129900, "SEK", default: "SEK", locale: "en_US"),
        AmountCase("1.299", 129900, "SEK", default: "SEK", locale: "de_DE"),
        AmountCase("1.299 SEK", 129900, "SEK", locale: "sv_SE"),
        AmountCase("1,500 KWD", 1500, "KWD", locale: "sv_SE"),
        AmountCase("1.500 KWD", 1_500_000, "KWD", locale: "de_DE"),
        AmountCase("1,500 KWD", 1_500_000, "KWD", locale: "en_GB"),
        AmountCase("99,99 SEK", 9999, "SEK", locale: "en_US"),
        AmountCase("99.99 SEK", 9999, "SEK", locale: "sv_SE"),
    ]

    @Test(arguments: settledByLocale) func localeSettlesAMarkFollowedByThreeDigits(_ example: AmountCase) throws {
        let money = try Money.parse(example.text, defaultCurrency: example.defaultCurrency, locale: example.locale)
        #expect(money == example.expected)
    }

    @Test func ambiguousAmountNamesTheFeedLocale() {
        let error = #expect(throws: MoneyParseError.self) {
            try Money.parse("1,299", defaultCurrency: .sek, locale: nil)
        }
        #expect(error?.why.hasPrefix("is ambiguous: ") == true)
        #expect(error?.why.contains("`locale`") == true)
        #expect(error?.description == error?.why)
    }

    static let rejections: [RejectionCase] = [
        RejectionCase("", "is empty"),
        RejectionCase(" \u{00A0} ", "is empty"),
        RejectionCase("SEK", "has no digits"),
        RejectionCase("1,299 SEK", "is ambiguous"),
        RejectionCase("1.299 SEK", "is ambiguous"),
        RejectionCase("1,500 KWD", "is ambiguous"),
        RejectionCase("1,299 SEK", "has 3 decimals, but SEK has 2", locale: "sv_SE"),
        RejectionCase("19.9999 EUR", "has 4 decimals, but EUR has 2"),
        RejectionCase("1.50 JPY", "has 2 decimals, but JPY has 0"),
        RejectionCase("¥1500.00", "has 2 decimals, but JPY has 0"),
        RejectionCase("12345.678 JPY", "has 3 decimals, but JPY has 0"),
        RejectionCase("0,299 SEK", "has 3 decimals, but SEK has 2"),
        RejectionCase("1.299 CLF", "is ambiguous"),
        RejectionCase("-5 SEK", "is negative"),
        RejectionCase("−5 SEK", "is negative"),
        RejectionCase("SEK -5", "is negative"),
        RejectionCase("-€5", "is negative"),
        RejectionCase("19.99", "has no currency"),
        RejectionCase("19.99 XYZ", "unknown currency code \"XYZ\""),
        RejectionCase("12abc", "unknown currency code \"ABC\""),
        RejectionCase("12 abcd", "unexpected text \"abcd\""),
        RejectionCase("1a2 SEK", "unexpected character \"a\""),
        RejectionCase("(5.00) SEK", "unexpected text \"(\""),
        RejectionCase("€19,99 SEK", "two currencies, EUR and SEK"),
        RejectionCase("SEK 5 EUR", "two currencies, SEK and EUR"),
        RejectionCase("1 299,00 kr", "\"kr\"", default: "EUR"),
        RejectionCase("1 299,00 kr", "\"kr\""),
        RejectionCase("99999999999999999999 SEK", "too large"),
        RejectionCase("92233720368547758.08 SEK", "too large"),
    ]

    @Test(arguments: rejections) func malformedAmountIsRejectedWithAReason(_ example: RejectionCase) {
        let error = #expect(throws: MoneyParseError.self) {
            try Money.parse(example.text, defaultCurrency: example.defaultCurrency, locale: example.locale)
        }
        #expect(error?.why.contains(example.why) == true, "\(error?.why ?? "no error")")
    }

    static let badGrouping: [RejectionCase] = [
        RejectionCase("1.234.56 SEK", "groups of 3"),
        RejectionCase("12.34.567 SEK", "groups of 3"),
        RejectionCase("1,2345.00 SEK", "groups of 3"),
        RejectionCase("1,299,00 SEK", "groups of 3"),
        RejectionCase("1234.567,00 SEK", "groups of 3"),
        RejectionCase("12 5 SEK", "groups of 3"),
        RejectionCase("1.299,00,00 SEK", "more than one decimal mark"),
        RejectionCase("1,299.00.00 SEK", "more than one decimal mark"),
        RejectionCase("1.299,000 000 SEK", "after the decimal mark"),
        RejectionCase("1 299.299,00 SEK", "mixes"),
        RejectionCase("1..5 SEK", "two separators in a row"),
        RejectionCase("199. SEK", "unexpected text \".\""),
        RejectionCase(".99 SEK", "unexpected text \".\""),
    ]

    @Test(arguments: badGrouping) func malformedGroupingIsRejected(_ example: RejectionCase) {
        let error = #expect(throws: MoneyParseError.self) {
            try Money.parse(example.text, defaultCurrency: example.defaultCurrency, locale: example.locale)
        }
        #expect(error?.why.contains(example.why) == true, "\(error?.why ?? "no error")")
    }

    /// `Money.description` (`1.500 KWD`, `1500 JPY`) is what we write; reading it back must be exact.
    @Test(arguments: ["SEK", "JPY", "KWD", "CLF", "EUR"])
    func canonicalTextReadsBackToTheSameMoney(_ code: String) throws {
        let currency = try #require(Currency(code: code))
        for minorUnits: Int64 in [0, 1, 9, 10, 999, 1000, 1500, 123_456, 1_000_000, Int64.max] {
            let money = Money(minorUnits: minorUnits, currency: currency)
            #expect(try Money.parse(money.description, defaultCurrency: nil, locale: nil) == money)
            #expect(try Money.parse(money.amountText, defaultCurrency: currency, locale: nil) == money)
        }
    }
}

@Suite struct AmountLocaleTests {
    @Test(arguments: ["sv_SE", "sv-SE", "sv", "de_DE", "de_AT", "nl_NL", "fr_FR", "fi_FI", "nb_NO", "nn_NO", "da_DK",
                      "pl_PL", "lt_LT", "es_ES", "pt_BR", "it_IT", "cs_CZ", "sv_SE.UTF-8", "SV_se"])
    func decimalCommaLocalesAreRecognised(_ identifier: String) {
        #expect(AmountLocale(identifier: identifier)?.decimalMark == .comma)
    }

    @Test(arguments: ["en_US", "en-US", "en", "en_GB", "en_IE", "ja_JP", "zh_CN", "de_CH", "de-CH", "es_MX", "ko_KR"])
    func decimalDotLocalesAreRecognised(_ identifier: String) {
        #expect(AmountLocale(identifier: identifier)?.decimalMark == .dot)
    }

    @Test(arguments: ["", "xx_XX", "klingon", "_SE", "-"]) func unknownLocaleIsNil(_ identifier: String) {
        #expect(AmountLocale(identifier: identifier) == nil)
    }
}
