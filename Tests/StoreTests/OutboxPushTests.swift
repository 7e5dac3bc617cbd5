import Catalog
import Foundation
import Testing
@testable import Store

/// The pusher's side of the outbox: reading a batch, marking it sent, and recording what the channel said.
@Suite struct OutboxPushTests {
    func delta(_ sku: String, _ op: Delta.Operation = .update, version: Int64, title: String = "Väska \"Harbour\"\n")
        -> Delta {
        var values = Listing()
        if op != .delete {
            values.set("id", sku)
            values.set("title", title)
            values["quantity"] = .integer(3)
        }
        return Delta(channel: "c", sku: sku, operation: op, version: version, changed: ["title", "quantity"],
                     values: values, priority: .content)
    }

    func enqueue(_ deltas: [Delta], in store: CatalogStore, seenAt: String = "2026-05-01T10:00:00.000Z") throws {
        for delta in deltas { try store.enqueue(delta, seenAt: seenAt) }
    }

    /// `(attempts, sent_at, next_attempt_at, last_error)` of the outbox row of `sku`.
    func row(_ sku: String, in store: CatalogStore) throws -> (Int64, String?, String?, String?)? {
        try store.connection.statement(
            "SELECT attempts, sent_at, next_attempt_at, last_error FROM outbox WHERE channel = 'c' AND sku = ?")
            .bind(.text(sku)).firstRow { ($0.int(0), $0.text(1), $0.text(2), $0.text(3)) }
    }

    @Test func pendingDeltasCarryTheListingTextAsStored() throws {
        let t = try TemporaryStore()
        let enqueued = [delta("A", version: 1), delta("B", .delete, version: 2)]
        try enqueue(enqueued, in: t.store)
        let decoded = try t.store.pendingDeltas(channel: "c", limit: 10)
        #expect(decoded.map(\.delta) == enqueued)
        #expect(decoded.map(\.valuesText) == enqueued.map(\.values.jsonText))
        #expect(decoded.map(\.seenAt) == ["2026-05-01T10:00:00.000Z", "2026-05-01T10:00:00.000Z"])

        let undecoded = try t.store.pendingDeltas(channel: "c", limit: 10, decodingValues: false)
        #expect(undecoded.map(\.valuesText) == enqueued.map(\.values.jsonText))
        #expect(undecoded.allSatisfy { $0.delta.values == Listing() })
        #expect(undecoded.map(\.delta.sku) == ["A", "B"])
        #expect(undecoded.map(\.delta.version) == [1, 2])
        #expect(undecoded.map(\.delta.operation) == [.update, .delete])
        #expect(undecoded.map(\.delta.changed) == enqueued.map(\.changed))
    }

    /// Reading on from the last entry of each page visits every pending delta once, in push order (priority,
    /// then age), while none of them has left the outbox: for pages of any size, across every priority.
    @Test func readingOnFromAPositionVisitsEveryDeltaOnceInPushOrder() throws {
        let t = try TemporaryStore()
        var generator = SystemRandomNumberGenerator()
        var enqueued: [Delta] = []
        for round in 0..<3 {  // three commits: ids grow, so age orders within a priority across them
            for index in 0..<40 {
                var d = delta("S\(round)-\(index)", version: 1)
                d.priority = DeltaPriority.allCases.randomElement(using: &generator)!
                try t.store.enqueue(d, seenAt: "t\(round)")
                enqueued.append(d)
            }
        }
        try t.store.reject(enqueued[7], message: "parked")  // not pending: never read
        let expected = try t.store.pendingDeltas(channel: "c", limit: 1_000).map(\.delta.sku)
        #expect(expected.count == 119)
        #expect(!expected.contains(enqueued[7].sku))
        let priority = Dictionary(uniqueKeysWithValues: enqueued.map { ($0.sku, $0.priority) })
        #expect(Set(expected).count == 119)
        #expect(zip(expected, expected.dropFirst()).allSatisfy { priority[$0]! <= priority[$1]! })
        for size in [1, 2, 3, 7, 40, 118, 119, 500] {
            var read: [String] = []
            var last: OutboxEntry?
            for _ in 0...expected.count {  // bounded: a page that does not move on fails instead of looping
                let page = try t.store.pendingDeltas(channel: "c", limit: size, after: last?.position)
                #expect(page.count <= size)
                guard let end = page.last else { break }
                read += page.map(\.delta.sku)
                last = end
            }
            #expect(read == expected, "page size \(size)")
        }
    }

