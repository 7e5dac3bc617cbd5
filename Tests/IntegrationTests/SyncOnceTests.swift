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
        let w = try Workspace(feed: sampleFeed(quantityOfA2: 3))
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
        let w = try Workspace(feed: sampleFeed())
        #expect(try w.run(["sync", "--once"]).status == 0)
        try w.writeFeed(sampleFeed().replacingOccurrences(of: "B1,,Scarf,99 SEK,,in_stock,0,Lumo\n", with: ""))
        #expect(try w.run(["sync", "--once"]).status == 0)
        let last = try #require(try w.deltas().last)
        #expect(last["op"] as? String == "delete")
        #expect(last["id"] as? String == "B1")
    }
}
