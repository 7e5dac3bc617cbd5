import Foundation
import Testing

/// A feed at an http URL: fetched with a conditional GET; unchanged → no ingest; a failed fetch
/// rejects the feed for the run and deletes nothing.
@Suite(.serialized) struct RemoteFeedTests {
    /// A tiny loopback HTTP server (Python's standard library) with ETags, counting requests.
    final class FeedServer {
        let process = Process()
        let folder: URL
        let port: Int
        let log: URL

        init(folder: URL) throws {
            self.folder = folder
            log = folder.appendingPathComponent("requests.log")
            let script = """
                import email.utils, hashlib, http.server, sys, os
                class H(http.server.BaseHTTPRequestHandler):
                    def do_GET(self):
                        path = os.path.join(sys.argv[1], self.path.lstrip('/'))
                        with open(sys.argv[2], 'a') as log: log.write(self.headers.get('If-None-Match', '-') + '\\n')
                        if not os.path.exists(path): self.send_response(503); self.end_headers(); return
                        body = open(path, 'rb').read()
                        etag = '"' + hashlib.md5(body).hexdigest() + '"'
                        if self.headers.get('If-None-Match') == etag: self.send_response(304); self.end_headers(); return
                        self.send_response(200); self.send_header('ETag', etag)
                        self.send_header('Last-Modified', email.utils.formatdate(os.path.getmtime(path), usegmt=True))
                        self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
                    def log_message(self, *a): pass
                s = http.server.HTTPServer(('127.0.0.1', 0), H)
                print(s.server_address[1], flush=True)
                s.serve_forever()
                """
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, folder.path, log.path]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.terminate()
                throw CocoaError(.fileReadUnknown)
            }
            self.port = port
        }

        deinit {
            kill(process.processIdentifier, SIGKILL)  // it may have inherited SIGTERM ignored from the runner
            process.waitUntilExit()
        }

        var requests: [String] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    /// A workspace whose feed is served by `server` from `served/products.csv` (with its file's time as
    /// `Last-Modified`), with `feeds` after it.
    private static func servedWorkspace(feeds: String = "") throws -> (Workspace, served: URL, server: FeedServer) {
        let w = try Workspace(feed: sampleFeed())
        let served = w.root.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        try sampleFeed().write(to: served.appendingPathComponent("products.csv"), atomically: true, encoding: .utf8)
        let server = try FeedServer(folder: served)
        try """
            { state_dir: "../state",
              feeds: [{ name: "products", source: "http://127.0.0.1:\(server.port)/products.csv",
                        currency: "SEK", locale: "sv_SE" } \(feeds)],
              channels: [{ name: "local", type: "file", path: "../out/local" }] }
            """.write(to: w.config, atomically: true, encoding: .utf8)
        return (w, served, server)
    }

    @Test func conditionalGetSkipsAnUnchangedFeedAndAFailedFetchDeletesNothing() throws {
        let (w, served, server) = try Self.servedWorkspace()
        let first = try w.run(["sync", "--once"])
        #expect(first.status == 0, "\(first.stdout)\\n\(first.stderr)")
        #expect(try w.deltas().count == 3)
        let second = try w.run(["sync", "--once"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("unchanged since the last download"), "\(second.stdout)")
        #expect(server.requests.count == 2 && server.requests[1].hasPrefix("\""))  // sent If-None-Match
        try sampleFeed(quantityOfA2: 1).write(to: served.appendingPathComponent("products.csv"), atomically: true,
                                             encoding: .utf8)
        #expect(try w.run(["sync", "--once"]).status == 0)
        #expect(try w.deltas().count == 4)
        // The server fails: the feed is rejected for this run, nothing is deleted.
        try FileManager.default.removeItem(at: served.appendingPathComponent("products.csv"))
        let failed = try w.run(["sync", "--once"])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("fetch failed: HTTP 503"), "\(failed.stdout)")
        #expect(try w.deltas().count == 4)
    }

    /// The validators of a download are stored with what the run made of it: a run that fails before its commit
    /// (or is killed) leaves the old ones, and the next run downloads the feed again instead of hearing
    /// "not modified" and never reading it.
    @Test func aDownloadARunDidNotCommitIsFetchedAndReadAgain() throws {
        let (w, served, server) = try Self.servedWorkspace()
        #expect(try w.run(["sync", "--once"]).status == 0)
        try sampleFeed(quantityOfA2: 1).write(to: served.appendingPathComponent("products.csv"), atomically: true,
                                             encoding: .utf8)
        // The run's transaction begins (1st SQLite operation counted), then fails before its commit (2nd).
        let failed = try Workspace.catalogsync(["sync", "--once", "--config", w.config.path], in: w.root,
                                               environment: ["CATALOGSYNC_FAILPOINT": "sqlite:2"])
        #expect(failed.status == 3, "\(failed.stdout)\n\(failed.stderr)")
        #expect(failed.stderr.contains("injected failure before COMMIT"), "\(failed.stderr)")
        #expect(try w.deltas().count == 3)
        let again = try w.run(["sync", "--once"])
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(!again.stdout.contains("unchanged since the last download"), "\(again.stdout)")
        let deltas = try w.deltas()
        #expect(deltas.count == 4)
        #expect((deltas.last?["values"] as? [String: Any])?["quantity"] as? Int == 1, "\(deltas.last ?? [:])")
        #expect(server.requests.count == 3)
        // Read now: the next run is told it has not changed.
        #expect(try w.run(["sync", "--once"]).stdout.contains("unchanged since the last download"))
    }

    /// A download turned down (here: held by a guard) was read too: it is not downloaded again while unchanged.
    @Test func aHeldDownloadIsNotFetchedAgainWhileUnchanged() throws {
        let (w, served, server) = try Self.servedWorkspace()
        #expect(try w.run(["sync", "--once"]).status == 0)
        try "id,item_group_id,title,price,sale_price,availability,quantity,brand\nA1,G1,Dress,199.00 SEK,,in_stock,5,N\n"
            .write(to: served.appendingPathComponent("products.csv"), atomically: true, encoding: .utf8)
        let held = try w.run(["sync", "--once"])
        #expect(held.status == 1 && held.stdout.contains("HELD"), "\(held.stdout)")
        let again = try w.run(["sync", "--once"])
        #expect(again.stdout.contains("unchanged since the last download"), "\(again.stdout)")
        #expect(server.requests.count == 3 && server.requests[2].hasPrefix("\""))
    }

    /// A download is dated when the server's copy was last modified, as an export's file is: a stock drop observed
    /// after the export but before its download stays newer than the feed, and the SKU is not listed with the
    /// export's older stock (it was, while a download was dated when it was made).
    @Test func aDropBetweenAnExportAndItsDownloadHolds() throws {
        let inventory = #", { name: "stock", source: "../stock", kind: "inventory" }"#
        let (w, served, server) = try Self.servedWorkspace(feeds: inventory)
        let stock = w.root.appendingPathComponent("stock")
        try FileManager.default.createDirectory(at: stock, withIntermediateDirectories: true)
        func write(_ text: String, to file: URL, secondsAgo: Double) throws {
            try text.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-secondsAgo)],
                                                  ofItemAtPath: file.path)
        }
        let export = served.appendingPathComponent("products.csv"), drop = stock.appendingPathComponent("s.csv")
        try write(sampleFeed(), to: export, secondsAgo: 600)
        try write("id,quantity\nA2,3\n", to: drop, secondsAgo: 900)
        let first = try w.run(["sync", "--once"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        // The next export two minutes ago (A1's stock changed), A2 sold out a minute ago, the download now.
        try write(sampleFeed().replacingOccurrences(of: "in_stock,5,", with: "in_stock,4,"), to: export,
                  secondsAgo: 120)
        try write("id,quantity\nA2,0\n", to: drop, secondsAgo: 60)
        let second = try w.run(["sync", "--once"])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stderr.contains("event=feed.fetched feed=products") && !second.stderr.contains("modified=-"))
        let a2 = try w.deltas().last { $0["id"] as? String == "A2" }
        #expect((a2?["values"] as? [String: Any])?["quantity"] as? Int == 0, "\(a2 ?? [:])")
        #expect(server.requests.count == 2)
        // The same copy downloaded whole again is the same export: the drop still holds.
        let resync = try w.run(["resync", "--full"])
        #expect(resync.status == 0, "\(resync.stdout)\n\(resync.stderr)")
        #expect(server.requests.count == 3)
        let after = try w.deltas().last { $0["id"] as? String == "A2" }
        #expect((after?["values"] as? [String: Any])?["quantity"] as? Int == 0, "\(after ?? [:])")
    }

    /// A server that changes its copy but not its `Last-Modified` does not keep that time: such a download is dated
    /// when it was made, as before, not a day back (where `max_age` would count from).
    @Test func aCopyChangedWithoutItsLastModifiedIsDatedWhenDownloaded() throws {
        let (w, served, server) = try Self.servedWorkspace()
        let export = served.appendingPathComponent("products.csv")
        let kept = w.root.appendingPathComponent("state/feeds/products.csv")
        func keptTime() throws -> Date {
            try #require(try FileManager.default.attributesOfItem(atPath: kept.path)[.modificationDate] as? Date)
        }
        let dayAgo = Date().addingTimeInterval(-86_400)
        try FileManager.default.setAttributes([.modificationDate: dayAgo], ofItemAtPath: export.path)
        #expect(try w.run(["sync", "--once"]).status == 0)
        #expect(try abs(keptTime().timeIntervalSince(dayAgo)) < 2)
        try sampleFeed(quantityOfA2: 1).write(to: export, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: dayAgo], ofItemAtPath: export.path)
        let second = try w.run(["sync", "--once"])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stderr.contains("event=feed.fetched feed=products") && second.stderr.contains("modified=-"))
        #expect(try keptTime() > Date().addingTimeInterval(-60))
        #expect(server.requests.count == 2)
    }

    /// `approve` (and `sync --force`) lets the held download through: it is read from the copy kept in the state
    /// folder, not asked for again — the server would answer "not modified" and the generation would stay held.
    @Test(arguments: [["approve", "products"], ["sync", "--once", "--force"]])
    func anApprovedHeldDownloadIsApplied(command: [String]) throws {
        let (w, served, server) = try Self.servedWorkspace()
        #expect(try w.run(["sync", "--once"]).status == 0)
        let header = "id,item_group_id,title,price,sale_price,availability,quantity,brand"
        try "\(header)\nA1,G1,Dress,199.00 SEK,,in_stock,5,N\n"
            .write(to: served.appendingPathComponent("products.csv"), atomically: true, encoding: .utf8)
        #expect(try w.run(["sync", "--once"]).stdout.contains("HELD"))
        let approved = try w.run(command)
        #expect(approved.status == 0, "\(approved.stdout)\n\(approved.stderr)")
        let deltas = try w.deltas()
        #expect(deltas.filter { $0["op"] as? String == "delete" }.count == 2, "\(deltas)")
        #expect(server.requests.count == 2)
        #expect(try w.run(["sync", "--once"]).stdout.contains("unchanged since the last download"))
    }
}
