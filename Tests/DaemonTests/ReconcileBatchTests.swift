import Catalog
import Foundation
import Testing
@testable import Daemon
@testable import Store

/// Reconcile decides SKUs a batch at a time on another core (`SyncJob+Decide.swift`) and enqueues their deltas
/// in SKU order, a batch behind its snapshot cursor. Catalogs here span several batches, and the cursor ends in
/// the middle of one.
@Suite struct ReconcileBatchTests {
    static let header = "id,title,price,availability,quantity"

    static func row(_ sku: String, price: Int = 2) -> String { "\(sku),Sock,\(price).00 SEK,in_stock,3" }

    @Test func deltasOverSeveralBatchesAreTheOnesEachSKUCallsFor() async throws {
        let folder = try IngestSkipTests.Folder()
        let first = (0..<1_300).map { String(format: "A%04d", $0) }
        let cold = try await folder.sync([Self.header] + first.map { Self.row($0) })
        #expect(cold.channels[0].enqueued == [.create: 1_300] && cold.channels[0].pushed == [.create: 1_300])

        // Every third SKU changes its price, every tenth is gone; new SKUs come between the known ones
        // (decided while the cursor runs) and after all of them (once it has ended).
        var rows: [String] = []
        var expected: [Delta.Operation: Int] = [:]
        for (index, sku) in first.enumerated() {
            if index % 10 == 0 {
                expected[.delete, default: 0] += 1
                continue
            }
            rows.append(Self.row(sku, price: index % 3 == 0 ? 5 : 2))
            if index % 3 == 0 { expected[.update, default: 0] += 1 }
            if index % 97 == 0 {
                rows.append(Self.row(sku + "-new"))
                expected[.create, default: 0] += 1
            }
        }
        let later = (0..<700).map { String(format: "B%04d", $0) }
        rows += later.map { Self.row($0) }
        expected[.create, default: 0] += later.count
        let second = try await folder.sync([Self.header] + rows.shuffled())
        #expect(second.channels[0].enqueued == expected)
        #expect(second.channels[0].pushed == expected && second.channels[0].pending == 0)
        #expect(second.channels[0].compared == 1_300 + expected[.create]!)

        // What each SKU was told is what it is: the same feed again asks for nothing.
        let again = try await folder.sync([Self.header] + rows)
        #expect(again.channels[0].enqueued.isEmpty && again.channels[0].pending == 0)
        // And back to the first generation: every change undone, one delta per SKU that differs.
        let back = try await folder.sync([Self.header] + first.map { Self.row($0) })
        let undo: [Delta.Operation: Int] = [.create: expected[.delete]!, .update: expected[.update]!,
                                            .delete: expected[.create]!]
        #expect(back.channels[0].enqueued == undo && back.channels[0].pushed == undo)
    }

    /// A channel that cannot be written keeps every delta pending; the next generation replaces some of them
    /// while the snapshot cursor still reads the outbox rows of the SKUs after them.
    @Test(arguments: [3, 5])
    func pendingDeltasReplacedBehindTheCursorAreEachReplacedOnce(every step: Int) async throws {
        let folder = try IngestSkipTests.Folder()
        try Data().write(to: folder.root.appendingPathComponent("out"))  // a file where the channel's folder goes
        let skus = (0..<2_600).map { String(format: "A%04d", $0) }
        let cold = try await folder.sync([Self.header] + skus.map { Self.row($0) })
        #expect(cold.channels[0].enqueued == [.create: 2_600] && cold.channels[0].pending == 2_600)

        let changed = stride(from: 0, to: skus.count, by: step).map { skus[$0] }
        let second = try await folder.sync([Self.header] + skus.enumerated().map { index, sku in
            Self.row(sku, price: index % step == 0 ? 5 : 2)
        })
        // Every third SKU is over a quarter of the items: all are compared. Every fifth: only the 520 touched,
        // more than one batch.
        #expect(second.channels[0].compared == (step == 3 ? skus.count : changed.count))
        #expect(second.channels[0].enqueued == [.create: changed.count])
        let pending = try folder.store.pendingDeltas(channel: "c", limit: 10_000)
        #expect(pending.map(\.delta.sku).sorted() == skus)
        let versions = Dictionary(uniqueKeysWithValues: pending.map { ($0.delta.sku, $0.delta.version) })
        #expect(changed.allSatisfy { versions[$0] == 2 })
        #expect(versions.values.filter { $0 == 1 }.count == skus.count - changed.count)
        #expect(pending.allSatisfy { $0.valuesText.contains(versions[$0.delta.sku] == 2 ? "5.00 SEK" : "2.00 SEK") })
    }

    @Test func batchesDecidedOnAnotherCoreAreWhatDecidingHereGives() throws {
        let config = try Config.parse("""
            { state_dir: "state", feeds: [{ name: "f", source: "feed.csv", currency: "SEK" }],
              channels: [{ name: "c", type: "file", path: "out", stock: { buffer: 1 } }] }
            """, file: URL(fileURLWithPath: "/tmp/catalogsync.json"))
        let decider = SyncJob.Decider(channel: config.channels[0],
                                      everyChannel: config.channels.map { ($0.name, $0.rules) }, now: Date(),
                                      staleness: [:], repushEverything: false)
        var random = SplitMix64(seed: 0xDEC1DE)
        let queue = DispatchQueue(label: "test.decide")
        var batches: [([SyncJob.Comparison], SyncJob.Decisions)] = []
        for count in [0, 1, 63, 64, 65, 511, 512] {
            let comparisons = (0..<count).map { index in
                let sku = String(format: "S%04d", index)
                let quantity = Int(random.next() % 5)
                let data = "{\"id\":\"\(sku)\",\"title\":\"Sock\",\"price\":\"2.00 SEK\","
                    + "\"availability\":\"in_stock\",\"quantity\":\(quantity)}"
                let acked = random.next() % 3 == 0 ? nil : data.replacingOccurrences(of: "2.00", with: "3.00")
                let entry = random.next() % 4 == 0 ? nil
                    : SnapshotEntry(sku: sku, ackedText: acked, ackedVersion: 1, lastVersion: 1, pending: nil)
                let item = random.next() % 5 == 0 ? nil : ItemRow(sku: sku, feed: "f", data: data)
                return SyncJob.Comparison(sku: sku, item: item, entry: entry)
            }
            batches.append((comparisons, SyncJob.Decisions(comparisons, by: decider, on: queue)))
        }
        for (comparisons, decisions) in batches {
            let there = decisions.wait()
            let here = comparisons.map(decider.decide)
            #expect(there.count == comparisons.count)
            #expect(zip(there, here).allSatisfy { $0.decision == $1.decision && $0.valuesText == $1.valuesText })
            #expect(comparisons.count < 64 || here.contains { if case .enqueue = $0.decision { true } else { false } })
        }
    }
}
