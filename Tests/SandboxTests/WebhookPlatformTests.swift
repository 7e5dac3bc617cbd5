import Foundation
import Testing

@testable import Sandbox

@Suite struct WebhookPlatformTests {
    static func delta(_ op: String, _ sku: String, version: Int64, quantity: Int64 = 3) -> JSON {
        [
            "op": .string(op), "id": .string(sku), "version": .int(version), "changed": ["quantity"],
            "values": ["quantity": .int(quantity), "price": "199.00 SEK"],
        ]
    }

    @Test func deltasAreAppliedInOrderWithTheirVersions() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.post(
                "/webhook/shop",
                [
                    Self.delta("create", "A1", version: 1),
                    Self.delta("update", "A1", version: 2, quantity: 1),
                    Self.delta("create", "B1", version: 3),
                    ["op": "delete", "id": "B1", "version": 4],
                ])
            #expect(reply.status == 200)
            #expect(reply.json["rejected"] == [])
            #expect(try await sandbox.items("webhook")["A1"]?["quantity"] == 1)
            #expect(try await sandbox.items("webhook")["B1"] == nil)
            #expect(try await sandbox.history("webhook").compactMap { $0["version"]?.integer } == [1, 2, 3, 4])
        }
    }

    @Test func aRepeatedIdempotencyKeyIsAnsweredButNotAppliedAgain() async throws {
        try await withSandbox { sandbox in
            let body = JSON.array([Self.delta("create", "A1", version: 1)])
            for _ in 0..<2 {
                let reply = try await sandbox.send(
                    "POST", "/webhook/shop", json: body, headers: ["Idempotency-Key": "k1"])
                #expect(reply.status == 200)
            }
            #expect(try await sandbox.history("webhook").count == 1)
        }
    }

    @Test(arguments: [
        #"{"op":"create"}"#, #"[{"op":"upsert","id":"A","version":1,"values":{}}]"#,
        #"[{"op":"create","id":"A","version":"1","values":{}}]"#, #"[{"op":"create","id":"A","version":1}]"#,
    ])
    func malformedDeltasAreA400(_ body: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.send("POST", "/webhook/shop", body: Data(body.utf8))
            #expect(reply.status == 400)
            #expect(reply.json["error"]?.string != nil)
            #expect(try await sandbox.history("webhook").isEmpty)
        }
    }
}
