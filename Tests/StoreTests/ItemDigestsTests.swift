import Catalog
import Foundation
import Testing
@testable import Store

@Suite struct ItemDigestsTests {
    @Test func findsEverySKUExactlyAndListsTheUnseen() throws {
        let store = try CatalogStore(path: ":memory:")
        let skus = (0..<5_000).map { "SKU-\($0)" } + ["", "ä", "a b"]
        for (index, sku) in skus.enumerated() {
            try store.upsertItem(feed: "f", sku: sku, groupID: nil, fingerprint: Int64(index), data: "{}", line: nil,
                                 generation: 1, rawHash: UInt64(index) * 7)
        }
        try store.upsertItem(feed: "other", sku: "X", groupID: nil, fingerprint: 1, data: "{}", line: nil, generation: 1)
        let digests = try store.itemDigests(feed: "f")
        #expect(digests.count == skus.count)
        let cursor = ItemDigests.Cursor(digests)
        for sku in skus + ["X", "SKU-5000"] { cursor.prefetch(sku) }  // a hint: changes nothing below
        for (index, sku) in skus.enumerated() {
            let entry = try #require(digests.entry(for: sku), "\(sku)")
            #expect(digests.fingerprint(entry) == Int64(index) && digests.rawHash(entry) == UInt64(index) * 7)
            if index % 2 == 0 { digests.markSeen(entry) }
        }
        #expect(digests.entry(for: "X") == nil && digests.entry(for: "SKU-5000") == nil)
        #expect(digests.entry(for: "SKU-1 ") == nil)
        let unseen = Set(digests.unseenSKUs())
        #expect(unseen == Set(skus.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)))
        #expect(digests.seenCount == skus.count - unseen.count)
    }

    @Test func markingASeenEntryAgainReturnsTheLineItWasFirstSeenOn() throws {
        let store = try CatalogStore(path: ":memory:")
        for sku in ["A", "B"] {
            try store.upsertItem(feed: "f", sku: sku, groupID: nil, fingerprint: 1, data: "{}", line: nil, generation: 1)
        }
        let digests = try store.itemDigests(feed: "f")
        let a = try #require(digests.entry(for: "A")), b = try #require(digests.entry(for: "B"))
        #expect(digests.markSeen(a, line: 7) == nil && digests.markSeen(b, line: 0) == nil)
        #expect(digests.markSeen(a, line: 9) == 7 && digests.markSeen(b, line: 3) == 0)
        #expect(digests.seenCount == 2 && digests.isSeen(a))
    }

    /// A cursor tries the entry after the last one found before the slots: whatever the order of the lookups, it
    /// finds what `entry(for:)` finds. SKUs that are prefixes of one another ("A1", "A10") and the empty one are
    /// among them; the feeds keep the table's order with SKUs added, dropped, moved and repeated, or have none.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func aCursorFindsWhatTheSlotsFind(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var builder = ItemDigests.Builder(expectedCount: 0)
        var skus = ["", "A"]
        while skus.count < 3_000 {
            let base = skus[Int.random(in: 0..<skus.count, using: &random)]
            skus.append(Bool.random(using: &random) ? base + String(Int.random(in: 0..<10, using: &random))
                                                    : "S\(random.next() % 100_000)")
        }
        skus = Array(Set(skus)).sorted().shuffled(using: &random)
        let known = Array(skus.prefix(2_500)), unknown = Array(skus.dropFirst(2_500))
        for (index, sku) in known.enumerated() {
            let bytes = Array(sku.utf8)
            bytes.withUnsafeBytes { builder.append(sku: $0, rawHash: UInt64(index), fingerprint: 0) }
        }
        let digests = ItemDigests(builder)
        for round in 0..<4 {
            var feed: [String] = []
            for sku in known {
                switch random.next() % 20 {
                case 0: feed.append(unknown[Int.random(in: 0..<unknown.count, using: &random)])  // added
                case 1: continue  // dropped
                case 2: feed.append(known[Int.random(in: 0..<known.count, using: &random)])  // moved or repeated
                default: break
                }
                feed.append(sku)
            }
            if round == 3 { feed.shuffle(using: &random) }
            let cursor = ItemDigests.Cursor(digests)
            for (index, sku) in feed.enumerated() {
                cursor.prefetch(sku)  // a hint: changes nothing
                let expected = digests.entry(for: sku)
                #expect(cursor.entry(for: sku) == expected, "seed \(seed), round \(round), row \(index): \(sku)")
                if index % 97 == 0 { cursor.move(past: Int.random(in: 0..<known.count, using: &random)) }
            }
            // In the table's order most rows are found where expected: all but those after a change.
            #expect(round == 3 ? cursor.hits < feed.count / 10 : cursor.hits > feed.count * 3 / 4)
        }
    }

    /// The fingerprints are stored: the same text must give the same FNV-1a value in every build.
    @Test func fingerprintsAreFNV1a() {
        #expect(CatalogStore.fingerprint("") == -3_750_763_034_362_895_579)
        #expect(CatalogStore.fingerprint("a") == -5_808_556_873_153_909_620)
        #expect(CatalogStore.fingerprint("foobar") == -8_821_353_812_377_114_648)
        #expect(CatalogStore.fingerprint("ä") == 775_201_910_207_026_562)
        #expect(CatalogStore.fingerprint(#"{"id":"SKU-1","price":"43.99 EUR"}"#) == 3_989_375_063_386_816_277)
    }
}
