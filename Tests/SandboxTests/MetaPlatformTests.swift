import Foundation
import FoundationNetworking
import Testing

@testable import Sandbox

@Suite struct MetaPlatformTests {
    static let base = "/meta/v21.0/123"

    static func item(_ sku: String, price: JSON = "199.00 SEK", quantity: Int64 = 3) -> JSON {
        [
            "method": "CREATE",
            "data": [
                "id": .string(sku), "title": "Hat", "price": price,
                "availability": "in stock", "condition": "new",
                "quantity_to_sell_on_facebook": .int(quantity),
            ],
        ]
    }

    static func batch(_ requests: [JSON]) -> JSON {
        ["item_type": "PRODUCT_ITEM", "allow_upsert": true, "requests": .array(requests)]
    }

    /// Posts a batch and polls its status twice; returns the two status entries.
    static func postAndPoll(_ sandbox: Harness, _ requests: [JSON]) async throws -> (first: JSON, second: JSON) {
        let posted = try await sandbox.post("\(base)/items_batch", batch(requests))
        #expect(posted.status == 200, "\(posted.text)")
        let handle = try #require(posted.json["handles"]?.array?.first?.string)
        let path = "\(base)/check_batch_request_status?handle=\(handle)"
        let first = try await sandbox.get(path).json["data"]?.array?.first ?? .null
        let second = try await sandbox.get(path).json["data"]?.array?.first ?? .null
        return (first, second)
    }

    @Test func batchIsInProgressOnTheFirstPollAndFinishedFromTheSecond() async throws {
        try await withSandbox { sandbox in
            let (first, second) = try await Self.postAndPoll(sandbox, [Self.item("A1"), Self.item("A2")])
            #expect(first["status"] == "in_progress")
            #expect(second["status"] == "finished")
            #expect(second["errors_total_count"] == 0)
            let items = try await sandbox.items("meta")
            #expect(items["A1"]?["price"] == "199.00 SEK")
            #expect(items["A2"]?["quantity_to_sell_on_facebook"] == 3)
        }
    }

