import Catalog
import Foundation
import Store
import Testing
@testable import Daemon

/// Rows byte for byte what their item was read from are skipped without being mapped (`FeedScanner`
/// digests); everything else is read as before.
@Suite struct IngestSkipTests {
    static let header = "id,title,price,availability,quantity"
    static let rows = ["A,Shirt,10.00 SEK,in_stock,3", "B,Hat,5.00 SEK,in_stock,1", "C,Scarf,7.00 SEK,in_stock,0"]
        + (1...9).map { "Z\($0),Sock,2.00 SEK,in_stock,\($0)" }

    final class Folder {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-skip-\(UUID().uuidString)")
        let store: CatalogStore
        var config: Config

        init(feed: String = "feed.csv", feedKeys: String = "") throws {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            config = try Config.parse("""
                { state_dir: "state", feeds: [{ name: "f", source: "\(feed)", currency: "SEK", \(feedKeys)
                  guards: { max_delete_pct: 100, max_zero_pct: 100 } }],
                  channels: [{ name: "c", type: "file", path: "out" }] }
                """, file: root.appendingPathComponent("catalogsync.json"))
            store = try CatalogStore(directory: config.stateDirectory)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        func sync(_ lines: [String], file: String = "feed.csv") async throws -> SyncSummary {
            try lines.joined(separator: "\n").write(to: root.appendingPathComponent(file), atomically: true,
                                                    encoding: .utf8)
            return try await SyncJob(config: config, store: store, logger: Logger(minimumLevel: .error, sink: { _ in }))
                .run()
        }
    }

    @Test func anUnchangedRowIsSkippedAndAChangedOneIsRead() async throws {
        let folder = try Folder()
        let first = try await folder.sync([Self.header] + Self.rows)
        #expect(first.feeds[0].created == 12 && first.feeds[0].skipped == 0)
        let same = try await folder.sync([Self.header] + Self.rows)
        #expect(same.feeds[0].skipped == 12 && same.feeds[0].updated == 0)
        #expect(same.channels[0].enqueued.isEmpty && same.channels[0].compared == 0)

        var rows = Self.rows
        rows[1] = "B,Hat,5.00 SEK,in_stock,0"
        let changed = try await folder.sync([Self.header] + rows)
        #expect(changed.feeds[0].skipped == 11 && changed.feeds[0].updated == 1)
        #expect(changed.channels[0].enqueued == [.update: 1] && changed.channels[0].compared == 1)
        #expect(try folder.store.itemData(feed: "f", sku: "B")?.contains("\"quantity\":0") == true)
    }

    @Test func aMissingRowIsDeletedAndAReturningOneCreated() async throws {
        let folder = try Folder()
        _ = try await folder.sync([Self.header] + Self.rows)
        let without = try await folder.sync([Self.header] + Self.rows.filter { $0 != Self.rows[1] })
        #expect(without.feeds[0].deleted == 1 && without.feeds[0].skipped == 11)
        #expect(without.channels[0].enqueued == [.delete: 1])
        let back = try await folder.sync([Self.header] + Self.rows)
        #expect(back.feeds[0].created == 1 && back.channels[0].enqueued == [.create: 1])
    }

    @Test func aDuplicateOfAnUnchangedRowIsStillReported() async throws {
        let folder = try Folder()
        _ = try await folder.sync([Self.header] + Self.rows)
        let duplicated = try await folder.sync([Self.header] + Self.rows + ["A,Other shirt,99.00 SEK,in_stock,9"])
        #expect(duplicated.feeds[0].issueCount == 1)
        #expect(duplicated.feeds[0].issues.first?.description.contains("duplicate") == true)
        #expect(try folder.store.itemData(feed: "f", sku: "A")?.contains("Shirt") == true)  // the first row wins
    }

    @Test func anUnchangedRowAfterAChangedOneWithItsIdIsADuplicateNotASkip() async throws {
        let folder = try Folder()
        _ = try await folder.sync([Self.header] + Self.rows)
        // A changes first; then A's old row, byte for byte what A was read from, comes again.
        let rows = ["A,Shirt,12.00 SEK,in_stock,3"] + Self.rows.dropFirst() + [Self.rows[0]]
        let summary = try await folder.sync([Self.header] + rows)
        #expect(summary.feeds[0].issueCount == 1 && summary.feeds[0].updated == 1)
        #expect(summary.feeds[0].skipped == 11)
        #expect(summary.feeds[0].issues.first?.description.contains("duplicate") == true)
        #expect(try folder.store.itemData(feed: "f", sku: "A")?.contains("12.00 SEK") == true)
    }

    @Test func everyDuplicateNamesTheLineItsIdWasFirstSeenOn() async throws {
        let folder = try Folder()
        _ = try await folder.sync([Self.header] + Self.rows)
        // Known SKUs, first skipped (A, line 2) or first mapped (B, line 3), and a new SKU (N, line 14).
        let rows = [Self.rows[0], "B,Hat,6.00 SEK,in_stock,1"] + Self.rows.dropFirst(2)
            + ["N,New,1.00 SEK,in_stock,1", "A,Shirt,1.00 SEK,in_stock,1", "B,Hat,7.00 SEK,in_stock,1",
               "N,New,2.00 SEK,in_stock,1"]
        let summary = try await folder.sync([Self.header] + rows)
        let messages = summary.feeds[0].issues.map(\.description)
        #expect(messages.count == 3)
        for (id, line) in [("A", 2), ("B", 3), ("N", 14)] {
            #expect(messages.contains { $0.contains("\"\(id)\" (first seen on line \(line))") }, "\(id): \(messages)")
        }
        #expect(summary.feeds[0].created == 1 && summary.feeds[0].updated == 1 && summary.feeds[0].skipped == 11)
    }

