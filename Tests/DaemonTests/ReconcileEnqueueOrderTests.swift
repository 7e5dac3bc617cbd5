import Catalog
import Foundation
import Store
import Testing
@testable import Daemon

/// Reconcile enqueues deltas as it decides them, behind its snapshot cursor and after the cursor is done
/// alike: the outbox ends up with what a reconcile of the same state decides, in SKU order per priority.
@Suite struct ReconcileEnqueueOrderTests {
    static let header = "id,title,price,availability,quantity\n"

    func write(_ rows: [String], to file: URL) throws {
        try (Self.header + rows.map { $0 + "\n" }.joined()).write(to: file, atomically: true, encoding: .utf8)
    }

    /// The SKUs of the batch files, in the order they were written.
    func pushed(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
            .flatMap { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8).split(separator: "\n") }
            .map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return "\(object?["op"] as? String ?? "?") \(object?["id"] as? String ?? "?")"
            }
    }

    @Test func deltasBeforeAndAfterTheLastListingAreEnqueuedInSKUOrder() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let feed = root.appendingPathComponent("feed.csv")
        let config = try Config.parse("""
            { state_dir: "state", feeds: [{ name: "f", source: "feed.csv", currency: "SEK",
              guards: { max_delete_pct: 100 } }],
              channels: [{ name: "c", type: "file", path: "out" }] }
            """, file: root.appendingPathComponent("catalogsync.json"))
        let store = try CatalogStore(directory: config.stateDirectory)
        let job = SyncJob(config: config, store: store, logger: Logger(minimumLevel: .error, sink: { _ in }))

        // Cold: the cursor is done before the first item.
        try write(["C,Cap,10.00 SEK,in_stock,1", "A,Anorak,10.00 SEK,in_stock,1"], to: feed)
        _ = try await job.run()
        #expect(try pushed(root.appendingPathComponent("out")) == ["create A", "create C"])
        try FileManager.default.removeItem(at: root.appendingPathComponent("out"))

        // A and C change (content), B is new before the last listing, D and E after it.
        try write(["E,Eel,10.00 SEK,in_stock,1", "D,Dish,10.00 SEK,in_stock,1", "C,Cap 2,10.00 SEK,in_stock,1",
                   "B,Bag,10.00 SEK,in_stock,1", "A,Anorak 2,10.00 SEK,in_stock,1"], to: feed)
        let summary = try await job.run()
        #expect(summary.channels[0].enqueued == [.create: 3, .update: 2])
        #expect(try pushed(root.appendingPathComponent("out"))
                == ["update A", "update C", "create B", "create D", "create E"])
        #expect(try store.pendingCounts()["c"] == nil)
        #expect(try store.listedCounts()["c"] == 5)
    }
}
