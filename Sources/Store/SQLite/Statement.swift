import CSQLite

/// A prepared statement. Bind with 1-based indices, step, read columns with 0-based indices.
public final class Statement {
    let handle: OpaquePointer
    unowned let connection: Connection
    public let sql: String

    init(connection: Connection, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            try connection.check(code == SQLITE_OK ? SQLITE_ERROR : code, sql: sql)
            throw SQLiteError(code: code, message: "empty statement", sql: sql)
        }
        handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds values to parameters 1, 2, … in order.
    @discardableResult
    public func bind(_ values: SQLiteValue?...) throws(SQLiteError) -> Statement {
        try bind(values)
    }

    /// Binds `values` to parameters 1, 2, … in order.
    @discardableResult
    public func bind(_ values: [SQLiteValue?]) throws(SQLiteError) -> Statement {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
        return self
    }

    public func bind(_ value: SQLiteValue?, at index: Int32) throws(SQLiteError) {
        let code: Int32
        switch value {
        case nil: code = sqlite3_bind_null(handle, index)
        case .integer(let v)?: code = sqlite3_bind_int64(handle, index, v)
        case .text(let v)?: code = sqlite3_bind_text(handle, index, v, -1, csqlite_transient())
        case .real(let v)?: code = sqlite3_bind_double(handle, index, v)
        }
        try connection.check(code, sql: sql)
    }

    /// Steps once. - Returns: `true` when a row is available, `false` when done.
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        let error = SQLiteError(code: sqlite3_extended_errcode(connection.handle),
                                message: String(cString: sqlite3_errmsg(connection.handle)), sql: sql)
        sqlite3_reset(handle)
        throw error
    }

    /// Reads the first row (if any) and resets the statement.
    ///
    /// A statement stepped once and left un-reset keeps its read transaction open: the connection then
    /// sees a stale snapshot (another process's writes stay invisible) and its next write fails with
    /// SQLITE_BUSY_SNAPSHOT. Single-row queries go through here so that never happens.
    public func firstRow<T>(_ read: (Statement) -> T) throws(SQLiteError) -> T? {
        defer { sqlite3_reset(handle) }
        guard try step() else { return nil }
        return read(self)
    }

    /// Steps until done (for INSERT, UPDATE, DELETE).
    public func run() throws(SQLiteError) {
        while try step() {}
    }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    public func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }

    public func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The column's text bytes, valid until the next step; empty for NULL.
    public func withTextBytes<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard let pointer = sqlite3_column_text(handle, column) else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    public func real(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
}

/// A value to bind.
public enum SQLiteValue: Sendable, Hashable {
    case integer(Int64)
    case text(String)
    case real(Double)
}

extension SQLiteValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
}
