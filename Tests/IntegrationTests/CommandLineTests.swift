import Foundation
import Testing

@Suite struct CommandLineTests {
    @Test func validateListsBadRowsAndChangesNoState() throws {
        let w = try Workspace(feed: sampleFeed(extraRows: ["C1,,Hat,\"1,299\",,in_stock,1,Lumo"]))
        // Run outside the workspace: no configuration applies, so no locale settles "1,299".
        let run = try Workspace.catalogsync(["validate", w.feed.path, "--currency", "SEK"],
                                            in: FileManager.default.temporaryDirectory)
        #expect(run.status == 1)
        #expect(run.stdout.contains("products.csv:6: price: \"1,299\" is ambiguous"), "\(run.stdout)")
        #expect(run.stdout.contains("4 rows, 3 ok, 1 rejected"))
        #expect(!FileManager.default.fileExists(atPath: w.root.appendingPathComponent("state").path))
    }

    @Test func validateUsesTheConfiguredFeedsLocale() throws {
        let w = try Workspace(feed: sampleFeed(extraRows: ["C1,,Hat,1.299,,in_stock,1,Lumo"]))
        let run = try w.run(["validate", "products"])
        #expect(run.status == 0, "\(run.stdout)")  // sv_SE writes decimal commas: 1.299 is 1299.00 SEK
    }

    @Test func everyCommandHasHelpAndUnknownOnesAreUsageErrors() throws {
        let folder = FileManager.default.temporaryDirectory
        for command in ["sync", "validate", "status"] {
            let run = try Workspace.catalogsync([command, "--help"], in: folder)
            #expect(run.status == 0)
            #expect(run.stdout.contains("usage: catalogsync \(command)"))
        }
        #expect(try Workspace.catalogsync(["frobnicate"], in: folder).status == 2)
        #expect(try Workspace.catalogsync(["sync"], in: folder).status == 2)  // --once is required
        #expect(try Workspace.catalogsync(["sync", "--once", "--bogus"], in: folder).status == 2)
    }

    @Test func brokenConfigurationIsExitTwoNamingTheKeyAndLine() throws {
        let w = try Workspace(feed: sampleFeed())
        try "{\n feeds: [],\n channels: [],\n wat: 1\n}".write(to: w.config, atomically: true, encoding: .utf8)
        let run = try w.run(["sync", "--once"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("configuration error"))
    }

    @Test func aSecondWriterIsRefusedWithExitThree() throws {
        let w = try Workspace(feed: sampleFeed())
        let lockFolder = w.root.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: lockFolder, withIntermediateDirectories: true)
        // Hold the lock from another process: flock(1) keeps it while `sleep` runs.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [lockFolder.appendingPathComponent("catalogsync.lock").path, "sleep", "5"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        Thread.sleep(forTimeInterval: 0.3)
        let run = try w.run(["sync", "--once"])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("locked"))
    }

    @Test func aFailedPushKeepsTheDeltasWithTheirRetryTimeAndError() throws {
        let w = try Workspace(feed: sampleFeed())
        // The channel's folder is a plain file: the write fails, nothing is acknowledged.
        try FileManager.default.createDirectory(at: w.root.appendingPathComponent("out"), withIntermediateDirectories: true)
        try "not a folder".write(to: w.channelFolder, atomically: true, encoding: .utf8)
        let run = try w.run(["sync", "--once"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("event=push.failed channel=local"))
        let status = try w.run(["status"])
        #expect(status.stdout.contains("3 pending (3 after a failed push)"), "\(status.stdout)")
        try FileManager.default.removeItem(at: w.channelFolder)
        #expect(try w.run(["sync", "--once"]).status == 0)
        #expect(try w.deltas().count == 3)
    }
}
