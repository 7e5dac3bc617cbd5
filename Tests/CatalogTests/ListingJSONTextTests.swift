import Testing
@testable import Catalog

/// `Listing.jsonText`'s shortcuts (ranking names without hashing, copying texts that need no escape whole)
/// against the plain rules: `orderedNames`, and escaping one scalar at a time.
@Suite struct ListingJSONTextTests {
    static let names = Listing.canonicalOrder + [
        "", "x", "ID", "Price", "prICE", "colour", "custom_label_5", "custom_label_", "zeta", "a\"b", "é", "size ",
    ]
    static let texts = ["", "a", "plain text", "quote\"d", "back\\slash", "tab\there", "line\nend", "\r", "\u{1}",
                        "\u{1F}", "\u{7F}", "é", "日本語", "👍🏽", "0123456789abcdef", "ends with \"", "\\"]

    /// JSON for `text` the plain way: one scalar at a time.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test func rankIsTheCanonicalOrdersWithoutHashing() {
        for name in Self.names + ["identifier", String(repeating: "x", count: 40)] {
            #expect(Listing.canonicalRank(of: name) == Listing.canonicalOrder.firstIndex(of: name), "\(name)")
        }
    }

    @Test func jsonTextIsTheOrderedNamesWithTheirValuesEscaped() {
        var random = SplitMix64(seed: 0x15A7)
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        for _ in 0..<2_000 {
            var listing = Listing()
            for _ in 0..<Int(random.next() % 12) {
                let text = (0..<Int(random.next() % 4)).map { _ in pick(Self.texts) }.joined()
                listing[pick(Self.names)] = random.next() % 5 == 0 ? .integer(Int(random.next() % 2_000) - 1_000)
                    : .text(text)
            }
            let expected = "{" + listing.orderedNames.map { name in
                let value = listing[name]!
                let valueText = if case .text(let text) = value { Self.quoted(text) } else { value.description }
                return Self.quoted(name) + ":" + valueText
            }.joined(separator: ",") + "}"
            #expect(listing.jsonText == expected)
            #expect(Listing(jsonText: listing.jsonText) == listing)
        }
    }

    /// `Listing.order` and `changedFields` (ranked, no sets) against the plain rules: the canonical order, then the
    /// rest sorted, each name once.
    @Test func orderAndChangedFieldsFollowThePlainRules() {
        func plainOrder(_ names: Set<String>) -> [String] {
            Listing.canonicalOrder.filter(names.contains)
                + names.filter { !Listing.canonicalOrder.contains($0) }.sorted()
        }
        var random = SplitMix64(seed: 0x0D3E)
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        func randomListing() -> Listing {
            var listing = Listing()
            for _ in 0..<Int(random.next() % 10) {
                listing[pick(Self.names)] = random.next() % 3 == 0 ? .integer(Int(random.next() % 3))
                    : .text(pick(["a", "b"]))
            }
            return listing
        }
        for _ in 0..<2_000 {
            let names = (0..<Int(random.next() % 12)).map { _ in pick(Self.names) }
            #expect(Listing.order(names) == plainOrder(Set(names)), "\(names)")
            let old = randomListing(), new = randomListing()
            let changed = Set(old.fields.keys).union(new.fields.keys).filter { old[$0] != new[$0] }
            #expect(new.changedFields(from: old) == plainOrder(changed))
            #expect(Listing(jsonText: new.jsonText) == new)
        }
    }

    /// The word-at-a-time test answers as a byte-at-a-time one does, wherever the byte to escape is.
    @Test func escapeCheckAgreesByteForByte() {
        let bytes: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x3F, 0x5B, 0x5C, 0x5D, 0x61, 0x7E,
                              0x7F, 0x80, 0x9F, 0xA0, 0xC3, 0xDC, 0xE2, 0xFF]
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x41, 0x5B, 0x5D, 0x7E, 0x7F, 0x80, 0xA2, 0xDC, 0xFF]
        var random = SplitMix64(seed: 0xE5C)
        for _ in 0..<20_000 {
            var text = (0..<Int(random.next() % 40)).map { _ in plain[Int(random.next() % UInt64(plain.count))] }
            if !text.isEmpty, random.next() % 2 == 0 {
                text[Int(random.next() % UInt64(text.count))] = bytes[Int(random.next() % UInt64(bytes.count))]
            }
            let expected = text.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
            #expect(text.withUnsafeBufferPointer(JSONText.needsEscaping) == expected, "\(text)")
        }
    }
}
