import Catalog
import Foundation
import Testing
@testable import Store

/// A digest file's snapshot lists the items in the order the feed had them, whichever way it was written: the
/// table loaded from it keeps that order, so a feed read in its own order walks the table in step.
@Suite struct DigestFileOrderTests {
    typealias Folder = DigestFileTests.Folder

    static func skus(_ digests: ItemDigests) -> [String] { (0..<digests.count).map(digests.sku) }

    /// Records the generation as `Ingest` does and checks that the file was written and read back.
    static func finish(_ folder: Folder, _ loaded: LoadedDigests, _ changes: ItemDigests.Changes,
                       deletesUnseen: Bool) throws -> [String] {
        folder.generation += 1
        try folder.store.recordFeed(FeedState(name: "f", source: "x", generation: folder.generation, appliedAt: nil,
                                              itemCount: 0, status: "ok", statusReason: nil))
        #expect(try folder.store.saveItemDigests(feed: "f", loaded, changes: changes, deletesUnseen: deletesUnseen)
                == nil)
        let (again, _) = try folder.load()  // also checks the contents against the table
        #expect(again.isFromFile)
        return skus(again.digests)
    }

    @Test func aSnapshotFromTheTableFollowsTheLinesItemsWereWrittenFrom() throws {
        let folder = try Folder()
        var rng = SplitMix64(seed: 11)
        let lines = Array(0..<400).shuffled(using: &rng)
        for (index, line) in lines.enumerated() {
            try folder.store.upsertItem(feed: "f", sku: "S\(index)", groupID: nil, fingerprint: Int64(index),
                                        data: "{}", line: line * 3 + 2, generation: 1, rawHash: rng.next())
        }
        let (loaded, _) = try folder.load()
        #expect(!loaded.isFromFile)
        var changes = ItemDigests.Changes(limit: 2)  // more changes than kept: the snapshot is read from the table
        for entry in 0..<3 { changes.update(entry, rawHash: 1, fingerprint: 1) }
        #expect(!changes.isComplete)
        let expected = lines.indices.sorted { lines[$0] < lines[$1] }.map { "S\($0)" }
        #expect(try Self.finish(folder, loaded, changes, deletesUnseen: false) == expected)
        // The sort ran with a small page cache (`Connection.withCacheSize`); the usual one is back.
        let cache = try folder.store.connection.statement("PRAGMA cache_size").firstRow { $0.int(0) }
        #expect(cache == -Int64(Connection.cacheKiB))
    }

    /// A generation in a new order, with updates, new SKUs among the known ones, and deletions; enough changes
    /// that a snapshot is written from the loaded table.
    @Test func aSnapshotFromTheLoadedTableFollowsTheLinesItemsWereSeenOn() throws {
        for seed in 1...5 as ClosedRange<UInt64> {
            let (folder, _) = try DigestFileTests.seeded(seed: seed)
            var rng = SplitMix64(seed: seed * 31)
            for round in 0..<3 {
                let deletes = round != 1
                let (loaded, _) = try folder.load()
                let known = loaded.digests
                var changes = ItemDigests.Changes(known: known)
                // The feed: most known SKUs in a new order, some left out, new ones among them.
                let feed = (Self.skus(known).filter { _ in rng.next() % 10 != 0 } + (0..<40).map { "R\(round)-\($0)" })
                    .shuffled(using: &rng)
                // Some records span lines; one line may also hold several (a JSON array on one line): those keep
                // the table's order, the new SKUs after the known ones.
                var line = 1
                var order: [(line: Int, rank: Int, sku: String)] = []
                var unseen = Set(Self.skus(known))
                for sku in feed {
                    line += rng.next() % 5 == 0 ? 0 : 1 + Int(rng.next() % 3)
                    order.append((line, known.entry(for: sku) ?? known.count + order.count, sku))
                    let (rawHash, fingerprint) = (rng.next(), Int64(bitPattern: rng.next()))
                    if let entry = known.entry(for: sku) {
                        unseen.remove(sku)
                        #expect(known.markSeen(entry, line: line) == nil)
                        guard rng.next() % 3 == 0 else { continue }
                        try folder.store.upsertItem(feed: "f", sku: sku, groupID: nil, fingerprint: fingerprint,
                                                    data: "{}", line: line, generation: round, rawHash: rawHash)
                        changes.update(entry, rawHash: rawHash, fingerprint: fingerprint)
                    } else {
                        try folder.store.upsertItem(feed: "f", sku: sku, groupID: nil, fingerprint: fingerprint,
                                                    data: "{}", line: line, generation: round, rawHash: rawHash)
                        changes.create(sku: sku, rawHash: rawHash, fingerprint: fingerprint, line: line)
                    }
                }
                #expect(changes.isComplete && changes.count > known.count / 8, "a snapshot, not a change segment")
                var expected = order.sorted { ($0.line, $0.rank) < ($1.line, $1.rank) }.map(\.sku)
                if deletes {
                    for sku in unseen { try folder.store.deleteItem(feed: "f", sku: sku) }
                } else {
                    expected += Self.skus(known).filter(unseen.contains)  // kept, after the seen ones
                }
                #expect(try Self.finish(folder, loaded, changes, deletesUnseen: deletes) == expected,
                        "seed \(seed), round \(round)")
            }
        }
    }
}
