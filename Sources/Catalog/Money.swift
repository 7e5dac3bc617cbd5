/// An exact amount of money: an integer count of the currency's minor units. Never `Double`.
///
/// `Money(minorUnits: 19900, currency: .sek)` is 199.00 SEK; JPY has no minor unit, KWD three.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public var minorUnits: Int64
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The amount with the currency's own number of decimals and a dot: `199.00`, `1500` (JPY).
    public var amountText: String {
        let exponent = currency.exponent
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        guard exponent > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<exponent { scale *= 10 }
        var fraction = String(magnitude % scale)
        fraction = String(repeating: "0", count: exponent - fraction.count) + fraction
        return (negative ? "-" : "") + String(magnitude / scale) + "." + fraction
    }

    /// The form every platform and the file channel take: `199.00 SEK`.
    public var description: String { amountText + " " + currency.code }
}

/// An ISO 4217 currency and its exponent (the number of minor-unit digits).
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public let exponent: Int

    /// The currency for an ISO 4217 alphabetic code (any case), or `nil` for a code we do not know.
    public init?(code: some StringProtocol) {
        let upper = code.uppercased()
        guard upper.utf8.count == 3, let exponent = Currency.exponents[upper] else { return nil }
        self.code = upper
        self.exponent = exponent
    }

    public var description: String { code }

    public static let sek = Currency(code: "SEK")!
    public static let eur = Currency(code: "EUR")!
    public static let usd = Currency(code: "USD")!

    /// ISO 4217 active codes with their minor-unit exponents (list one, 2025 edition).
    static let exponents: [String: Int] = {
        var table: [String: Int] = [:]
        let zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
        let three = "BHD IQD JOD KWD LYD OMR TND"
        let four = "CLF UYW"
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP \
            BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD \
            FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD \
            KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD \
            NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP \
            SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED \
            VES WST XCD XCG YER ZAR ZMW ZWG
            """
        for (codes, exponent) in [(zero, 0), (two, 2), (three, 3), (four, 4)] {
            for code in codes.split(separator: " ") { table[String(code)] = exponent }
        }
        return table
    }()
}
