import Catalog
import Foundation
import Testing

@testable import Feeds

@Suite struct MetaProfileTests {
    @Test func mapsMetaColumnsAndIndexedImages() throws {
        let records = try Fixture.records("""
            id,title,availability,condition,price,sale_price,brand,item_group_id,quantity_to_sell_on_facebook,\
            image[0].url,image[1].url,image[2].url,fb_product_category,google_product_category
            M1,Shirt,in stock,new,20.00 USD,15.00 USD,Acme,G1,4,https://x/0.jpg,https://x/1.jpg,,clothing,212
            """)
        let results = Fixture.map(.meta, records)
        let offer = try #require(results.first?.offer)
        #expect(offer.id == "M1")
        #expect(offer.quantity == 4)
        #expect(offer.availability == .inStock)
        #expect(offer.price == Fixture.money("20.00 USD"))
        #expect(offer.salePrice == Fixture.money("15.00 USD"))
        #expect(offer.imageLink == "https://x/0.jpg")
        #expect(offer.additionalImageLinks == ["https://x/1.jpg"])
        #expect(offer.groupId == "G1")
        #expect(offer.brand == "Acme")
        #expect(offer.googleProductCategory == "212")
    }

    @Test func indexedImagesFollowAnImageLinkAndAdditionalImages() throws {
        let record = Fixture.record([
            "id": "M1", "price": "1 USD", "availability": "in stock", "image_link": "https://x/main.jpg",
            "additional_image_link": "https://x/a.jpg", "image[1].url": "https://x/2.jpg",
            "image[0].url": "https://x/1.jpg",
        ])
        let offer = try MetaProfile.offer(from: record, context: Fixture.usd)
        #expect(offer.imageLink == "https://x/main.jpg")
        #expect(offer.additionalImageLinks == ["https://x/a.jpg", "https://x/1.jpg", "https://x/2.jpg"])
    }

    @Test(arguments: [
        ("in stock", Availability.inStock), ("out of stock", .outOfStock), ("preorder", .preorder),
        ("available for order", .inStock), ("discontinued", .outOfStock), ("available", .inStock),
    ])
    func readsMetaAvailability(_ value: String, _ expected: Availability) throws {
        let record = Fixture.record(["id": "M1", "price": "1 USD", "availability": value])
        #expect(try MetaProfile.offer(from: record, context: Fixture.usd).availability == expected)
    }

    @Test func inventoryIsTheQuantity() throws {
        let records = try Fixture.records("id,price,inventory\nM1,1 USD,0\n")
        let offer = try #require(Fixture.map(.meta, records).first?.offer)
        #expect(offer.quantity == 0)
        #expect(offer.availability == .outOfStock)
    }

    @Test func vehicleCatalogNamesStandForTheRetailOnes() throws {
        let record = Fixture.record([
            "vehicle_id": "V1", "title": "Truck", "url": "https://x/v1", "make": "Volvo", "exterior_color": "Red",
            "price": "49900 CAD", "availability": "available", "mileage.value": "120000",
        ])
        let offer = try MetaProfile.offer(from: record, context: Fixture.usd)
        #expect(offer.id == "V1")
        #expect(offer.link == "https://x/v1")
        #expect(offer.brand == "Volvo")
        #expect(offer.color == "Red")
        #expect(offer.price == Money(minorUnits: 4_990_000, currency: Currency(code: "CAD")!))
    }

    @Test func issuesNameTheFeedsOwnColumn() {
        let record = Fixture.record(line: 9, ["id": "M1", "price": "1 USD", "quantity_to_sell_on_facebook": "lots"])
        let issue = #expect(throws: FeedIssue.self) { try MetaProfile.offer(from: record, context: Fixture.usd) }
        #expect(issue?.reason == .invalidValue(field: "quantity_to_sell_on_facebook", value: "lots",
                                               why: "is not a whole number of 0 or more"))
        #expect(issue?.location == SourceLocation(feed: "t.csv", line: 9, field: "quantity_to_sell_on_facebook"))
    }

    @Test func aMissingPriceIsARowIssue() {
        let record = Fixture.record(line: 4, ["id": "M1", "availability": "in stock"])
        let issue = #expect(throws: FeedIssue.self) { try MetaProfile.offer(from: record, context: Fixture.usd) }
        #expect(issue?.reason == .missingValue("price"))
        #expect(issue?.location.line == 4)
    }
}
