import Catalog
import Foundation
import Store
import Testing
@testable import Daemon

/// After each generation the feed's digest file (`DigestFile`) holds what the `items` table holds: ingest reports
/// every item it writes (`ItemDigests.Changes`), and the next generation starts from the file.
@Suite struct IngestDigestFileTests {
    typealias Folder = IngestSkipTests.Folder

    /// SKU → "record hash/fingerprint", for every item.
    static func contents(_ digests: ItemDigests) -> [String: String] {
        Dictionary(uniqueKeysWithValues: digests.unseenSKUs().map { sku in
            let entry = digests.entry(for: sku)!
            return (sku, "\(digests.rawHash(entry))/\(digests.fingerprint(entry))")
        })
    }

    static func expectFileMatchesTable(_ folder: Folder, sourceLocation: Testing.SourceLocation = #_sourceLocation)
        throws {
        let loaded = try folder.store.loadItemDigests(feed: "f")
        #expect(loaded.isFromFile, sourceLocation: sourceLocation)
        #expect(contents(loaded.digests) == contents(try folder.store.itemDigests(feed: "f")),
                sourceLocation: sourceLocation)
    }

    /// The one digest file in the folder's state.
    static func digestFile(of folder: Folder) throws -> URL {
        let state = folder.config.stateDirectory
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: state.path)
            .first { $0.hasPrefix("digests-") })
        return state.appendingPathComponent(name)
    }

    @Test func theFileFollowsEveryKindOfWrite() async throws {
        let folder = try Folder()
        let header = IngestSkipTests.header
        var rows = IngestSkipTests.rows
        let first = try await folder.sync([header] + rows)
        #expect(first.feeds[0].digestSource == "table" && first.feeds[0].created == 12)
        try Self.expectFileMatchesTable(folder)

        rows[1] = "B,Hat,5.00 SEK,in_stock,0"  // a new listing
        rows[0] = "A,Shirt,10.0 SEK,in_stock,3"  // new bytes, the same listing: only its record hash changes
        let changed = try await folder.sync([header] + rows)
        #expect(changed.feeds[0].digestSource == "file")
        #expect(changed.feeds[0].updated == 1 && changed.feeds[0].skipped == 10)
        try Self.expectFileMatchesTable(folder)

        rows.remove(at: 2)
        rows.append("D,Belt,8.00 SEK,in_stock,2")
        let moved = try await folder.sync([header] + rows)
        #expect(moved.feeds[0].digestSource == "file")
        #expect(moved.feeds[0].deleted == 1 && moved.feeds[0].created == 1 && moved.feeds[0].skipped == 11)
        try Self.expectFileMatchesTable(folder)

        // The same rows once more: every one of them is known by the record hash the file has for it.
        let same = try await folder.sync([header] + rows)
        #expect(same.feeds[0].digestSource == "file" && same.feeds[0].skipped == rows.count)
        try Self.expectFileMatchesTable(folder)
    }

    /// A generation that rewrites the snapshot lists its items in its own order, new SKUs among the known ones.
    @Test func theSnapshotFollowsTheFeedsOrder() async throws {
        let folder = try Folder()
        let header = IngestSkipTests.header
        _ = try await folder.sync([header] + IngestSkipTests.rows)
        var rows = Array(IngestSkipTests.rows.reversed())
        rows.remove(at: 4)
        rows.insert("N1,Belt,8.00 SEK,in_stock,2", at: 3)
        rows.insert("\"N2\",\"Cap\nwith a brim\",4.00 SEK,in_stock,1", at: 6)  // a record over two lines
        rows.append("N3,Tie,3.00 SEK,in_stock,5")
        let report = try await folder.sync([header] + rows)
        #expect(report.feeds[0].created == 3 && report.feeds[0].deleted == 1)
        let loaded = try folder.store.loadItemDigests(feed: "f")
        #expect(loaded.isFromFile)
        let skus = (0..<loaded.digests.count).map(loaded.digests.sku)
        #expect(skus == rows.map { String($0.prefix { $0 != "," }).replacingOccurrences(of: "\"", with: "") })
    }

    @Test func aPreviewLeavesTheFileAsItWas() async throws {
        let folder = try Folder()
        var rows = [IngestSkipTests.header] + IngestSkipTests.rows
        _ = try await folder.sync(rows)
        let file = try Self.digestFile(of: folder)
        let before = try Data(contentsOf: file)
        rows[2] = "B,Hat,5.00 SEK,in_stock,0"
        try rows.joined(separator: "\n").write(to: folder.root.appendingPathComponent("feed.csv"), atomically: true,
                                               encoding: .utf8)
        let preview = try SyncJob(config: folder.config, store: folder.store,
                                  logger: Logger(minimumLevel: .error, sink: { _ in })).preview()
        #expect(preview.summary.feeds[0].updated == 1 && preview.summary.feeds[0].digestSource == "file")
        #expect(try Data(contentsOf: file) == before)
        let after = try await folder.sync(rows)
        #expect(after.feeds[0].digestSource == "file" && after.feeds[0].updated == 1)
        try Self.expectFileMatchesTable(folder)
    }

    @Test func aSyncRemovesTheFilesOfFeedsNoLongerConfigured() async throws {
        let folder = try Folder()
        let rows = [IngestSkipTests.header] + IngestSkipTests.rows
        _ = try await folder.sync(rows)
        let own = try Self.digestFile(of: folder)
        let state = folder.config.stateDirectory
        let stale = ["digests-0123456789abcdef.bin", own.lastPathComponent + ".tmp"].map(state.appendingPathComponent)
        for file in stale { try Data("left over".utf8).write(to: file) }
        _ = try await folder.sync(rows)
        #expect(stale.allSatisfy { !FileManager.default.fileExists(atPath: $0.path) })
        #expect(FileManager.default.fileExists(atPath: own.path))
        try Self.expectFileMatchesTable(folder)
    }

    @Test func aDamagedFileIsReadFromTheTableInstead() async throws {
        let folder = try Folder()
        let rows = [IngestSkipTests.header] + IngestSkipTests.rows
        _ = try await folder.sync(rows)
        try Data("not a digest file".utf8).write(to: Self.digestFile(of: folder))
        let again = try await folder.sync(rows)
        #expect(again.feeds[0].digestSource == "table" && again.feeds[0].skipped == rows.count - 1)
        try Self.expectFileMatchesTable(folder)  // and written again
    }
}
