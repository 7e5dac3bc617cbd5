import Catalog
import CSQLite

/// One SQLite connection. Not `Sendable`: owned by one task at a time.
public final class Connection {
    let handle: OpaquePointer
    private var statementCache: [String: Statement] = [:]
    public let path: String
    private let checkpointer: Checkpointer

    /// The least WAL kept once a checkpoint copied all of it (`walKept(databaseBytes:)`).
    let walFloor: Int

    /// Opens (creating if needed) the database at `path` in WAL mode with foreign keys on.
    public init(path: String, walFloor: Int = 64 << 20) throws(SQLiteError) {
        self.walFloor = walFloor
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)  // close the handle even when open fails
            throw SQLiteError(code: code, message: "\(message): \(path)")
        }
        handle = db
        self.path = path
        checkpointer = Checkpointer(path: path)
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5_000)
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
        // Debian's SQLite overwrites deleted content by default, which writes every page a delete frees once
        // more (each push deletes its acknowledged outbox rows). FAST still zeroes it where that costs no
        // write. `temp` is named on its own: the unnamed pragma skips a temp database that is not open yet.
        try execute("PRAGMA secure_delete = FAST")
        try execute("PRAGMA temp.secure_delete = FAST")
        // 16 MiB of page cache (the default is 2): more of a cycle's dirty pages stay in memory until the
        // commit instead of spilling to the WAL, within the daemon's memory budget.
        try execute("PRAGMA cache_size = -\(Self.cacheKiB)")
        // Checkpoints run on a thread of their own (`Checkpointer`).
        try keepWAL()
        checkpointer.install(on: db)
    }

    /// The page cache, in KiB.
    static let cacheKiB = 16_384

    /// Sets how much of a WAL that grew during a long cycle is kept once a checkpoint has copied all of it
    /// (`journal_size_limit`, applied by the first commit after the WAL starts over): `walKept(databaseBytes:)` of
    /// the database as it is now.
    func keepWAL() throws(SQLiteError) {
        let pages = try statement("PRAGMA page_count").firstRow { $0.int(0) } ?? 0
        let pageSize = try statement("PRAGMA page_size").firstRow { $0.int(0) } ?? 4_096
        try execute("PRAGMA journal_size_limit = \(walKept(databaseBytes: Int(pages * pageSize)))")
    }

    /// Half the database, at least `walFloor` (64 MiB). A steady cycle's WAL (at 1M SKUs, up to 664 MB of a 2.3 GB
    /// database) then keeps its file space, which the next cycle writes into rather than growing the file again, and
    /// the first commit after a large cycle no longer truncates it: at 1M SKUs that held a stock drop's commit 177 ms
    /// while the WAL's page cache was freed. A larger WAL (a first sync's) is still trimmed back.
    func walKept(databaseBytes: Int) -> Int {
        max(walFloor, databaseBytes / 2)
    }

    /// Runs `body` with a page cache of `kib` KiB, then the usual one again. SQLite sizes the runs a sort keeps in
    /// memory (`ORDER BY` without an index) by the page cache: with a smaller cache, a large sort spills to its
    /// temporary file sooner instead of adding the cache's size to the peak once more.
    func withCacheSize<T>(kib: Int, _ body: () throws -> T) throws -> T {
        try execute("PRAGMA cache_size = -\(kib)")
        defer { try? execute("PRAGMA cache_size = -\(Self.cacheKiB)") }
        return try body()
    }

    deinit {
        checkpointer.stop()
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The only place where a C result code becomes a Swift error.
    func check(_ code: Int32, sql: String? = nil) throws(SQLiteError) {
        guard code == SQLITE_OK || code == SQLITE_ROW || code == SQLITE_DONE else {
            throw SQLiteError(code: sqlite3_extended_errcode(handle),
                              message: String(cString: sqlite3_errmsg(handle)), sql: sql)
        }
    }

    /// Runs one or more statements that take no parameters.
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// A prepared statement for `sql`, reused across calls (reset and cleared before it is returned).
    public func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statementCache[sql] {
            cached.reset()
            return cached
        }
        let statement = try Statement(connection: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back and rethrows the original error otherwise.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front so a busy database fails before any work is done.
    /// Not reentrant: nest with savepoints instead.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if FailPoint.shouldFail(.sqlite) { throw SQLiteError(code: 10, message: "injected failure before BEGIN") }
        try keepWAL()  // the database grows: a first sync starts from an empty one
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            if FailPoint.shouldFail(.sqlite) { throw SQLiteError(code: 10, message: "injected failure before COMMIT") }
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() throws(SQLiteError) -> String {
        let statement = try self.statement("PRAGMA integrity_check")
        var lines: [String] = []
        while try statement.step() { lines.append(statement.text(0) ?? "") }
        return lines.joined(separator: "\n")
    }
}
