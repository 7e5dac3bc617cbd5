import Catalog
import Foundation
import Testing

@testable import Feeds

@Suite struct ShopifyMapperTests {
    static let header = """
        Handle,Title,Body (HTML),Vendor,Type,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,\
        Variant SKU,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Price,\
        Variant Compare At Price,Variant Barcode,Image Src,Variant Image,Status
        """

    func map(_ rows: String, context: MappingContext = Fixture.usd) throws -> [Result<Offer, FeedIssue>] {
        Fixture.map(.shopify, try Fixture.records(Self.header + "\n" + rows))
    }

    @Test func variantAndImageRowsFoldIntoOneProduct() throws {
        let results = try map("""
            tee,Tee,<p>Soft</p>,Acme,Shirts,true,Colour,Blue,Size,M,T-B-M,shopify,3,deny,20.00,,123,https://x/1.jpg,,active
            tee,,,,,,,Red,,L,T-R-L,shopify,0,deny,20.00,,,https://x/2.jpg,https://x/red.jpg,
            tee,,,,,,,,,,,,,,,,,https://x/3.jpg,,
            """)
        let offers = Fixture.offers(results)
        #expect(Fixture.issues(results).isEmpty)
        #expect(offers.map(\.id) == ["T-B-M", "T-R-L"])
        #expect(offers.map(\.title) == ["Tee", "Tee"])
        #expect(offers.map(\.groupId) == ["tee", "tee"])
        #expect(offers.map(\.color) == ["Blue", "Red"])
        #expect(offers.map(\.size) == ["M", "L"])
        #expect(offers[0].brand == "Acme")
        #expect(offers[0].productType == "Shirts")
        #expect(offers[0].description == "<p>Soft</p>")
        #expect(offers[0].gtin == "123")
        #expect(offers[0].imageLink == "https://x/1.jpg")
        #expect(offers[0].additionalImageLinks == ["https://x/2.jpg", "https://x/3.jpg"])
        #expect(offers[1].imageLink == "https://x/red.jpg")
        #expect(offers[1].additionalImageLinks == ["https://x/1.jpg", "https://x/2.jpg", "https://x/3.jpg"])
        #expect(offers.map(\.source?.line) == [2, 3])
    }

    @Test func aProductIsEmittedWhenTheNextHandleBegins() throws {
        let records = try Fixture.records(Self.header + """

            a,A,,,,true,Title,Default Title,,,A1,,1,deny,5,,,,,
            b,B,,,,true,Title,Default Title,,,B1,,1,deny,5,,,,,
            """)
        var mapper = Profiles.mapper(.shopify, context: Fixture.usd, mapping: [:])
        #expect(mapper.consume(records[0]).isEmpty)
        #expect(mapper.consume(records[1]).map { $0.offer?.id } == ["A1"])
        #expect(mapper.finish().map { $0.offer?.id } == ["B1"])
    }

    @Test func compareAtAbovePriceIsASale() throws {
        let results = try map("""
            a,A,,,,true,Title,Default Title,,,A1,,1,deny,42.99,44.99,,,,
            b,B,,,,true,Title,Default Title,,,B1,,1,deny,30.00,30.00,,,,
            c,C,,,,true,Title,Default Title,,,C1,,1,deny,30.00,25,,,,
            """)
        let offers = Fixture.offers(results)
        #expect(offers[0].price == Fixture.money("44.99 USD"))
        #expect(offers[0].salePrice == Fixture.money("42.99 USD"))
        #expect(offers[1].price == Fixture.money("30.00 USD"))
        #expect(offers[1].salePrice == nil)
        #expect(offers[2].price == Fixture.money("30.00 USD"))
        #expect(offers[2].salePrice == nil)
    }

    @Test func emptySKUsBecomeHandleAndOptionValues() throws {
        let results = try map("""
            plain,Plain,,,,true,Title,Default Title,,,,,1,deny,5,,,,,
            top,Top,,,,true,Size,Extra Large,Color,Navy/White,,,1,deny,5,,,,,
            top,,,,,,,Small,,Navy/White,,,1,deny,5,,,,,
            """)
        let offers = Fixture.offers(results)
        #expect(offers.map(\.id) == ["plain", "top-extra-large-navy-white", "top-small-navy-white"])
        #expect(offers.map(\.groupId) == [nil, "top", "top"])
    }

    @Test func inventoryPolicyAndTrackerDecideAvailability() throws {
        let results = try map("""
            a,A,,,,true,Size,S,,,A-S,shopify,0,continue,5,,,,,
            a,,,,,,,M,,,A-M,shopify,-2,deny,5,,,,,
            a,,,,,,,L,,,A-L,,,deny,5,,,,,
            a,,,,,,,XL,,,A-XL,shopify,,deny,5,,,,,
            """)
        let offers = Fixture.offers(results)
        #expect(offers.map(\.availability) == [.backorder, .outOfStock, .inStock])
        #expect(offers.map(\.quantity) == [0, 0, nil])
        let issue = try #require(Fixture.issues(results).first)
        #expect(issue.reason == .missingValue("Variant Inventory Qty"))
        #expect(issue.location == SourceLocation(feed: "t.csv", line: 5, field: "Variant Inventory Qty"))
    }

    @Test func draftArchivedAndUnpublishedProductsAreNotListed() throws {
        let results = try map("""
            a,A,,,,true,Title,Default Title,,,A1,,1,deny,5,,,,,draft
            b,B,,,,true,Title,Default Title,,,B1,,1,deny,5,,,,,archived
            c,C,,,,false,Title,Default Title,,,C1,,1,deny,5,,,,,
            d,D,,,,true,Title,Default Title,,,D1,,1,deny,5,,,,,active
            """)
        #expect(results.map { $0.offer?.id } == ["D1"])
    }

    @Test func rowIssuesNameTheirLineAndColumn() throws {
        let results = try map("""
            a,A,,,,true,Size,S,,,A-S,,1,deny,,,,,,
            a,,,,,,,M,,,A-M,,1,deny,abc,,,,,
            a,,,,,,,L,,,A-L,,two,deny,5,,,,,
            ,X,,,,true,Title,Default Title,,,X1,,1,deny,5,,,,,
            """)
        let issues = Fixture.issues(results)
        #expect(issues.map(\.location.line) == [2, 3, 4, 5])
        #expect(issues.map(\.location.field) == ["Variant Price", "Variant Price", "Variant Inventory Qty", "Handle"])
        #expect(issues[0].reason == .missingValue("Variant Price"))
        #expect(issues[1].code == "invalid_amount")
        #expect(issues[2].reason == .invalidValue(field: "Variant Inventory Qty", value: "two",
                                                  why: "is not a whole number of 0 or more"))
    }

    @Test func amountsWithoutCurrencyNeedTheFeedsCurrency() throws {
        let records = try Fixture.records(Self.header + "\na,A,,,,true,Title,Default Title,,,A1,,1,deny,5,,,,,")
        let results = Fixture.map(.shopify, records, context: MappingContext(feed: "t.csv"))
        #expect(results.first?.issue?.location.field == "Variant Price")
    }
}
