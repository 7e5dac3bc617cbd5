import Foundation
import Store
import Testing
@testable import Daemon

/// Feeds are read without a savepoint each (`Ingest.undoesItself`): a feed turned down after it wrote rolls
/// the run's transaction back, and the feeds before it are read again. Whatever the feed's place, the run
/// must end as if the turned-down feed had never been read: the others applied once, its items untouched,
/// its status and one alert recorded.
@Suite struct IngestUndoTests {
    enum TurnDown: String, CaseIterable { case held, rejected }

    static func csv(_ prefix: String, count: Int, changing changed: Int? = nil) -> String {
        (["id,title,price,availability,quantity"] + (0..<count).map {
            "\(prefix)\($0),Item \($0),10.00 SEK,in_stock,\($0 == changed ? 7 : 3)"
        }).joined(separator: "\n") + "\n"
    }

    @Test(arguments: [["a", "b", "c"], ["b", "a", "c"], ["a", "c", "b"]], TurnDown.allCases)
    func aTurnedDownFeedChangesNothingAndTheOthersApplyOnce(order: [String], turnDown: TurnDown) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-undo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: root.appendingPathComponent("\(name).csv"))
        }
        let feeds = order.map {
            "{ name: \"\($0)\", source: \"\($0).csv\", currency: \"SEK\", guards: { max_delete_pct: 20 } }"
        }
        let config = try Config.parse("""
            { state_dir: "state", feeds: [\(feeds.joined(separator: ", "))],
              channels: [{ name: "out", type: "file", path: "out" }] }
            """, file: root.appendingPathComponent("catalogsync.json"))
        let store = try CatalogStore(directory: config.stateDirectory)
        let job = SyncJob(config: config, store: store, logger: Logger(minimumLevel: .error, sink: { _ in }))
        try write("a", Self.csv("A", count: 10))
        try write("b", Self.csv("B", count: 20))
        try write("c", Self.csv("C", count: 5))
        _ = try await job.run()
        let bBefore = try #require(try store.itemData(feed: "b", sku: "B0"))

        // a and c change one quantity each; b changes one too, but is turned down after writing it.
        try write("a", Self.csv("A", count: 10, changing: 1))
        try write("c", Self.csv("C", count: 5, changing: 2))
        switch turnDown {
        case .held: try write("b", Self.csv("B", count: 5, changing: 0))  // 15 of 20 deleted: over 20%
        case .rejected: try write("b", Self.csv("B", count: 20, changing: 0) + "B20,\"Item 20,10.00 SEK")
        }
        let summary = try await job.run()

        #expect(summary.feeds.map(\.name) == order)
        for report in summary.feeds {
            let expected: FeedReport.Outcome = report.name == "b" ? (turnDown == .held ? .held : .rejected) : .applied
            #expect(report.outcome == expected, "\(report.name): \(report.rejection ?? "")")
            if report.name != "b" { #expect(report.updated == 1, "\(report.name)") }
        }
        #expect(try store.itemData(feed: "b", sku: "B0") == bBefore)
        #expect(try store.itemCount(feed: "b") == 20)
        #expect(try store.feedState("b")?.status == turnDown.rawValue)
        #expect(try store.feedState("a")?.status == "ok" && store.feedState("c")?.status == "ok")
        let alerts = try store.connection.statement("SELECT feed, event FROM alerts ORDER BY id")
        var recorded: [String] = []
        while try alerts.step() { recorded.append("\(alerts.text(0) ?? "") \(alerts.text(1) ?? "")") }
        #expect(recorded == ["b " + (turnDown == .held ? "guard.held" : "feed.rejected")])
        #expect(summary.channels.first?.enqueued == [.update: 2])
    }
}
