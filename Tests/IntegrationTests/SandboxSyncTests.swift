import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The real binary against the real sandbox (`catalogsync sandbox`) over loopback: Meta, Google and
/// Pinterest channels at once, then the same with the sandbox failing requests.
@Suite(.serialized) struct SandboxSyncTests {
    /// Starts `catalogsync sandbox --port 0` and reads the port it printed.
    final class RunningSandbox {
        let process = Process()
        let port: Int

        init() throws {
            process.executableURL = Workspace.binary
            process.arguments = ["sandbox", "--port", "0"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text = ""
            let deadline = Date().addingTimeInterval(20)
            while !text.contains("\n"), Date() < deadline {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            guard let range = text.range(of: "http://127.0.0.1:"),
                  let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
                process.terminate()
                throw SandboxStartError(output: text)
            }
            self.port = port
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
        }

        var base: String { "http://127.0.0.1:\(port)" }

        func control(_ method: String, _ path: String, body: String? = nil) throws -> [String: Any] {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            request.httpBody = body.map { Data($0.utf8) }
            let result = try Workspace.fetch(request)
            return (try? JSONSerialization.jsonObject(with: result)) as? [String: Any] ?? [:]
        }

        /// SKUs whose versioned writes (Google keeps `versionNumber`) ever went back: `sku@version`.
        /// A history without any versioned write is reported too, so the check cannot pass vacuously.
        func googleVersionRegressions() throws -> [String] {
            let history = try control("GET", "/_sandbox/history?platform=google")["writes"] as? [[String: Any]] ?? []
            var newest: [String: Int] = [:], regressions: [String] = []
            for write in history {
                guard let sku = write["sku"] as? String, let version = write["version"] as? Int else { continue }
                if version < newest[sku, default: 0] { regressions.append("\(sku)@\(version)") }
                newest[sku] = max(newest[sku, default: 0], version)
            }
            return newest.isEmpty ? ["no versioned write recorded"] : regressions
        }

        func items(_ platform: String) throws -> [String: [String: Any]] {
            try control("GET", "/_sandbox/items?platform=\(platform)")["items"] as? [String: [String: Any]] ?? [:]
        }
    }

    struct SandboxStartError: Error { let output: String }

    func workspace(_ sandbox: RunningSandbox, feed: String) throws -> Workspace {
        let w = try Workspace(feed: feed, extraFeedKeys: ", guards: { max_zero_pct: 100 }")
        try "sandbox-token\n".write(to: w.root.appendingPathComponent("config/token"), atomically: true, encoding: .utf8)
        let base = sandbox.base
        try """
            {
              state_dir: "../state",
              feeds: [{ name: "products", source: "../feeds/products.csv", currency: "SEK", locale: "sv_SE",
                        guards: { max_zero_pct: 100 } }],
              channels: [
                // Batches of 7: a sync of 30-40 SKUs has several batches out at once (`batches_in_flight`: 4).
                { name: "meta", type: "meta", base_url: "\(base)/meta/v21.0", catalog_id: "1", token_file: "token",
                  poll_interval: "50ms", unconfirmed_after: "3s", batch_size: 7 },
                { name: "google", type: "google", base_url: "\(base)/google", merchant_id: "2", data_source: "3",
                  token_file: "token", feed_label: "SE", content_language: "sv" },
                { name: "pinterest", type: "pinterest", base_url: "\(base)/pinterest/v5", token_file: "token",
                  poll_interval: "50ms", unconfirmed_after: "3s" },
              ],
            }
            """.write(to: w.config, atomically: true, encoding: .utf8)
        return w
    }

