import Foundation
import Testing

/// The daemon watches the feed's folder with inotify: a completed file is pushed within a second, a
/// half-written one is never read.
extension DaemonTests {
    @Test func aFeedRenamedIntoPlaceIsPushedAndTheLatencyIsReported() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig()
        let (daemon, _) = try w.startDaemon()
        defer { daemon.kill() }

        var seconds: [Double] = []
        for drop in 0..<20 {
            let quantity = 10 + drop
            let batches = w.batchFiles().count
            try w.renameFeedIntoPlace(sampleFeed(quantityOfA2: quantity))
            let renamed = Date()
            let pushed = eventually(interval: 0.002) { w.batchFiles().count > batches }
            try #require(pushed, "drop \(drop) was not pushed within 20 s; log:\n\(daemon.log)")
            seconds.append(Date().timeIntervalSince(renamed))
            let update = try #require(try w.deltas().last)
            #expect(update["id"] as? String == "A2")
            #expect((update["values"] as? [String: Any])?["quantity"] as? Int == quantity)
        }
        #expect(daemon.stop() == 0)

        // A report, not an assertion (speed is measured, never asserted).
        let sorted = seconds.sorted()
        func quantile(_ q: Double) -> Int {
            Int((sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)] * 1000).rounded())
        }
        print("daemon: rename into place → batch file, \(sorted.count) drops: p50 \(quantile(0.5)) ms, "
              + "p99 \(quantile(0.99)) ms (debounce 20 ms)")
    }

    @Test func aPlainWriteIsPushedAndAHalfWrittenFileIsNotReadUntilItIsClosed() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig()
        let (daemon, _) = try w.startDaemon()
        defer { daemon.kill() }

        // A plain write: open, write, close (IN_CLOSE_WRITE).
        var batches = w.batchFiles().count
        let plain = try FileHandle(forWritingTo: w.feed)
        try plain.truncate(atOffset: 0)
        try plain.write(contentsOf: Data(sampleFeed(quantityOfA2: 7).utf8))
        try plain.close()
        try #require(eventually { w.batchFiles().count > batches }, "\(daemon.log)")
        #expect((try w.deltas().last?["values"] as? [String: Any])?["quantity"] as? Int == 7)

        // Half a file, still open: cut inside A2's row, it would read as a broken or shorter feed.
        batches = w.batchFiles().count
        let deltas = try w.deltas().count
        let changes = daemon.lines(of: "feed.changed").count
        let text = Data(sampleFeed(quantityOfA2: 8).utf8)
        let half = text.count / 2
        let writer = try FileHandle(forWritingTo: w.feed)
        defer { try? writer.close() }
        try writer.truncate(atOffset: 0)
        try writer.write(contentsOf: text.prefix(half))
        try writer.synchronize()
        // A completed file is picked up within ~0.1 s (20 ms debounce); watch far longer than that.
        Thread.sleep(forTimeInterval: 1.8)
        #expect(daemon.lines(of: "feed.changed").count == changes, "\(daemon.log)")
        #expect(w.batchFiles().count == batches)
        #expect(daemon.lines(of: "feed.rejected").isEmpty)

        try writer.write(contentsOf: text.suffix(from: half))
        try writer.close()
        try #require(eventually { w.batchFiles().count > batches }, "\(daemon.log)")
        let new = try w.deltas().dropFirst(deltas)
        #expect(new.count == 1, "\(new)")
        #expect(new.first?["op"] as? String == "update")
        #expect((new.first?["values"] as? [String: Any])?["quantity"] as? Int == 8)
        #expect(daemon.lines(of: "feed.rejected").isEmpty)
        #expect(daemon.stop() == 0)
    }

    /// A stock drop that arrives while the daemon pushes a large generation goes out after the batch in flight,
    /// ahead of the rest of that generation, which follows in the next cycle.
    @Test func aStockDropDoesNotWaitForTheRestOfAGenerationsPush() throws {
        let f = try LongPush()
        defer { f.daemon.kill() }
        try f.startGeneration()
        let staged = f.w.root.appendingPathComponent("feeds/.stock.csv")
        try "id,quantity\nS1500,0\n".write(to: staged, atomically: false, encoding: .utf8)
        guard rename(staged.path, f.w.root.appendingPathComponent("feeds/stock/stock.csv").path) == 0 else {
            throw NotifySocket.Failure(description: "rename: \(String(cString: strerror(errno)))")
        }

        // Everything arrives: the generation's 1,000 (S1500's perhaps superseded by the drop) and the drop.
        try #require(eventually(timeout: 60) { let pushed = try f.pushedSinceStart()
            return Set(pushed.map(\.sku)).count == 1_000 && pushed.contains { $0 == ("S1500", 0) } }, "\(f.daemon.log)")
        let pushed = try f.pushedSinceStart()
        let drop = try #require(pushed.firstIndex { $0 == ("S1500", 0) })
        let generation = pushed.indices.filter { pushed[$0].quantity == 6 }
        // The drop left while most of the generation still waited: not after it, as it would behind a whole push.
        #expect(generation.filter { $0 > drop }.count > 500, "drop at \(drop) of \(pushed.count)")
        #expect(!f.daemon.lines(of: "push.yielded").isEmpty)
        #expect(pushed.last { $0.sku == "S1500" }?.quantity == 0)
        #expect(Set(pushed.filter { $0.sku != "S1500" }.map(\.quantity)) == [6])
        #expect(f.daemon.stop() == 0)
    }

    /// A file in a watched folder that is no feed's (an export's notes, a temporary file) does not end a push: no
    /// cycle would read it, and the rest would wait for the next poll.
    @Test func aFileThatIsNoFeedsDoesNotEndAPush() throws {
        let f = try LongPush()
        defer { f.daemon.kill() }
        try f.startGeneration()
        try "notes\n".write(to: f.w.root.appendingPathComponent("feeds/notes.txt"), atomically: false, encoding: .utf8)
        try #require(eventually { try Set(f.pushedSinceStart().map(\.sku)).count == 1_000 }, "\(f.daemon.log)")
        #expect(f.daemon.lines(of: "push.yielded").isEmpty)
        #expect(f.daemon.stop() == 0)
    }
}

