import Catalog
import Channels
import Foundation
import Testing
@testable import Daemon
@testable import Store

/// What the pusher writes to the outbox for each fate of a delta: an acknowledged row goes, a rejected one
/// is parked with one attempt, an unconfirmed or failed one is marked sent (attempt and time) and stays.
@Suite struct PushBookkeepingTests {
    /// Answers each push with what `respond` says about the batch.
    struct ScriptedAdapter: ChannelAdapter {
        let name = "c"
        let maxBatchSize = 100
        let respond: @Sendable ([Delta]) throws -> PushResult
        func push(_ deltas: [Delta]) async throws -> PushResult { try respond(deltas) }
    }

    struct Fixture {
        let root: URL
        let job: SyncJob
        var store: CatalogStore { job.store }
        var channel: ChannelConfig { job.config.channels[0] }

        /// A job with one file channel "c" and its state in a new folder under the temporary directory.
        static func job() throws -> (root: URL, job: SyncJob) {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-push-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let config = try Config.parse("""
                { state_dir: "state", feeds: [{ name: "f", source: "feed.csv" }],
                  channels: [{ name: "c", type: "file", path: "out" }] }
                """, file: root.appendingPathComponent("catalogsync.json"))
            return (root, SyncJob(config: config, store: try CatalogStore(directory: config.stateDirectory),
                                  logger: Logger(minimumLevel: .error, sink: { _ in })))
        }

        init() throws {
            (root, job) = try Self.job()
            for sku in ["A", "B", "C"] {
                var values = Listing()
                values.set("id", sku)
                try store.enqueue(Delta(channel: "c", sku: sku, operation: .create, version: 1, changed: ["id"],
                                        values: values, priority: .increase), seenAt: "2026-11-23T10:00:00.000Z")
            }
        }

        /// `(state, attempts, sent_at IS NOT NULL, next_attempt_at IS NOT NULL)` per SKU still in the outbox.
        func outbox() throws -> [String: [String]] {
            let s = try store.connection.statement("""
                SELECT sku, state, attempts, sent_at IS NOT NULL, next_attempt_at IS NOT NULL FROM outbox
                """)
            var rows: [String: [String]] = [:]
            while try s.step() {
                rows[s.text(0) ?? ""] = [s.text(1) ?? "", "\(s.int(2))", "\(s.int(3) == 1)", "\(s.int(4) == 1)"]
            }
            return rows
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }
    }

    @Test func onlyDeltasThatStayInTheOutboxAreMarkedSent() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let adapter = ScriptedAdapter { batch in
            let delta = { (sku: String) in batch.first { $0.sku == sku }! }
            return PushResult(acknowledged: [delta("A")],
                              rejected: [PushResult.Rejection(delta: delta("B"), message: "bad image")],
                              pending: [PushResult.Pending(delta: delta("C"), message: "still processing")])
        }
        var report = ChannelReport(name: "c", type: "file")
        try await f.job.push(f.channel, adapter: adapter, report: &report)
        #expect(try f.outbox() == [
            "B": ["rejected", "1", "false", "false"],  // one attempt, counted by the rejection
            "C": ["pending", "1", "true", "false"],
        ])
        #expect(try f.store.listedCounts()["c"] == 1)
    }

    @Test func aDeltaTheChannelLeftOutOfItsAnswerIsMarkedSentToo() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let adapter = ScriptedAdapter { batch in PushResult(acknowledged: batch.filter { $0.sku != "B" }) }
        var report = ChannelReport(name: "c", type: "file")
        try await f.job.push(f.channel, adapter: adapter, report: &report)
        // Sent once: a push sends a delta at most once, and the next cycle sends it again.
        #expect(try f.outbox() == ["B": ["pending", "1", "true", "false"]])
    }

    @Test func aFailedBatchIsMarkedSentAndScheduledForRetry() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let adapter = ScriptedAdapter { _ in
            throw ChannelError(channel: "c", operation: "push", status: 503, message: "unavailable",
                               disposition: .retry(afterSeconds: 5))
        }
        var report = ChannelReport(name: "c", type: "file")
        try await f.job.push(f.channel, adapter: adapter, report: &report)
        let retrying = ["pending", "1", "true", "true"]
        #expect(try f.outbox() == ["A": retrying, "B": retrying, "C": retrying])
        #expect(report.pushError != nil)
    }
}
