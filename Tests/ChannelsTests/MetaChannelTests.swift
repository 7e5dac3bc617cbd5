import Catalog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing
@testable import Channels

/// Answers `items_batch` with one handle per call and the status endpoint from `status`.
func metaServer(status: @escaping @Sendable (_ handle: String, _ poll: Int) -> String) -> FakeTransport {
    let polls = PollCounter()
    return FakeTransport { request, index in
        if request.path.hasSuffix("/items_batch") { return .json(200, #"{"handles":["h\#(index)"]}"#) }
        let handle = request.query("handle") ?? ""
        return .json(200, status(handle, polls.next(handle)))
    }
}

final class PollCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func next(_ key: String) -> Int {
        counts.withLock { table in
            defer { table[key, default: 0] += 1 }
            return table[key, default: 0]
        }
    }
}

func finished(_ handle: String, errors: String = "[]", count: Int = 0) -> String {
    #"{"data":[{"handle":"\#(handle)","status":"finished","errors_total_count":\#(count),"errors":\#(errors),"warnings_total_count":0,"warnings":[]}]}"#
}

@Suite struct MetaChannelTests {
    func channel(_ transport: FakeTransport, _ time: ManualTime = ManualTime(), batchSize: Int? = nil) throws -> MetaChannel {
        try MetaChannel(settings: Fixture.settings("meta", batchSize: batchSize), transport: transport,
                        retry: Fixture.retry(time))
    }

    @Test func createSendsEveryFieldInMetaNames() async throws {
        let transport = metaServer { handle, _ in finished(handle) }
        let result = try await channel(transport).push([Fixture.delta(.create)])
        #expect(result.acknowledged.count == 1)
        let post = transport.requests[0]
        #expect(post.httpMethod == "POST")
        #expect(post.url?.absoluteString == "http://127.0.0.1:8787/meta/cat1/items_batch")
        #expect(post.value(forHTTPHeaderField: "Authorization") == "Bearer sandbox-token")
        #expect(post.json == [
            "item_type": "PRODUCT_ITEM", "allow_upsert": true,
            "requests": [[
                "method": "CREATE",
                "data": [
                    "id": "A1", "item_group_id": "A", "title": "Mug", "description": "A blue mug",
                    "link": "https://shop.example/a1", "image_link": "https://shop.example/a1.jpg",
                    "price": "199.00 SEK", "sale_price": "149.00 SEK",
                    "sale_price_effective_date": "2024-11-29T00:00+01:00/2024-11-29T23:59+01:00",
                    "availability": "in stock", "quantity_to_sell_on_facebook": 3, "brand": "Acme",
                    "gtin": "7350000000001", "condition": "new", "color": "blue", "size": "M",
                ],
            ]],
        ])
        let poll = transport.requests[1]
        #expect(poll.httpMethod == "GET")
        #expect(poll.path == "/meta/cat1/check_batch_request_status")
        #expect(poll.query("handle") == "h0")
    }

    @Test func updateCarriesTheIdAndChangedFieldsWithAnEndedSaleAsEmpty() async throws {
        var values = Fixture.listing
        values.set("sale_price", nil)
        values.set("sale_price_effective_date", nil)
        values["quantity"] = .integer(0)
        values.set("availability", "out_of_stock")
        let delta = Fixture.delta(.update, changed: ["sale_price", "sale_price_effective_date", "availability", "quantity"],
                                  values: values)
        let transport = metaServer { handle, _ in finished(handle) }
        _ = try await channel(transport).push([delta])
        #expect(transport.requests[0].json?["requests"] == [[
            "method": "UPDATE",
            "data": ["id": "A1", "sale_price": "", "sale_price_effective_date": "", "availability": "out of stock",
                     "quantity_to_sell_on_facebook": 0],
        ]])
    }

    @Test func deleteCarriesTheIdOnly() async throws {
        let transport = metaServer { handle, _ in finished(handle) }
        _ = try await channel(transport).push([Fixture.delta(.delete)])
        #expect(transport.requests[0].json?["requests"] == [["method": "DELETE", "data": ["id": "A1"]]])
    }

    @Test(arguments: [("in_stock", "in stock"), ("out_of_stock", "out of stock"), ("preorder", "preorder"),
                      ("backorder", "available for order")])
    func availabilityInMetaWords(_ ours: String, _ theirs: String) {
        #expect(MetaItem.availability(ours) == theirs)
        #expect(AvailabilityText.fromPlatform(theirs) == ours)
    }

    @Test func fiveThousandAndOneDeltasTakeTwoCalls() async throws {
        let deltas = (0..<5001).map { Fixture.delta(.delete, sku: "S\($0)") }
        let transport = metaServer { handle, _ in finished(handle) }
        let result = try await channel(transport, batchSize: 5000).push(deltas)
        let posts = transport.requests.filter { $0.httpMethod == "POST" }
        #expect(posts.count == 2)
        #expect(posts.map { $0.json?["requests"]?.array?.count } == [5000, 1])
        #expect(result.acknowledged.count == 5001)
        #expect(try channel(transport).maxBatchSize == 3000)
        #expect(try channel(transport, batchSize: 9000).maxBatchSize == 5000)
    }

    @Test func chunksStayUnderTheBodyLimit() throws {
        var values = Fixture.listing
        values.set("description", String(repeating: "x", count: 1000))
        let deltas = (0..<60).map { Fixture.delta(.create, sku: "S\($0)", values: values) }
        var channel = try channel(FakeTransport(sequence: []))
        #expect(MetaChannel.maxBodyBytes == 28_000_000)
        channel.maxBodyBytes = 28_000  // the same arithmetic, a thousand times smaller
        let chunks = channel.chunks(deltas)
        #expect(chunks.count > 2)
        #expect(chunks.allSatisfy { $0.body.count <= 28_000 })
        for (chunk, next) in zip(chunks, chunks.dropFirst()) {  // full: the next request would not have fitted
            #expect(chunk.body.count + MetaItem.request(for: next.deltas[0]).text.utf8.count + 1 > 28_000)
        }
        #expect(chunks.map(\.deltas.count).reduce(0, +) == 60)
        #expect(chunks.allSatisfy { (try? JSONValue(parsing: $0.body))?["requests"]?.array?.count == $0.deltas.count })
    }

    @Test func pollsUntilFinished() async throws {
        let time = ManualTime()
        let transport = metaServer { handle, poll in
            poll < 2 ? #"{"data":[{"handle":"\#(handle)","status":"in_progress"}]}"# : finished(handle)
        }
        let result = try await channel(transport, time).push([Fixture.delta(.create)])
        #expect(result.acknowledged.count == 1)
        #expect(transport.requests.count == 4)
        #expect(time.sleeps == [2, 2])
    }

    @Test func itemErrorsAreRejectedByIdElseByLine() async throws {
        let deltas = ["A", "B", "C", "D"].map { Fixture.delta(.update, sku: $0, changed: ["price"]) }
        let errors = #"[{"line":0,"id":"C","message":"price is invalid"},{"line":3,"message":"bad gtin"}]"#
        let transport = metaServer { handle, _ in finished(handle, errors: errors, count: 2) }
        let result = try await channel(transport).push(deltas)
        #expect(result.rejected.map(\.delta.sku) == ["C", "D"])
        #expect(result.rejected.map(\.message) == ["price is invalid", "bad gtin"])
        #expect(result.acknowledged.map(\.sku) == ["A", "B"])
        #expect(result.pending.isEmpty)
    }

    @Test func aBatchStillProcessingAtTheDeadlineLeavesItsDeltasPending() async throws {
        let time = ManualTime()
        let transport = metaServer { handle, _ in #"{"data":[{"handle":"\#(handle)","status":"in_progress"}]}"# }
        let result = try await channel(transport, time).push([Fixture.delta(.create)])
        #expect(result.acknowledged.isEmpty && result.rejected.isEmpty)
        #expect(result.pending.count == 1)
        #expect(result.pending[0].message.contains("not confirmed within 60 s"))
        #expect(time.now >= 60 && time.now < 63)
    }

    @Test func anErrorStatusRejectsTheNamedAndLeavesTheRestPending() async throws {
        let deltas = ["A", "B"].map { Fixture.delta(.update, sku: $0, changed: ["price"]) }
        let transport = metaServer { handle, _ in
            #"{"data":[{"handle":"\#(handle)","status":"error","errors_total_count":1,"errors":[{"id":"B","message":"no"}]}]}"#
        }
        let result = try await channel(transport).push(deltas)
        #expect(result.rejected.map(\.delta.sku) == ["B"])
        #expect(result.pending.map(\.delta.sku) == ["A"])
    }

    @Test func throttlingIn400IsRetriedLaterNotRejected() async throws {
        let transport = FakeTransport(sequence: [
            .json(400, #"{"error":{"message":"(#80014) rate limit","type":"OAuthException","code":80014,"fbtrace_id":"Abc"}}"#),
        ])
        let error = await #expect(throws: ChannelError.self) { try await channel(transport).push([Fixture.delta(.create)]) }
        #expect(error?.disposition == .retry(afterSeconds: nil))
        #expect(error?.requestID == "Abc")
        #expect(transport.requests.count == 1)
    }

    @Test func aRefusedRequestIsRejectedWithMetasMessage() async throws {
        let transport = FakeTransport(sequence: [
            .json(400, #"{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100}}"#),
        ])
        let error = await #expect(throws: ChannelError.self) { try await channel(transport).push([Fixture.delta(.create)]) }
        #expect(error?.disposition == .rejected)
        #expect(error?.status == 400)
        #expect(error?.message == "(#100) Invalid parameter")
        #expect(error?.operation == "items_batch")
    }

    @Test func productsAreReadBackPageByPage() async throws {
        let transport = FakeTransport { request, _ in
            if request.query("after") == nil {
                return .json(200, #"""
                {"data":[{"id":"1","retailer_id":"A1","name":"Mug","url":"https://shop.example/a1","price":"SEK199.00",
                "sale_price":"","availability":"available for order","quantity_to_sell_on_facebook":4}],
                "paging":{"cursors":{"after":"c1"},"next":"http://x/next"}}
                """#)
            }
            return .json(200, #"{"data":[{"id":"2","retailer_id":"B2","title":"Cup","price":"49.00 SEK","availability":"in stock"}],"paging":{"cursors":{"after":"c2"}}}"#)
        }
        let listings = try await channel(transport).fetchListings()
        #expect(transport.requests.count == 2)
        #expect(transport.requests[1].query("after") == "c1")
        #expect(transport.requests[0].query("fields")?.contains("quantity_to_sell_on_facebook") == true)
        #expect(listings["A1"]?.text("title") == "Mug")
        #expect(listings["A1"]?.text("link") == "https://shop.example/a1")
        #expect(listings["A1"]?.text("price") == "199.00 SEK")
        #expect(listings["A1"]?.text("sale_price") == nil)
        #expect(listings["A1"]?.text("availability") == "backorder")
        #expect(listings["A1"]?.quantity == 4)
        #expect(listings["B2"]?.text("title") == "Cup")
        #expect(listings["B2"]?.text("availability") == "in_stock")
    }

    @Test func aMissingCatalogIDIsAConfigurationError() {
        var settings = Fixture.settings("meta")
        settings.catalogID = nil
        let error = #expect(throws: ChannelError.self) {
            try MetaChannel(settings: settings, transport: FakeTransport(sequence: []))
        }
        #expect(error?.message == "catalog_id is required")
        #expect(error?.disposition == .fatal)
    }
}
