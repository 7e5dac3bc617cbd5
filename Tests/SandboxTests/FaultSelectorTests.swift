import Foundation
import FoundationNetworking
import Testing

@testable import Sandbox

/// `drop`, `drop_after_apply` and the `rate` and `after` selectors.
@Suite struct FaultSelectorTests {
    static let pinterestBatch = "/pinterest/v5/catalogs/items/batch/x"  // a cheap GET: 404 when not faulted
    static let googleProducts = "\(GooglePlatformTests.accounts)/products"

    static func deliver(_ sandbox: Harness, _ sku: String, version: Int64) async throws -> Harness.Reply {
        try await sandbox.send(
            "POST", "/webhook/shop", json: [WebhookPlatformTests.delta("create", sku, version: version)],
            timeout: 5, freshConnection: true)
    }

    @Test func dropClosesTheConnectionWithoutApplyingTheRequest() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "webhook", "drop": true, "count": 1])
            let error = await #expect(throws: URLError.self) { _ = try await Self.deliver(sandbox, "A1", version: 1) }
            #expect(error?.code != .timedOut)  // a dropped connection, not a hang (no wall-clock bound: CI is loaded)
            #expect(try await sandbox.items("webhook").isEmpty)
            #expect(try await sandbox.history("webhook").isEmpty)
            // count 1: the resend is answered and applied.
            #expect(try await Self.deliver(sandbox, "A1", version: 1).status == 200)
            #expect(Set(try await sandbox.items("webhook").keys) == ["A1"])
        }
    }

    @Test func dropAfterApplyKeepsTheWriteButTheClientNeverHears() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "webhook", "drop_after_apply": true, "count": 1])
            let error = await #expect(throws: URLError.self) { _ = try await Self.deliver(sandbox, "A1", version: 1) }
            #expect(error?.code != .timedOut)
            #expect(Set(try await sandbox.items("webhook").keys) == ["A1"])  // the platform has it
            #expect(try await sandbox.history("webhook").count == 1)
            // The client's resend is applied a second time: at-least-once delivery.
            #expect(try await Self.deliver(sandbox, "A1", version: 1).status == 200)
            #expect(try await sandbox.history("webhook").count == 2)
        }
    }

    @Test func dropAfterApplyOnAMetaBatchStoresTheItems() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "meta", "path_contains": "items_batch", "drop_after_apply": true])
            let body = MetaPlatformTests.batch([MetaPlatformTests.item("A1"), MetaPlatformTests.item("A2")])
            await #expect(throws: URLError.self) {
                _ = try await sandbox.send(
                    "POST", "\(MetaPlatformTests.base)/items_batch", json: body, freshConnection: true)
            }
            #expect(Set(try await sandbox.items("meta").keys) == ["A1", "A2"])
        }
    }

    /// The statuses of `requests` GETs of a cheap path, against a sandbox with one `rate` fault.
    static func statuses(rate: Double, seed: Int64, requests: Int) async throws -> [Int] {
        var statuses: [Int] = []
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "pinterest", "status": 503, "rate": .double(rate), "seed": .int(seed)])
            for _ in 0..<requests { statuses.append(try await sandbox.get(Self.pinterestBatch).status) }
        }
        return statuses
    }

    @Test func rateFailsAboutThatShareAndReplaysWithTheSameSeed() async throws {
        let first = try await Self.statuses(rate: 0.33, seed: 42, requests: 300)
        let failures = first.filter { $0 == 503 }.count
        #expect(Set(first) == [404, 503])
        #expect((60...140).contains(failures), "\(failures) of 300 failed at rate 0.33")
        let again = try await Self.statuses(rate: 0.33, seed: 42, requests: 300)
        #expect(again == first)
    }

    @Test func rateDrawsAreReproducibleAndNearTheRate() throws {
        func decisions(seed: Int64) throws -> [Bool] {
            var plan = FaultPlan()
            _ = try plan.add(["status": 500, "rate": .double(0.25), "seed": .int(seed)])
            return (0..<10_000).map { _ in plan.effects(for: .meta, method: "GET", target: "/meta/x").status != nil }
        }
        let first = try decisions(seed: 7)
        #expect(try decisions(seed: 7) == first)
        #expect(try decisions(seed: 8) != first)
        let share = Double(first.filter { $0 }.count) / Double(first.count)
        #expect(abs(share - 0.25) < 0.03, "share \(share)")
    }

    @Test func aRateFaultWithoutSeedShowsTheSeedItDrew() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "meta", "status": 500, "rate": .double(0.5)])
            let listed = try await sandbox.get("/_sandbox/faults", token: nil).json["faults"]?.array ?? []
            #expect(listed.first?["seed"]?.integer != nil)
            #expect(listed.first?["rate"] == .double(0.5))
        }
    }

    @Test func afterAndCountPickRequestsByNumber() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "google", "status": 500, "after": 3, "count": 2])
            var statuses: [Int] = []
            for _ in 0..<7 { statuses.append(try await sandbox.get(Self.googleProducts).status) }
            #expect(statuses == [200, 200, 200, 500, 500, 200, 200])
            #expect(try await sandbox.get("/_sandbox/faults", token: nil).json["faults"] == [])
        }
    }

    @Test func afterCountsOnlyMatchingRequests() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "pinterest", "drop": true, "after": 1, "count": 1])
            #expect(try await sandbox.get(Self.googleProducts).status == 200)  // another platform: not counted
            #expect(try await sandbox.get(Self.pinterestBatch).status == 404)  // the 1st matching one passes
            await #expect(throws: URLError.self) {
                _ = try await sandbox.send("GET", Self.pinterestBatch, freshConnection: true)
            }
            #expect(try await sandbox.get(Self.pinterestBatch).status == 404)
        }
    }

    @Test func aRejectionFaultArmedByRequestNumber() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault([
                "platform": "webhook", "reject_skus": ["A1"], "message": "nope", "after": 1, "count": 1,
            ])
            var rejected: [JSON] = []
            for version in 1...3 {
                let reply = try await sandbox.post(
                    "/webhook/shop", [WebhookPlatformTests.delta("update", "A1", version: Int64(version))])
                rejected.append(reply.json["rejected"] ?? .null)
            }
            #expect(rejected == [[], [["id": "A1", "message": "nope"]], []])
        }
    }

    @Test func latencyThenDrop() async throws {
        try await withSandbox { sandbox in
            try await sandbox.fault(["platform": "pinterest", "drop": true, "latency_ms": 200, "count": 1])
            let started = Date()
            await #expect(throws: URLError.self) {
                _ = try await sandbox.send("GET", Self.pinterestBatch, freshConnection: true)
            }
            #expect(Date().timeIntervalSince(started) >= 0.19)
        }
    }

    @Test(arguments: [
        #"{"drop":true,"status":500}"#, #"{"drop":true,"drop_after_apply":true}"#, #"{"drop":"yes"}"#,
        #"{"status":500,"rate":0}"#, #"{"status":500,"rate":1.5}"#, #"{"status":500,"rate":"0.5"}"#,
        #"{"status":500,"seed":1}"#, #"{"status":500,"rate":0.5,"seed":-1}"#, #"{"status":500,"after":-1}"#,
        #"{"reject_skus":["A"],"drop_after_apply":true}"#, #"{"rate":0.5,"after":2}"#,
    ])
    func invalidSelectorsAndKindsAreRefused(_ body: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.send("POST", "/_sandbox/faults", body: Data(body.utf8), token: nil)
            #expect(reply.status == 400, "\(body)")
            #expect(reply.json["error"]?.string != nil)
        }
    }
}
