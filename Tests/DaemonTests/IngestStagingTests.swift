import Catalog
import Reconcile
import Foundation
import Store
import Testing
@testable import Daemon

/// A feed out of SKU order is written into `items` in SKU order at its end (`SKUOrder`, `CatalogStore.stageItem`):
/// what the table holds afterwards is what the same rows in SKU order give, with the lines of the feed as read.
@Suite struct IngestStagingTests {
    typealias Folder = IngestSkipTests.Folder

    static let header = IngestSkipTests.header

    static func row(_ index: Int, price: Int = 0) -> String {
        "S\(String(index, radix: 7)),Item \(index),\(index % 90 + price).50 SEK,in_stock,\(index % 7)"
    }

    /// Every item as the table has it, but for its line: SKU → columns; and the line of each item written by
    /// `generation`.
    static func items(_ store: CatalogStore, generation: Int) throws
        -> (values: [String: String], lines: [String: Int]) {
        let s = try store.connection.statement(
            "SELECT sku, group_id, fingerprint, data, generation, raw_hash, line FROM items WHERE feed = 'f'")
        var values: [String: String] = [:], lines: [String: Int] = [:]
        while try s.step() {
            let sku = s.text(0) ?? ""
            values[sku] = "\(s.text(1) ?? "-")|\(s.int(2))|\(s.text(3) ?? "")|\(s.int(4))|\(s.int(5))"
            if s.int(4) == generation { lines[sku] = Int(s.int(6)) }
        }
        return (values, lines)
    }

    /// The line each row of `rows` (after the header on line 1) is on, by SKU.
    static func lines(of rows: [String]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: rows.enumerated().map { (String($1.prefix { $0 != "," }), $0 + 2) })
    }

    @Test func aShuffledFeedLeavesTheTableAsTheSameFeedInOrder() async throws {
        var rng = SplitMix64(seed: 5)
        var prices = Dictionary(uniqueKeysWithValues: (0..<6_000).map { ($0, 0) })  // item → price added
        let ordered = try Folder(), shuffled = try Folder()
        for round in 0..<3 {
            if round == 1 {  // a dense generation: half the prices change, some items go, new ones come
                for item in 0..<6_000 where item % 2 == 0 { prices[item] = 3 }
                for item in stride(from: 4, to: 6_000, by: 9) { prices[item] = nil }
                for item in 9_000..<9_100 { prices[item] = 0 }
            } else if round == 2 {  // a sparse one: out of order too, but the changes are written as they come
                for item in stride(from: 1, to: 6_000, by: 8) where prices[item] != nil { prices[item] = 7 }
            }
            let rows = prices.keys.sorted().map { Self.row($0, price: prices[$0]!) }
            let sorted = rows.sorted { $0.prefix { $0 != "," } < $1.prefix { $0 != "," } }
            let feed = rows.shuffled(using: &rng)
            let inOrder = try await ordered.sync([Self.header] + sorted)
            let outOfOrder = try await shuffled.sync([Self.header] + feed)
            #expect(inOrder.feeds[0].staged == 0)
            let report = outOfOrder.feeds[0]
            #expect(round < 2 ? report.staged > 500 : report.staged == 0, "round \(round): \(report.staged) staged")
            #expect(report.created == inOrder.feeds[0].created && report.updated == inOrder.feeds[0].updated)
            #expect(report.deleted == inOrder.feeds[0].deleted)
            let (values, lines) = try Self.items(shuffled.store, generation: round + 1)
            let expected = try Self.items(ordered.store, generation: round + 1).values
            #expect(values == expected, "round \(round)")
            // Each item written has its line in this feed (one skipped keeps the line it was written from).
            let now = Self.lines(of: feed)
            #expect(lines.count == report.created + report.updated, "round \(round)")
            #expect(lines.allSatisfy { now[$0.key] == $0.value }, "round \(round)")
            try IngestDigestFileTests.expectFileMatchesTable(shuffled)
        }
    }

    /// DESIGN promise 4 on the staged path: a generation a guard holds changes nothing, though its items were
    /// staged and written before the guard was checked.
    @Test func aHeldShuffledGenerationChangesNothing() async throws {
        var rng = SplitMix64(seed: 9)
        let folder = try Folder()
        _ = try await folder.sync([Self.header] + (0..<3_000).map { Self.row($0) }.shuffled(using: &rng))
        let before = try Self.items(folder.store, generation: 0).values
        let file = try Data(contentsOf: IngestDigestFileTests.digestFile(of: folder))
        // Every price changes (written densely, so staged) and a quarter of the items go: over the guard.
        folder.config.feeds[0].guards.maxDeletePct = ExactDecimal(units: 10)
        let rows = (0..<3_000).filter { $0 % 4 != 0 }.map { Self.row($0, price: 1) }.shuffled(using: &rng)
        let held = try await folder.sync([Self.header] + rows)
        #expect(held.feeds[0].outcome == .held && held.feeds[0].staged > 500, "\(held.feeds[0].staged) staged")
        #expect(try Self.items(folder.store, generation: 0).values == before)
        #expect(try Data(contentsOf: IngestDigestFileTests.digestFile(of: folder)) == file)
    }

    @Test func stagedItemsGoWithARolledBackTransaction() throws {
        let store = try CatalogStore(path: ":memory:")
        struct RollBack: Error {}
        #expect(throws: RollBack.self) {
            try store.transaction {
                try store.stageItem(feed: "f", sku: "A", groupID: nil, fingerprint: 1, data: "{}", line: 2,
                                    generation: 1, rawHash: 9)
                throw RollBack()
            }
        }
        try store.transaction {
            try store.stageItem(feed: "f", sku: "B", groupID: "G", fingerprint: 2, data: "{\"b\":1}", line: 3,
                                generation: 1, rawHash: 8)
            try store.applyStagedItems()
        }
        #expect(try store.itemCount(feed: "f") == 1 && store.itemData(feed: "f", sku: "B") == "{\"b\":1}")
        // Nothing is left staged: a later write stays.
        try store.upsertItem(feed: "f", sku: "B", groupID: "G", fingerprint: 3, data: "{\"b\":2}", line: 3,
                             generation: 2)
        try store.transaction { try store.applyStagedItems() }
        #expect(try store.itemCount(feed: "f") == 1 && store.itemData(feed: "f", sku: "B") == "{\"b\":2}")
    }
}

