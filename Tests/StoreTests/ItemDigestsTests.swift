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
        for sku in skus + ["X", "SKU-5000"] { digests.prefetch(sku) }  // a hint: changes nothing below
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

    /// The fingerprints are stored: the same text must give the same FNV-1a value in every build.
    @Test func fingerprintsAreFNV1a() {
        #expect(CatalogStore.fingerprint("") == -3_750_763_034_362_895_579)
        #expect(CatalogStore.fingerprint("a") == -5_808_556_873_153_909_620)
        #expect(CatalogStore.fingerprint("foobar") == -8_821_353_812_377_114_648)
        #expect(CatalogStore.fingerprint("ä") == 775_201_910_207_026_562)
        #expect(CatalogStore.fingerprint(#"{"id":"SKU-1","price":"43.99 EUR"}"#) == 3_989_375_063_386_816_277)
    }
}
