import Foundation
import Testing

/// A feed older than its `max_age` gets the configured fail-safe: hold, zero or a larger buffer.
@Suite struct StaleFeedTests {
    func workspace(_ stale: String) throws -> Workspace {
        try Workspace(feed: Self.feed(["A": 5]),
                      extraFeedKeys: ", max_age: \"1h\", \(stale), guards: { max_zero_pct: 100, max_delete_pct: 100 }")
    }

    static func feed(_ stock: [String: Int]) -> String {
        "id,title,price,availability,quantity\n"
            + stock.sorted { $0.key < $1.key }.map { "\($0.key),Item,10.00 SEK,in_stock,\($0.value)\n" }.joined()
    }

    /// Writes the feed with its file dated `ageSeconds` ago. A file dated before the one last applied is held
    /// (`GuardTests.aFileOlderThanTheLastAppliedIsHeld`): the runs that read one here are `--force`d.
    func write(_ w: Workspace, _ stock: [String: Int], ageSeconds: Double) throws {
        try w.writeFeed(Self.feed(stock))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-ageSeconds)],
                                              ofItemAtPath: w.feed.path)
    }

    func lastQuantity(_ w: Workspace, _ sku: String) throws -> Int? {
        try w.deltas().last { $0["id"] as? String == sku }.flatMap { ($0["values"] as? [String: Any])?["quantity"] as? Int }
    }

    @Test func zeroPublishesNothingToSellFromAStaleFeed() throws {
        let w = try workspace("stale: \"zero\"")
        try write(w, ["A": 5], ageSeconds: 7_200)
        let run = try w.run(["sync", "--once"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr.contains("event=feed.stale feed=products"))
        #expect(try lastQuantity(w, "A") == 0)
    }

    @Test func bufferHoldsBackMoreWhileStale() throws {
        let w = try workspace("stale: \"buffer\", stale_buffer: 2")
        try write(w, ["A": 5], ageSeconds: 0)
        #expect(try w.run(["sync", "--once"]).status == 0)
        #expect(try lastQuantity(w, "A") == 5)
        try write(w, ["A": 5], ageSeconds: 7_200)
        #expect(try w.run(["sync", "--once", "--force"]).status == 0)
        #expect(try lastQuantity(w, "A") == 3)
    }

    @Test func holdKeepsWhatIsPublishedLetsDecreasesThroughAndListsNothingNew() throws {
        let w = try workspace("stale: \"hold\"")
        try write(w, ["A": 5], ageSeconds: 0)
        #expect(try w.run(["sync", "--once"]).status == 0)
        try write(w, ["A": 9, "B": 4], ageSeconds: 7_200)
        #expect(try w.run(["sync", "--once", "--force"]).status == 0)
        #expect(try lastQuantity(w, "A") == 5)  // not raised
        #expect(try w.deltas().allSatisfy { $0["id"] as? String != "B" })  // not listed from a stale feed
        try write(w, ["A": 2, "B": 4], ageSeconds: 7_200)
        #expect(try w.run(["sync", "--once"]).status == 0)
        #expect(try lastQuantity(w, "A") == 2)  // a decrease cannot oversell: it goes through
        try write(w, ["A": 9, "B": 4], ageSeconds: 0)  // fresh again
        #expect(try w.run(["sync", "--once"]).status == 0)
        #expect(try lastQuantity(w, "A") == 9)
        #expect(try lastQuantity(w, "B") == 4)
    }
}
