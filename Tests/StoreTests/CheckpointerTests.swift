import CSQLite
import Foundation
import Testing
@testable import Store

@Suite struct CheckpointerTests {
    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// Polls `condition` for up to 10 s.
    func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<1_000 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test func aCommitPastTheThresholdReachesTheDatabaseFileWhileTheConnectionStaysOpen() throws {
        let (folder, path) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        let connection = try Connection(path: path)
        try writePages(connection, 1_500)
        // Until a checkpoint copies them, the pages live in the WAL only.
        #expect(eventually { fileSize(path) >= 1_500 * 4_096 })
        withExtendedLifetime(connection) {}
    }

    /// A WAL that grew in a long transaction keeps half the database's size once it starts over (here at least
    /// 1 MiB instead of 64): the next cycle writes into that space instead of allocating it again, and the commit that
    /// would have truncated it does not wait for that.
    @Test func aWALThatStartsOverKeepsHalfTheDatabasesSize() throws {
        let (folder, path) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        let connection = try Connection(path: path, walFloor: 1 << 20)
        try writePages(connection, 4_000)
        // A small commit once the checkpoint has copied all of the WAL starts it over, trimmed as the commit ends.
        #expect(eventually {
            (try? writePages(connection, 10)) != nil && fileSize(path + "-wal") < fileSize(path) / 2 + 200 * 4_096
        })
        let kept = fileSize(path + "-wal"), database = fileSize(path)
        #expect(kept >= database / 2 && kept < database / 2 + 200 * 4_096, "WAL \(kept), database \(database)")
        withExtendedLifetime(connection) {}
    }

    @Test func closingTheConnectionStopsTheThreadSoTheLastCloseRemovesTheWAL() throws {
        let (folder, path) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        var connection: Connection? = try Connection(path: path)
        try writePages(connection!, 1_500)
        try writePages(connection!, 1_200)
        connection = nil
        // SQLite deletes the WAL when its last connection closes: the thread's own connection is closed too.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(fileSize(path) >= 2_700 * 4_096)
    }

    @Test func whenTheThreadCannotOpenItsConnectionTheWriterCheckpointsItself() throws {
        let (folder, path) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        let connection = try Connection(path: path)
        let broken = Checkpointer(path: folder.appendingPathComponent("missing/state.db").path)
        broken.install(on: connection.handle)
        defer { broken.stop() }
        try writePages(connection, 1_100)  // starts the thread, which fails to open
        #expect(eventually { !broken.request() })
        let before = fileSize(path)
        try writePages(connection, 1_100)
        // No thread to wait for: the commit itself copied the WAL into the file.
        #expect(fileSize(path) >= before + 1_100 * 4_096)
    }
}
