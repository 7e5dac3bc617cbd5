import Foundation
import Testing

/// Two file channels in one partition group: what they are told never sums to more than the stock,
/// and within each batch the decreases come before any increase.
@Suite struct PartitionTests {
    @Test func twoChannelsSplitTheStockAndNeverPromiseMoreThanIt() throws {
        // B follows the 5 → 1 → 0 → 3; A moves the other way and sorts first, so only the priority
        // order puts B's decreases ahead of A's increases in a batch.
        let steps = [(a: 0, b: 5), (a: 4, b: 1), (a: 5, b: 0), (a: 1, b: 3)]
        let w = try Workspace(feed: Self.feed(steps[0]), extraFeedKeys: ", guards: { max_zero_pct: 100 }")
        try """
            {
              state_dir: "../state",
              feeds: [{ name: "products", source: "../feeds/products.csv", currency: "SEK",
                        guards: { max_zero_pct: 100 } }],
              channels: [
                { name: "google", type: "file", path: "../out/google",
                  stock: { allocation: "partition", group: "daan", weight: 1, priority: 1 } },
                { name: "meta", type: "file", path: "../out/meta",
                  stock: { allocation: "partition", group: "daan", weight: 1 } },
              ],
            }
            """.write(to: w.config, atomically: true, encoding: .utf8)
        for step in steps {
            try w.writeFeed(Self.feed(step))
            let run = try w.run(["sync", "--once"])
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            let google = try Self.quantities(w.root.appendingPathComponent("out/google"))
            let meta = try Self.quantities(w.root.appendingPathComponent("out/meta"))
            for (sku, stock) in [("A", step.a), ("B", step.b)] {
                let sum = (google[sku] ?? 0) + (meta[sku] ?? 0)
                #expect(sum <= stock, "\(sku) stock \(stock): google \(google[sku] ?? -1) + meta \(meta[sku] ?? -1)")
                // Stock 1 over two equal channels is 1 and 0, not 0 and 0: the whole stock is offered.
                #expect(sum == stock, "\(sku): stock \(stock), offered \(sum)")
            }
        }
        var sawMixedBatch = false
        for folder in ["out/google", "out/meta"] {
            var told: [String: Int] = [:]
            for batch in try Self.batches(w.root.appendingPathComponent(folder)) {
                var seenIncrease = false
                for delta in batch {
                    let sku = delta["id"] as? String ?? ""
                    let quantity = (delta["values"] as? [String: Any])?["quantity"] as? Int ?? 0
                    let decrease = quantity < told[sku, default: 0]
                    #expect(!(decrease && seenIncrease), "\(folder): a decrease after an increase in \(batch)")
                    if quantity > told[sku, default: 0] { seenIncrease = true }
                    if decrease && batch.count > 1 { sawMixedBatch = true }
                    told[sku] = quantity
                }
            }
        }
        #expect(sawMixedBatch, "the steps should produce a batch with both a decrease and an increase")
    }

    static func feed(_ step: (a: Int, b: Int)) -> String {
        "id,title,price,availability,quantity\n"
            + "A,Dress,199.00 SEK,in_stock,\(step.a)\nB,Hat,99.00 SEK,in_stock,\(step.b)\n"
    }

    /// Each batch file's deltas, in file order.
    static func batches(_ folder: URL) throws -> [[[String: Any]]] {
        let names = (try FileManager.default.contentsOfDirectory(atPath: folder.path)).filter { $0.hasSuffix(".jsonl") }
        return try names.sorted().map { name in
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
            }
        }
    }

    /// The latest quantity each SKU was told, replaying the batches in order.
    static func quantities(_ folder: URL) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for delta in try batches(folder).joined() {
            guard let sku = delta["id"] as? String else { continue }
            result[sku] = (delta["values"] as? [String: Any])?["quantity"] as? Int ?? 0
        }
        return result
    }
}
