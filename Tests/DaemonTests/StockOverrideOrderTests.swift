import Catalog
import Foundation
import Store
import Testing
@testable import Daemon

/// An inventory file's stock replaces a SKU's override only when the file is at least as new as what the override
/// was observed from: a stock file put back from a backup (or read after a newer one) does not bring old stock back.
@Suite struct StockOverrideOrderTests {
    @Test func anOlderInventoryFileDoesNotReplaceANewerOverride() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("stock"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let config = try Config.parse("""
            { state_dir: "state", feeds: [{ name: "f", source: "feed.csv", currency: "SEK" },
                                          { name: "s", source: "stock", kind: "inventory" }],
              channels: [{ name: "c", type: "file", path: "out" }] }
            """, file: root.appendingPathComponent("catalogsync.json"))
        let store = try CatalogStore(directory: config.stateDirectory)
        let lines = LoggerTests.Lines()
        let job = SyncJob(config: config, store: store, logger: Logger(minimumLevel: .warning,
                                                                       sink: { lines.lines.append($0) }))
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        func write(_ text: String, to name: String, at seconds: Double) throws {
            let file = root.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: start.addingTimeInterval(seconds)],
                                                  ofItemAtPath: file.path)
        }
        func quantities() throws -> [Int?] {
            let acked = try store.ackedListings(channel: "c")
            return ["A", "B"].map { Listing(jsonText: acked[$0] ?? "")?.quantity }
        }
        try write("id,title,price,availability,quantity\nA,Shirt,10.00 SEK,in_stock,5\nB,Sock,2.00 SEK,in_stock,5",
                  to: "feed.csv", at: 0)
        try write("id,quantity\nA,0", to: "stock/s.csv", at: 60)
        _ = try await job.run(now: start.addingTimeInterval(70))
        #expect(try quantities() == [0, 5])

        // Put back: dated before the override A has, after the primary file. A keeps 0; B, with no override, takes 9.
        try write("id,quantity\nA,9\nB,9", to: "stock/s.csv", at: 30)
        _ = try await job.run(now: start.addingTimeInterval(80), options: SyncOptions(feeds: ["s"]))
        #expect(try quantities() == [0, 9])
        #expect(lines.lines.contains { $0.contains("event=feed.outdated_rows") && $0.contains("feed=s rows=1") },
                "\(lines.lines)")

        try write("id,quantity\nA,2", to: "stock/s.csv", at: 90)
        _ = try await job.run(now: start.addingTimeInterval(100), options: SyncOptions(feeds: ["s"]))
        #expect(try quantities() == [2, 9])
    }
}
