/// An error from SQLite: its extended result code, its message and the statement that failed.
///
/// Never stores bound values: they may hold merchant data.
public struct SQLiteError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended code).
    public var primaryCode: Int32 { code & 0xff }

    /// SQLITE_BUSY or SQLITE_LOCKED: another process holds the database.
    public var isBusy: Bool { primaryCode == 5 || primaryCode == 6 }

    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " (in: \($0.prefix(120)))" } ?? "")
    }
}
