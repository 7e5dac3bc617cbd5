import Catalog
import Foundation
import Testing
@testable import Store

/// A store in a fresh temporary folder, removed when the test's value goes away.
final class TemporaryStore {
    let directory: URL
    let store: CatalogStore

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalogsync-test-\(UUID().uuidString)")
        store = try CatalogStore(directory: directory)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

@Suite struct CatalogStoreTests {
    func delta(_ sku: String, _ op: Delta.Operation, version: Int64, quantity: Int = 1) -> Delta {
        var values = Listing()
        values.set("id", sku)
        values["quantity"] = .integer(quantity)
        return Delta(channel: "c", sku: sku, operation: op, version: version, changed: ["quantity"],
                     values: op == .delete ? Listing() : values, priority: .content)
    }

    @Test func newDatabaseIsMigratedAndSound() throws {
        let t = try TemporaryStore()
        #expect(try Migrator(Schema.migrations).currentVersion(of: t.store.connection) == Schema.migrations.last?.version)
        #expect(try t.store.connection.integrityCheck() == "ok")
        // Opening again applies nothing twice.
        let again = try CatalogStore(directory: t.directory)
        #expect(try Migrator(Schema.migrations).migrate(again.connection).isEmpty)
    }

    @Test func anOlderDatabaseIsUpgradedInPlaceKeepingItsData() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalogsync-v1-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("catalogsync.db").path
        do {
            let old = try Connection(path: path)
            try Migrator(Array(Schema.migrations.prefix(1))).migrate(old)
            try old.execute("INSERT INTO feeds (name, source, generation) VALUES ('products', 'p.csv', 7)")
        }
        let store = try CatalogStore(path: path)
        #expect(try store.feedState("products")?.generation == 7)
        #expect(try store.isApproved(feed: "products") == false)  // a column added by migration 2
    }

    @Test func databaseNewerThanTheBinaryIsRefused() throws {
        let t = try TemporaryStore()
        try t.store.connection.execute("INSERT INTO schema_version (version) VALUES (99)")
        #expect(throws: SQLiteError.self) { try CatalogStore(directory: t.directory) }
    }

