import Testing
@testable import Catalog

/// `Money.parsePlain`, the byte-level reading of common amounts, against the general scalar-by-scalar rules.
@Suite struct MoneyPlainAmountTests {
    static let pieces = [
        "0", "1", "7", "00", "12", "299", "1234", "99999999999", ".", ",", " ", "  ", "\u{00A0}", "\u{202F}", "'",
        "\t", "SEK", "sek", "Sek", "EUR", "JPY", "KWD", "CLF", "NOK", "XYZ", "EURO", "kr", "kr.", "€", "$", "¥",
        "-", "\u{2212}", "+", "٣", "é", "e", "\u{0301}",
    ]
    static let currencies: [Currency?] = [nil, .sek, .usd, Currency(code: "JPY"), Currency(code: "KWD"),
                                          Currency(code: "NOK")]
    static let locales: [AmountLocale?] = [nil, AmountLocale(identifier: "en_US"), AmountLocale(identifier: "sv_SE")]

    static let marks = [".", ",", " ", "\u{00A0}", "\u{202F}", "'", ""]
    static let currencyTexts = ["SEK", "sek", "EUR", "JPY", "KWD", "CLF", "NOK", "XYZ", "EURO", "kr", "kr.", "€", "$"]

    /// A random text: either pieces in any order, or digits and marks shaped like an amount, with a currency
    /// before or after and now and then a piece out of place.
    static func text(_ random: inout SplitMix64) -> String {
        func pick(_ list: [String]) -> String { list[Int(random.next() % UInt64(list.count))] }
        func digits(_ count: UInt64) -> String {
            (0..<Int(random.next() % count)).map { _ in String(random.next() % 10) }.joined()
        }
        if random.next() % 3 == 0 { return (0..<Int(random.next() % 7)).map { _ in pick(pieces) }.joined() }
        var parts: [String] = []
        if random.next() % 4 == 0 { parts += [pick(currencyTexts), pick(["", " ", "  ", "\u{00A0}"])] }
        parts.append(String(1 + random.next() % 9) + digits(7))
        for _ in 0..<Int(random.next() % 3) { parts += [pick(marks), digits(6)] }
        if random.next() % 2 == 0 { parts += [pick(["", " ", "  ", "\t"]), pick(currencyTexts)] }
        if random.next() % 4 == 0 { parts.append(pick(["", " ", "\u{00A0}"])) }
        if random.next() % 8 == 0 { parts.insert(pick(pieces), at: Int(random.next() % UInt64(parts.count + 1))) }
        return parts.joined()
    }

    static func general(_ text: some StringProtocol, _ currency: Currency?,
                        _ locale: AmountLocale?) -> Result<Money, MoneyParseError> {
        Result { () throws(MoneyParseError) in try Money.parseScalars(text, defaultCurrency: currency, locale: locale) }
    }

    /// Whatever the byte-level reading returns is what the general rules return, and `parse` always returns
    /// what the general rules do (the value, or the same error).
    @Test func plainReadingAgreesWithTheGeneralRules() {
        var random = SplitMix64(seed: 0x3A0E)
        var plainCount = 0
        for _ in 0..<40_000 {
            let text = Self.text(&random)
            let currency = Self.currencies[Int(random.next() % UInt64(Self.currencies.count))]
            let locale = Self.locales[Int(random.next() % UInt64(Self.locales.count))]
            let expected = Self.general(text, currency, locale)
            if let plain = Money.parsePlain(text, defaultCurrency: currency) {
                plainCount += 1
                #expect(expected == .success(plain), "\(text.debugDescription) \(String(describing: currency))")
            }
            let parsed = Result { () throws(MoneyParseError) in
                try Money.parse(text, defaultCurrency: currency, locale: locale)
            }
            #expect(parsed == expected, "\(text.debugDescription)")
            // The same bytes as a slice of a longer string (by UTF-8 offsets: a leading mark would join the "#").
            let wrapped = "#" + text + "#"
            let substring = wrapped[wrapped.utf8.index(after: wrapped.startIndex)..<wrapped.utf8.index(
                before: wrapped.endIndex)]
            #expect(substring.utf8.elementsEqual(text.utf8))
            #expect(Money.parsePlain(substring, defaultCurrency: currency)
                    == Money.parsePlain(text, defaultCurrency: currency))
        }
        // Enough of the random texts are plain for the comparison to mean something.
        #expect(plainCount > 5_000)
    }

    @Test(arguments: ["199.00 SEK", "SEK 199,00", "SEK199", "19.99", "19,9", "1500 JPY", "0,5 eur", "7 NOK  ",
                      "0.1234 CLF", "12345678.90 SEK"])
    func commonFormsAreReadFromBytes(_ text: String) throws {
        let plain = try #require(Money.parsePlain(text, defaultCurrency: .sek))
        #expect(Self.general(text, .sek, nil) == .success(plain))
    }

    /// Forms the bytes alone cannot settle, or that are errors, go to the general rules.
    @Test(arguments: ["1,299", "1.500 KWD", "1 299,00 kr", "1.299,00 EUR", "-5 SEK", "€19,99", "5,", ",5", " 5",
                      "5 EUR SEK", "EUR 5 EUR", "5 XYZ", "5.123 SEK", "1,50 JPY", "99999999999999999999", "", "SEK"])
    func otherFormsAreLeftToTheGeneralRules(_ text: String) {
        #expect(Money.parsePlain(text, defaultCurrency: .sek) == nil)
    }
}
