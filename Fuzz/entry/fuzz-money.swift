// libFuzzer entry point for Money.parse, SaleWindow.parse, Currency(code:) and AmountLocale(identifier:).
//
// The input is decoded as UTF-8 (invalid bytes become U+FFFD, as the readers hand them on). Every amount
// that parses must survive a round trip through `Money.description` (`1299.00 SEK`, `1.500 KWD`), which is
// what the platforms and the file channel are sent.
import Catalog

let currencies: [Currency?] = [nil, .sek, .eur, .usd, Currency(code: "JPY"), Currency(code: "KWD"), Currency(code: "CLF")]
let locales: [AmountLocale?] = [nil, AmountLocale(decimalMark: .dot), AmountLocale(decimalMark: .comma)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for currency in currencies {
        for locale in locales {
            guard let money = try? Money.parse(text, defaultCurrency: currency, locale: locale) else { continue }
            precondition(money.minorUnits >= 0, "a parsed price is never negative")
            let again = try? Money.parse(money.description, defaultCurrency: nil, locale: nil)
            precondition(again == money, "\(money) does not parse back to itself")
        }
    }
    _ = try? SaleWindow.parse(text)
    _ = try? SaleWindow.parse(Substring(text))
    _ = Currency(code: text)
    _ = AmountLocale(identifier: text)
    return 0
}