    /// A feed of `count` SKUs with the given stock per SKU.
    func feed(_ stock: [Int]) -> String {
        var lines = ["id,title,price,availability,quantity,link,image_link,description,condition,brand"]
        for (index, quantity) in stock.enumerated() {
            lines.append("S\(index),Item \(index),\(100 + index).00 SEK,\(quantity > 0 ? "in_stock" : "out_of_stock"),"
                         + "\(quantity),https://shop.example/s\(index),https://cdn.example/s\(index).jpg,Nice,new,Acme")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func oneFeedReachesMetaGoogleAndPinterestAtOnce() throws {
        let sandbox = try RunningSandbox()
        let stock = (0..<40).map { $0 % 7 }
        let w = try workspace(sandbox, feed: feed(stock))
        let run = try w.run(["sync", "--once"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let meta = try sandbox.items("meta"), google = try sandbox.items("google"), pins = try sandbox.items("pinterest")
        #expect(meta.count == 40 && google.count == 40 && pins.count == 40)
        #expect(meta["S3"]?["quantity_to_sell_on_facebook"] as? Int == 3)
        #expect(meta["S3"]?["price"] as? String == "103.00 SEK")
        #expect(meta["S7"]?["availability"] as? String == "out of stock")
        let attributes = google.values.first { $0["offerId"] as? String == "S3" }?["productAttributes"] as? [String: Any]
        #expect((attributes?["price"] as? [String: Any])?["amountMicros"] as? String == "103000000")
    }

    @Test func failingRequestsStillConvergeWithoutRegressionAndRejectionsAreAlerted() throws {
        let sandbox = try RunningSandbox()
        var stock = (0..<30).map { 5 + $0 % 3 }
        let w = try workspace(sandbox, feed: feed(stock))
        #expect(try w.run(["sync", "--once"]).status == 0)
        // About a third of every platform's requests fail (seeded), plus a hang and a per-item rejection.
        for fault in [
            #"{"platform":"meta","status":429,"retry_after":"1","rate":0.33,"seed":1}"#,
            #"{"platform":"google","status":503,"rate":0.33,"seed":2}"#,
            #"{"platform":"pinterest","status":500,"rate":0.33,"seed":3}"#,
            #"{"platform":"google","hang":true,"count":1}"#,
            #"{"platform":"meta","reject_skus":["S4"],"message":"image is too small"}"#,
        ] {
            _ = try sandbox.control("POST", "/_sandbox/faults", body: fault)
        }
        // Three generations of stock changes, each synced once while the faults last.
        for step in 1...3 {
            stock = stock.enumerated().map { index, value in index % 3 == step % 3 ? max(0, value - step) : value }
            try w.writeFeed(feed(stock))
            let run = try w.run(["sync", "--once"])
            // 1: the platform rejected S4 (and some batches may not have finished): never 3.
            #expect(run.status <= 1, "step \(step): \(run.stdout)\n\(run.stderr)")
        }
        _ = try sandbox.control("DELETE", "/_sandbox/faults")
        var last = try w.run(["sync", "--once"])
        for _ in 0..<3 where last.stdout.contains(" pending") && !last.stdout.contains("; 0 pending") {
            last = try w.run(["sync", "--once"])
        }
        // Every channel holds exactly the final stock (S4 was rejected by Meta: it keeps its old value there).
        let meta = try sandbox.items("meta")
        for (index, quantity) in stock.enumerated() where index != 4 {
            #expect(meta["S\(index)"]?["quantity_to_sell_on_facebook"] as? Int == quantity, "meta S\(index)")
        }
        let pins = try sandbox.items("pinterest")
        for (index, quantity) in stock.enumerated() {
            let availability = (pins["S\(index)"]?["attributes"] as? [String: Any])?["availability"] as? String
                ?? pins["S\(index)"]?["availability"] as? String
            #expect(availability == (quantity > 0 ? "in stock" : "out of stock"), "pinterest S\(index)")
        }
        // Google keeps versions: no SKU was ever written an older version after a newer one.
        #expect(try sandbox.googleVersionRegressions().isEmpty)
        // The rejected item is alerted and visible in status.
        let status = try w.run(["status"])
        #expect(status.stdout.contains("meta (meta)"), "\(status.stdout)")
        #expect(status.stdout.contains("1 rejected"), "\(status.stdout)")
    }

    @Test func anItemChangedBehindOurBackIsReportedAndRepaired() throws {
        let sandbox = try RunningSandbox()
        let w = try workspace(sandbox, feed: feed([3, 4, 5]))
        #expect(try w.run(["sync", "--once"]).status == 0)
        #expect(try w.run(["verify"]).status == 0)
        // Someone edits the Meta item by hand: a lower price and more stock than we have.
        var request = URLRequest(url: URL(string: sandbox.base + "/meta/v21.0/1/items_batch")!)
        request.httpMethod = "POST"
        request.setValue("Bearer sandbox-token", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"item_type":"PRODUCT_ITEM","requests":[{"method":"UPDATE","data":{"id":"S1","price":"1.00 SEK","quantity_to_sell_on_facebook":99}}]}"#.utf8)
        _ = try Workspace.fetch(request)
        let verify = try w.run(["verify", "--channel", "meta"])
        #expect(verify.status == 1, "\(verify.stdout)\n\(verify.stderr)")
        #expect(verify.stderr.contains("event=mismatch channel=meta sku=S1 field=price expected=\"101.00 SEK\" actual=\"1.00 SEK\""),
                "\(verify.stderr)")
        #expect(verify.stderr.contains("event=mismatch channel=meta sku=S1 field=quantity expected=4 actual=99"))
        let repair = try w.run(["sync", "--once"])
        #expect(repair.status == 0)
        #expect(repair.stdout.contains("channel meta (meta): enqueued 0 create, 1 update"), "\(repair.stdout)")
        let item = try sandbox.items("meta")["S1"]
        #expect(item?["price"] as? String == "101.00 SEK")
        #expect(item?["quantity_to_sell_on_facebook"] as? Int == 4)
        #expect(try w.run(["verify", "--channel", "meta"]).status == 0)
    }

    @Test func fullResyncDeletesOrphansUnderTheGuardAndRepairsDrift() throws {
        let sandbox = try RunningSandbox()
        let w = try workspace(sandbox, feed: feed(Array(repeating: 3, count: 10)))
        #expect(try w.run(["sync", "--once"]).status == 0)
        func metaWrite(_ requests: String) throws {
            var request = URLRequest(url: URL(string: sandbox.base + "/meta/v21.0/1/items_batch")!)
            request.httpMethod = "POST"
            request.setValue("Bearer sandbox-token", forHTTPHeaderField: "Authorization")
            request.httpBody = Data(("{\"item_type\":\"PRODUCT_ITEM\",\"requests\":[" + requests + "]}").utf8)
            _ = try Workspace.fetch(request)
        }
        func orphan(_ sku: String) -> String {
            #"{"method":"CREATE","data":{"id":"\#(sku)","title":"Old","price":"5.00 SEK","availability":"in stock","condition":"new","description":"x","link":"https://x","image_link":"https://x/i.jpg"}}"#
        }
        // One orphan (10% of 10 listed) and a changed price: the orphan is deleted, the price repaired.
        try metaWrite(orphan("OLD1") + #",{"method":"UPDATE","data":{"id":"S2","price":"1.00 SEK"}}"#)
        let first = try w.run(["resync", "--full"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("channel meta: 10 checked, 1 fields differ, 0 missing, 1 orphans"), "\(first.stdout)")
        var items = try sandbox.items("meta")
        #expect(items["OLD1"] == nil)
        #expect(items["S2"]?["price"] as? String == "102.00 SEK")
        // Five orphans (50%) are more than max_delete_pct 20: held until --force.
        try metaWrite((1...5).map { orphan("OLD\($0 + 1)") }.joined(separator: ","))
        let held = try w.run(["resync", "--full"])
        #expect(held.status == 1)
        #expect(held.stdout.contains("5 orphans NOT deleted"), "\(held.stdout)")
        #expect(held.stderr.contains("event=orphans.held"))
        #expect(try sandbox.items("meta")["OLD2"] != nil)
        #expect(try w.run(["resync", "--full", "--force"]).status == 0)
        items = try sandbox.items("meta")
        #expect((2...6).allSatisfy { items["OLD\($0)"] == nil })
        #expect(items.count == 10)
    }
}
