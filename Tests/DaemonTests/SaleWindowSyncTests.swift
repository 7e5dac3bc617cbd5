import Catalog
import Foundation
import Store
import Testing
@testable import Daemon

/// DESIGN promise 5: for a channel that takes no sale dates, a sale window that closes produces its
/// delta at that moment — through a whole sync with the clock passed in.
@Suite struct SaleWindowSyncTests {
    @Test func aSaleEndingAtMidnightIsClearedByTheFirstRunAtMidnightNotBefore() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-sale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try """
            id,title,price,sale_price,sale_price_effective_date,availability,quantity
            A,Dress,999.00 SEK,799.00 SEK,2026-11-27T00:00:00+01:00/2026-11-28T00:00:00+01:00,in_stock,3

            """.write(to: root.appendingPathComponent("feed.csv"), atomically: true, encoding: .utf8)
        let config = try Config.parse("""
            { state_dir: "state", feeds: [{ name: "f", source: "feed.csv" }],
              channels: [{ name: "c", type: "file", path: "out", sale_dates: false }] }
            """, file: root.appendingPathComponent("catalogsync.json"))
        let store = try CatalogStore(directory: config.stateDirectory)
        let job = SyncJob(config: config, store: store, logger: Logger(minimumLevel: .error, sink: { _ in }))
        let midnight = try Date("2026-11-28T00:00:00+01:00", strategy: .iso8601)

        let during = try await job.run(now: midnight.addingTimeInterval(-3_600))
        #expect(during.channels[0].enqueued[.create] == 1)
        #expect(during.channels[0].nextChange == midnight)  // the daemon schedules its next reconcile then
        let justBefore = try await job.run(now: midnight.addingTimeInterval(-1))
        #expect(justBefore.channels[0].enqueued.isEmpty)
        let atMidnight = try await job.run(now: midnight)
        #expect(atMidnight.channels[0].enqueued[.update] == 1)

        let lines = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("out").path).sorted()
            .flatMap { try String(contentsOf: root.appendingPathComponent("out/\($0)"), encoding: .utf8).split(separator: "\n") }
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        let last = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect((first?["values"] as? [String: Any])?["sale_price"] as? String == "799.00 SEK")
        #expect((first?["values"] as? [String: Any])?["sale_price_effective_date"] == nil)  // no dates sent
        #expect(last?["changed"] as? [String] == ["sale_price"])  // cleared explicitly
        #expect((last?["values"] as? [String: Any])?["sale_price"] as? String == "")
    }
}
