import Catalog
import Foundation
import Testing

@testable import Feeds

@Suite struct WooCommerceMapperTests {
    static let header = """
        ID,Type,SKU,Name,Published,Description,Date sale price starts,Date sale price ends,In stock?,Stock,\
        Backorders allowed?,Sale price,Regular price,Categories,Images,Parent,Attribute 1 name,\
        Attribute 1 value(s),Attribute 2 name,Attribute 2 value(s)
        """

    func map(_ rows: String, context: MappingContext = Fixture.usd) throws -> [Result<Offer, FeedIssue>] {
        Fixture.map(.woocommerce, try Fixture.records(Self.header + "\n" + rows), context: context)
    }

    @Test func variationsTakeTheirParentsFields() throws {
        let results = try map("""
            10,variable,dress,Summer Dress,1,Light cotton,,,1,,0,,,Clothing > Dresses,"https://x/d1.jpg, https://x/d2.jpg",,Color,"Red, Blue",Size,"36, 38"
            11,simple,belt,Belt,1,A belt,,,1,5,0,,10.00,Accessories,https://x/belt.jpg,,Color,"Black, Brown",,
            12,variation,dress-red-38,Summer Dress - Red,1,,,,1,2,0,,49.00,,,dress,Color,Red,Size,38
            13,variation,dress-blue-36,Summer Dress - Blue,1,,,,1,0,1,,49.00,,https://x/blue.jpg,id:10,Colour,Blue,Size,36
            """)
        #expect(Fixture.issues(results).isEmpty)
        let offers = Fixture.offers(results)
        #expect(offers.map(\.id) == ["belt", "dress-red-38", "dress-blue-36"])
        #expect(offers.map(\.title) == ["Belt", "Summer Dress", "Summer Dress"])
        #expect(offers.map(\.groupId) == [nil, "dress", "dress"])
        #expect(offers.map(\.description) == ["A belt", "Light cotton", "Light cotton"])
        #expect(offers.map(\.productType) == ["Accessories", "Clothing > Dresses", "Clothing > Dresses"])
        #expect(offers.map(\.color) == [nil, "Red", "Blue"])
        #expect(offers.map(\.size) == [nil, "38", "36"])
        #expect(offers[1].imageLink == "https://x/d1.jpg")
        #expect(offers[1].additionalImageLinks == ["https://x/d2.jpg"])
        #expect(offers[2].imageLink == "https://x/blue.jpg")
        #expect(offers.map(\.quantity) == [5, 2, 0])
        #expect(offers.map(\.availability) == [.inStock, .inStock, .backorder])
    }

    @Test func aVariationBeforeItsParentKeepsItsOwnFields() throws {
        let results = try map("""
            12,variation,,Hoodie - Blue,1,,,,1,,0,,45,,,id:7,Color,Blue,,
            """)
        let offer = try #require(results.first?.offer)
        #expect(offer.id == "wc-12")
        #expect(offer.title == "Hoodie - Blue")
        #expect(offer.groupId == "wc-7")
    }

    @Test func aParentWithoutSKUGroupsByItsID() throws {
        let results = try map("""
            7,variable,,Hoodie,1,Warm,,,1,,0,,,,,,Color,"Blue, Red",,
            12,variation,h-blue,Hoodie - Blue,1,,,,1,,0,,45,,,id:7,Color,Blue,,
            """)
        #expect(results.first?.offer?.groupId == "wc-7")
        #expect(results.first?.offer?.title == "Hoodie")
    }

    @Test func groupedExternalAndUnpublishedProductsGiveNoOffer() throws {
        let results = try map("""
            1,grouped,set,Set,1,,,,1,,0,,,,,,,,,
            2,external,pennant,Pennant,1,,,,1,,0,,11.05,,,,,,,
            3,simple,draft,Draft,0,,,,1,,0,,5,,,,,,,
            4,variable,hidden,Hidden,-1,,,,1,,0,,,,,,,,,
            5,variation,hidden-a,Hidden A,1,,,,1,,0,,5,,,hidden,,,,
            6,"simple, downloadable, virtual",album,Album,1,,,,1,,0,,15,,,,,,,
            """)
        #expect(results.map { $0.offer?.id } == ["album"])
    }

