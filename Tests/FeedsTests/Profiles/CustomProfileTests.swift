import Catalog
import Foundation
import Testing

@testable import Feeds

@Suite struct CustomProfileTests {
    static let mapping = [
        "id": "sku", "price": "priceInfo.price", "currency": "priceInfo.currencyCode", "title": "title",
        "quantity": "stock.qty", "availability": "availability",
    ]

    func records(_ json: String) throws -> [FeedRecord] {
        let reader = JSONFeedReader(bytes: Array(json.utf8), feed: "t.jsonl", layout: .lines)
        var records: [FeedRecord] = []
        while let record = try reader.nextRecord() { records.append(record) }
        return records
    }

    @Test func aPriceAndASeparateCurrencyComposeTheMoney() throws {
        let results = Fixture.map(.custom, try records("""
            {"sku": "A1", "title": "Tote", "priceInfo": {"price": 18, "currencyCode": "USD"}, "stock": {"qty": 4}, "availability": "IN_STOCK"}
            {"sku": "A2", "title": "Pin", "priceInfo": {"price": 2500, "currencyCode": "JPY"}, "stock": {"qty": 0}, "availability": "OUT_OF_STOCK"}
            {"sku": "A3", "title": "Cap", "priceInfo": {"price": 3.5, "currencyCode": "usd"}, "availability": "IN_STOCK"}
            """), context: MappingContext(feed: "t.jsonl"), mapping: Self.mapping)
        #expect(Fixture.issues(results).isEmpty)
        let offers = Fixture.offers(results)
        #expect(offers.map(\.id) == ["A1", "A2", "A3"])
        #expect(offers.map(\.price.description) == ["18.00 USD", "2500 JPY", "3.50 USD"])
        #expect(offers.map(\.availability) == [.inStock, .outOfStock, .inStock])
        #expect(offers.map(\.quantity) == [4, 0, nil])
        #expect(offers.map(\.title) == ["Tote", "Pin", "Cap"])
    }

    @Test func unmappedFieldsKeepTheirGoogleNamesAndWildcardsTakeEveryIndex() throws {
        let profile = CustomProfile(mapping: ["price": "cost", "additional_image_link": "images[*].uri"])
        let record = Fixture.record([
            "id": "A1", "cost": "5 EUR", "availability": "in stock", "images[0].uri": "https://x/0.jpg",
            "images[1].uri": "https://x/1.jpg", "images[1].alt": "no",
        ])
        let offer = try profile.offer(from: record, context: Fixture.usd)
        #expect(offer.id == "A1")
        #expect(offer.price == Fixture.money("5 EUR"))
        #expect(offer.additionalImageLinks == ["https://x/0.jpg", "https://x/1.jpg"])
    }

    @Test func aMappedAttributeWinsOverASourceFieldOfTheSameName() throws {
        let profile = CustomProfile(mapping: ["price": "net"])
        let record = Fixture.record(["id": "A1", "price": "999 USD", "net": "5 USD", "availability": "in stock"])
        #expect(try profile.offer(from: record, context: Fixture.usd).price == Fixture.money("5 USD"))
    }

    @Test func issuesNameTheSourceField() throws {
        let results = Fixture.map(.custom, try records("""
            {"sku": "A1", "priceInfo": {"currencyCode": "USD"}, "availability": "IN_STOCK"}
            {"sku": "A2", "priceInfo": {"price": 5, "currencyCode": "XYZ"}, "availability": "IN_STOCK"}
            {"sku": "A3", "priceInfo": {"price": 5.123, "currencyCode": "USD"}, "availability": "IN_STOCK"}
            {"priceInfo": {"price": 5, "currencyCode": "USD"}, "availability": "IN_STOCK"}
            """), context: MappingContext(feed: "t.jsonl"), mapping: Self.mapping)
        let issues = Fixture.issues(results)
        #expect(issues.map(\.location.line) == [1, 2, 3, 4])
        #expect(issues.map(\.location.field) == ["priceInfo.price", "priceInfo.currencyCode", "priceInfo.price", "sku"])
        #expect(issues[0].reason == .missingValue("priceInfo.price"))
        #expect(issues[1].reason == .invalidValue(field: "priceInfo.currencyCode", value: "XYZ",
                                                  why: "is not an ISO 4217 currency code"))
        #expect(issues[2].code == "invalid_amount")
        #expect(issues[3].reason == .missingValue("sku"))
    }
}
