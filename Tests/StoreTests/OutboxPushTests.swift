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
        try store.beginStaging()
        for delta in deltas { try store.stage(delta) }
        try store.commitStaged(channel: "c", seenAt: seenAt)
    }

    /// `(attempts, sent_at, next_attempt_at, last_error)` of the outbox row of `sku`.
    func row(_ sku: String, in store: CatalogStore) throws -> (Int64, String?, String?, String?)? {
        try store.connection.statement(
            "SELECT attempts, sent_at, next_attempt_at, last_error FROM outbox WHERE channel = 'c' AND sku = ?")
            .bind(.text(sku)).firstRow { ($0.int(0), $0.text(1), $0.text(2), $0.text(3)) }
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
        let entries = try t.store.pendingDeltas(channel: "c", limit: 10)
        try t.store.transaction {
            try t.store.acknowledge([entries[1].delta], at: "t1")
            try t.store.reject(entries[0].delta, message: "image too small")
        }
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).isEmpty)
        #expect(try t.store.rejectedCounts()["c"] == 1)
        #expect(try row("A", in: t.store)?.0 == 1)
        #expect(try row("A", in: t.store)?.3 == "image too small")
        #expect(try t.store.listedCounts()["c"] == 1)
    }
}