    @Test func updateChangesOnlyTheGivenFieldsAndAnEmptyStringUnsetsOne() async throws {
        try await withSandbox { sandbox in
            _ = try await Self.postAndPoll(sandbox, [Self.item("A1")])
            let update: JSON = [
                "method": "UPDATE",
                "data": [
                    "id": "A1", "quantity_to_sell_on_facebook": 0,
                    "condition": "",
                ],
            ]
            let (_, status) = try await Self.postAndPoll(
                sandbox, [update, ["method": "DELETE", "data": ["id": "GONE"]]])
            #expect(status["errors"] == [])
            let stored = try #require(try await sandbox.items("meta")["A1"])
            #expect(stored["quantity_to_sell_on_facebook"] == 0)
            #expect(stored["title"] == "Hat")
            #expect(stored["condition"] == nil)
            _ = try await Self.postAndPoll(sandbox, [["method": "DELETE", "data": ["id": "A1"]]])
            #expect(try await sandbox.items("meta").isEmpty)
            #expect(
                try await sandbox.history("meta").compactMap { $0["op"]?.string } == ["create", "update", "delete"])
        }
    }

    @Test func invalidItemsAreReportedByLineInTheStatusAndNotApplied() async throws {
        try await withSandbox { sandbox in
            let noCurrency = Self.item("B1", price: "199")
            let badAvailability: JSON = [
                "method": "CREATE",
                "data": [
                    "id": "B2", "title": "x", "price": "1.00 SEK",
                    "availability": "backorder",
                ],
            ]
            let (_, status) = try await Self.postAndPoll(sandbox, [Self.item("A1"), noCurrency, badAvailability])
            #expect(status["errors_total_count"] == 2)
            let errors = status["errors"]?.array ?? []
            #expect(errors.map { $0["line"] } == [1, 2])
            #expect(errors.map { $0["id"] } == ["B1", "B2"])
            #expect(errors.first?["message"]?.string?.contains("price") == true)
            #expect(Set(try await sandbox.items("meta").keys) == ["A1"])
        }
    }

    @Test func updateOfAnUnknownItemFailsWithoutUpsert() async throws {
        try await withSandbox { sandbox in
            var body = Self.batch([["method": "UPDATE", "data": ["id": "NEW", "title": "x"]]])
            if case .object(var members) = body {
                members["allow_upsert"] = false
                body = .object(members)
            }
            let posted = try await sandbox.post("\(Self.base)/items_batch", body)
            let handle = posted.json["handles"]?.array?.first?.string ?? ""
            _ = try await sandbox.get("\(Self.base)/check_batch_request_status?handle=\(handle)")
            let status = try await sandbox.get("\(Self.base)/check_batch_request_status?handle=\(handle)")
            #expect(status.json["data"]?.array?.first?["errors_total_count"] == 1)
        }
    }

    @Test(arguments: [
        ("not json", "must be a JSON object"),
        (#"{"requests":[]}"#, "item_type"),
        (#"{"item_type":"PRODUCT_ITEM"}"#, "requests"),
        (#"{"item_type":"PRODUCT_ITEM","requests":[]}"#, "1 to 5000"),
        (#"{"item_type":"PRODUCT_ITEM","requests":[{"method":"UPSERT","data":{"id":"A"}}]}"#, "requests[0].method"),
        (#"{"item_type":"PRODUCT_ITEM","requests":[{"method":"CREATE"}]}"#, "requests[0].data"),
    ])
    func malformedBatchIsA400OAuthException(_ body: String, _ mentions: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.send("POST", "\(Self.base)/items_batch", body: Data(body.utf8))
            #expect(reply.status == 400)
            #expect(reply.json["error"]?["type"] == "OAuthException")
            #expect(reply.json["error"]?["code"] == 100)
            #expect(reply.json["error"]?["message"]?.string?.contains(mentions) == true, "\(reply.text)")
        }
    }

    @Test func moreThan5000RequestsIsA400() async throws {
        try await withSandbox { sandbox in
            let requests = (0...5000).map { Self.item("S\($0)") }
            let reply = try await sandbox.post("\(Self.base)/items_batch", Self.batch(requests))
            #expect(reply.status == 400)
            #expect(reply.json["error"]?["message"]?.string?.contains("5001") == true)
            #expect(try await sandbox.items("meta").isEmpty)
        }
    }

    @Test func unknownHandleIsA400() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.get("\(Self.base)/check_batch_request_status?handle=nope")
            #expect(reply.status == 400)
        }
    }

    @Test func productsArePagedWithCursorsAndANextLink() async throws {
        try await withSandbox { sandbox in
            _ = try await Self.postAndPoll(sandbox, ["A1", "A2", "A3"].map { Self.item($0) })
            let fields = "fields=retailer_id,title,name,price,quantity_to_sell_on_facebook"
            let first = try await sandbox.get("\(Self.base)/products?\(fields)&limit=2")
            let page = first.json["data"]?.array ?? []
            #expect(page.map { $0["retailer_id"] } == ["A1", "A2"])
            #expect(page.first?["name"] == "Hat")  // the Graph name of our title
            #expect(page.first?["id"]?.string?.isEmpty == false)
            let next = try #require(first.json["paging"]?["next"]?.string)
            let after = try #require(first.json["paging"]?["cursors"]?["after"]?.string)
            #expect(next.contains("after=\(after)"))
            let second = try await sandbox.get("\(Self.base)/products?\(fields)&limit=2&after=\(after)")
            #expect(second.json["data"]?.array?.map { $0["retailer_id"] } == ["A3"])
            #expect(second.json["paging"]?["next"] == nil)
            let viaNext = try await sandbox.session.data(
                for: {
                    var request = URLRequest(url: URL(string: next)!)
                    request.setValue("Bearer sandbox-token", forHTTPHeaderField: "Authorization")
                    return request
                }())
            #expect(JSON.parse(viaNext.0)?["data"]?.array?.count == 1)
        }
    }
}
