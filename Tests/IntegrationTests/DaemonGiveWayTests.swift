import Foundation
import Testing

/// A cycle that reads a primary feed gives way to an inventory feed's change: rolled back, it lets the stock drop's
/// cycle go first and reads the primary feed again, at most three times in a row.
extension DaemonTests {
    @Test func aStockDropDoesNotWaitForAGenerationsIngest() throws {
        let f = try LongIngest()
        defer { f.daemon.kill() }
        try f.startGeneration()
        try f.drop(skus: ["S100500"])

        try #require(eventually(timeout: 60) { try f.generationPushed(besides: ["S100500"]) }, "\(f.daemon.log)")
        let pushed = try f.pushedSinceStart()
        let drop = try #require(pushed.firstIndex { $0 == ("S100500", 0) }, "\(f.daemon.log)")
        // Before any of the generation, in a batch of its own: it did not wait for the generation's ingest and
        // reconcile (then it would lead the generation's first batch, stock decreases first), nor its push.
        #expect(drop == 0, "drop at \(drop) of \(pushed.count)")
        #expect(try f.firstBatchSinceStart()?.count == 1)
        #expect(f.daemon.lines(of: "cycle.gave_way").count == 1, "\(f.daemon.log)")
        #expect(!pushed.contains { $0.sku == "S100500" && $0.quantity != 0 })
        #expect(f.daemon.stop() == 0)
    }

    /// A generation of an http(s) feed gives way too, and is read again from the download it made: one download.
    @Test func aRemoteFeedsGenerationGivesWayAndIsNotDownloadedAgain() throws {
        let f = try LongIngest(remote: true)
        defer { f.daemon.kill() }
        try f.startGeneration()
        try f.drop(skus: ["S100500"])

        try #require(eventually(timeout: 60) { try f.generationPushed(besides: ["S100500"]) }, "\(f.daemon.log)")
        #expect(f.daemon.lines(of: "cycle.gave_way").count == 1, "\(f.daemon.log)")
        #expect(f.daemon.lines(of: "feed.fetched").count == 2, "\(f.daemon.log)")  // the first sync's and this one
        #expect(try f.firstBatchSinceStart()?.count == 1)
        #expect(f.daemon.stop() == 0)
    }

    /// Stock drops every 100 ms or so: a generation gives way three times, then runs to the end with drops still
    /// coming.
    @Test func inventoryChangesComingOftenDoNotHoldAGenerationBackForever() throws {
        let f = try LongIngest()
        defer { f.daemon.kill() }
        try f.startGeneration()
        var dropped: [String] = []
        let done = try eventually(timeout: 60, interval: 0.1) {
            if try f.generationPushed(besides: dropped) { return true }
            dropped.append("S\(100_000 + dropped.count)")
            try f.drop(skus: dropped)
            return false
        }
        try #require(done, "\(f.daemon.log)")
        let gaveWay = f.daemon.lines(of: "cycle.gave_way")
        #expect(gaveWay.count == 3, "\(f.daemon.log)")
        #expect(gaveWay.last?.contains("times=3") == true, "\(gaveWay)")
        #expect(f.daemon.stop() == 0)
    }
}

/// A daemon with 20,000 items and an inventory feed (the folder `feeds/stock`); a generation that changes every item
/// takes it about 2 s to read and reconcile (debug build). With `remote`, the primary feed is served over http and
/// polled every second.
private struct LongIngest {
    let w: Workspace
    let daemon: DaemonProcess
    let server: RemoteFeedTests.FeedServer?
    /// The batch files of the first sync.
    let batchesAtStart: Int
    static let count = 20_000

    static func feed(quantity: Int) -> String {
        "id,title,price,availability,quantity\n"
            + (0..<count).map { "S\(100_000 + $0),Item \($0),99.00 SEK,in_stock,\(quantity)\n" }.joined()
    }

    init(remote: Bool = false) throws {
        w = try Workspace(feed: Self.feed(quantity: 5))
        try w.writeDaemonConfig(stockFolder: true)
        if remote {
            let served = w.root.appendingPathComponent("served")
            try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
            try Self.feed(quantity: 5).write(to: served.appendingPathComponent("products.csv"), atomically: true,
                                             encoding: .utf8)
            let server = try RemoteFeedTests.FeedServer(folder: served)
            let text = try String(contentsOf: w.config, encoding: .utf8)
            try text.replacingOccurrences(of: #"source: "../feeds/products.csv","#,
                                          with: #"source: "http://127.0.0.1:\#(server.port)/products.csv", poll: "1s","#)
                .write(to: w.config, atomically: true, encoding: .utf8)
            self.server = server
        } else {
            server = nil
        }
        (daemon, _) = try w.startDaemon()
        guard try w.deltas().count == Self.count else {
            daemon.kill()
            throw NotifySocket.Failure(description: "the first sync did not push every item; log:\n\(daemon.log)")
        }
        batchesAtStart = w.batchFiles().count
    }

    /// Replaces the feed with one that raises every item's stock and waits until the daemon saw the change (or, for
    /// a served feed, downloaded it): its cycle reads the feed now.
    func startGeneration() throws {
        let event = server == nil ? "feed.changed" : "feed.fetched"
        let seen = daemon.lines(of: event).count
        if server == nil {
            try w.renameFeedIntoPlace(Self.feed(quantity: 6))
        } else {
            try Self.feed(quantity: 6).write(to: w.root.appendingPathComponent("served/products.csv"),
                                             atomically: true, encoding: .utf8)
        }
        try #require(eventually(interval: 0.002) { daemon.lines(of: event).count > seen }, "\(daemon.log)")
        // A drop counts while it is newer than the primary feed's file, to the millisecond: a drop in the same
        // millisecond as the file (the download is logged right after it is written) would not.
        Thread.sleep(forTimeInterval: 0.02)
    }

    /// Writes an inventory feed with `skus`' stock 0 (each file replaces the last: it lists every drop so far),
    /// renamed into place.
    func drop(skus: [String]) throws {
        let staged = w.root.appendingPathComponent("feeds/.stock.csv")
        try "id,quantity\n\(skus.map { "\($0),0\n" }.joined())".write(to: staged, atomically: false, encoding: .utf8)
        guard rename(staged.path, w.root.appendingPathComponent("feeds/stock/stock.csv").path) == 0 else {
            throw NotifySocket.Failure(description: "rename: \(String(cString: strerror(errno)))")
        }
    }

    /// The lines of the first batch file written since the first sync.
    func firstBatchSinceStart() throws -> [Substring]? {
        try w.batchFiles().sorted().dropFirst(batchesAtStart).first.map {
            try String(contentsOf: w.channelFolder.appendingPathComponent($0), encoding: .utf8).split(separator: "\n")
        }
    }

    /// SKU and quantity of each delta since the first sync's, in the order they were pushed.
    func pushedSinceStart() throws -> [(sku: String, quantity: Int?)] {
        try w.deltas().dropFirst(Self.count).map {
            ($0["id"] as? String ?? "", ($0["values"] as? [String: Any])?["quantity"] as? Int)
        }
    }

    /// Whether every item went out since the first sync, the last time with 0 if in `dropped`, else with the
    /// generation's stock.
    func generationPushed(besides dropped: [String]) throws -> Bool {
        var last: [String: Int?] = [:]
        for (sku, quantity) in try pushedSinceStart() { last[sku] = quantity }
        let zeroed = Set(dropped)
        return last.count == Self.count && last.allSatisfy { $0.value == (zeroed.contains($0.key) ? 0 : 6) }
    }
}