/// A daemon with 1,000 items, an inventory feed (the folder `feeds/stock`) and a file channel that takes two deltas
/// a batch: a generation that changes every item takes 500 batches to push, each written and fsync'd.
private struct LongPush {
    let w: Workspace
    let daemon: DaemonProcess

    static func feed(quantity: Int) -> String {
        "id,title,price,availability,quantity\n"
            + (0..<1_000).map { "S\(1_000 + $0),Item \($0),99.00 SEK,in_stock,\(quantity)\n" }.joined()
    }

    init() throws {
        w = try Workspace(feed: Self.feed(quantity: 5))
        try w.writeDaemonConfig(channelKeys: ", batch_size: 2", stockFolder: true)
        (daemon, _) = try w.startDaemon()
        guard try w.deltas().count == 1_000 else {
            daemon.kill()
            throw NotifySocket.Failure(description: "the first sync did not push 1,000 deltas; log:\n\(daemon.log)")
        }
    }

    /// Replaces the feed with one that raises every item's stock (1,000 deltas, safe to wait) and waits until the
    /// first batch of them is out.
    func startGeneration() throws {
        let batches = w.batchFiles().count
        try w.renameFeedIntoPlace(Self.feed(quantity: 6))
        try #require(eventually(interval: 0.002) { w.batchFiles().count > batches }, "\(daemon.log)")
    }

    /// SKU and quantity of each delta since the first sync's, in the order they were pushed.
    func pushedSinceStart() throws -> [(sku: String, quantity: Int?)] {
        try w.deltas().dropFirst(1_000).map {
            ($0["id"] as? String ?? "", ($0["values"] as? [String: Any])?["quantity"] as? Int)
        }
    }
}
