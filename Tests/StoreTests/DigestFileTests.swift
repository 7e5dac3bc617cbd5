import Catalog
import Foundation
import Testing
@testable import Store

/// A feed's digest file (`DigestFile`) is a cache of the `items` table's digests: whatever happened to the file,
/// a generation starts from exactly what the table has.
@Suite struct DigestFileTests {
    final class Folder {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-digests-\(UUID().uuidString)")
        let store: CatalogStore
        var generation = 0

        init() throws {
            store = try CatalogStore(directory: root)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        func file(of feed: String) -> URL {
            URL(fileURLWithPath: DigestFile(directory: root.path, feed: feed).path)
        }

        /// What a generation starting now reads, checked against the table: SKU → "record hash/fingerprint".
        func load(_ feed: String = "f") throws -> (LoadedDigests, [String: String]) {
            let loaded = try store.loadItemDigests(feed: feed)
            let contents = DigestFileTests.contents(loaded.digests)
            #expect(contents == DigestFileTests.contents(try store.itemDigests(feed: feed)))
            return (loaded, contents)
        }

        /// One generation, written as `Ingest` writes it: some items change (a new fingerprint, or only a new
        /// record hash), some are new, and with `deletes` some are not seen and deleted.
        /// - Returns: what it started from.
        @discardableResult
        func generation(_ feed: String = "f", churn: Int, deletes: Bool, rng: inout SplitMix64,
                        changeLimit: Int? = nil) throws -> LoadedDigests {
            generation += 1
            let (loaded, _) = try load(feed)
            let known = loaded.digests
            var changes = changeLimit.map { ItemDigests.Changes(limit: $0) } ?? ItemDigests.Changes(known: known)
            for entry in 0..<known.count {
                let draw = Int(rng.next() % 1_000)
                if deletes && draw < churn / 3 { continue }
                known.markSeen(entry)
                guard draw < churn else { continue }
                let sku = known.withSKU(entry) { String(decoding: $0, as: UTF8.self) }
                let rawHash = rng.next() | 1
                if draw % 2 == 0 {
                    let fingerprint = Int64(bitPattern: rng.next())
                    try store.upsertItem(feed: feed, sku: sku, groupID: nil, fingerprint: fingerprint, data: "{}",
                                         line: nil, generation: generation, rawHash: rawHash)
                    changes.update(entry, rawHash: rawHash, fingerprint: fingerprint)
                } else {
                    try store.setRawHash(feed: feed, sku: sku, rawHash)
                    changes.update(entry, rawHash: rawHash, fingerprint: known.fingerprint(entry))
                }
            }
            for index in 0..<(churn / 10 + Int(rng.next() % 3)) {
                // Now and then a SKU deleted before comes back.
                let sku = rng.next() % 4 == 0 ? "S\(rng.next() % 300)" : "N\(generation)-\(index)-é"
                guard known.entry(for: sku) == nil || !known.isSeen(known.entry(for: sku)!) else { continue }
                if let entry = known.entry(for: sku) { known.markSeen(entry) }
                let (rawHash, fingerprint) = (rng.next(), Int64(bitPattern: rng.next()))
                try store.upsertItem(feed: feed, sku: sku, groupID: nil, fingerprint: fingerprint, data: "{}",
                                     line: nil, generation: generation, rawHash: rawHash)
                if let entry = known.entry(for: sku) {
                    changes.update(entry, rawHash: rawHash, fingerprint: fingerprint)
                } else {
                    changes.create(sku: sku, rawHash: rawHash, fingerprint: fingerprint, line: 0)
                }
            }
            if deletes {
                for sku in known.unseenSKUs() { try store.deleteItem(feed: feed, sku: sku) }
            }
            try store.recordFeed(FeedState(name: feed, source: "x", generation: generation, appliedAt: nil,
                                           itemCount: 0, status: "ok", statusReason: nil))
            #expect(try store.saveItemDigests(feed: feed, loaded, changes: changes, deletesUnseen: deletes) == nil)
            return loaded
        }
    }

    static func contents(_ digests: ItemDigests) -> [String: String] {
        var contents: [String: String] = [:]
        for entry in 0..<digests.count {
            contents[digests.withSKU(entry) { String(decoding: $0, as: UTF8.self) }]
                = "\(digests.rawHash(entry))/\(digests.fingerprint(entry))"
        }
        #expect(contents.count == digests.count, "a SKU twice")
        return contents
    }

    /// A feed of 300 items that went through a few generations: a snapshot and change segments.
    static func seeded(seed: UInt64 = 1) throws -> (Folder, SplitMix64) {
        let folder = try Folder()
        var rng = SplitMix64(seed: seed)
        for index in 0..<300 {
            try folder.store.upsertItem(feed: "f", sku: "S\(index)", groupID: nil, fingerprint: Int64(index),
                                        data: "{}", line: nil, generation: 0, rawHash: UInt64(index) * 31)
        }
        try folder.generation(churn: 5, deletes: false, rng: &rng)  // read from the table, writes a snapshot
        try folder.generation(churn: 20, deletes: true, rng: &rng)
        try folder.generation(churn: 8, deletes: false, rng: &rng)
        return (folder, rng)
    }

