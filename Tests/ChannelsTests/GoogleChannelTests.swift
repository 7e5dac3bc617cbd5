import Catalog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Channels

@Suite struct GoogleChannelTests {
    func channel(_ transport: FakeTransport, _ time: ManualTime = ManualTime()) throws -> GoogleChannel {
        try GoogleChannel(settings: Fixture.settings("google"), transport: transport, retry: Fixture.retry(time))
    }

    @Test func insertSendsTheWholeItem() async throws {
        let transport = FakeTransport(sequence: [.json(200, "{}")])
        let result = try await channel(transport).push([Fixture.delta(.update, changed: ["quantity"])])
        #expect(result.acknowledged.count == 1)
        let request = transport.requests[0]
        #expect(request.httpMethod == "POST")
        #expect(request.path == "/google/products/v1/accounts/123/productInputs:insert")
        #expect(request.query("dataSource") == "accounts/123/dataSources/456")
        #expect(request.json == [
            "offerId": "A1", "contentLanguage": "sv", "feedLabel": "SE", "versionNumber": "7",
            "productAttributes": [
                "title": "Mug", "description": "A blue mug", "link": "https://shop.example/a1",
                "imageLink": "https://shop.example/a1.jpg", "itemGroupId": "A", "brand": "Acme",
                "gtins": ["7350000000001"], "condition": "NEW", "color": "blue", "size": "M",
                "availability": "IN_STOCK", "sellOnGoogleQuantity": "3",
                "price": ["amountMicros": "199000000", "currencyCode": "SEK"],
                "salePrice": ["amountMicros": "149000000", "currencyCode": "SEK"],
                "salePriceEffectiveDate": ["startTime": "2024-11-28T23:00:00Z", "endTime": "2024-11-29T22:59:00Z"],
            ],
        ])
    }

    @Test(arguments: [("199.00 SEK", "199000000"), ("1500 JPY", "1500000000"), ("1.250 KWD", "1250000"),
                      ("0.01 EUR", "10000")])
    func pricesBecomeMicros(_ text: String, _ micros: String) throws {
        let money = try #require(Prices.parse(text))
        #expect(try GoogleProductInput.price(money) == ["amountMicros": .string(micros), "currencyCode": .string(money.currency.code)])
        #expect(Prices.money(micros: Int64(micros)!, currencyCode: money.currency.code) == money)
    }

    @Test func microsFinerThanTheCurrencyAreNotAPrice() {
        #expect(Prices.money(micros: 1_500_000, currencyCode: "JPY") == nil)
        #expect(Prices.money(micros: 1_500_500, currencyCode: "SEK") == nil)
    }

    @Test func aBadPriceIsRejectedWithoutARequest() async throws {
        var values = Fixture.listing
        values.set("price", "cheap")
        let transport = FakeTransport(sequence: [.json(200, "{}")])
        let result = try await channel(transport).push([Fixture.delta(.create, values: values),
                                                        Fixture.delta(.create, sku: "B")])
        #expect(result.rejected.map(\.delta.sku) == ["A1"])
        #expect(result.rejected.first?.message.contains("price \"cheap\"") == true)
        #expect(result.acknowledged.map(\.sku) == ["B"])
        #expect(transport.requests.count == 1)
    }

    @Test func deleteAddressesTheProductInputByName() async throws {
        let transport = FakeTransport(sequence: [.json(200, "{}")])
        _ = try await channel(transport).push([Fixture.delta(.delete, sku: "A 1")])
        let request = transport.requests[0]
        #expect(request.httpMethod == "DELETE")
        #expect(request.url?.absoluteString
            == "http://127.0.0.1:8787/google/products/v1/accounts/123/productInputs/sv~SE~A%201?dataSource=accounts/123/dataSources/456")
    }

    @Test func offerIdsWithSlashesUseTheEncodedForm() {
        #expect(GoogleProductInput.resourceSegment(offerID: "sku/123", contentLanguage: "en", feedLabel: "US")
            == "ZW5-VVN-c2t1LzEyMw")
    }

    @Test func aVersionConflictMeansANewerStateIsThereAlready() async throws {
        let transport = FakeTransport(sequence: [
            .json(409, #"{"error":{"code":409,"message":"version 7 is older than 9","status":"ABORTED"}}"#),
        ])
        let result = try await channel(transport).push([Fixture.delta(.create)])
        #expect(result.acknowledged.count == 1)
        #expect(transport.requests.count == 1)
    }

    @Test func deletingWhatIsGoneIsAcknowledged() async throws {
        let transport = FakeTransport(sequence: [.json(404, #"{"error":{"code":404,"message":"not found"}}"#)])
        #expect(try await channel(transport).push([Fixture.delta(.delete)]).acknowledged.count == 1)
    }

    @Test func oneBadItemAndOneFlakyItemDoNotBlockTheRest() async throws {
        let time = ManualTime()
        let transport = FakeTransport { request, _ in
            switch request.json?["offerId"]?.string {
            case "BAD": return .json(400, #"{"error":{"code":400,"message":"[price] invalid","status":"INVALID_ARGUMENT"}}"#)
            case "FLAKY": return .json(503, #"{"error":{"code":503,"message":"unavailable"}}"#)
            default: return .json(200, "{}")
            }
        }
        let deltas = ["OK1", "BAD", "FLAKY", "OK2"].map { Fixture.delta(.create, sku: $0) }
        let result = try await channel(transport, time).push(deltas)
        #expect(result.acknowledged.map(\.sku) == ["OK1", "OK2"])
        #expect(result.rejected.map(\.delta.sku) == ["BAD"])
        #expect(result.rejected.first?.message == "[price] invalid")
        #expect(result.pending.map(\.delta.sku) == ["FLAKY"])
        #expect(transport.requests.filter { $0.json?["offerId"] == "FLAKY" }.count == 3)
        #expect(transport.requests.filter { $0.json?["offerId"] == "BAD" }.count == 1)
    }

    @Test func whenEveryItemFailsTransientlyThePushFails() async throws {
        let transport = FakeTransport(sequence: [.json(503, "{}")])
        let error = await #expect(throws: ChannelError.self) {
            try await channel(transport).push([Fixture.delta(.create), Fixture.delta(.create, sku: "B")])
        }
        #expect(error?.disposition == .retry(afterSeconds: nil))
    }

    @Test func revokedCredentialsEndThePush() async throws {
        let transport = FakeTransport(sequence: [.json(401, #"{"error":{"code":401,"message":"unauthenticated"}}"#)])
        let error = await #expect(throws: ChannelError.self) {
            try await channel(transport).push((0..<20).map { Fixture.delta(.create, sku: "S\($0)") })
        }
        #expect(error?.disposition == .fatal)
        #expect(error?.status == 401)
    }

    @Test func manyItemsGoOutConcurrentlyAndAllAreAnswered() async throws {
        let transport = FakeTransport(sequence: [.json(200, "{}")])
        let deltas = (0..<100).map { Fixture.delta(.create, sku: "S\($0)") }
        let result = try await channel(transport).push(deltas)
        #expect(result.acknowledged == deltas)
        #expect(Set(transport.requests.compactMap { $0.json?["offerId"]?.string }).count == 100)
    }

    @Test func productsAreReadBackInOurVocabulary() async throws {
        let transport = FakeTransport { request, _ in
            if request.query("pageToken") == nil {
                return .json(200, #"""
                {"products":[{"name":"accounts/123/products/sv~SE~A1","offerId":"A1","contentLanguage":"sv","feedLabel":"SE",
                "productAttributes":{"title":"Mug","link":"https://shop.example/a1","availability":"IN_STOCK",
                "price":{"amountMicros":"199000000","currencyCode":"SEK"},"sellOnGoogleQuantity":"3"}},
                {"offerId":"X","contentLanguage":"en","feedLabel":"US","productAttributes":{}}],"nextPageToken":"p2"}
                """#)
            }
            return .json(200, #"{"products":[{"offerId":"B","contentLanguage":"sv","feedLabel":"SE","productAttributes":{"title":"Cup","price":{"amountMicros":"1500000000","currencyCode":"JPY"}}}]}"#)
        }
        let listings = try await channel(transport).fetchListings()
        #expect(Set(listings.keys) == ["A1", "B"])
        #expect(listings["A1"]?.text("price") == "199.00 SEK")
        #expect(listings["A1"]?.text("availability") == "in_stock")
        #expect(listings["A1"]?.quantity == 3)
        #expect(listings["B"]?.text("price") == "1500 JPY")
        #expect(transport.requests[1].query("pageToken") == "p2")
    }
}
