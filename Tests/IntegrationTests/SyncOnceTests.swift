import Foundation
import Testing

/// The walking skeleton as a user runs it: the real binary, a real SQLite file, a file channel.
@Suite struct SyncOnceTests {
    @Test func firstRunCreatesEverySkuAndASecondRunWritesNothing() throws {
        let w = try Workspace(feed: sampleFeed())
        let first = try w.run(["sync", "--once"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let deltas = try w.deltas()
        #expect(deltas.count == 3)
        #expect(deltas.allSatisfy { $0["op"] as? String == "create" })
        #expect(Set(deltas.compactMap { $0["id"] as? String }) == ["A1", "A2", "B1"])
        let a2 = try #require(deltas.first { $0["id"] as? String == "A2" }?["values"] as? [String: Any])
        #expect(a2["price"] as? String == "1299.00 SEK")
        #expect(a2["sale_price"] as? String == "999.00 SEK")
        #expect(a2["title"] as? String == "Dress,\nblue")
        #expect(first.stdout.contains("3 rows read, 3 accepted, 0 rejected"))

        let second = try w.run(["sync", "--once"])
        #expect(second.status == 0)
        #expect(try w.deltas().count == 3)
        #expect(second.stdout.contains("enqueued 0 create, 0 update, 0 delete"))
    }

    @Test func changingOneQuantityWritesExactlyOneUpdate() throws {
        let w = try Workspace(feed: sampleFeed(quantityOfA2: 3))
        #expect(try w.run(["sync", "--once"]).status == 0)
        try w.writeFeed(sampleFeed(quantityOfA2: 2))
        let run = try w.run(["sync", "--once"])
        #expect(run.status == 0, "\(run.stderr)")
        let deltas = try w.deltas().dropFirst(3)
        #expect(deltas.count == 1)
        let update = try #require(deltas.first)
        #expect(update["op"] as? String == "update")
        #expect(update["id"] as? String == "A2")
        #expect(update["changed"] as? [String] == ["quantity"])
        #expect((update["values"] as? [String: Any])?["quantity"] as? Int == 2)
        #expect((update["version"] as? Int ?? 0) > 1)
    }

    @Test func sellingOutNamesAvailabilityToo() throws {
        // One of three items selling out is 33%: above the default max_zero_pct of 30.
        let w = try Workspace(feed: sampleFeed(quantityOfA2: 3), extraFeedKeys: ", guards: { max_zero_pct: 50 }")
        #expect(try w.run(["sync", "--once"]).status == 0)
        try w.writeFeed(sampleFeed(quantityOfA2: 0))
        #expect(try w.run(["sync", "--once"]).status == 0)
        let update = try #require(try w.deltas().last)
        #expect(update["changed"] as? [String] == ["availability", "quantity"])
        #expect((update["values"] as? [String: Any])?["availability"] as? String == "out_of_stock")
    }

    @Test func badRowsAreReportedWithTheirLinesAndTheRestIsApplied() throws {
        let w = try Workspace(feed: sampleFeed(extraRows: [
            "C1,,Hat,twelve SEK,,in_stock,1,Lumo",
            ",,No id,10.00 SEK,,in_stock,1,Lumo",
        ]))
        let run = try w.run(["sync", "--once"])
        #expect(run.status == 1)
        // The quoted newline in A2 makes the hat row line 6 and the id-less row line 7.
        #expect(run.stdout.contains("products.csv:6: price: \"twelve SEK\""), "\(run.stdout)")
        #expect(run.stdout.contains("products.csv:7: id: value is missing"), "\(run.stdout)")
        #expect(run.stderr.contains("event=row.rejected feed=products line=6"))
        #expect(try w.deltas().count == 3)
    }

    @Test(arguments: ["", "id,title,price,availability\n", "\u{FEFF}id,title,price,availability\r\n"])
    func emptyOrHeaderOnlyFeedIsRejectedWholeAndDeletesNothing(_ text: String) throws {
        let w = try Workspace(feed: sampleFeed())
        #expect(try w.run(["sync", "--once"]).status == 0)
        try w.writeFeed(text)
        let run = try w.run(["sync", "--once"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("feed products: REJECTED"), "\(run.stdout)")
        #expect(run.stderr.contains("event=feed.rejected"))
        #expect(try w.deltas().count == 3)  // no delete was written
        let status = try w.run(["status"])
        #expect(status.stdout.contains("products: rejected"))
        #expect(status.stdout.contains("3 listed"))
    }

    @Test func itemDroppedFromTheFeedIsDeleted() throws {
        let w = try Workspace(feed: sampleFeed(), extraFeedKeys: ", guards: { max_delete_pct: 50 }")
        #expect(try w.run(["sync", "--once"]).status == 0)
        try w.writeFeed(sampleFeed().replacingOccurrences(of: "B1,,Scarf,99 SEK,,in_stock,0,Lumo\n", with: ""))
        #expect(try w.run(["sync", "--once"]).status == 0)
        let last = try #require(try w.deltas().last)
        #expect(last["op"] as? String == "delete")
        #expect(last["id"] as? String == "B1")
    }
}

/// RELIABILITY T3: a valid feed that drops 60 of 100 known SKUs is held, not applied.
@Suite struct GuardTests {
    func feed(skus: Range<Int>, quantity: Int = 5) -> String {
        (["id,title,price,availability,quantity"] + skus.map { "S\($0),Item \($0),10.00 SEK,in_stock,\(quantity)" })
            .joined(separator: "\n") + "\n"
    }

    @Test func massDeletionIsHeldUntilApproved() throws {
        let w = try Workspace(feed: feed(skus: 0..<100))
        #expect(try w.run(["sync", "--once"]).status == 0)
        try w.writeFeed(feed(skus: 0..<40))
        let held = try w.run(["sync", "--once"])
        #expect(held.status == 1)
        #expect(held.stdout.contains("HELD"), "\(held.stdout)")
        #expect(held.stdout.contains("would delete 60 of 100 items (60%)"), "\(held.stdout)")
        #expect(held.stderr.contains("event=guard.held"))
        #expect(try w.deltas().filter { $0["op"] as? String == "delete" }.isEmpty)
        #expect(try w.run(["status"]).stdout.contains("products: held"))

        let approved = try w.run(["approve", "products"])
        #expect(approved.status == 0, "\(approved.stdout)\n\(approved.stderr)")
        #expect(try w.deltas().filter { $0["op"] as? String == "delete" }.count == 60)
    }

    @Test func forceAppliesAHeldFeedOnce() throws {
        let w = try Workspace(feed: feed(skus: 0..<100))
        #expect(try w.run(["sync", "--once"]).status == 0)
        try w.writeFeed(feed(skus: 0..<100, quantity: 0))
        #expect(try w.run(["sync", "--once"]).status == 1)  // every item zeroed: held
        #expect(try w.deltas().count == 100)
        let forced = try w.run(["sync", "--once", "--force"])
        #expect(forced.status == 0, "\(forced.stdout)")
        let zeroes = try w.deltas().dropFirst(100)
        #expect(zeroes.count == 100)
        #expect(zeroes.allSatisfy { ($0["values"] as? [String: Any])?["quantity"] as? Int == 0 })
    }

    /// DESIGN promise 4: a file older than the one last applied (a backup put back, a mirror behind) is held; its
    /// stock is older than what the channels show. A newer file goes through; so does the old one, approved.
    @Test func aFileOlderThanTheLastAppliedIsHeld() throws {
        let w = try Workspace(feed: feed(skus: 0..<10, quantity: 1))
        #expect(try w.run(["sync", "--once"]).status == 0)
        let applied = try #require(try FileManager.default.attributesOfItem(atPath: w.feed.path)[.modificationDate]
                                   as? Date)
        try w.writeFeed(feed(skus: 0..<10, quantity: 7))
        try FileManager.default.setAttributes([.modificationDate: applied.addingTimeInterval(-60)],
                                              ofItemAtPath: w.feed.path)
        let held = try w.run(["sync", "--once"])
        #expect(held.status == 1)
        #expect(held.stdout.contains("HELD") && held.stdout.contains("before the generation last applied"),
                "\(held.stdout)")
        #expect(held.stderr.contains("event=guard.held"))
        #expect(try w.deltas().count == 10)
        #expect(try w.run(["status"]).stdout.contains("products: held"))

        #expect(try w.run(["approve", "products"]).status == 0)
        #expect(try w.deltas().count == 20)
        // The approved file is now the last applied. One a second older than it goes through: HTTP dates are whole
        // seconds, FAT file systems keep a file's time in steps of two.
        try w.writeFeed(feed(skus: 0..<10, quantity: 3))
        try FileManager.default.setAttributes([.modificationDate: applied.addingTimeInterval(-61)],
                                              ofItemAtPath: w.feed.path)
        #expect(try w.run(["sync", "--once"]).status == 0)
        #expect(try w.deltas().count == 30)
    }

    @Test func aFeedWithBadRowsDeletesNothing() throws {
        let w = try Workspace(feed: feed(skus: 0..<10))
        #expect(try w.run(["sync", "--once"]).status == 0)
        // S9 is missing and S8's row is broken: nothing may be deleted in this run.
        try w.writeFeed(feed(skus: 0..<8) + "S8,Item 8,ten SEK,in_stock,5\n")
        let run = try w.run(["sync", "--once"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("event=feed.deletions_skipped"))
        #expect(try w.deltas().filter { $0["op"] as? String == "delete" }.isEmpty)
    }
}
