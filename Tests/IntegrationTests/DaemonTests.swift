#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `catalogsync run` as systemd runs it: the real binary, a notify socket, signals, a file channel.
///
/// Serialized: each test starts a daemon of its own, and the feed-watching latency report
/// (DaemonFeedWatchTests.swift) should not compete with the other daemons for the CPU.
@Suite(.serialized) struct DaemonTests {
    @Test func tellsSystemdItIsReadyAndPingsTheWatchdogThroughAPathSocket() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig()
        let socket = try NotifySocket(path: w.root.appendingPathComponent("notify.sock").path)
        let daemon = try DaemonProcess(w, environment: ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "500000"])
        defer { daemon.kill() }

        let ready = try #require(socket.waitForReady(), "no READY=1; log:\n\(daemon.log)")
        #expect(ready.contains("STATUS=serving: 1 feeds, 1 channels"), "\(ready)")
        // READY=1 comes after the first cycle: its batch is written by then.
        #expect(w.batchFiles().count == 1)
        // WATCHDOG_USEC=500000: a ping at least every 0.25 s.
        #expect(socket.waitFor { $0 == "WATCHDOG=1" } != nil, "\(socket.messages)")
        #expect(daemon.stop() == 0)
        #expect(socket.waitFor(timeout: 5) { $0.hasPrefix("STOPPING=1") } != nil, "\(socket.messages)")
    }

    /// A notify socket that nobody reads any more fills after a few datagrams: the daemon drops what does not fit
    /// and goes on syncing (each cycle sends two statuses).
    @Test func aNotifySocketNobodyReadsDoesNotStopTheDaemon() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig()
        let socket = try NotifySocket(path: w.root.appendingPathComponent("notify.sock").path)
        let daemon = try DaemonProcess(w, environment: ["NOTIFY_SOCKET": socket.address])
        defer { daemon.kill() }
        try #require(socket.waitForReady() != nil, "no READY=1; log:\n\(daemon.log)")
        for quantity in 20..<35 {
            try w.renameFeedIntoPlace(sampleFeed(quantityOfA2: quantity))
            try #require(eventually { (try w.deltas().last?["values"] as? [String: Any])?["quantity"] as? Int
                                      == quantity }, "quantity \(quantity) not pushed; log:\n\(daemon.log)")
        }
        #expect(daemon.stop() == 0)
    }

    @Test func tellsSystemdItIsReadyThroughAnAbstractSocket() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig()
        let socket = try NotifySocket(path: "catalogsync-it-\(UUID().uuidString)", abstract: true)
        #expect(socket.address.hasPrefix("@"))
        let daemon = try DaemonProcess(w, environment: ["NOTIFY_SOCKET": socket.address])
        defer { daemon.kill() }

        let ready = try #require(socket.waitForReady(), "no READY=1; log:\n\(daemon.log)")
        #expect(ready.contains("STATUS="))
        #expect(daemon.stop() == 0)
    }

    @Test func sighupRejectsABrokenConfigurationKeepsTheOldOneAndLoadsAGoodOne() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig()
        let (daemon, _) = try w.startDaemon()
        defer { daemon.kill() }

        // Line 6 of the file is the extra key.
        try w.writeDaemonConfig(extra: "wat: 1,")
        daemon.send(SIGHUP)
        #expect(daemon.waitFor("config.rejected"), "\(daemon.log)")
        let rejected = daemon.lines(of: "config.rejected").joined()
        #expect(rejected.contains("catalogsync.json:6: wat: unknown key"), "\(rejected)")
        #expect(rejected.contains("level=error"))
        #expect(daemon.lines(of: "config.reloaded").isEmpty)

        // The running configuration keeps working: a feed change is still pushed.
        let batches = w.batchFiles().count
        try w.renameFeedIntoPlace(sampleFeed(quantityOfA2: 1))
        try #require(eventually { w.batchFiles().count > batches }, "\(daemon.log)")
        #expect(try w.deltas().last?["id"] as? String == "A2")

        // A good, changed configuration: the channel now holds one unit of every SKU back.
        try w.writeDaemonConfig(channelKeys: ", stock: { buffer: 1 }")
        daemon.send(SIGHUP)
        #expect(daemon.waitFor("config.reloaded"), "\(daemon.log)")
        // The reload re-reads every feed under the new configuration: A1 goes from 5 to 4.
        let republished = try eventually {
            try w.deltas().contains { delta in
                delta["id"] as? String == "A1" && (delta["values"] as? [String: Any])?["quantity"] as? Int == 4
            }
        }
        #expect(republished, "\(daemon.log)")
        #expect(daemon.stop() == 0)
    }

    @Test func sigtermExitsZeroAndAChangeWrittenJustBeforeIsNotLost() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig()
        let (daemon, _) = try w.startDaemon()
        defer { daemon.kill() }

        try w.renameFeedIntoPlace(sampleFeed(quantityOfA2: 9))
        #expect(daemon.stop() == 0, "\(daemon.log)")
        #expect(daemon.lines(of: "daemon.stopping").first?.contains("signal=15") == true, "\(daemon.log)")
        #expect(daemon.lines(of: "daemon.stopped").count == 1)
        let pushedBeforeStopping = try w.deltas().last?["id"] as? String == "A2"

        // Pushed before it stopped, or read again and pushed by the next start: either way, pushed once.
        let (next, _) = try w.startDaemon()
        defer { next.kill() }
        #expect(next.stop() == 0)
        let updates = try w.deltas().filter { $0["id"] as? String == "A2" && $0["op"] as? String == "update" }
        #expect(updates.count == 1)
        #expect((updates.last?["values"] as? [String: Any])?["quantity"] as? Int == 9)
        let status = try w.run(["status"])
        #expect(status.status == 0, "\(status.stdout)")
        #expect(status.stdout.contains("local (file): 3 listed, 0 pending, 0 rejected"), "\(status.stdout)")
        print("daemon: a change renamed in just before SIGTERM was pushed "
              + (pushedBeforeStopping ? "before the daemon stopped" : "by the next start"))
    }

    @Test func aSecondDaemonOnTheSameStateExitsThreeNamingTheLockAndItsHolder() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig()
        let (daemon, _) = try w.startDaemon()
        defer { daemon.kill() }

        // Started like the first, so that a second daemon that did not refuse is still ended by the defer.
        let second = try DaemonProcess(w)
        defer { second.kill() }
        try #require(eventually { !second.process.isRunning }, "the second daemon still runs: \(second.log)")
        second.process.waitUntilExit()
        #expect(second.process.terminationStatus == 3)
        #expect(second.log.contains("catalogsync.lock"), "\(second.log)")
        #expect(second.log.contains("daemon pid \(daemon.pid)"), "\(second.log)")
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0)
    }

    @Test func syncAndResyncAreHandedToTheRunningDaemon() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig()
        let (daemon, _) = try w.startDaemon()
        defer { daemon.kill() }

        let resync = try w.run(["resync", "--full", "--wait", "20"])
        #expect(resync.status == 0, "\(resync.stdout)\n\(resync.stderr)")
        #expect(resync.stderr.contains("handed the resync to it"), "\(resync.stderr)")
        #expect(resync.stdout.contains("3 rows read, 3 accepted, 0 rejected"), "\(resync.stdout)")
        #expect(daemon.waitFor("request.finished"), "\(daemon.log)")
        #expect(daemon.lines(of: "request.started").first?.contains("kind=resync") == true)
        #expect(daemon.lines(of: "request.finished").first?.contains("status=0") == true)

        // A bad row: the handed-over sync reports it and exits 1, as the daemon's run did.
        try w.renameFeedIntoPlace(sampleFeed(extraRows: ["C1,,Hat,twelve SEK,,in_stock,1,Lumo"]))
        let sync = try w.run(["sync", "--once", "--wait", "20"])
        #expect(sync.status == 1, "\(sync.stdout)\n\(sync.stderr)")
        #expect(sync.stderr.contains("handed the sync to it"), "\(sync.stderr)")
        #expect(sync.stdout.contains("products.csv:6: price: \"twelve SEK\""), "\(sync.stdout)")
        #expect(daemon.waitFor("request.finished", count: 2), "\(daemon.log)")
        let finished = daemon.lines(of: "request.finished").last ?? ""
        #expect(finished.contains("kind=sync") && finished.contains("status=1"), "\(finished)")
        #expect(daemon.lines(of: "request.started").count == 2)
        #expect(daemon.stop() == 0)
    }

    @Test func writesAMetricsTextfileInThePrometheusFormat() throws {
        let w = try Workspace(feed: sampleFeed())
        try w.writeDaemonConfig(extra: "metrics: { textfile: \"../state/catalogsync.prom\" },")
        let (daemon, _) = try w.startDaemon()
        defer { daemon.kill() }

        let file = w.root.appendingPathComponent("state/catalogsync.prom")
        let text = try String(contentsOf: file, encoding: .utf8)
        // `name{label="value",…} value` and `# HELP name text` / `# TYPE name type` (the text exposition format).
        let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#, label = #"[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*""#
        let number = #"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf"#
        let sample = try Regex("\(name)(\\{\(label)(,\(label))*\\})? (\(number))")
        let comment = try Regex("# (HELP \(name) .+|TYPE \(name) (counter|gauge|summary|histogram|untyped))")
        #expect("catalogsync_x{feed=products} 1".wholeMatch(of: sample) == nil)  // the pattern itself rejects
        #expect("catalogsync_x{feed=\"products\"} 1.5".wholeMatch(of: sample) != nil)
        var typed: Set<String> = []
        var values: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("#") {
                #expect(line.wholeMatch(of: comment) != nil, "not a HELP or TYPE line: \(line)")
                if line.hasPrefix("# TYPE ") { typed.insert(String(line.split(separator: " ")[2])) }
                continue
            }
            let match = line.wholeMatch(of: sample)
            #expect(match != nil, "not `name{labels} value`: \(line)")
            let metric = String(line.prefix { $0 != "{" && $0 != " " })
            // A histogram's samples are its family name plus _bucket, _sum or _count.
            let family = ["_bucket", "_sum", "_count"].first { metric.hasSuffix($0) && typed.contains(String(metric.dropLast($0.count))) }
                .map { String(metric.dropLast($0.count)) } ?? metric
            #expect(typed.contains(family), "\(metric) has no TYPE line before it")
            #expect(metric.hasPrefix("catalogsync_"))
            values[String(line.split(separator: " ")[0])] = String(line.split(separator: " ")[1])
        }
        #expect(text.hasSuffix("\n"))
        #expect(values["catalogsync_feed_items{feed=\"products\"}"] == "3", "\(text)")
        #expect(values["catalogsync_outbox_pending{channel=\"local\"}"] == "0", "\(text)")
        #expect(values["catalogsync_pushed_total{channel=\"local\"}"] == "3", "\(text)")
        #expect(values["catalogsync_cycles_total"] == "1", "\(text)")
        #expect(daemon.stop() == 0)
    }
}
