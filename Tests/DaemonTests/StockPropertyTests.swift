import Catalog
import Foundation
import Reconcile
import Store
import Testing
@testable import Daemon

/// Properties of whole sync runs: random catalogs, random sequences of stock changes and feed
/// generations, 1–4 file channels with random shared and partition policies and batch sizes, pushes that give
/// way after their first batch at random (as the daemon's do to a feed change).
@Suite struct StockPropertyTests {
    @Test func noChannelIsToldMoreThanItsRulesAllowAndNothingIsLostOrOvertaken() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["CATALOGSYNC_SEED"] ?? "") ?? 0xC0FFEE
        var random = Generator(seed: seed)
        for trial in 0..<12 {
            try await runTrial(&random, label: "seed \(seed) trial \(trial)")
        }
    }

    func runTrial(_ random: inout Generator, label: String) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("catalogsync-prop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let skus = (0..<Int(random.next(in: 3...12))).map { "S\($0)" }
        var channels: [String] = []
        for index in 0..<Int(random.next(in: 1...4)) {
            var stock = "buffer: \(random.next(in: 0...2)), cap: \(random.next(in: 0...2) == 0 ? "\(random.next(in: 1...6))" : "null")"
            if random.next(in: 0...1) == 0 {
                stock += ", allocation: \"partition\", group: \"g\(random.next(in: 0...1))\", weight: \(random.next(in: 1...3)),"
                    + " priority: \(random.next(in: 0...2))"
            } else {
                stock += ", share: 0.\(random.next(in: 1...9))"
            }
            channels.append("{ name: \"c\(index)\", type: \"file\", path: \"out/c\(index)\", "
                + "batch_size: \(random.next(in: 1...3)), stock: { \(stock) } }")
        }
        let configText = """
            { state_dir: "state", feeds: [{ name: "f", source: "feed.csv", currency: "SEK",
              guards: { max_delete_pct: 100, max_zero_pct: 100 } }], channels: [\(channels.joined(separator: ","))] }
            """
        let config = try Config.parse(configText, file: root.appendingPathComponent("catalogsync.json"))
        let store = try CatalogStore(directory: config.stateDirectory)
        var stock = Dictionary(uniqueKeysWithValues: skus.map { ($0, Int(random.next(in: 0...9))) })
        for generation in 0..<6 {
            if generation > 0 {
                for sku in skus where random.next(in: 0...2) == 0 { stock[sku] = Int(random.next(in: 0...9)) }
            }
            let rows = skus.map { "\($0),Item,10.00 SEK,in_stock,\(stock[$0]!)" }
            try (["id,title,price,availability,quantity"] + rows).joined(separator: "\n")
                .write(to: root.appendingPathComponent("feed.csv"), atomically: true, encoding: .utf8)
            let job = SyncJob(config: config, store: store, logger: Logger(minimumLevel: .error, sink: { _ in }))
            // A push may give way after its first batch; then the next generation comes before the rest is pushed
            // (its run pushes both), or a run without new data pushes the rest, as the daemon's next cycle does.
            var options = SyncOptions()
            let givesWay = random.next(in: 0...1) == 0
            options.shouldYield = { givesWay }
            if try await job.run(options: options).channels.contains(where: \.yielded) {
                if generation < 5, random.next(in: 0...1) == 0 { continue }
                _ = try await job.run()
            }

            let told = try config.channels.map { try Self.replay(root.appendingPathComponent("out/\($0.name)")) }
            let rules = config.channels.map { (name: $0.name, rules: $0.rules) }
            for sku in skus {
                var base = Listing()
                base.set("availability", "in_stock")
                base["quantity"] = .integer(stock[sku]!)
                let allowed = Allocation.quantities(for: base, channels: rules)
                var groupSums: [String: Int] = [:]
                for (index, channel) in config.channels.enumerated() {
                    let quantity = told[index].quantity[sku] ?? 0
                    // Never more than the rules allow of the latest stock — and exactly that: nothing lost.
                    #expect(quantity <= stock[sku]!, "\(label) gen \(generation) \(channel.name) \(sku)")
                    #expect(quantity == allowed[channel.name], "\(label) gen \(generation) \(channel.name) \(sku)")
                    if case .partition(let group, _, _) = channel.rules.allocation {
                        groupSums[group, default: 0] += quantity
                    }
                }
                for (group, sum) in groupSums {
                    #expect(sum <= stock[sku]!, "\(label) gen \(generation) group \(group) \(sku): \(sum)")
                }
            }
            for (index, channel) in config.channels.enumerated() {
                #expect(told[index].overtaken.isEmpty, "\(label) \(channel.name): older version after newer")
            }
        }
    }

    /// Replays a file channel's batches: the last quantity told per SKU, and any delta whose version
    /// is not above the SKU's previous one.
    static func replay(_ folder: URL) throws -> (quantity: [String: Int], overtaken: [String]) {
        var quantity: [String: Int] = [:], version: [String: Int] = [:], overtaken: [String] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".jsonl") }
        for name in names.sorted() {
            for line in try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n") {
                let delta = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                let sku = delta["id"] as? String ?? "", v = delta["version"] as? Int ?? 0
                if v <= version[sku, default: 0] { overtaken.append("\(sku)@\(v)") }
                version[sku] = v
                quantity[sku] = (delta["values"] as? [String: Any])?["quantity"] as? Int ?? 0
            }
        }
        return (quantity, overtaken)
    }

    struct Generator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next(in range: ClosedRange<Int>) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + Int(z % UInt64(range.count))
        }
    }
}
