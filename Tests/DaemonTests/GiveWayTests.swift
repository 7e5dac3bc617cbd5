import Foundation
import Store
import Testing
@testable import Daemon

/// A run asked to give way (`SyncOptions.shouldGiveWay`) while it reads a primary feed or reconciles throws
/// `SyncGaveWay` and leaves the state as it found it: the next run does exactly what a run that never gave way does.
@Suite struct GiveWayTests {
    /// Counts the run's asks, and answers `true` to the `at`-th one (0: never).
    final class Asks: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        let at: Int

        init(at: Int) { self.at = at }

        var total: Int { lock.withLock { count } }

        func ask() -> Bool {
            lock.withLock {
                count += 1
                return count == at
            }
        }
    }

    /// A state synced with 600 items; `next()` writes a generation that changes, adds and removes some.
    struct Fixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-giveway-\(UUID().uuidString)")
        let job: SyncJob

        init() async throws {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let config = try Config.parse("""
                { state_dir: "state", feeds: [{ name: "f", source: "f.csv", currency: "SEK" }],
                  channels: [{ name: "out", type: "file", path: "out" }] }
                """, file: root.appendingPathComponent("catalogsync.json"))
            job = SyncJob(config: config, store: try CatalogStore(directory: config.stateDirectory),
                          logger: Logger(minimumLevel: .error, sink: { _ in }))
            try write(Self.csv(skus: 0..<600, quantity: { _ in 3 }))
            _ = try await job.run()
        }

        static func csv(skus: Range<Int>, quantity: (Int) -> Int) -> String {
            (["id,title,price,availability,quantity"] + skus.map {
                "S\(String(format: "%04d", $0)),Item \($0),10.00 SEK,in_stock,\(quantity($0))"
            }).joined(separator: "\n") + "\n"
        }

        func write(_ text: String) throws { try Data(text.utf8).write(to: root.appendingPathComponent("f.csv")) }

        /// Every fifth quantity changes, 10 items go, 10 come.
        func next() throws { try write(Self.csv(skus: 10..<610, quantity: { $0 % 5 == 0 ? 1 : 3 })) }

        /// The deltas the channel received, as their lines, in order.
        func received() throws -> [String] {
            let folder = root.appendingPathComponent("out")
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jsonl") }
            return try names.sorted().flatMap {
                try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8).split(separator: "\n")
                    .map(String.init)
            }
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }
    }

    /// How many times a run of the next generation asks: for every row ingest writes and every run of unchanged rows,
    /// then (its last ask, with 138 SKUs touched) when reconcile hands its only batch over (see
    /// `aReconcileGivesWayBetweenBatches` for asks in reconcile).
    static func asksOfARun() async throws -> Int {
        let f = try await Fixture()
        defer { f.cleanUp() }
        try f.next()
        let asks = Asks(at: 0)
        var options = SyncOptions()
        options.shouldGiveWay = { asks.ask() }
        _ = try await f.job.run(options: options)
        return asks.total
    }

    /// Where the run gives way: its first ask, half way, the last in ingest, the one in reconcile.
    enum Place: CaseIterable { case first, halfWay, lastInIngest, inReconcile }

    @Test(arguments: Place.allCases)
    func aRunThatGivesWayLeavesTheStateAsItWasAndTheNextRunDoesItAll(at place: Place) async throws {
        let total = try await Self.asksOfARun()
        #expect(total > 100)
        let ask = switch place {
        case .first: 1
        case .halfWay: total / 2
        case .lastInIngest: total - 1
        case .inReconcile: total
        }
        let control = try await Fixture(), f = try await Fixture()
        defer {
            control.cleanUp()
            f.cleanUp()
        }
        try control.next()
        _ = try await control.job.run()
        let before = try f.received()
        let generation = try f.job.store.feedState("f")?.generation
        try f.next()
        let asks = Asks(at: ask)
        var options = SyncOptions()
        options.shouldGiveWay = { asks.ask() }
        await #expect(throws: SyncGaveWay.self) { _ = try await f.job.run(options: options) }
        #expect(asks.total == ask)
        #expect(try f.received() == before)
        #expect(try f.job.store.feedState("f")?.generation == generation)
        #expect(try f.job.store.pendingCounts().isEmpty)
        _ = try await f.job.run()
        // What the channel got after the run gave way is what the control's channel got: every version and value.
        #expect(try f.received() == control.received())
        #expect(try f.received().count == before.count + 138)  // 118 stock changes, 10 new, 10 gone
    }

    /// A run that reads no feed but reconciles every SKU (the channel's rules changed) asks at each batch of 512.
    @Test func aReconcileGivesWayBetweenBatches() async throws {
        let f = try await Fixture()
        defer { f.cleanUp() }
        let config = try Config.parse("""
            { state_dir: "state", feeds: [{ name: "f", source: "f.csv", currency: "SEK" }],
              channels: [{ name: "out", type: "file", path: "out", price: { markup_pct: 10 } }] }
            """, file: f.root.appendingPathComponent("catalogsync.json"))
        let job = SyncJob(config: config, store: f.job.store, logger: f.job.logger)
        let before = try f.received()
        // The second ask: the first batch of 512 SKUs is being decided.
        let asks = Asks(at: 2)
        var options = SyncOptions(feeds: [])
        options.shouldGiveWay = { asks.ask() }
        await #expect(throws: SyncGaveWay.self) { _ = try await job.run(options: options) }
        #expect(try f.received() == before)
        #expect(try f.job.store.pendingCounts().isEmpty)
        let summary = try await job.run(options: SyncOptions(feeds: []))
        #expect(summary.channels.first?.compared == 600)
        #expect(try f.received().count == before.count + 600)
    }
}
