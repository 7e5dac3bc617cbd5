import Catalog
import Foundation
import Store
import Testing
@testable import Daemon

/// A primary feed `feed.csv` (`f`) and an inventory folder `stock` (`s`) into one file channel `c`, with files
/// written at chosen times from a fixed clock.
final class OverrideFixture {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-override-\(UUID().uuidString)")
    let clockStart = Date(timeIntervalSince1970: 1_796_000_000)
    let store: CatalogStore
    let job: SyncJob

    init(logger: Logger = Logger(minimumLevel: .error, sink: { _ in })) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("stock"),
                                                withIntermediateDirectories: true)
        let config = try Config.parse("""
            { state_dir: "state", feeds: [{ name: "f", source: "feed.csv", currency: "SEK" },
                                          { name: "s", source: "stock", kind: "inventory" }],
              channels: [{ name: "c", type: "file", path: "out" }] }
            """, file: root.appendingPathComponent("catalogsync.json"))
        store = try CatalogStore(directory: config.stateDirectory)
        job = SyncJob(config: config, store: store, logger: logger)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Writes `name` (`feed.csv`, `stock/s.csv`) dated `seconds` after the clock's start.
    func write(_ text: String, to name: String, at seconds: Double) throws {
        let file = root.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: clockStart.addingTimeInterval(seconds)],
                                              ofItemAtPath: file.path)
    }

    /// Runs a sync at `seconds` after the clock's start.
    @discardableResult
    func run(at seconds: Double, feeds: Set<String>? = nil) async throws -> SyncSummary {
        try await job.run(now: clockStart.addingTimeInterval(seconds), options: SyncOptions(feeds: feeds))
    }

    /// The quantity the channel acknowledged for `sku`.
    func quantity(_ sku: String) throws -> Int? {
        Listing(jsonText: try store.ackedListings(channel: "c")[sku] ?? "")?.quantity
    }
}

/// An inventory file's stock replaces a SKU's override only when the file is at least as new as what the override
/// was observed from: a stock file put back from a backup (or read after a newer one) does not bring old stock back.
@Suite struct StockOverrideOrderTests {
    @Test func anOlderInventoryFileDoesNotReplaceANewerOverride() async throws {
        let lines = LoggerTests.Lines()
        let f = try OverrideFixture(logger: Logger(minimumLevel: .warning, sink: { lines.lines.append($0) }))
        try f.write("id,title,price,availability,quantity\nA,Shirt,10.00 SEK,in_stock,5\nB,Sock,2.00 SEK,in_stock,5",
                    to: "feed.csv", at: 0)
        try f.write("id,quantity\nA,0", to: "stock/s.csv", at: 60)
        try await f.run(at: 70)
        #expect(try [f.quantity("A"), f.quantity("B")] == [0, 5])

        // Put back: dated before the override A has, after the primary file. A keeps 0; B, with no override, takes 9.
        try f.write("id,quantity\nA,9\nB,9", to: "stock/s.csv", at: 30)
        try await f.run(at: 80, feeds: ["s"])
        #expect(try [f.quantity("A"), f.quantity("B")] == [0, 9])
        #expect(lines.lines.contains { $0.contains("event=feed.outdated_rows") && $0.contains("feed=s rows=1") },
                "\(lines.lines)")

        try f.write("id,quantity\nA,2", to: "stock/s.csv", at: 90)
        try await f.run(at: 100, feeds: ["s"])
        #expect(try [f.quantity("A"), f.quantity("B")] == [2, 9])
    }
}
