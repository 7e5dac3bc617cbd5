import Testing
@testable import Catalog

@Suite struct AvailabilityTests {
    static let spellings: [(String, Availability)] = [
        ("in stock", .inStock), ("in_stock", .inStock), ("IN_STOCK", .inStock), ("InStock", .inStock),
        ("in-stock", .inStock), ("https://schema.org/InStock", .inStock), ("http://schema.org/InStock", .inStock),
        ("available", .inStock), ("available for order", .inStock), ("LimitedAvailability", .inStock),
        ("OnlineOnly", .inStock), ("InStoreOnly", .inStock),
        ("out of stock", .outOfStock), ("out_of_stock", .outOfStock), ("OutOfStock", .outOfStock),
        ("https://schema.org/OutOfStock", .outOfStock), ("sold out", .outOfStock), ("SoldOut", .outOfStock),
        ("discontinued", .outOfStock), ("unavailable", .outOfStock), ("not available", .outOfStock),
        ("preorder", .preorder), ("pre-order", .preorder), ("PreOrder", .preorder),
        ("https://schema.org/PreOrder", .preorder),
        ("backorder", .backorder), ("back order", .backorder), ("BackOrder", .backorder),
        ("https://schema.org/BackOrder", .backorder),
    ]

    @Test(arguments: spellings) func feedSpellingIsRead(_ text: String, _ expected: Availability) {
        #expect(Availability(feedValue: text) == expected)
    }

    @Test(arguments: ["  in stock  ", "\tin_stock\t", "\nInStock\r", "in stock\n"])
    func surroundingWhiteSpaceIsIgnored(_ text: String) {
        #expect(Availability(feedValue: text) == .inStock)
    }

    /// `"\r\n"` is one `Character`: trimming must test white-space properties, not single scalars.
    @Test func trailingCRLFIsIgnored() {
        #expect(Availability(feedValue: "in_stock\r\n") == .inStock)
        #expect(Availability(feedValue: "\u{00A0}out of stock\u{00A0}") == .outOfStock)
    }

    /// The ASCII shortcut of `trimmingSpaces` must agree with the Character-wise walk, whatever the ends hold:
    /// CRLF, NBSP, combining marks after a space or a letter, a prepended mark before a letter.
    @Test func trimmingAgreesWithTheCharacterWiseWalk() {
        let pieces = ["a", "Z", "1", "#", "~", " ", "\t", "\r\n", "\n", "\u{00A0}", "\u{2003}", "\u{0301}", "\u{0600}",
                      "é", "👍🏽", "\u{1}", "\u{7F}", "\u{85}"]
        var random = SplitMix64(seed: 0x7A1A)
        for _ in 0..<5_000 {
            let text = (0..<Int(random.next() % 6)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }
                .joined()
            let substring = Substring(text)
            #expect(substring.trimmingSpaces() == substring.trimmingSpacesByCharacter(), "\(text.debugDescription)")
        }
    }

    /// Google's own spellings are taken as they are; everything else reads as the long way reads it.
    @Test func exactSpellingAgreesWithTheLongWay() {
        let pieces = ["in", "_", " ", "stock", "IN", "STOCK", "out", "of", "-", "pre", "order", "back", "in_stock",
                      "out_of_stock", "preorder", "backorder", "https://schema.org/", "/", "\u{00A0}", "\t", "\r\n",
                      "İ", "\u{212A}", "é", "x"]
        var random = SplitMix64(seed: 0xA7A1)
        for _ in 0..<5_000 {
            let text = (0..<Int(random.next() % 4)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }
                .joined()
            #expect(Availability(feedValue: text) == Availability(anySpelling: text), "\(text.debugDescription)")
            let wrapped = " " + text + " "
            #expect(Availability(feedValue: wrapped.dropFirst().dropLast()) == Availability(anySpelling: text))
        }
    }

    @Test(arguments: ["", "   ", "yes", "1", "in stock soon", "https://schema.org/", "stock", "instock!"])
    func unknownValueIsNil(_ text: String) {
        #expect(Availability(feedValue: text) == nil)
    }

    @Test func rawValuesAreGoogleSpelling() {
        #expect(Availability.allCases.map(\.rawValue) == ["in_stock", "out_of_stock", "preorder", "backorder"])
        for availability in Availability.allCases {
            #expect(Availability(feedValue: availability.rawValue) == availability)
        }
    }

    @Test func onlyPreorderAndBackorderIgnoreStock() {
        #expect(Availability.preorder.ignoresStock)
        #expect(Availability.backorder.ignoresStock)
        #expect(!Availability.inStock.ignoresStock)
        #expect(!Availability.outOfStock.ignoresStock)
    }

    @Test func substringInputIsAccepted() {
        let line = "sku-1,in stock,3"
        let field = line.split(separator: ",")[1]
        #expect(Availability(feedValue: field) == .inStock)
    }
}
