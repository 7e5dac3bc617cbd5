extension Money {
    /// The common forms of an amount — `199.00 SEK`, `SEK 199,00`, `19.99`, `1500 JPY` — read from their UTF-8
    /// bytes; `nil` for any other text, which `parse` then reads scalar by scalar.
    ///
    /// Reads only what the general rules read one way whatever the locale: ASCII digits with at most one `.` or
    /// `,`, followed by one, two or more than three digits (`1,299` is for the locale to settle), and at most
    /// one ISO code of three ASCII letters before or after them, spaces (U+0020) apart or not, and trailing
    /// spaces. Where the general rules would throw (an unknown code, no currency, too many decimals, more than
    /// `Int64` holds) it returns `nil` too, so that their errors stay the only ones.
    static func parsePlain(_ text: some StringProtocol, defaultCurrency: Currency?) -> Money? {
        // `withUTF8` also lends the bytes of a small string, which `utf8.withContiguousStorageIfAvailable` does
        // not; most amounts are small strings.
        if var string = text as? String {
            return string.withUTF8 { parsePlain(bytes: $0, defaultCurrency: defaultCurrency) }
        }
        if var substring = text as? Substring {
            return substring.withUTF8 { parsePlain(bytes: $0, defaultCurrency: defaultCurrency) }
        }
        return nil
    }

    private static func parsePlain(bytes: UnsafeBufferPointer<UInt8>, defaultCurrency: Currency?) -> Money? {
        func isLetter(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte | 0x20) }
        func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
        func isCode(at start: Int) -> Bool {
            start + 3 <= bytes.count && isLetter(bytes[start]) && isLetter(bytes[start + 1])
                && isLetter(bytes[start + 2])
        }
        var index = 0
        var code: Int?
        if isCode(at: 0) {
            code = 0
            index = 3
            while index < bytes.count, bytes[index] == 0x20 { index += 1 }
        }
        var value: Int64 = 0
        var overflows = false
        func take(_ digit: UInt8) {
            let (shifted, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowPlus) = shifted.addingReportingOverflow(Int64(digit))
            overflows = overflows || overflowTimes || overflowPlus
            value = sum
        }
        let wholeStart = index
        while index < bytes.count, isDigit(bytes[index]) {
            take(bytes[index] - 0x30)
            index += 1
        }
        guard index > wholeStart else { return nil }
        var decimals = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) {
                take(bytes[index] - 0x30)
                index += 1
                decimals += 1
            }
            // No digits after the mark is an error; three may be grouping, which the locale settles.
            guard decimals > 0, decimals != 3 else { return nil }
        }
        while index < bytes.count, bytes[index] == 0x20 { index += 1 }
        if index < bytes.count {
            guard code == nil, isCode(at: index) else { return nil }
            code = index
            index += 3
            while index < bytes.count, bytes[index] == 0x20 { index += 1 }
            guard index == bytes.count else { return nil }
        }

        let currency: Currency
        if let code {
            let letters = UnsafeBufferPointer(rebasing: bytes[code..<code + 3])
            if let defaultCurrency, defaultCurrency.code.utf8.elementsEqual(letters) {
                currency = defaultCurrency
            } else if let named = Currency(code: String(decoding: letters, as: UTF8.self)) {
                currency = named
            } else {
                return nil
            }
        } else if let defaultCurrency {
            currency = defaultCurrency
        } else {
            return nil
        }
        guard decimals <= currency.exponent else { return nil }
        for _ in decimals..<currency.exponent { take(0) }
        return overflows ? nil : Money(minorUnits: value, currency: currency)
    }
}
