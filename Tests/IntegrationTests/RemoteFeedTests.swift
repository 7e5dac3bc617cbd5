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
                import hashlib, http.server, sys, os
                class H(http.server.BaseHTTPRequestHandler):
                    def do_GET(self):
                        path = os.path.join(sys.argv[1], self.path.lstrip('/'))
                        with open(sys.argv[2], 'a') as log: log.write(self.headers.get('If-None-Match', '-') + '\\n')
                        if not os.path.exists(path): self.send_response(503); self.end_headers(); return
                        body = open(path, 'rb').read()
                        etag = '"' + hashlib.md5(body).hexdigest() + '"'
                        if self.headers.get('If-None-Match') == etag: self.send_response(304); self.end_headers(); return
                        self.send_response(200); self.send_header('ETag', etag)
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

    @Test func conditionalGetSkipsAnUnchangedFeedAndAFailedFetchDeletesNothing() throws {
        let w = try Workspace(feed: sampleFeed())
        let served = w.root.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        try sampleFeed().write(to: served.appendingPathComponent("products.csv"), atomically: true, encoding: .utf8)
        let server = try FeedServer(folder: served)
        try """
            { state_dir: "../state",
              feeds: [{ name: "products", source: "http://127.0.0.1:\(server.port)/products.csv", currency: "SEK", locale: "sv_SE" }],
              channels: [{ name: "local", type: "file", path: "../out/local" }] }
            """.write(to: w.config, atomically: true, encoding: .utf8)
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
}
