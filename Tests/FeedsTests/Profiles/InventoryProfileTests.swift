import Catalog
import Foundation
import Testing

@testable import Feeds

@Suite struct InventoryProfileTests {
    @Test func readsGoogleNames() throws {
        let record = Fixture.record(line: 3, ["id": "A1", "quantity": "7", "availability": "in_stock",
                                              "price": "10 USD", "sale_price": "8 USD"])
        let update = try InventoryProfile.update(from: record, context: Fixture.usd)
        #expect(update == InventoryUpdate(id: "A1", quantity: 7, availability: .inStock,
                                          price: Fixture.money("10 USD"), salePrice: Fixture.money("8 USD"), line: 3))
    }

    @Test(arguments: ["quantity_to_sell_on_facebook", "inventory", "Quantity"])
    func readsMetaAndGoogleQuantityNames(_ name: String) throws {
        let records = try Fixture.records("id,\(name)\nA1,0\n")
        let update = try InventoryProfile.update(from: records[0], context: Fixture.usd)
        #expect(update == InventoryUpdate(id: "A1", quantity: 0, line: 2))
    }

    @Test func anAvailabilityAloneIsAnUpdate() throws {
        let record = Fixture.record(["id": "A1", "availability": "out of stock"])
        let update = try InventoryProfile.update(from: record, context: Fixture.usd)
        #expect(update.availability == .outOfStock)
        #expect(update.quantity == nil)
    }

    @Test func aPriceAloneIsAnUpdate() throws {
        let record = Fixture.record(["id": "A1", "price": "12.50"])
        #expect(try InventoryProfile.update(from: record, context: Fixture.usd).price == Fixture.money("12.50 USD"))
    }

    @Test(arguments: [
        (["quantity": "1"], FeedIssue.Reason.missingValue("id"), "id"),
        (["id": "A1", "title": "x"], .missingValue("quantity, availability or price"),
         "quantity, availability or price"),
        (["id": "A1", "quantity": "many"],
         .invalidValue(field: "quantity", value: "many", why: "is not a whole number of 0 or more"), "quantity"),
        (["id": "A1", "availability": "soon"],
         .invalidValue(field: "availability", value: "soon",
                       why: "is not in_stock, out_of_stock, preorder or backorder"),
         "availability"),
        (["id": "A1", "price": "10 USD", "sale_price": "8 EUR"],
         .invalidAmount(field: "sale_price", value: "8.00 EUR", why: "is in another currency than price (USD)"),
         "sale_price"),
    ] as [([String: String], FeedIssue.Reason, String)])
    func rowIssuesNameTheirLineAndField(_ fields: [String: String], _ reason: FeedIssue.Reason, _ field: String) {
        let sorted = fields.sorted { $0.key < $1.key }
        let record = FeedRecord(line: 5, fields: sorted.map { FeedRecord.Field($0.key, $0.value) })
        let issue = #expect(throws: FeedIssue.self) { try InventoryProfile.update(from: record, context: Fixture.usd) }
        #expect(issue?.reason == reason)
        #expect(issue?.location == SourceLocation(feed: "t.csv", line: 5, field: field))
    }
}
