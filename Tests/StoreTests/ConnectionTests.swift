import CSQLite
import Foundation
import Testing
@testable import Store

@Suite struct ConnectionTests {
    func withDatabase(_ body: (Connection) throws -> Void) throws {
        let (folder, path) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(Connection(path: path))
    }

    func integer(_ connection: Connection, _ sql: String) throws -> Int64 {
        let statement = try connection.statement(sql)
        #expect(try statement.step())
        return statement.int(0)
    }

    /// Frames in the WAL: what the transactions since the last restart wrote.
    func walFrames(_ connection: Connection) -> Int32 {
        var frames: Int32 = -1
        var copied: Int32 = -1
        sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied)
        return frames
    }

    @Test func deletedContentIsOverwrittenOnlyWhereThatCostsNoWriteInMainAndTemp() throws {
        try withDatabase { connection in
            try connection.execute("CREATE TEMP TABLE scratch (a)")  // the temp database opens here
            #expect(try integer(connection, "PRAGMA main.secure_delete") == 2)  // 2: FAST
            #expect(try integer(connection, "PRAGMA temp.secure_delete") == 2)
        }
    }

    /// WAL frames written by deleting every other row of a table of 500 one-page rows.
    func framesForDeletingHalf(overwritingEverything: Bool) throws -> Int32 {
        var frames: Int32 = -1
        try withDatabase { connection in
            if overwritingEverything { try connection.execute("PRAGMA secure_delete = ON") }
            try writePages(connection, 500)
            // Empty the WAL, so that it holds only what the delete writes.
            sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
            try connection.transaction { try connection.execute("DELETE FROM filler WHERE rowid % 2 = 0") }
            frames = walFrames(connection)
        }
        return frames
    }

    @Test func deletingRowsWritesFewerPagesThanOverwritingEverything() throws {
        let fast = try framesForDeletingHalf(overwritingEverything: false)
        let overwriting = try framesForDeletingHalf(overwritingEverything: true)
        // Overwriting writes each freed page once more (about 500 frames here against 250).
        #expect(fast > 0 && fast * 4 < overwriting * 3, "WAL frames: \(fast), overwriting everything: \(overwriting)")
    }
}
