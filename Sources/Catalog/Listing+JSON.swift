/// The canonical JSON text of a listing: keys in canonical order, no white space.
///
/// Two equal listings always give the same bytes, so the text doubles as a fingerprint,
/// and comparing a desired listing with a stored one is a string compare.
extension Listing {
    public var jsonText: String {
        // Bytes, not String appends: this runs for every listing ingested, compared and sent.
        var out: [UInt8] = []
        out.reserveCapacity(1_024)
        out.append(UInt8(ascii: "{"))
        func write(_ value: ListingValue) {
            switch value {
            case .text(let text): JSONText.appendString(text, to: &out)
            case .integer(let number): out += String(number).utf8
            }
        }
        // Canonical names by rank, then the rest by name; ranked without hashing each name again.
        var canonical = [ListingValue?](repeating: nil, count: Listing.canonicalOrder.count)
        var others: [String] = []
        for (name, value) in fields {
            if let rank = Listing.canonicalRank(of: name) { canonical[rank] = value } else { others.append(name) }
        }
        for (rank, value) in canonical.enumerated() {
            guard let value else { continue }
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out += Listing.quotedCanonicalNames[rank]
            write(value)
        }
        for name in others.sorted() {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            write(fields[name]!)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `"id":`, … for each canonical name: none needs escaping.
    static let quotedCanonicalNames = canonicalOrder.map { Array("\"\($0)\":".utf8) }
    /// Each canonical name's UTF-8 bytes.
    static let canonicalNameBytes = canonicalOrder.map { Array($0.utf8) }

    /// Reads text written by `jsonText`: one flat object of strings and integers.
    /// - Returns: `nil` when the text is not of that shape.
    public init?(jsonText: String) {
        var parser = JSONText.FlatObjectParser(Array(jsonText.utf8))
        guard let fields = parser.parse() else { return nil }
        self.init(fields)
    }
}

/// Writing and reading the small JSON this project produces itself.
public enum JSONText {
    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    public static func appendString(_ text: String, to out: inout String) {
        var bytes: [UInt8] = []
        appendString(text, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal to UTF-8 bytes.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        var text = text
        text.withUTF8 { bytes in
            guard needsEscaping(bytes) else { return out.append(contentsOf: bytes) }
            // Copy runs that need no escape whole; the bytes to escape are all ASCII.
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                switch byte {
                case 0x22: out += #"\""#.utf8
                case 0x5C: out += #"\\"#.utf8
                case 0x0A: out += #"\n"#.utf8
                case 0x0D: out += #"\r"#.utf8
                case 0x09: out += #"\t"#.utf8
                default:
                    let hex = String(byte, radix: 16)
                    out += ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8
                }
                runStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(0x22)
    }

    /// Whether any byte is a control character, `"` or `\\`, eight bytes at a time: most texts have none.
    static func needsEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Bit Twiddling Hacks' `hasless(x, n)` and `haszero(x)`: exact as yes-or-no answers, per 64-bit word.
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
        var index = 0
        if let base = UnsafeRawPointer(bytes.baseAddress) {
            while index + 8 <= bytes.count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if (word &- ones &* 0x20) & ~word & highs != 0 || hasZeroByte(word ^ (ones &* 0x22))
                    || hasZeroByte(word ^ (ones &* 0x5C)) {
                    return true
                }
                index += 8
            }
        }
        return bytes[index...].contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
    }

    /// A JSON array of strings: `["quantity","availability"]`.
    public static func array(_ strings: [String]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(2 + strings.count * 16)
        appendArray(strings, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `strings` as a JSON array of strings to UTF-8 bytes (bytes, not String appends: a cold sync
    /// writes one per delta).
    public static func appendArray(_ strings: [String], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, string) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(string, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// The strings of an array as `array(_:)` writes it; `nil` for any other text.
    public static func parseArray(_ text: String) -> [String]? {
        var parser = FlatObjectParser(Array(text.utf8))
        return parser.parseArray()
    }

    /// Parses the flat JSON this file writes: an object whose values are strings or integers
    /// (`Listing.jsonText`), or an array of strings (`array(_:)`).
    struct FlatObjectParser {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func parse() -> [String: ListingValue]? {
            var fields: [String: ListingValue] = [:]
            fields.reserveCapacity(Listing.canonicalOrder.count)  // room for a listing's fields from the start
            guard consume(UInt8(ascii: "{")) else { return nil }
            if consume(UInt8(ascii: "}")) { return index == bytes.count ? fields : nil }
            repeat {
                guard let key = canonicalName() ?? string(), consume(UInt8(ascii: ":")) else { return nil }
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    guard let value = string() else { return nil }
                    fields[key] = .text(value)
                } else {
                    guard let value = integer() else { return nil }
                    fields[key] = .integer(value)
                }
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "}")), index == bytes.count else { return nil }
            return fields
        }

        mutating func parseArray() -> [String]? {
            var strings: [String] = []
            guard consume(UInt8(ascii: "[")) else { return nil }
            if consume(UInt8(ascii: "]")) { return index == bytes.count ? strings : nil }
            repeat {
                guard let string = string() else { return nil }
                strings.append(string)
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "]")), index == bytes.count else { return nil }
            return strings
        }

        /// A string literal at `index` that holds one of `Listing.canonicalOrder`, as that name's constant (no
        /// string made); `nil`, with `index` unmoved, for any other.
        private mutating func canonicalName() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            var end = index + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
            let length = end - index - 1
            guard end < bytes.count, bytes[end] == UInt8(ascii: "\""), length < Listing.ranksByLength.count else {
                return nil
            }
            for rank in Listing.ranksByLength[length]
            where bytes[(index + 1)..<end].elementsEqual(Listing.canonicalNameBytes[rank]) {
                index = end + 1
                return Listing.canonicalOrder[rank]
            }
            return nil
        }

        private mutating func consume(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func integer() -> Int? {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return Int(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        private mutating func string() -> String? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            var runStart = index
            var out = ""
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    out += String(decoding: bytes[runStart..<index], as: UTF8.self)
                    index += 1
                    return out
                }
                if byte == UInt8(ascii: "\\") {
                    out += String(decoding: bytes[runStart..<index], as: UTF8.self)
                    index += 1
                    guard index < bytes.count else { return nil }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "n"): out += "\n"
                    case UInt8(ascii: "r"): out += "\r"
                    case UInt8(ascii: "t"): out += "\t"
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count,
                              let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(code) else { return nil }
                        out.unicodeScalars.append(scalar)
                        index += 4
                    default: out += String(decoding: [escaped], as: UTF8.self)
                    }
                    runStart = index
                    continue
                }
                index += 1
            }
            return nil
        }
    }
}