    @Test func transactionRollsBackAndRethrowsTheOriginalError() throws {
        struct Boom: Error {}
        let t = try TemporaryStore()
        #expect(throws: Boom.self) {
            try t.store.transaction {
                try t.store.upsertItem(feed: "f", sku: "A", groupID: nil, fingerprint: 1, data: "{}", line: 2,
                                       generation: 1)
                throw Boom()
            }
        }
        #expect(try t.store.itemCount(feed: "f") == 0)
    }

    @Test func itemsComeInSkuByteOrderWithTheFirstFeedWinning() throws {
        let t = try TemporaryStore()
        for feed in ["f1", "f2"] { try t.store.recordFeed(Self.feed(feed)) }
        // "Z" (0x5A) sorts before "a" (0x61) and "é" (0xC3…) after both in byte order.
        for (feed, sku) in [("f2", "a"), ("f1", "é"), ("f1", "Z"), ("f2", "Z")] {
            try t.store.upsertItem(feed: feed, sku: sku, groupID: nil, fingerprint: 0, data: "{\"from\":\"\(feed)\"}",
                                   line: 1, generation: 1)
        }
        var seen: [String] = []
        try t.store.forEachItem(feedOrder: ["f1", "f2"]) { item in seen.append(item.sku + item.data) }
        #expect(seen == ["Z{\"from\":\"f1\"}", "a{\"from\":\"f2\"}", "é{\"from\":\"f1\"}"])
    }

    /// Only the touched SKUs, still in SKU byte order and from the first feed in `feedOrder` (whichever feed the
    /// store recorded first).
    @Test func touchedItemsComeInSkuByteOrderWithTheFirstFeedWinning() throws {
        let t = try TemporaryStore()
        for feed in ["f2", "f1", "stock"] { try t.store.recordFeed(Self.feed(feed)) }
        for (feed, sku) in [("f2", "a"), ("f1", "é"), ("f1", "Z"), ("f2", "Z"), ("f2", "b")] {
            try t.store.upsertItem(feed: feed, sku: sku, groupID: nil, fingerprint: 0, data: "{\"from\":\"\(feed)\"}",
                                   line: 1, generation: 1)
        }
        try t.store.beginTouched()
        for sku in ["é", "a", "Z", "gone"] { try t.store.touch(sku: sku) }
        var seen: [String] = []
        try t.store.forEachItem(feedOrder: ["f1", "f2"], touchedOnly: true) { seen.append($0.sku + $0.data) }
        #expect(seen == ["Z{\"from\":\"f1\"}", "a{\"from\":\"f2\"}", "é{\"from\":\"f1\"}"])
    }

    static func feed(_ name: String) -> FeedState {
        FeedState(name: name, source: name, generation: 1, appliedAt: nil, itemCount: 0, status: "ok", statusReason: nil)
    }

    @Test func stockOverrideAppliesOnlyWhileNewerThanThePrimaryFeedFile() throws {
        let t = try TemporaryStore()
        try t.store.recordFeed(Self.feed("products"))
        try t.store.upsertItem(feed: "products", sku: "A", groupID: nil, fingerprint: 0, data: "{}", line: 2, generation: 1)
        try t.store.setSourceTime(feed: "products", "2026-01-01T10:00:00.000Z")
        let override = StockOverride(quantity: 0, availability: nil, price: nil, salePrice: nil)
        try t.store.upsertOverride(sku: "A", feed: "stock", override: override, observedAt: "2026-01-01T10:05:00.000Z",
                                   line: 2)
        var seen: [StockOverride?] = []
        try t.store.forEachItem(feedOrder: ["products"]) { seen.append($0.override) }
        #expect(seen == [override])
        // A newer full export wins over the older stock file.
        try t.store.setSourceTime(feed: "products", "2026-01-01T10:10:00.000Z")
        seen = []
        try t.store.forEachItem(feedOrder: ["products"]) { seen.append($0.override) }
        #expect(seen == [nil])
    }

    @Test func anEnqueuedDeltaReplacesThePendingOneAndAckAdvancesTheSnapshot() throws {
        let t = try TemporaryStore()
        try t.store.enqueue(delta("A", .create, version: 1, quantity: 5), seenAt: "t0")
        try t.store.enqueue(delta("A", .create, version: 2, quantity: 4), seenAt: "t1")
        let pending = try t.store.pendingDeltas(channel: "c", limit: 10)
        #expect(pending.map(\.delta.version) == [2])
        #expect(pending.first?.delta.values.quantity == 4)

        try t.store.acknowledge([pending[0].delta], at: "t2")
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).isEmpty)
        let entry = try #require(try t.store.snapshot(channel: "c").next())
        #expect(entry.ackedVersion == 2)
        #expect(entry.ackedText.flatMap(Listing.init(jsonText:))?.quantity == 4)
    }

    @Test func lateAcknowledgementNeverRegressesANewerState() throws {
        let t = try TemporaryStore()
        try t.store.enqueue(delta("A", .create, version: 3, quantity: 1), seenAt: "t0")
        try t.store.acknowledge([delta("A", .create, version: 3, quantity: 1)], at: "t1")
        try t.store.acknowledge([delta("A", .update, version: 2, quantity: 9)], at: "t2")  // an old one, late
        let entry = try #require(try t.store.snapshot(channel: "c").next())
        #expect(entry.ackedVersion == 3)
        #expect(entry.ackedText.flatMap(Listing.init(jsonText:))?.quantity == 1)
    }

    @Test func deltaSupersededWhileInFlightStaysQueuedAfterTheOldAck() throws {
        let t = try TemporaryStore()
        try t.store.enqueue(delta("A", .create, version: 1), seenAt: "t0")
        let inFlight = try t.store.pendingDeltas(channel: "c", limit: 1)[0].delta
        try t.store.enqueue(delta("A", .create, version: 2, quantity: 0), seenAt: "t1")
        try t.store.acknowledge([inFlight], at: "t2")
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).map(\.delta.version) == [2])
    }

    @Test func theNewestIssuedVersionSurvivesAReplacementAndAnAck() throws {
        let t = try TemporaryStore()
        func enqueue(_ delta: Delta) throws { try t.store.enqueue(delta, seenAt: "t") }
        func lastVersion() throws -> Int64? { try t.store.snapshot(channel: "c").next()?.lastVersion }
        try enqueue(delta("A", .create, version: 1))
        try t.store.acknowledge([delta("A", .create, version: 1)], at: "t1")
        try enqueue(delta("A", .update, version: 2, quantity: 2))
        #expect(try lastVersion() == 2)
        let inFlight = try t.store.pendingDeltas(channel: "c", limit: 1)[0].delta
        try enqueue(delta("A", .update, version: 3, quantity: 3))  // replaces version 2, which is in flight
        try t.store.acknowledge([inFlight], at: "t2")
        let entry = try #require(try t.store.snapshot(channel: "c").next())
        #expect(entry.lastVersion == 3 && entry.ackedVersion == 2)
        // The snapshot shows what the reconciler needs of the pending delta: its fields and its fate.
        #expect(entry.pending == SnapshotEntry.Pending(version: 3, operation: .update,
                                                       payloadText: delta("A", .update, version: 3, quantity: 3)
                                                           .values.jsonText,
                                                       changed: ["quantity"], rejected: false))
    }

    /// `enqueue(listed:)` skips making the `listings` row that `acknowledge` updates, for a SKU the snapshot
    /// had. Every snapshot entry is such a row, so an acknowledgement is recorded either way.
    @Test func anAcknowledgementIsRecordedWhetherOrNotTheRowWasMadeAtEnqueue() throws {
        let t = try TemporaryStore()
        try t.store.enqueue(delta("A", .create, version: 1), seenAt: "t0")  // new: `listed` is false
        try t.store.acknowledge([delta("A", .create, version: 1)], at: "t1")
        let listed = try #require(try t.store.snapshot(channel: "c").next())
        #expect(listed.sku == "A" && listed.ackedVersion == 1)
        try t.store.enqueue(delta("A", .update, version: 2, quantity: 7), seenAt: "t2", listed: true)
        try t.store.acknowledge([delta("A", .update, version: 2, quantity: 7)], at: "t3")
        #expect(try t.store.ackedListings(channel: "c")["A"] == delta("A", .update, version: 2, quantity: 7)
            .values.jsonText)
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).isEmpty)
    }

    @Test func aRejectedDeltaStaysParkedUntilANewerOneReplacesIt() throws {
        let t = try TemporaryStore()
        try t.store.enqueue(delta("A", .create, version: 1), seenAt: "t0")
        try t.store.reject(delta("A", .create, version: 1), message: "image is too small")
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).isEmpty)
        #expect(try t.store.rejectedCounts()["c"] == 1)
        // The snapshot shows the parked delta, so the same change is not enqueued again.
        #expect(try t.store.snapshot(channel: "c").next()?.pending?.version == 1)
        #expect(try t.store.snapshot(channel: "c").next()?.pending?.rejected == true)
        try t.store.enqueue(delta("A", .create, version: 2, quantity: 0), seenAt: "t1")
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).map(\.delta.version) == [2])
        #expect(try t.store.rejectedCounts()["c"] == nil)
    }

    @Test func pendingDeltasComeMostUrgentFirst() throws {
        let t = try TemporaryStore()
        var increase = delta("A", .create, version: 1)
        increase.priority = .increase
        var decrease = delta("B", .update, version: 1)
        decrease.priority = .stockDecrease
        try t.store.enqueue(increase, seenAt: "t0")
        try t.store.enqueue(decrease, seenAt: "t0")
        #expect(try t.store.pendingDeltas(channel: "c", limit: 10).map(\.delta.sku) == ["B", "A"])
    }
}
