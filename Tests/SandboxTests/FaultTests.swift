import Foundation
import FoundationNetworking
import Testing

@testable import Sandbox

@Suite struct FaultTests {
    static let metaProducts = "/meta/v21.0/1/products"

    @Test func status429CarriesRetryAfterForCountRequestsThenClears() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault([
                "platform": "meta", "path_contains": "items_batch", "status": 429,
                "retry_after": "2", "count": 2,
            ])
            let body = MetaPlatformTests.batch([MetaPlatformTests.item("A1")])
            for _ in 0..<2 {
                let limited = try await sandbox.post("/meta/v21.0/1/items_batch", body)
                #expect(limited.status == 429)
                #expect(limited.header("Retry-After") == "2")
                #expect(limited.json["error"]?["code"] == 4)
            }
            #expect(try await sandbox.get(Self.metaProducts).status == 200)  // path_contains: other paths unharmed
            #expect(try await sandbox.post("/meta/v21.0/1/items_batch", body).status == 200)
            let counts = try await sandbox.get("/_sandbox/requests?platform=meta", token: nil).json
            #expect(counts["requests"]?["/meta/v21.0/1/items_batch"] == 3)
        }
    }

    @Test func serverErrorsLastForTheirCountInThePlatformsShape() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "google", "status": 503, "count": 2])
            let path = GooglePlatformTests.insertPath
            for _ in 0..<2 {
                let failed = try await sandbox.post(path, GooglePlatformTests.input("A1"))
                #expect(failed.status == 503)
                #expect(failed.json["error"]?["status"] == "UNAVAILABLE")
            }
            #expect(try await sandbox.post(path, GooglePlatformTests.input("A1")).status == 200)
            #expect(try await sandbox.history("google").count == 1)
        }
    }

    @Test func faultWithoutCountLastsUntilReset() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "pinterest", "status": 500])
            for _ in 0..<3 {
                #expect(try await sandbox.get("/pinterest/v5/catalogs/items/batch/x").status == 500)
            }
            _ = try await sandbox.post("/_sandbox/reset", [:], token: nil)
            #expect(try await sandbox.get("/pinterest/v5/catalogs/items/batch/x").status == 404)
        }
    }

    @Test func latencyDelaysTheAnswer() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "pinterest", "latency_ms": 300, "count": 1])
            let started = Date()
            #expect(try await sandbox.get("/pinterest/v5/catalogs/items/batch/x").status == 404)
            #expect(Date().timeIntervalSince(started) >= 0.29)
        }
    }

    @Test func hangHoldsTheConnectionUntilTheClientGivesUp() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "google", "hang": true, "count": 1])
            let error = await #expect(throws: URLError.self) {
                _ = try await sandbox.send("GET", "\(GooglePlatformTests.accounts)/products", timeout: 0.5)
            }
            #expect(error?.code == .timedOut)
            // The fault had count 1: the next request is answered.
            #expect(try await sandbox.get("\(GooglePlatformTests.accounts)/products").status == 200)
        }
    }

    @Test func stopReleasesAHeldConnection() async throws {
        let harness = try Harness()
        try await harness.fault(["hang": true])
        let connection = try RawConnection(port: harness.port)
        connection.write("GET /webhook/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sandbox-token\r\n\r\n")
        try await Task.sleep(for: .milliseconds(100))
        harness.stop()
        #expect(connection.readResponse() == nil)
    }

    @Test func metaRejectionIsAnErrorInTheBatchStatus() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault([
                "platform": "meta", "reject_skus": ["A2"], "message": "price is invalid", "count": 1,
            ])
            let (_, status) = try await MetaPlatformTests.postAndPoll(
                sandbox, ["A1", "A2"].map { MetaPlatformTests.item($0) })
            #expect(status["errors"] == [["line": 1, "id": "A2", "message": "price is invalid"]])
            #expect(Set(try await sandbox.items("meta").keys) == ["A1"])
            let (_, retried) = try await MetaPlatformTests.postAndPoll(sandbox, [MetaPlatformTests.item("A2")])
            #expect(retried["errors"] == [])  // count 1: used up
        }
    }

    @Test func pinterestRejectionIsAFailedItem() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "pinterest", "reject_skus": ["A1"], "message": "no"])
            let body = PinterestPlatformTests.batch(
                "UPSERT",
                [
                    PinterestPlatformTests.upsert("A1"),
                    PinterestPlatformTests.upsert("A2"),
                ])
            let (_, status) = try await PinterestPlatformTests.postAndPoll(sandbox, body)
            let items = status["items"]?.array ?? []
            #expect(items.map { $0["status"] } == ["FAILURE", "SUCCESS"])
            #expect(items.first?["errors"]?.array?.first?["message"] == "no")
        }
    }

    @Test func googleRejectionIsA400ForThatItemOnly() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "google", "reject_skus": ["A1"], "message": "bad gtin"])
            let rejected = try await sandbox.post(GooglePlatformTests.insertPath, GooglePlatformTests.input("A1"))
            #expect(rejected.status == 400)
            #expect(rejected.json["error"]?["message"] == "bad gtin")
            #expect(
                try await sandbox.post(GooglePlatformTests.insertPath, GooglePlatformTests.input("A2")).status == 200)
        }
    }

    @Test func webhookRejectionIsListedInTheAnswer() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "webhook", "reject_skus": ["B1"], "message": "nope"])
            let reply = try await sandbox.post(
                "/webhook/shop",
                [
                    WebhookPlatformTests.delta("create", "A1", version: 1),
                    WebhookPlatformTests.delta("create", "B1", version: 2),
                ])
            #expect(reply.status == 200)
            #expect(reply.json["rejected"] == [["id": "B1", "message": "nope"]])
            #expect(Set(try await sandbox.items("webhook").keys) == ["A1"])
        }
    }

    @Test(arguments: [
        #"{"platform":"tiktok","status":500}"#, #"{"platform":"meta"}"#, #"{"status":200}"#,
        #"{"status":500,"count":0}"#, #"{"reject_skus":["A"],"status":500}"#, #"{"bogus":1,"hang":true}"#,
    ])
    func invalidFaultsAreRefused(_ body: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.send("POST", "/_sandbox/faults", body: Data(body.utf8), token: nil)
            #expect(reply.status == 400)
            #expect(reply.json["error"]?.string != nil)
        }
    }
}

