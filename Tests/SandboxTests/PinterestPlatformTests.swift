import Foundation
import Testing

@testable import Sandbox

@Suite struct PinterestPlatformTests {
    static let batchPath = "/pinterest/v5/catalogs/items/batch"

    static func upsert(_ sku: String, price: String = "199.00 SEK", availability: String = "in stock") -> JSON {
        [
            "item_id": .string(sku),
            "attributes": [
                "title": "Hat", "price": .string(price),
                "availability": .string(availability),
                "image_link": ["https://example.com/a.jpg"], "link": "https://example.com/a",
            ],
        ]
    }

    static func batch(_ operation: String, _ items: [JSON]) -> JSON {
        ["country": "SE", "language": "SV", "operation": .string(operation), "items": .array(items)]
    }

    /// Posts a batch and polls it twice; returns both status bodies.
    static func postAndPoll(_ sandbox: Harness, _ body: JSON) async throws -> (first: JSON, second: JSON) {
        let posted = try await sandbox.post(batchPath, body)
        #expect(posted.status == 200, "\(posted.text)")
        #expect(posted.json["status"] == "PROCESSING")
        let id = try #require(posted.json["batch_id"]?.string)
        return (try await sandbox.get("\(batchPath)/\(id)").json, try await sandbox.get("\(batchPath)/\(id)").json)
    }

    @Test func batchIsProcessingOnTheFirstPollAndCompletedFromTheSecond() async throws {
        try await withSandbox { sandbox in
            let (first, second) = try await Self.postAndPoll(sandbox, Self.batch("UPSERT", [Self.upsert("A1")]))
            #expect(first["status"] == "PROCESSING")
            #expect(second["status"] == "COMPLETED")
            #expect(second["items"]?.array?.first?["status"] == "SUCCESS")
            #expect(try await sandbox.items("pinterest")["A1"]?["price"] == "199.00 SEK")
        }
    }

    @Test func itemsWithBadValuesFailInTheBatchStatus() async throws {
        try await withSandbox { sandbox in
            let items = [
                Self.upsert("A1"), Self.upsert("B1", price: "199"), Self.upsert("B2", availability: "backorder"),
            ]
            let (_, status) = try await Self.postAndPoll(sandbox, Self.batch("UPSERT", items))
            let results = status["items"]?.array ?? []
            #expect(results.map { $0["status"] } == ["SUCCESS", "FAILURE", "FAILURE"])
            #expect(results[1]["errors"]?.array?.first?["attribute"] == "price")
            #expect(results[2]["errors"]?.array?.first?["attribute"] == "availability")
            #expect(Set(try await sandbox.items("pinterest").keys) == ["A1"])
        }
    }

    @Test func updateAppliesTheMaskAndDeleteRemoves() async throws {
        try await withSandbox { sandbox in
            _ = try await Self.postAndPoll(sandbox, Self.batch("UPSERT", [Self.upsert("A1")]))
            let update: JSON = [
                "item_id": "A1", "update_mask": ["price", "link"], "attributes": ["price": "149.00 SEK"],
            ]
            let (_, status) = try await Self.postAndPoll(sandbox, Self.batch("UPDATE", [update]))
            #expect(status["items"]?.array?.first?["status"] == "SUCCESS")
            let stored = try #require(try await sandbox.items("pinterest")["A1"])
            #expect(stored["price"] == "149.00 SEK")
            #expect(stored["link"] == nil)  // masked without a value: removed
            #expect(stored["title"] == "Hat")
            _ = try await Self.postAndPoll(sandbox, Self.batch("DELETE", [["item_id": "A1"]]))
            #expect(try await sandbox.items("pinterest").isEmpty)
            #expect(
                try await sandbox.history("pinterest").compactMap { $0["op"]?.string } == [
                    "upsert", "update", "delete",
                ])
        }
    }

    @Test func moreThan1000ItemsIsA400() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.post(
                Self.batchPath, Self.batch("UPSERT", (0...1000).map { Self.upsert("S\($0)") }))
            #expect(reply.status == 400)
            #expect(reply.json["code"] == 1)
            #expect(reply.json["message"]?.string?.contains("1001") == true)
        }
    }

    @Test(arguments: [
        (#"{"language":"SV","operation":"UPSERT","items":[]}"#, "country"),
        (#"{"country":"SE","language":"SV","operation":"MERGE","items":[]}"#, "MERGE"),
        (#"{"country":"SE","language":"SV","operation":"UPSERT","items":[{"attributes":{}}]}"#, "item_id"),
        (#"{"country":"SE","language":"SV","operation":"UPSERT","items":[{"item_id":"A"}]}"#, "attributes"),
        (
            #"{"country":"SE","language":"SV","operation":"UPSERT","items":[{"item_id":"A","attributes":{"image_link":5}}]}"#,
            "not of type array"
        ),
        (
            #"{"country":"SE","language":"SV","operation":"UPDATE","items":[{"item_id":"A","update_mask":["quantity"]}]}"#,
            "quantity"
        ),
    ])
    func malformedBatchIsA400WithCodeOne(_ body: String, _ mentions: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.send("POST", Self.batchPath, body: Data(body.utf8))
            #expect(reply.status == 400)
            #expect(reply.json["code"] == 1)
            #expect(reply.json["message"]?.string?.contains(mentions) == true, "\(reply.text)")
        }
    }

    @Test func unknownBatchIsA404() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.get("\(Self.batchPath)/abc123")
            #expect(reply.status == 404)
            #expect(reply.json["code"] == 4331)
        }
    }

    @Test func itemsAreListedByIdWithGetOrPost() async throws {
        try await withSandbox { sandbox in
            _ = try await Self.postAndPoll(sandbox, Self.batch("UPSERT", [Self.upsert("A1"), Self.upsert("A2")]))
            let viaGet = try await sandbox.get("/pinterest/v5/catalogs/items?country=SE&language=SV&item_ids=A1,NONE")
            #expect(viaGet.json["items"]?.array?.map { $0["item_id"] } == ["A1"])
            #expect(viaGet.json["items"]?.array?.first?["attributes"]?["title"] == "Hat")
            let viaPost = try await sandbox.post(
                "/pinterest/v5/catalogs/items",
                [
                    "country": "SE", "language": "sv-SE",
                    "filters": ["catalog_type": "RETAIL", "item_ids": ["A1", "A2"]],
                ])
            #expect(viaPost.json["items"]?.array?.count == 2)
            let tooMany = (0...100).map { "S\($0)" }.joined(separator: ",")
            #expect(
                try await sandbox.get("/pinterest/v5/catalogs/items?country=SE&language=SV&item_ids=\(tooMany)").status
                    == 400)
        }
    }
}
