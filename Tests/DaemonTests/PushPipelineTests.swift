import Catalog
import Channels
import Foundation
import Testing
@testable import Daemon
@testable import Store

/// The pusher reads the next batch and records the last answer while the channel has a batch: what leaves, and
/// in which order, is what a push one batch at a time would send.
@Suite struct PushPipelineTests {
    /// What the channel says to the batch it gets as its `n`th (from 1).
    enum Answer { case acknowledge, fail, leavePending }

    /// A channel taking 4 deltas a batch, a few milliseconds each, that notes what it got and the most batches it
    /// had at once. Each batch waits up to 200 ms for `together` batches to be with it, so that a push that may
    /// send that many at once is seen doing so.
    final class Channel: ChannelAdapter, @unchecked Sendable {
        let name = "c"
        let maxBatchSize = 4
        private let lock = NSLock()
        private var inFlight = 0
        private var batches: [[String]] = []
        private var mostAtOnce = 0
        private let together: Int
        /// The answer to a batch, by its number in the order batches came (from 1) and its SKUs.
        let answer: @Sendable (Int, [String]) -> Answer

        init(together: Int = 1, answer: @escaping @Sendable (Int, [String]) -> Answer = { _, _ in .acknowledge }) {
            self.together = together
            self.answer = answer
        }

        var received: [[String]] { lock.withLock { batches } }
        var mostBatchesAtOnce: Int { lock.withLock { mostAtOnce } }

        func push(_ deltas: [Delta]) async throws -> PushResult {
            let number = lock.withLock {
                inFlight += 1
                mostAtOnce = max(mostAtOnce, inFlight)
                batches.append(deltas.map(\.sku))
                return batches.count
            }
            try await Task.sleep(nanoseconds: 3_000_000)
            for _ in 0..<200 where lock.withLock({ inFlight < together }) {
                try await Task.sleep(nanoseconds: 1_000_000)
            }
            lock.withLock { inFlight -= 1 }
            switch answer(number, deltas.map(\.sku)) {
            case .acknowledge: return PushResult(acknowledged: deltas)
            case .fail: throw ChannelError(channel: name, operation: "push", status: 503, message: "unavailable",
                                           disposition: .retry(afterSeconds: 5))
            case .leavePending:  // the first is confirmed, the rest still processing
                let pending = deltas.dropFirst().map { PushResult.Pending(delta: $0, message: "processing") }
                return PushResult(acknowledged: [deltas[0]], pending: pending)
            }
        }
    }

    /// 23 deltas of every priority in the outbox of channel "c".
    struct Fixture {
        let root: URL
        let job: SyncJob
        /// SKUs in push order, as one read of the whole outbox gives them.
        let order: [String]
        var store: CatalogStore { job.store }
        var channel: ChannelConfig { job.config.channels[0] }

        init() throws {
            (root, job) = try PushBookkeepingTests.Fixture.job()
            for index in 0..<23 {
                var values = Listing()
                values.set("id", "SKU\(index)")
                let priority = DeltaPriority.allCases[(index * 7) % DeltaPriority.allCases.count]
                try job.store.enqueue(Delta(channel: "c", sku: "SKU\(index)", operation: .create, version: 1,
                                            changed: ["id"], values: values, priority: priority),
                                      seenAt: "2026-11-23T10:00:00.000Z")
            }
            order = try job.store.pendingDeltas(channel: "c", limit: 100).map(\.delta.sku)
        }

        /// `attempts` and whether `sent_at` and `next_attempt_at` are set, per SKU still in the outbox.
        func outbox() throws -> [String: String] {
            let s = try store.connection.statement("""
                SELECT sku, attempts, sent_at IS NOT NULL, next_attempt_at IS NOT NULL FROM outbox
                """)
            var rows: [String: String] = [:]
            while try s.step() { rows[s.text(0) ?? ""] = "\(s.int(1)) \(s.int(2) == 1) \(s.int(3) == 1)" }
            return rows
        }

        /// The SKUs of batch `n` (from 1) when the push order is cut into batches of 4.
        func batch(_ n: Int) -> [String] { Array(order.dropFirst((n - 1) * 4).prefix(4)) }

        /// Pushes the outbox through `adapter`, at most `inFlight` batches at once; what the push reported.
        func push(through adapter: Channel, inFlight: Int = 1, shouldStop: () -> Bool = { false },
                  shouldYield: () -> Bool = { false }) async throws -> ChannelReport {
            var report = ChannelReport(name: "c", type: "file")
            var channel = channel
            channel.batchesInFlight = inFlight
            try await job.push(channel, adapter: adapter, report: &report, shouldStop: shouldStop,
                               shouldYield: shouldYield)
            return report
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }
    }