@Suite struct ControlAPITests {
    @Test func historyListsEveryWriteInOrderAndFiltersBySku() async throws {
        try await withSandbox { sandbox in
            for (sku, quantity) in [("A1", 3), ("B1", 5), ("A1", 2), ("A1", 0)] {
                _ = try await sandbox.post(
                    "/webhook/shop",
                    [
                        WebhookPlatformTests.delta(
                            "update", sku, version: Int64(quantity),
                            quantity: Int64(quantity))
                    ])
            }
            let all = try await sandbox.history("webhook")
            #expect(all.compactMap { $0["sku"]?.string } == ["A1", "B1", "A1", "A1"])
            let a1 = try await sandbox.history("webhook", sku: "A1")
            #expect(a1.compactMap { $0["fields"]?["quantity"]?.integer } == [3, 2, 0])
            let times = a1.compactMap { $0["at"]?.string }
            #expect(times == times.sorted())
        }
    }

    @Test func resetForgetsItemsHistoryRequestsAndFaults() async throws {
        try await withSandbox { sandbox in
            _ = try await sandbox.post("/webhook/shop", [WebhookPlatformTests.delta("create", "A1", version: 1)])
            try await sandbox.fault(["platform": "meta", "status": 500])
            #expect(try await sandbox.post("/_sandbox/reset", [:], token: nil).status == 200)
            #expect(try await sandbox.items("webhook").isEmpty)
            #expect(try await sandbox.history("webhook").isEmpty)
            #expect(try await sandbox.get("/_sandbox/faults", token: nil).json["faults"] == [])
            #expect(try await sandbox.get("/_sandbox/requests", token: nil).json["total"] == 0)
        }
    }

    @Test func itemsNeedAKnownPlatform() async throws {
        try await withSandbox { sandbox in
            let missing = try await sandbox.get("/_sandbox/items", token: nil)
            #expect(missing.status == 400)
            #expect(try await sandbox.get("/_sandbox/items?platform=tiktok", token: nil).status == 400)
            #expect(try await sandbox.get("/_sandbox/nothing", token: nil).status == 404)
        }
    }
}