    @Test func reorderedColumnsAreReadAgainWithoutRewritingItems() async throws {
        let folder = try Folder()
        _ = try await folder.sync([Self.header] + Self.rows)
        // Same items, columns in another order: no row is byte for byte the same, no item changes.
        let reordered = ["title,id,price,availability,quantity"] + Self.rows.map { row in
            let fields = row.split(separator: ",")
            return ([fields[1], fields[0]] + fields[2...]).joined(separator: ",")
        }
        let first = try await folder.sync(reordered)
        #expect(first.feeds[0].skipped == 0 && first.feeds[0].updated == 0)
        #expect(first.channels[0].enqueued.isEmpty)
        let again = try await folder.sync(reordered)
        #expect(again.feeds[0].skipped == 12)  // the new layout's hashes were stored
    }

    @Test func aRenamedColumnIsNotMistakenForTheSameRow() async throws {
        let folder = try Folder()
        _ = try await folder.sync(["id,title,price,sale_price,availability,quantity", "A,Shirt,10.00 SEK,8.00 SEK,in_stock,3"])
        // Identical row bytes under another header: the 8.00 is now the price.
        let renamed = try await folder.sync(["id,title,old_price,price,availability,quantity",
                                             "A,Shirt,10.00 SEK,8.00 SEK,in_stock,3"])
        #expect(renamed.feeds[0].skipped == 0 && renamed.feeds[0].updated == 1)
        #expect(try folder.store.itemData(feed: "f", sku: "A")?.contains("\"price\":\"8.00 SEK\"") == true)
    }

    @Test func aChangedFeedSettingMapsEveryRowAgain() async throws {
        let folder = try Folder()
        _ = try await folder.sync([Self.header, "A,Shirt,10.00,in_stock,3"])
        folder.config.feeds[0].currency = Currency(code: "EUR")
        let euros = try await folder.sync([Self.header, "A,Shirt,10.00,in_stock,3"])
        #expect(euros.feeds[0].skipped == 0 && euros.feeds[0].updated == 1)
        #expect(try folder.store.itemData(feed: "f", sku: "A")?.contains("EUR") == true)
    }

    /// `rows` as JSON Lines.
    static let jsonLines = rows.map { row in
        let f = row.split(separator: ",")
        return #"{"id":"\#(f[0])","title":"\#(f[1])","price":"\#(f[2])","availability":"\#(f[3])","quantity":\#(f[4])}"#
    }

    @Test func jsonLinesRowsAreSkippedByTheirBytes() async throws {
        let folder = try Folder(feed: "feed.jsonl")
        let first = try await folder.sync(Self.jsonLines, file: "feed.jsonl")
        #expect(first.feeds[0].created == 12 && first.feeds[0].skipped == 0)
        let same = try await folder.sync(Self.jsonLines, file: "feed.jsonl")
        #expect(same.feeds[0].skipped == 12 && same.feeds[0].updated == 0)
        #expect(same.channels[0].enqueued.isEmpty && same.channels[0].compared == 0)

        var lines = Self.jsonLines
        lines[1] = lines[1].replacingOccurrences(of: #""quantity":1}"#, with: #""quantity":0}"#)
        let changed = try await folder.sync(lines, file: "feed.jsonl")
        #expect(changed.feeds[0].skipped == 11 && changed.feeds[0].updated == 1)
        #expect(changed.channels[0].enqueued == [.update: 1] && changed.channels[0].compared == 1)
        #expect(try folder.store.itemData(feed: "f", sku: "B")?.contains("\"quantity\":0") == true)
    }

    @Test func reformattedJSONLinesAreReadAgainWithoutRewritingItems() async throws {
        let folder = try Folder(feed: "feed.jsonl")
        _ = try await folder.sync(Self.jsonLines, file: "feed.jsonl")
        // The same records with other white space and CRLF: no line is byte for byte the same, no item changes.
        let spaced = Self.jsonLines.map { $0.replacingOccurrences(of: ",\"", with: ", \"") + "\r" }
        let first = try await folder.sync(spaced, file: "feed.jsonl")
        #expect(first.feeds[0].skipped == 0 && first.feeds[0].updated == 0)
        #expect(first.channels[0].enqueued.isEmpty)
        let again = try await folder.sync(spaced, file: "feed.jsonl")
        #expect(again.feeds[0].skipped == 12)
    }

    @Test func jsonArrayRowsAreStillSkippedByTheirFields() async throws {
        let folder = try Folder(feed: "feed.json")
        let array = ["[" + Self.jsonLines.joined(separator: ",\n") + "]"]
        _ = try await folder.sync(array, file: "feed.json")
        let same = try await folder.sync(array, file: "feed.json")
        #expect(same.feeds[0].skipped == 12 && same.feeds[0].updated == 0)
        let capped = array[0].replacingOccurrences(of: "Hat", with: "Cap")
        let changed = try await folder.sync([capped], file: "feed.json")
        #expect(changed.feeds[0].skipped == 11 && changed.feeds[0].updated == 1)
    }
}