    @Test func acknowledgingUndecodedDeltasRecordsTheStoredText() throws {
        let t = try TemporaryStore()
        let enqueued = [delta("A", version: 1), delta("B", version: 1, title: "tab\there \\ \u{7}")]
        try enqueue(enqueued, in: t.store)
        let entries = try t.store.pendingDeltas(channel: "c", limit: 10, decodingValues: false)
        try t.store.acknowledge(entries.map(\.delta), sentFrom: entries, at: "2026-05-01T10:00:01.000Z")
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).isEmpty)
        let snapshot = try t.store.snapshot(channel: "c")
        var acked: [String: String?] = [:]
        while let entry = try snapshot.next() { acked[entry.sku] = entry.ackedText }
        #expect(acked == ["A": enqueued[0].values.jsonText, "B": enqueued[1].values.jsonText])
    }

    @Test func anAcknowledgedDeletionClearsTheListing() throws {
        let t = try TemporaryStore()
        try enqueue([delta("A", version: 1)], in: t.store)
        try t.store.acknowledge([delta("A", version: 1)], at: "t1")
        try enqueue([delta("A", .delete, version: 2)], in: t.store)
        let entries = try t.store.pendingDeltas(channel: "c", limit: 10, decodingValues: false)
        try t.store.acknowledge(entries.map(\.delta), sentFrom: entries, at: "t2")
        let entry = try #require(try t.store.snapshot(channel: "c").next())
        #expect(entry.ackedText == nil)
        #expect(entry.ackedVersion == 2)
    }

    @Test func aDeltaNotAmongTheEntriesIsRecordedWithItsOwnValues() throws {
        let t = try TemporaryStore()
        try enqueue([delta("A", version: 1)], in: t.store)
        let entries = try t.store.pendingDeltas(channel: "c", limit: 10)
        // Same SKU, another version: the entry's text is not this delta's.
        let other = delta("A", version: 5, title: "another")
        try t.store.acknowledge([other], sentFrom: entries, at: "t1")
        let entry = try #require(try t.store.snapshot(channel: "c").next())
        #expect(entry.ackedText == other.values.jsonText)
        #expect(entry.ackedVersion == 5)
        // Version 1 is still queued: only its own acknowledgement removes it.
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).map(\.delta.version) == [1])
    }

    @Test func aLateAcknowledgementFromEntriesNeitherRegressesNorDropsTheNewerDelta() throws {
        let t = try TemporaryStore()
        try enqueue([delta("A", version: 1, title: "one")], in: t.store)
        let inFlight = try t.store.pendingDeltas(channel: "c", limit: 10, decodingValues: false)
        try enqueue([delta("A", version: 2, title: "two")], in: t.store)  // supersedes it while in flight
        let newer = try t.store.pendingDeltas(channel: "c", limit: 10, decodingValues: false)
        try t.store.acknowledge(newer.map(\.delta), sentFrom: newer, at: "t1")
        try t.store.acknowledge(inFlight.map(\.delta), sentFrom: inFlight, at: "t2")  // late
        let entry = try #require(try t.store.snapshot(channel: "c").next())
        #expect(entry.ackedVersion == 2)
        #expect(entry.ackedText == delta("A", version: 2, title: "two").values.jsonText)

        try enqueue([delta("A", version: 3, title: "three")], in: t.store)
        let stale = try t.store.pendingDeltas(channel: "c", limit: 10, decodingValues: false)
        try enqueue([delta("A", version: 4, title: "four")], in: t.store)
        try t.store.acknowledge(stale.map(\.delta), sentFrom: stale, at: "t3")
        #expect(try t.store.snapshot(channel: "c").next()?.ackedVersion == 3)
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).map(\.delta.version) == [4])
    }

    @Test func markSentAndMarkRetryTouchEveryDeltaOfTheBatch() throws {
        let t = try TemporaryStore()
        try enqueue([delta("A", version: 1), delta("B", version: 1), delta("C", version: 1)], in: t.store)
        let batch = try t.store.pendingDeltas(channel: "c", limit: 2).map(\.delta)
        try t.store.markSent(batch, at: "t1")
        try t.store.markSent(batch, at: "t2")
        try t.store.markRetry(batch, nextAttemptAt: "t3", error: String(repeating: "e", count: 600))
        #expect(try row("A", in: t.store)?.0 == 2)
        #expect(try row("A", in: t.store)?.1 == "t2")
        #expect(try row("B", in: t.store)?.2 == "t3")
        #expect(try row("B", in: t.store)?.3 == String(repeating: "e", count: 500))
        #expect(try row("C", in: t.store)?.0 == 0)
        #expect(try row("C", in: t.store)?.1 == nil)
        #expect(try row("C", in: t.store)?.2 == nil)
    }

    @Test func aRejectedDeltaIsParkedAndCountsAnAttempt() throws {
        let t = try TemporaryStore()
        try enqueue([delta("A", version: 1), delta("B", version: 1)], in: t.store)
        let entries = try t.store.pendingDeltas(channel: "c", limit: 10, decodingValues: false)
        try t.store.transaction {
            try t.store.acknowledge([entries[1].delta], sentFrom: entries, at: "t1")
            try t.store.reject(entries[0].delta, message: "image too small")
        }
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).isEmpty)
        #expect(try t.store.rejectedCounts()["c"] == 1)
        #expect(try row("A", in: t.store)?.0 == 1)
        #expect(try row("A", in: t.store)?.3 == "image too small")
        #expect(try t.store.listedCounts()["c"] == 1)
    }
}