    @Test func stockColumnsDecideAvailability() throws {
        let results = try map("""
            1,simple,a,A,1,,,,0,,0,,5,,,,,,,
            2,simple,b,B,1,,,,1,0,0,,5,,,,,,,
            3,simple,c,C,1,,,,backorder,,0,,5,,,,,,,
            4,simple,d,D,1,,,,,3,0,,5,,,,,,,
            5,simple,e,E,1,,,,1,-4,notify,,5,,,,,,,
            """)
        let offers = Fixture.offers(results)
        #expect(offers.map(\.availability) == [.outOfStock, .outOfStock, .backorder, .inStock, .backorder])
        #expect(offers.map(\.quantity) == [nil, 0, nil, 3, 0])
    }

    @Test func saleDatesMakeAWholeDaySaleWindow() throws {
        let stockholm = MappingContext(feed: "t.csv", currency: .sek,
                                       timeZone: TimeZone(identifier: "Europe/Stockholm"))
        let results = try map("""
            1,simple,dress,Dress,1,,2024-11-29,2024-11-29,1,3,0,149,199,,,,,,,
            """, context: stockholm)
        let offer = try #require(results.first?.offer)
        #expect(offer.price == Money(minorUnits: 19900, currency: .sek))
        #expect(offer.salePrice == Money(minorUnits: 14900, currency: .sek))
        // 2024-11-29 00:00 and 2024-11-30 00:00 in Stockholm (UTC+1).
        #expect(offer.saleWindow == SaleWindow(start: Date(timeIntervalSince1970: 1_732_834_800),
                                               end: Date(timeIntervalSince1970: 1_732_921_200)))
        #expect(offer.saleWindowText == "2024-11-29T00:00:00+01:00/2024-11-30T00:00:00+01:00")
    }

    @Test func saleDatesWithoutAZoneAreUTCAndMayBeOpen() throws {
        let results = try map("""
            1,simple,dress,Dress,1,,2024-11-29 08:30:00,,1,3,0,149,199,,,,,,,
            """)
        let offer = try #require(results.first?.offer)
        #expect(offer.saleWindow == SaleWindow(start: Date(timeIntervalSince1970: 1_732_869_000), end: nil))
        #expect(offer.saleWindowText == "2024-11-29T08:30:00Z/")
    }

    @Test func rowIssuesNameTheirLineAndColumn() throws {
        let results = try map("""
            1,simple,a,A,1,,,,1,,0,,,,,,,,,
            2,simple,b,B,1,,,,1,,0,20,20,,,,,,,
            3,bundle,c,C,1,,,,1,,0,,5,,,,,,,
            4,simple,d,D,1,,,,,,0,,5,,,,,,,
            5,simple,e,E,1,,,,1,1.5,0,,5,,,,,,,
            6,simple,f,F,1,,2024-12-01,2024-11-01,1,,0,4,5,,,,,,,
            7,simple,g,G,1,,31/12/2024,,1,,0,4,5,,,,,,,
            ,simple,,H,1,,,,1,,0,,5,,,,,,,
            """)
        let issues = Fixture.issues(results)
        #expect(issues.map(\.location.line) == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(issues.map(\.location.field) == [
            "Regular price", "Sale price", "Type", "In stock?", "Stock", "Date sale price ends",
            "Date sale price starts", "SKU",
        ])
        #expect(issues[0].reason == .missingValue("Regular price"))
        #expect(issues[1].reason == .invalidAmount(field: "Sale price", value: "20.00 USD",
                                                   why: "is not below the regular price (20.00 USD)"))
        #expect(issues[2].reason == .invalidValue(field: "Type", value: "bundle",
                                                  why: "is not simple, variable, variation, grouped or external"))
        #expect(issues[3].reason == .missingValue("In stock?"))
    }
}
