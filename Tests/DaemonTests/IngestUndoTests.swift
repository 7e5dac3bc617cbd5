import Foundation
import Store
import Testing
@testable import Daemon

/// Feeds are read without a savepoint each (`SyncJob.ingestFeeds`): a feed turned down after it wrote rolls
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

    /// Feeds a (10 items), b (20) and c (5) in `order`, synced once; `turnDown()` then writes the next
    /// generation: a and c change one quantity each, b changes one too but is turned down after writing it.
    struct Fixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-undo-\(UUID().uuidString)")
        let job: SyncJob
        var store: CatalogStore { job.store }

        init(order: [String]) async throws {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let feeds = order.map {
                "{ name: \"\($0)\", source: \"\($0).csv\", currency: \"SEK\", guards: { max_delete_pct: 20 } }"
            }
            let config = try Config.parse("""
                { state_dir: "state", feeds: [\(feeds.joined(separator: ", "))],
                  channels: [{ name: "out", type: "file", path: "out" }] }
                """, file: root.appendingPathComponent("catalogsync.json"))
            job = SyncJob(config: config, store: try CatalogStore(directory: config.stateDirectory),
                          logger: Logger(minimumLevel: .error, sink: { _ in }))
            try write("a", IngestUndoTests.csv("A", count: 10))
            try write("b", IngestUndoTests.csv("B", count: 20))
            try write("c", IngestUndoTests.csv("C", count: 5))
            _ = try await job.run()
        }

        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: root.appendingPathComponent("\(name).csv"))
        }

        func turnDown(_ turnDown: TurnDown) throws {
            try write("a", IngestUndoTests.csv("A", count: 10, changing: 1))
            try write("c", IngestUndoTests.csv("C", count: 5, changing: 2))
            switch turnDown {
            case .held: try write("b", IngestUndoTests.csv("B", count: 5, changing: 0))  // 15 of 20 deleted: > 20%
            case .rejected: try write("b", IngestUndoTests.csv("B", count: 20, changing: 0) + "B20,\"Item 20,10.00 SEK")
            }
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }
    }

    @Test(arguments: [["a", "b", "c"], ["b", "a", "c"], ["a", "c", "b"]], TurnDown.allCases)
    func aTurnedDownFeedChangesNothingAndTheOthersApplyOnce(order: [String], turnDown: TurnDown) async throws {
        let f = try await Fixture(order: order)
        defer { f.cleanUp() }
        let bBefore = try #require(try f.store.itemData(feed: "b", sku: "B0"))
        try f.turnDown(turnDown)
        let summary = try await f.job.run()

        #expect(summary.feeds.map(\.name) == order)
        for report in summary.feeds {
            let expected: FeedReport.Outcome = report.name == "b" ? (turnDown == .held ? .held : .rejected) : .applied
            #expect(report.outcome == expected, "\(report.name): \(report.rejection ?? "")")
            if report.name != "b" { #expect(report.updated == 1, "\(report.name)") }
        }
        #expect(try f.store.itemData(feed: "b", sku: "B0") == bBefore)
        #expect(try f.store.itemCount(feed: "b") == 20)
        #expect(try f.store.feedState("b")?.status == turnDown.rawValue)
        #expect(try f.store.feedState("a")?.status == "ok" && f.store.feedState("c")?.status == "ok")
        let alerts = try f.store.connection.statement("SELECT feed, event FROM alerts ORDER BY id")
        var recorded: [String] = []
        while try alerts.step() { recorded.append("\(alerts.text(0) ?? "") \(alerts.text(1) ?? "")") }
        #expect(recorded == ["b " + (turnDown == .held ? "guard.held" : "feed.rejected")])
        #expect(summary.channels.first?.enqueued == [.update: 2])
    }

    /// `catalogsync diff`: the same generation previewed shows the two updates and changes no state at all,
    /// though the turned-down feed rolled the preview's transaction back and began it again.
    @Test(arguments: TurnDown.allCases)
    func aPreviewWithATurnedDownFeedShowsTheOthersAndChangesNothing(turnDown: TurnDown) async throws {
        let f = try await Fixture(order: ["a", "b", "c"])
        defer { f.cleanUp() }
        let changing = ["a": "A1", "b": "B0", "c": "C2"]  // feed: the SKU its next generation changes
        let before = try changing.map { feed, sku in (feed, try f.store.itemData(feed: feed, sku: sku)) }
        try f.turnDown(turnDown)
        let (summary, deltas) = try f.job.preview()

        #expect(summary.feeds.map(\.outcome) == [.applied, turnDown == .held ? .held : .rejected, .applied])
        #expect(deltas["out"]?.map(\.delta.sku).sorted() == ["A1", "C2"])
        #expect(try before.allSatisfy { feed, data in try f.store.itemData(feed: feed, sku: changing[feed]!) == data })
        #expect(try f.store.feedState("b")?.status == "ok")
        #expect(try f.store.pendingCounts()["out"] == nil)
        #expect(try f.store.connection.statement("SELECT count(*) FROM alerts").firstRow { $0.int(0) } == 0)
    }
}
