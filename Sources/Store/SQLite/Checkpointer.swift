import CSQLite
import Foundation

/// Copies committed WAL frames into the database file on a thread of its own.
///
/// SQLite's automatic checkpoint runs inside the committing call: the writer waits while the WAL's pages are
/// written into the database file and both files are fsynced, every 1,000 pages — at a million SKUs, seconds
/// of every cycle, on the cycle's only core. Here a commit that leaves `threshold` frames or more in the WAL
/// only wakes this thread, which checkpoints through a connection of its own. Its checkpoints are PASSIVE:
/// they never block the writer, which goes on appending to the WAL meanwhile (the WAL starts over once a
/// checkpoint has copied all of it, and `journal_size_limit` then trims the file). Should the thread not be
/// able to open its connection, the writer checkpoints itself, as SQLite would have.
///
/// `@unchecked Sendable`: the mutable state is only touched under `condition`, and the thread's connection
/// is only used by the thread.
final class Checkpointer: @unchecked Sendable {
    /// Frames in the WAL that call for a checkpoint (SQLite's default).
    let threshold: Int32
    private let path: String
    private let condition = NSCondition()
    private var requested = false
    private var started = false
    private var stopping = false
    private var stopped = false

    init(path: String, threshold: Int32 = 1_000) {
        self.path = path
        self.threshold = threshold
    }

    /// Installs the hook that replaces SQLite's automatic checkpoint on the writer's connection `handle`.
    /// The hook holds this object unretained: the connection keeps it alive and calls `stop()` before closing.
    func install(on handle: OpaquePointer) {
        sqlite3_wal_hook(handle, { context, db, _, frames in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue()
            if frames >= checkpointer.threshold && !checkpointer.request() {
                sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Asks the thread for a checkpoint, starting it the first time.
    /// - Returns: `false` when there is no thread to ask (it could not open its connection, or it stopped).
    func request() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping && !stopped else { return false }
        requested = true
        if !started {
            started = true
            Thread.detachNewThread { [self] in run() }
        }
        condition.signal()
        return true
    }

    /// Stops the thread, if it runs, and waits until its connection is closed.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while started && !stopped { condition.wait() }
    }

    private func run() {
        var db: OpaquePointer?
        // A connection opens the WAL with its first read; until then (SQLite 3.40) a checkpoint does nothing.
        if sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) != SQLITE_OK
            || sqlite3_busy_timeout(db, 5_000) != SQLITE_OK
            || sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nil, nil, nil) != SQLITE_OK {
            sqlite3_close_v2(db)
            db = nil  // `stopped` below: the writer checkpoints itself from now on
        }
        while let db, waitForRequest() {
            sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        }
        sqlite3_close_v2(db)
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for a request. - Returns: `false` when stopping instead.
    private func waitForRequest() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !requested && !stopping { condition.wait() }
        requested = false
        return !stopping
    }
}
