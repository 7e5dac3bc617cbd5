import Catalog
import Foundation
import Store
import Testing
@testable import Daemon

/// A reconcile that compares only the SKUs a run touched (`ReconcileScope`) must decide exactly what a
/// reconcile of every SKU decides. Two states follow the same random feed generations and clock; one
/// forgets its reconcile marks before every run, so it always compares everything.
@Suite struct IncrementalReconcileTests {
    @Test func comparingTouchedSKUsOnlyDecidesWhatComparingAllDecides() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["CATALOGSYNC_SEED"] ?? "") ?? 0x5EED
        var random = StockPropertyTests.Generator(seed: seed)
        var comparedIncrementally = 0, comparedInFull = 0
        for trial in 0..<8 {
            let counts = try await runTrial(&random, label: "seed \(seed) trial \(trial)")
            comparedIncrementally += counts.incremental
            comparedInFull += counts.full
        }
        // The property is only tested if the incremental side really skipped SKUs.
        #expect(comparedIncrementally < comparedInFull / 2, "\(comparedIncrementally) vs \(comparedInFull)")
    }

    func runTrial(_ random: inout StockPropertyTests.Generator, label: String) async throws
        -> (incremental: Int, full: Int) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-incr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var channels: [String] = []
        for index in 0..<random.next(in: 1...3) {
            var keys = "stock: { buffer: \(random.next(in: 0...2)), "
            keys += random.next(in: 0...1) == 0
                ? "allocation: \"partition\", group: \"g\", weight: \(random.next(in: 1...3)) }"
                : "share: 0.\(random.next(in: 1...9)) }"
            keys += ", sale_dates: \(random.next(in: 0...1) == 0)"
            if random.next(in: 0...2) == 0 { keys += ", exclude: { brands: [\"B1\"] }" }
            if random.next(in: 0...2) == 0 { keys += ", price: { markup_pct: 10, round: \"0.95\" }" }
            channels.append("{ name: \"c\(index)\", type: \"file\", path: \"out/c\(index)\", \(keys) }")
        }
        let configText = """
            { state_dir: "state", feeds: [{ name: "f", source: "feed.csv", currency: "SEK",
              guards: { max_delete_pct: 100, max_zero_pct: 100 } }], channels: [\(channels.joined(separator: ","))] }
            """
        let sides = try ["incremental", "full"].map { name -> (URL, Config, CatalogStore) in
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let config = try Config.parse(configText, file: folder.appendingPathComponent("catalogsync.json"))
            return (folder, config, try CatalogStore(directory: config.stateDirectory))
        }
        var items: [String: [String]] = [:]
        func randomItem() -> [String] {
            let quantity = random.next(in: 0...9)
            var sale = ["", ""]
            if random.next(in: 0...2) == 0 {
                let start = random.next(in: -48...48), hours = random.next(in: 1...48)
                let from = clockStart.addingTimeInterval(Double(start) * 3_600)
                sale = ["8.00 SEK", "\(Self.iso(from))/\(Self.iso(from.addingTimeInterval(Double(hours) * 3_600)))"]
            }
            return ["Item", "B\(random.next(in: 0...2))", "\(random.next(in: 10...12)).00 SEK"] + sale
                + ["in_stock", "\(quantity)"]
        }
        for index in 0..<random.next(in: 20...60) { items["S\(index)"] = randomItem() }
        var now = clockStart
        var counts = (incremental: 0, full: 0)
        for generation in 0..<8 {
            if generation > 0 {
                for sku in items.keys.sorted() where random.next(in: 0...9) == 0 { items[sku] = randomItem() }
                for sku in items.keys.sorted() where random.next(in: 0...19) == 0 { items[sku] = nil }
                if random.next(in: 0...1) == 0 { items["N\(generation)"] = randomItem() }
                now = now.addingTimeInterval(Double(random.next(in: 0...24)) * 1_800)
            }
            let rows = items.keys.sorted().map { ([$0] + items[$0]!).joined(separator: ",") }
            let text = (["id,title,brand,price,sale_price,sale_price_effective_date,availability,quantity"] + rows)
                .joined(separator: "\n")
            var summaries: [SyncSummary] = []
            for (index, (folder, config, store)) in sides.enumerated() {
                try text.write(to: folder.appendingPathComponent("feed.csv"), atomically: true, encoding: .utf8)
                if index == 1 { try store.clearReconcileMark(channel: nil) }
                let logger = Logger(minimumLevel: .error, sink: { _ in })
                summaries.append(try await SyncJob(config: config, store: store, logger: logger).run(now: now))
            }
            let where_ = "\(label) generation \(generation)"
            for (a, b) in zip(summaries[0].channels, summaries[1].channels) {
                #expect(a.enqueued == b.enqueued, "\(where_) \(a.name)")
                #expect(a.nextChange == b.nextChange, "\(where_) \(a.name)")
                counts.incremental += a.compared
                counts.full += b.compared
            }
            for channel in sides[0].1.channels {
                let a = try sides[0].2.ackedListings(channel: channel.name)
                let b = try sides[1].2.ackedListings(channel: channel.name)
                #expect(a == b, "\(where_) \(channel.name)")
            }
        }
        return counts
    }

    /// A stock override stops applying when a newer primary file arrives, even one whose rows are all skipped as
    /// unchanged: the overridden SKU must still be compared (`touchOverridden`).
    @Test func anOverrideThatANewerPrimaryFileEndsIsComparedThoughNoRowChanged() async throws {
        let f = try OverrideFixture()
        let rows = (["id,title,price,availability,quantity", "A,Shirt,10.00 SEK,in_stock,3"]
                    + (1...11).map { "Z\($0),Sock,2.00 SEK,in_stock,\($0)" }).joined(separator: "\n")
        try f.write(rows, to: "feed.csv", at: 0)
        try await f.run(at: 10)
        try f.write("id,quantity\nA,9", to: "stock/s.csv", at: 60)
        try await f.run(at: 70)
        #expect(try f.quantity("A") == 9)

        // The same rows, a newer file: the override no longer applies. Only this feed is read (as the daemon
        // does when one file changes), so nothing else touches A.
        try f.write(rows, to: "feed.csv", at: 120)
        let summary = try await f.run(at: 130, feeds: ["f"])
        #expect(summary.feeds[0].skipped == 12)
        #expect(summary.channels[0].compared == 1 && summary.channels[0].enqueued == [.update: 1])
        #expect(try f.quantity("A") == 3)
    }

    /// Listings marked for a re-push (Google expires items it was told about over 30 days ago) are sent again
    /// by the next sync though no feed row changed: marking clears the channel's reconcile mark.
    @Test func listingsMarkedForARepushAreSentAgainThoughNothingChanged() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-repush-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let config = try Config.parse("""
            { state_dir: "state", feeds: [{ name: "f", source: "feed.csv", currency: "SEK" }],
              channels: [{ name: "c", type: "file", path: "out" }] }
            """, file: root.appendingPathComponent("catalogsync.json"))
        let store = try CatalogStore(directory: config.stateDirectory)
        let job = SyncJob(config: config, store: store, logger: Logger(minimumLevel: .error, sink: { _ in }))
        try (["id,title,price,availability,quantity"] + (1...12).map { "S\($0),Sock,2.00 SEK,in_stock,\($0)" })
            .joined(separator: "\n").write(to: root.appendingPathComponent("feed.csv"), atomically: true, encoding: .utf8)
        _ = try await job.run(now: clockStart)
        #expect(try store.markForRepush(channel: "c", ackedBefore: "9999-12-31T00:00:00.000Z") == 12)

        let again = try await job.run(now: clockStart.addingTimeInterval(60))
        #expect(again.feeds[0].skipped == 12)
        #expect(again.channels[0].enqueued == [.update: 12] && again.channels[0].compared == 12)
        #expect(try store.ackedListings(channel: "c").values.allSatisfy { $0.contains("\"quantity\"") })
    }

    let clockStart = Date(timeIntervalSince1970: 1_796_000_000)

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
    }
}