    @Test func everyDeltaLeavesOnceInPushOrderOneBatchAtATime() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        #expect(Set(f.order).count == 23)
        let channel = Channel()
        let report = try await f.push(through: channel)
        #expect(channel.received == (1...6).map { f.batch($0) })
        #expect(channel.mostBatchesAtOnce == 1)
        #expect(try f.outbox().isEmpty)
        #expect(report.pushed[.create] == 23)
        #expect(report.pushError == nil)
        #expect(try f.store.listedCounts()["c"] == 23)
    }

    @Test func nothingLeavesAfterABatchTheChannelCouldNotTake() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let channel = Channel { n, _ in n == 3 ? .fail : .acknowledge }
        let report = try await f.push(through: channel)
        #expect(channel.received == (1...3).map { f.batch($0) })
        var expected: [String: String] = [:]
        for sku in f.batch(3) { expected[sku] = "1 true true" }  // sent once, retried later
        for sku in f.order.dropFirst(12) { expected[sku] = "0 false false" }  // read ahead, never sent
        #expect(try f.outbox() == expected)
        #expect(report.pushed[.create] == 8)
        #expect(report.pushError != nil)
    }

    @Test func nothingLeavesAfterABatchTheChannelHasNotConfirmed() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let channel = Channel { n, _ in n == 2 ? .leavePending : .acknowledge }
        let report = try await f.push(through: channel)
        #expect(channel.received == (1...2).map { f.batch($0) })
        var expected: [String: String] = [:]
        for sku in f.batch(2).dropFirst() { expected[sku] = "1 true false" }
        for sku in f.order.dropFirst(8) { expected[sku] = "0 false false" }
        #expect(try f.outbox() == expected)
        #expect(report.pushError?.contains("not confirmed") == true)
    }

    @Test func aStopLeavesTheRestForLater() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let channel = Channel()
        // Asked before each batch leaves: the daemon is stopping once the channel has had one.
        let report = try await f.push(through: channel, shouldStop: { !channel.received.isEmpty })
        #expect(channel.received == [f.batch(1)])
        #expect(try f.outbox() == Dictionary(uniqueKeysWithValues: f.order.dropFirst(4).map { ($0, "0 false false") }))
        #expect(report.pushed[.create] == 4)
    }

    @Test func aFeedChangeWaitingEndsThePushAfterABatchAndLeavesTheRestForLater() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let channel = Channel()
        // Asked between batches, never before the first: one batch leaves even with a change waiting from the start.
        let first = try await f.push(through: channel, shouldYield: { true })
        #expect(channel.received == [f.batch(1)])
        #expect(try f.outbox() == Dictionary(uniqueKeysWithValues: f.order.dropFirst(4).map { ($0, "0 false false") }))
        #expect(first.yielded)
        #expect(first.pushed[.create] == 4)
        #expect(first.pushError == nil)

        // The next push goes on from there; a change noted after its third batch ends it there.
        let second = try await f.push(through: channel, shouldYield: { channel.received.count == 4 })
        #expect(channel.received == (1...4).map { f.batch($0) })
        #expect(second.yielded)
        #expect(second.pushed[.create] == 12)
    }

    @Test func aPushThatRanOutDidNotYield() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let channel = Channel()
        // A change noted once the last batch is out: nothing was left to give way.
        let report = try await f.push(through: channel, shouldYield: { channel.received.count == 6 })
        #expect(channel.received == (1...6).map { f.batch($0) })
        #expect(!report.yielded)
        #expect(try f.outbox().isEmpty)
    }

    // MARK: several batches at the channel at once

    @Test func aWindowOfThreeKeepsThreeBatchesAtTheChannelAndSendsEachDeltaOnce() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let channel = Channel(together: 3)
        let report = try await f.push(through: channel, inFlight: 3)
        #expect(channel.mostBatchesAtOnce == 3)
        #expect(Set(channel.received) == Set((1...6).map { f.batch($0) }))
        #expect(channel.received.count == 6)
        #expect(try f.outbox().isEmpty)
        #expect(report.pushed[.create] == 23)
        #expect(report.pushError == nil)
        #expect(try f.store.listedCounts()["c"] == 23)
    }

    @Test func afterAFailedBatchTheBatchesAtTheChannelAreRecordedAndNoMoreLeave() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let second = f.batch(2)
        // Batches 1-3 leave at once; 1's answer lets 4 leave; 2's failure stops the push after 3 and 4.
        let channel = Channel(together: 3) { _, skus in skus == second ? .fail : .acknowledge }
        let report = try await f.push(through: channel, inFlight: 3)
        #expect(Set(channel.received) == Set((1...4).map { f.batch($0) }))
        var expected: [String: String] = [:]
        for sku in second { expected[sku] = "1 true true" }  // sent once, retried later
        for sku in f.order.dropFirst(16) { expected[sku] = "0 false false" }  // never sent
        #expect(try f.outbox() == expected)
        #expect(report.pushed[.create] == 12)
        #expect(report.pushError?.contains("unavailable") == true)
    }

    @Test func afterAnUnconfirmedBatchTheBatchesAtTheChannelAreRecordedAndNoMoreLeave() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let second = f.batch(2)
        let channel = Channel(together: 3) { _, skus in skus == second ? .leavePending : .acknowledge }
        let report = try await f.push(through: channel, inFlight: 3)
        #expect(Set(channel.received) == Set((1...4).map { f.batch($0) }))
        var expected: [String: String] = [:]
        for sku in second.dropFirst() { expected[sku] = "1 true false" }
        for sku in f.order.dropFirst(16) { expected[sku] = "0 false false" }
        #expect(try f.outbox() == expected)
        #expect(report.pushed[.create] == 13)
        #expect(report.pushError?.contains("3 deltas sent but not confirmed") == true)
    }

    @Test func aFeedChangeWaitingLetsOnlyTheFirstBatchLeaveWhateverTheWindow() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let channel = Channel()
        let report = try await f.push(through: channel, inFlight: 3, shouldYield: { true })
        #expect(channel.received == [f.batch(1)])
        #expect(report.yielded)
        #expect(try f.outbox() == Dictionary(uniqueKeysWithValues: f.order.dropFirst(4).map { ($0, "0 false false") }))
    }
}
