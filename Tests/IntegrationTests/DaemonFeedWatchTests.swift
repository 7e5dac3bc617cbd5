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
}
