import Foundation
import Store
import Testing

/// RELIABILITY T2: fail the n-th SQLite transaction boundary or platform request for n = 1, 2, 3, …
/// until a sync finishes without reaching it — once failing only that operation, once failing every
/// later one — and after each failed run check that a clean run converges with nothing lost.
@Suite(.serialized) struct FaultSweepTests {
    @Test(arguments: ["sqlite", "http"], [false, true])
    func everyFailurePointLeavesAStateThatConverges(_ kind: String, _ andLater: Bool) throws {
        let sandbox = try SandboxSyncTests.RunningSandbox()
        var n = 1
        while n <= 200 {
            _ = try sandbox.control("POST", "/_sandbox/reset")
            let gen1 = (0..<12).map { $0 % 5 }, gen2 = (0..<12).map { ($0 * 7) % 6 }
            let w = try SandboxSyncTests().workspace(sandbox, feed: SandboxSyncTests().feed(gen1))
            #expect(try w.run(["sync", "--once"]).status == 0)
            try w.writeFeed(SandboxSyncTests().feed(gen2))
            let failing = try Workspace.catalogsync(["sync", "--once", "--config", w.config.path], in: w.root,
                                                    environment: ["CATALOGSYNC_FAILPOINT": "\(kind):\(n)\(andLater ? "+" : "")"])
            let label = "\(kind):\(n)\(andLater ? "+" : "")"
            let reached = failing.stderr.contains("failpoint reached kind=\(kind) n=\(n)")
            // Never a crash: a clear failure status (1 or 3) or done.
            #expect([0, 1, 3].contains(failing.status), "\(label): \(failing.stderr)")
            var settled = try w.run(["sync", "--once"])
            for _ in 0..<3 where !settled.stdout.contains("0 pending") || settled.stdout.contains("not confirmed") {
                settled = try w.run(["sync", "--once"])
            }
            #expect(settled.status == 0, "\(label): \(settled.stdout)\n\(settled.stderr)")
            let store = try CatalogStore(path: w.root.appendingPathComponent("state/catalogsync.db").path)
            #expect(try store.connection.integrityCheck() == "ok", "\(label)")
            let meta = try sandbox.items("meta")
            for (index, quantity) in gen2.enumerated() {
                #expect(meta["S\(index)"]?["quantity_to_sell_on_facebook"] as? Int == quantity, "\(label) S\(index)")
            }
            #expect(try sandbox.googleVersionRegressions().isEmpty, "\(label): a Google version went back")
            guard reached else { break }  // the sync finished without reaching the n-th operation
            n += 1
        }
        print("fault sweep \(kind)\(andLater ? " and every later one" : " only"): \(n) failure points")
        #expect(n > 1, "the sweep never reached a failure point: is CATALOGSYNC_FAILPOINT wired?")
    }
}
