import Catalog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Channels

/// Answers batch posts with `b<index>` and batch status from `status`.
func pinterestServer(status: @escaping @Sendable (_ batchID: String, _ poll: Int) -> String) -> FakeTransport {
    let polls = PollCounter()
    return FakeTransport { request, index in
        if request.httpMethod == "POST" { return .json(200, #"{"batch_id":"b\#(index)","status":"PROCESSING"}"#) }
        let batchID = request.url!.lastPathComponent
        return .json(200, status(batchID, polls.next(batchID)))
    }
}

func completed(_ batchID: String, items: String = "[]") -> String {
    #"{"batch_id":"\#(batchID)","status":"COMPLETED","items":\#(items)}"#
}

@Suite struct PinterestChannelTests {
    func channel(_ transport: FakeTransport, _ time: ManualTime = ManualTime(), batchSize: Int? = nil) -> PinterestChannel {
        var settings = Fixture.settings("pinterest", batchSize: batchSize)
        settings.adAccountID = "549"
        return PinterestChannel(settings: settings, transport: transport, retry: Fixture.retry(time))
    }

    @Test func createAndUpdateAreUpsertsOfTheWholeItem() async throws {
        let transport = pinterestServer { id, _ in completed(id) }
        let result = try await channel(transport).push([Fixture.delta(.create), Fixture.delta(.update, sku: "B", changed: ["price"])])
        #expect(result.acknowledged.count == 2)
        let posts = transport.requests.filter { $0.httpMethod == "POST" }
        #expect(posts.count == 1)
        #expect(posts[0].path == "/pinterest/catalogs/items/batch")
        #expect(posts[0].query("ad_account_id") == "549")
        let body = try #require(posts[0].json)
        #expect(body["country"] == "SE")
        #expect(body["language"] == "SV")
        #expect(body["operation"] == "UPSERT")
        #expect(body["items"]?[0] == [
            "item_id": "A1",
            "attributes": [
                "title": "Mug", "description": "A blue mug", "link": "https://shop.example/a1",
                "image_link": ["https://shop.example/a1.jpg"], "price": "199.00 SEK", "sale_price": "149.00 SEK",
                "sale_price_effective_date": "2024-11-29T00:00+01:00/2024-11-29T23:59+01:00",
                "availability": "in stock", "item_group_id": "A", "brand": "Acme", "condition": "new",
                "color": "blue", "size": "M", "gtin": "7350000000001",
            ],
        ])
        #expect(body["items"]?[1]?["item_id"] == "B")
    }

    @Test func anEndedSaleIsClearedWithNull() throws {
        var values = Fixture.listing
        values.set("sale_price", nil)
        values.set("sale_price_effective_date", nil)
        let item = try PinterestItem.upsert(Fixture.delta(.update, changed: ["sale_price", "sale_price_effective_date"],
                                                          values: values))
        #expect(item["attributes"]?["sale_price"] == .null)
        #expect(item["attributes"]?["sale_price_effective_date"] == .null)
        #expect(item["attributes"]?["price"] == "199.00 SEK")
    }

    @Test(arguments: [("in_stock", 3, "in stock"), ("in_stock", 0, "out of stock"), ("out_of_stock", 0, "out of stock"),
                      ("preorder", 0, "preorder"), ("backorder", 0, "preorder")])
    func availabilityFollowsThePublishedQuantity(_ ours: String, _ quantity: Int, _ theirs: String) {
        var listing = Fixture.listing
        listing.set("availability", ours)
        listing["quantity"] = .integer(quantity)
        #expect(PinterestItem.availability(listing) == theirs)
    }

    @Test func pricesAlwaysCarryTheirCurrency() throws {
        var values = Fixture.listing
        values.set("price", "1500 JPY")
        values.set("sale_price", nil)
        let item = try PinterestItem.upsert(Fixture.delta(.create, values: values))
        #expect(item["attributes"]?["price"] == "1500 JPY")
        #expect(item["attributes"]?["quantity"] == nil)
    }

    @Test func operationsAreGroupedAndCallsHoldAtMostAThousandItems() async throws {
        let transport = pinterestServer { id, _ in completed(id) }
        let deltas = [Fixture.delta(.delete, sku: "D0")] + (0..<1001).map { Fixture.delta(.create, sku: "S\($0)", values: Listing(["price": .text("1.00 SEK")])) }
            + [Fixture.delta(.delete, sku: "D1")]
        let result = try await channel(transport).push(deltas)
        let posts = transport.requests.filter { $0.httpMethod == "POST" }.compactMap(\.json)
        #expect(posts.map { $0["operation"]?.string } == ["DELETE", "UPSERT", "UPSERT"])
        #expect(posts.map { $0["items"]?.array?.count } == [2, 1000, 1])
        #expect(posts[0]["items"] == [["item_id": "D0"], ["item_id": "D1"]])
        #expect(result.acknowledged.count == 1003)
    }

    @Test func pollsUntilCompletedAndRejectsFailures() async throws {
        let time = ManualTime()
        let transport = pinterestServer { id, poll in
            poll < 1 ? #"{"batch_id":"\#(id)","status":"PROCESSING"}"# : completed(id, items: #"""
            [{"item_id":"A1","status":"SUCCESS"},
             {"item_id":"B","status":"FAILURE","errors":[{"attribute":"price","code":106,"message":"Price is invalid"}]}]
            """#)
        }
        let result = try await channel(transport, time).push([Fixture.delta(.create), Fixture.delta(.create, sku: "B")])
        #expect(result.acknowledged.map(\.sku) == ["A1"])
        #expect(result.rejected.map(\.delta.sku) == ["B"])
        #expect(result.rejected.first?.message == "price: Price is invalid")
        #expect(time.sleeps == [2])
        let polls = transport.requests.filter { $0.httpMethod == "GET" }
        #expect(polls.count == 2)
        #expect(polls[0].path == "/pinterest/catalogs/items/batch/b0")
    }

    @Test func aFailedBatchLeavesUnlistedItemsPending() async throws {
        let transport = pinterestServer { id, _ in #"{"batch_id":"\#(id)","status":"FAILED","items":[]}"# }
        let result = try await channel(transport).push([Fixture.delta(.create)])
        #expect(result.pending.map(\.delta.sku) == ["A1"])
    }

    @Test func aRefusedCallIsAnErrorInPinterestsShape() async throws {
        let transport = FakeTransport(sequence: [.json(401, #"{"code":2,"message":"Authentication failed."}"#)])
        let error = await #expect(throws: ChannelError.self) { try await channel(transport).push([Fixture.delta(.create)]) }
        #expect(error?.message == "Authentication failed.")
        #expect(error?.disposition == .fatal)
    }

    @Test func itemsAreReadBackById() async throws {
        let transport = FakeTransport(sequence: [.json(200, #"""
            {"items":[{"catalog_type":"RETAIL","item_id":"A1","attributes":{"title":"Mug","price":"199.00 SEK",
            "availability":"out of stock","image_link":["https://shop.example/a1.jpg"]}},
            {"catalog_type":"RETAIL","item_id":"Z","errors":[{"message":"not found"}]}]}
            """#)])
        let listings = try await channel(transport).fetchListings(skus: ["A1", "Z"])
        #expect(Array(listings.keys) == ["A1"])
        #expect(listings["A1"]?.text("availability") == "out_of_stock")
        #expect(listings["A1"]?.text("image_link") == "https://shop.example/a1.jpg")
        let request = transport.requests[0]
        #expect(request.httpMethod == "POST")
        #expect(request.path == "/pinterest/catalogs/items")
        #expect(request.json?["filters"] == ["catalog_type": "RETAIL", "item_ids": ["A1", "Z"]])
        await #expect(throws: ChannelError.self) { try await channel(transport).fetchListings() }
    }

    @Test func readingBackFallsBackToGetWhereThePostIsMissing() async throws {
        let transport = FakeTransport { request, _ in
            request.httpMethod == "POST" ? .json(404, #"{"code":404,"message":"no"}"#)
                : .json(200, #"{"items":[{"item_id":"A1","attributes":{"title":"Mug"}}]}"#)
        }
        let listings = try await channel(transport).fetchListings(skus: ["A1", "B"])
        #expect(listings["A1"]?.text("title") == "Mug")
        #expect(transport.requests[1].query("item_ids") == "A1,B")
        #expect(transport.requests[1].query("country") == "SE")
    }
}
