import Testing
@testable import Catalog

@Suite struct ListingTests {
    @Test func listingJSONRoundTripsAwkwardText() throws {
        var listing = Listing()
        listing.set("title", "Tröja \"Ö\" \\ tab\there\nnew line \u{1} crlf\r\nend")
        listing["quantity"] = .integer(-3)
        #expect(Listing(jsonText: listing.jsonText) == listing)
    }

    @Test func stringArraysAreWrittenCompactlyAndRoundTrip() {
        for names in [[], ["quantity"], ["a,b", "say \"hi\"", "back\\slash", "tab\tnew\nline\u{1}", "Ö", ""]] {
            #expect(JSONText.parseArray(JSONText.array(names)) == names)
        }
        #expect(JSONText.array([]) == "[]")
        #expect(JSONText.array(["quantity", "availability"]) == #"["quantity","availability"]"#)
        #expect(JSONText.array(["say \"hi\"", "tab\t"]) == #"["say \"hi\"","tab\t"]"#)
        for text in ["", "[", "]", "[\"a\"", "[\"a\",]", "[\"a\"] ", "[1]", "{}", "[\"a\" ,\"b\"]"] {
            #expect(JSONText.parseArray(text) == nil, "\(text)")
        }
    }

    @Test func changedFieldsComeInCanonicalOrder() {
        var old = Listing(), new = Listing()
        old.set("title", "A")
        new.set("title", "B")
        new.set("price", "1.00 SEK")
        new["quantity"] = .integer(1)
        #expect(new.changedFields(from: old) == ["title", "price", "quantity"])
    }

    @Test func moneyIsWrittenWithTheCurrencysOwnDecimals() {
        #expect(Money(minorUnits: 19900, currency: .sek).description == "199.00 SEK")
        #expect(Money(minorUnits: 1500, currency: Currency(code: "JPY")!).description == "1500 JPY")
        #expect(Money(minorUnits: 1500, currency: Currency(code: "KWD")!).description == "1.500 KWD")
        #expect(Money(minorUnits: -5, currency: .eur).description == "-0.05 EUR")
    }
}
