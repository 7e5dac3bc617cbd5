import Catalog
import Foundation
import Testing

@testable import Feeds

@Suite struct GoogleProfileTests {
    @Test func mapsGoogleAttributesWithASale() throws {
        let record = Fixture.record([
            "id": " SKU-1 ", "title": "Dress", "price": "199.00 SEK", "sale_price": "149.00 SEK",
            "sale_price_effective_date": "2024-11-29T00:00+01:00/2024-11-30T00:00+01:00",
            "availability": "in stock", "quantity": "3", "item_group_id": "D1", "color": "Red", "size": "38",
            "additional_image_link": "https://x/a.jpg, https://x/b.jpg", "custom_label_1": "bf",
        ])
        let offer = try GoogleProfile.offer(from: record, context: Fixture.usd)
        #expect(offer.id == "SKU-1")
        #expect(offer.price == Money(minorUnits: 19900, currency: .sek))
        #expect(offer.salePrice == Money(minorUnits: 14900, currency: .sek))
        #expect(offer.saleWindow?.start == Date(timeIntervalSince1970: 1_732_834_800))
        #expect(offer.availability == .inStock)
        #expect(offer.quantity == 3)
        #expect(offer.groupId == "D1")
        #expect(offer.additionalImageLinks == ["https://x/a.jpg", "https://x/b.jpg"])
        #expect(offer.customLabels == [nil, "bf", nil, nil, nil])
        #expect(offer.source == SourceLocation(feed: "t.csv", line: 2))
    }

    @Test(arguments: ["download", "pickup", "PICKUP"])
    func prisjaktAvailabilityMeansInStock(_ value: String) throws {
        let record = Fixture.record(["id": "p1", "price": "99,99 SEK", "availability": value])
        #expect(try GoogleProfile.offer(from: record, context: Fixture.usd).availability == .inStock)
    }

    @Test func prisjaktExtrasAreIgnored() throws {
        let record = Fixture.record([
            "id": "p1", "price": "1.144.000 SEK", "availability": "preorder", "pj:member_price": "not money",
            "pj:prisjakt_id": "123",
        ])
        let offer = try GoogleProfile.offer(from: record, context: Fixture.usd)
        #expect(offer.price == Money(minorUnits: 114_400_000, currency: .sek))
        #expect(offer.availability == .preorder)
    }

    @Test func namesAreMatchedIgnoringCaseSpacingAndThePrefix() throws {
        let record = Fixture.record(["g:ID": "p1", "Price": "5 USD", "Availability": "out of stock",
                                     "Item Group ID": "g"])
        let offer = try GoogleProfile.offer(from: record, context: Fixture.usd)
        #expect(offer.id == "p1")
        #expect(offer.groupId == "g")
        #expect(offer.availability == .outOfStock)
    }

    @Test func aRepeatedEmptyValueDoesNotHideALaterOne() throws {
        let record = Fixture.record(["id": "p1", "price": "5 USD", "gtin": "", "gtin": "123", "quantity": "0"])
        let offer = try GoogleProfile.offer(from: record, context: Fixture.usd)
        #expect(offer.gtin == "123")
        #expect(offer.availability == .outOfStock)
    }

    @Test(arguments: [
        (["price": "5 USD", "availability": "in_stock"], FeedIssue.Reason.missingValue("id"), "id"),
        (["id": "a", "price": "5 USD"], .missingValue("availability"), "availability"),
        (["id": "a", "price": "5 USD", "availability": "maybe"],
         .invalidValue(field: "availability", value: "maybe",
                       why: "is not in_stock, out_of_stock, preorder or backorder"),
         "availability"),
        (["id": "a", "price": "5 USD", "quantity": "-1"],
         .invalidValue(field: "quantity", value: "-1", why: "is not a whole number of 0 or more"), "quantity"),
        (["id": "a", "price": "5 USD", "sale_price": "4 EUR", "availability": "in_stock"],
         .invalidAmount(field: "sale_price", value: "4.00 EUR", why: "is in another currency than price (USD)"),
         "sale_price"),
    ] as [([String: String], FeedIssue.Reason, String)])
    func rowIssuesNameTheirLineAndField(_ fields: [String: String], _ reason: FeedIssue.Reason, _ field: String) {
        let sorted = fields.sorted { $0.key < $1.key }
        let record = FeedRecord(line: 7, fields: sorted.map { FeedRecord.Field($0.key, $0.value) })
        let issue = #expect(throws: FeedIssue.self) { try GoogleProfile.offer(from: record, context: Fixture.usd) }
        #expect(issue?.reason == reason)
        #expect(issue?.location == SourceLocation(feed: "t.csv", line: 7, field: field))
    }

    @Test func prisjaktSampleFeedMapsEveryItem() throws {
        guard ProfileFeeds.isAvailable else { return }
        let reader = try XMLFeedReader(url: ProfileFeeds.url("prisjakt-sample-feed-sek.xml"), feed: "prisjakt.xml")
        var results: [Result<Offer, FeedIssue>] = []
        var mapper = Profiles.mapper(.google, context: MappingContext(feed: "prisjakt.xml", currency: .sek),
                                     mapping: [:])
        while let record = try reader.nextRecord() { results += mapper.consume(record) }
        #expect(Fixture.issues(results).isEmpty, "\(Fixture.issues(results))")
        let offers = Fixture.offers(results)
        #expect(offers.map(\.availability) == [.preorder, .inStock, .inStock])
        #expect(offers.map(\.price.description) == ["1144000.00 SEK", "99.99 SEK", "99.99 SEK"])
        #expect(offers.first?.salePrice?.description == "11.50 SEK")
    }
}