@Suite struct SKUOrderTests {
    static func isOrdered(_ skus: [String]) -> Bool {
        var order = SKUOrder()
        for sku in skus { order.note(sku) }
        return order.isOrdered
    }

    @Test func variantsAfterTheirProductAndSparseChangesStayInOrder() {
        let sizes = ["XS", "S", "M", "L", "XL", "50X60-CM", "150X200-CM"]
        let catalog = (1...5_000).flatMap { product in
            sizes.prefix(product % 7 + 1).map { "P\(String(format: "%07d", product))-\($0)" }
        }
        #expect(Self.isOrdered(catalog))
        #expect(Self.isOrdered(catalog.enumerated().filter { $0.offset % 13 == 0 }.map(\.element)))
    }

    @Test func shuffledReversedOrBlockedFeedsAreOutOfOrder() {
        var rng = SplitMix64(seed: 2)
        let skus = (0..<2_000).map { "SKU-\(String(format: "%05d", $0))" }
        #expect(!Self.isOrdered(Array(skus.shuffled(using: &rng).prefix(1_000))))
        #expect(!Self.isOrdered(Array(skus.reversed().prefix(SKUOrder.stride * 5))))
        // Blocks by category, each in SKU order, over the whole range.
        let blocks = (0..<10).flatMap { category in skus.enumerated().filter { $0.offset % 10 == category } }
        #expect(!Self.isOrdered(blocks.map(\.element)))
        // Three steps back are allowed; a fourth is not.
        let steps = { (count: Int) in (0..<count).flatMap { _ in skus.prefix(SKUOrder.stride * 2) } }
        #expect(Self.isOrdered(steps(4)) && !Self.isOrdered(steps(5)))
    }
}