    @Test func theFileFollowsTheIndexThroughRandomGenerations() throws {
        for seed in 1...6 as ClosedRange<UInt64> {
            let (folder, _) = try Self.seeded(seed: seed)
            var rng = SplitMix64(seed: seed * 977)
            var snapshots = 0, appends = 0, unchanged = 0
            for round in 0..<40 {
                let size = try folder.file(of: "f").resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
                let churn = [0, 1, 3, 10, 60, 400][Int(rng.next() % 6)]
                let limit: Int? = round % 13 == 12 ? 2 : nil  // too many changes to keep: rebuilt from the table
                let started = try folder.generation(churn: churn, deletes: rng.next() % 3 == 0, rng: &rng,
                                                    changeLimit: limit)
                #expect(started.isFromFile, "round \(round)")
                let now = try folder.file(of: "f").resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
                if now == size { unchanged += 1 } else if now > size { appends += 1 } else { snapshots += 1 }
            }
            #expect(try folder.load().0.isFromFile)
            // Every way of writing the file came up.
            #expect(snapshots > 0 && appends > 0 && unchanged > 0, "\(snapshots) \(appends) \(unchanged)")
        }
    }

    @Test func aGenerationRolledBackLeavesTheFileUsableUpToTheCommittedOne() throws {
        let (folder, rng) = try Self.seeded()
        var random = rng
        struct RollBack: Error {}
        let before = try folder.load().1
        #expect(throws: RollBack.self) {
            try folder.store.transaction {
                try folder.generation(churn: 30, deletes: true, rng: &random)
                #expect(try folder.load().1 != before)
                throw RollBack()
            }
        }
        let (loaded, contents) = try folder.load()
        #expect(loaded.isFromFile && contents == before)
        // The next generation appends where the committed part ends.
        try folder.generation(churn: 10, deletes: false, rng: &random)
        #expect(try folder.load().0.isFromFile)
    }

    @Test func aFileCutShortOrDamagedIsNotUsed() throws {
        let (folder, _) = try Self.seeded()
        let url = folder.file(of: "f")
        let bytes = try Data(contentsOf: url)
        let (loaded, contents) = try folder.load()
        #expect(loaded.isFromFile && loaded.position?.length == bytes.count)
        var damaged: [Data] = stride(from: 0, to: bytes.count, by: 7).map { bytes.prefix($0) }
        var rng = SplitMix64(seed: 5)
        for _ in 0..<300 {
            var copy = bytes
            copy[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(1 << (rng.next() % 8))
            damaged.append(copy)
        }
        for data in damaged {
            try data.write(to: url)
            let (again, read) = try folder.load()
            #expect(!again.isFromFile && read == contents)
        }
        // Whatever follows the committed part (a generation rolled back, a write cut short) does not matter.
        try (bytes + Data(repeating: 0x5a, count: 100)).write(to: url)
        #expect(try folder.load().0.isFromFile)
    }

    @Test func anotherFeedsFileIsNotUsed() throws {
        let (folder, _) = try Self.seeded()
        try folder.store.upsertItem(feed: "g", sku: "S1", groupID: nil, fingerprint: 1, data: "{}", line: nil,
                                    generation: 1)
        try folder.store.recordFeed(FeedState(name: "g", source: "x", generation: 1, appliedAt: nil, itemCount: 1,
                                              status: "ok", statusReason: nil))
        let stamp = try #require(try folder.store.digestStamp(feed: "f"))
        try folder.store.connection.statement("UPDATE feeds SET digest_stamp = ? WHERE name = 'g'")
            .bind(.integer(stamp)).run()
        try FileManager.default.copyItem(at: folder.file(of: "f"), to: folder.file(of: "g"))
        #expect(try !folder.load("g").0.isFromFile)
    }

    @Test func noFileBeforeAStampOrForAnInMemoryStore() throws {
        let folder = try Folder()
        try folder.store.upsertItem(feed: "f", sku: "A", groupID: nil, fingerprint: 1, data: "{}", line: nil,
                                    generation: 1)
        #expect(try !folder.load().0.isFromFile)
        let memory = try CatalogStore(path: ":memory:")
        try memory.recordFeed(FeedState(name: "f", source: "x", generation: 1, appliedAt: nil, itemCount: 0,
                                        status: "ok", statusReason: nil))
        let loaded = try memory.loadItemDigests(feed: "f")
        #expect(try memory.saveItemDigests(feed: "f", loaded, changes: .init(known: loaded.digests),
                                           deletesUnseen: false) == nil)
        #expect(try !memory.loadItemDigests(feed: "f").isFromFile && memory.digestStamp(feed: "f") != nil)
    }
}

@Suite struct DigestFileCleanupTests {
    @Test func onlyTheFilesOfFeedsKeptStay() throws {
        let folder = try DigestFileTests.Folder()
        var rng = SplitMix64(seed: 3)
        for feed in ["a", "b"] {
            try folder.store.upsertItem(feed: feed, sku: "S", groupID: nil, fingerprint: 1, data: "{}", line: nil,
                                        generation: 1)
            try folder.generation(feed, churn: 0, deletes: false, rng: &rng)
        }
        let a = folder.file(of: "a"), b = folder.file(of: "b")
        let leftover = URL(fileURLWithPath: a.path + ".tmp")
        try Data("half".utf8).write(to: leftover)
        folder.store.removeDigestFiles(keeping: ["a", "c"])
        let manager = FileManager.default
        #expect(manager.fileExists(atPath: a.path) && !manager.fileExists(atPath: b.path))
        #expect(!manager.fileExists(atPath: leftover.path))
        #expect(manager.fileExists(atPath: folder.root.appendingPathComponent("catalogsync.db").path))
        #expect(try folder.load("a").0.isFromFile && !folder.load("b").0.isFromFile)
    }
}
