import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Store
import Testing

/// RELIABILITY T1: kill -9 at random moments of full syncs against the sandbox, restart, repeat; then
/// the state file is sound, every platform holds exactly the final desired state, and no SKU's
/// versioned write ever went back. `CATALOGSYNC_CRASH_TRIALS` sets the count (default 100),
/// `CATALOGSYNC_SEED` the seed (printed).
@Suite(.serialized) struct CrashTrialTests {
    @Test func killedAnywhereTheSyncStillConvergesWithNothingLost() throws {
        let trials = Int(ProcessInfo.processInfo.environment["CATALOGSYNC_CRASH_TRIALS"] ?? "") ?? 100
        let seed = UInt64(ProcessInfo.processInfo.environment["CATALOGSYNC_SEED"] ?? "")
            ?? UInt64(Date().timeIntervalSince1970)
        print("crash trials: \(trials), seed \(seed) (rerun with CATALOGSYNC_SEED=\(seed))")
        var random = SeededRandom(seed: seed)
        let sandbox = try SandboxSyncTests.RunningSandbox()
        var kills = 0, failedRecoveries = 0
        for trial in 0..<trials {
            _ = try sandbox.control("POST", "/_sandbox/reset")
            kills += try runTrial(trial, sandbox: sandbox, random: &random, label: "seed \(seed) trial \(trial)",
                                  failedRecoveries: &failedRecoveries)
        }
        print("crash trials: \(trials) done, \(kills) processes killed with SIGKILL, \(failedRecoveries) "
              + "recoveries run under an injected failure")
    }

    /// - Returns: how many runs were killed.
    func runTrial(_ trial: Int, sandbox: SandboxSyncTests.RunningSandbox, random: inout SeededRandom,
                  label: String, failedRecoveries: inout Int) throws -> Int {
        var stock = (0..<24).map { _ in random.next(upTo: 8) }
        let w = try SandboxSyncTests().workspace(sandbox, feed: SandboxSyncTests().feed(stock))
        var kills = 0
        for generation in 0..<3 {
            if generation > 0 {
                stock = stock.map { random.next(upTo: 3) == 0 ? random.next(upTo: 8) : $0 }
                try w.writeFeed(SandboxSyncTests().feed(stock))
            }
            // Start, kill at a random moment, restart — until one run finishes on its own. A third of the
            // restarts recover under an injected failure (a transaction boundary or a request fails).
            var finished = false
            var killedBefore = false
            while !finished {
                let process = Process()
                process.executableURL = Workspace.binary
                process.arguments = ["sync", "--once", "--config", w.config.path]
                if killedBefore, random.next(upTo: 3) == 0 {
                    var environment = ProcessInfo.processInfo.environment
                    environment["CATALOGSYNC_FAILPOINT"] = (random.next(upTo: 2) == 0 ? "sqlite:" : "http:")
                        + "\(1 + random.next(upTo: 6))" + (random.next(upTo: 2) == 0 ? "+" : "")
                    process.environment = environment
                    failedRecoveries += 1
                }
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                let delay = Double(random.next(upTo: 500)) / 1_000  // a run takes ~0.3–0.8 s here
                let deadline = Date().addingTimeInterval(delay)
                while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    kills += 1
                    killedBefore = true
                }
                process.waitUntilExit()
                finished = process.terminationReason == .exit
            }
        }
        // A last clean run (the platform may have held back a confirmation when the last run was killed).
        var settled = try w.run(["sync", "--once"])
        for _ in 0..<3 where !settled.stdout.contains("0 pending") || settled.stdout.contains("not confirmed") {
            settled = try w.run(["sync", "--once"])
        }
        let store = try CatalogStore(path: w.root.appendingPathComponent("state/catalogsync.db").path)
        #expect(try store.connection.integrityCheck() == "ok", "\(label)")
        #expect(try store.pendingCounts().values.reduce(0, +) == 0, "\(label): \(settled.stdout)")
        let google = try sandbox.items("google")
        for (index, quantity) in stock.enumerated() {
            let attributes = google.values.first { $0["offerId"] as? String == "S\(index)" }?["productAttributes"]
                as? [String: Any]
            let availability = attributes?["availability"] as? String
            #expect(availability == (quantity > 0 ? "IN_STOCK" : "OUT_OF_STOCK"), "\(label) google S\(index)")
        }
        #expect(try sandbox.googleVersionRegressions().isEmpty, "\(label): a Google version went back")
        // Meta has no version numbers: a batch a killed process had already sent can still be applied
        // after the restarted process's newer write (seen under load in CI: 2 of 100 trials). What
        // repairs that is the verifier, as in production: verify finds the drift, the next sync fixes it.
        var meta = try sandbox.items("meta")
        let drifted = stock.indices.filter { meta["S\($0)"]?["quantity_to_sell_on_facebook"] as? Int != stock[$0] }
        if !drifted.isEmpty {
            print("\(label): meta drifted on \(drifted.map { "S\($0)" }) after the crashes; verify repairs it")
            #expect(try w.run(["verify", "--channel", "meta"]).status == 1, "\(label): verify must see the drift")
            #expect(try w.run(["sync", "--once"]).status == 0, "\(label)")
            meta = try sandbox.items("meta")
        }
        for (index, quantity) in stock.enumerated() {
            #expect(meta["S\(index)"]?["quantity_to_sell_on_facebook"] as? Int == quantity, "\(label) meta S\(index)")
        }
        return kills
    }
}

struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(upTo bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}
