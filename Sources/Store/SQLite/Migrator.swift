/// Brings a database's schema up to date, one numbered migration at a time, each in its own transaction.
///
/// Migrations are append-only: never edit a shipped one, add the next. An upgrade migrates the state
/// by itself on first open; a database newer than this binary is refused rather than damaged.
public struct Migrator {
    public var migrations: [(version: Int, sql: String)]

    public init(_ migrations: [(version: Int, sql: String)]) {
        self.migrations = migrations
    }

    /// The schema version recorded in `database` (0 for a new file).
    public func currentVersion(of database: Connection) throws(SQLiteError) -> Int {
        try database.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        let statement = try database.statement("SELECT max(version) FROM schema_version")
        return try statement.firstRow { Int($0.optionalInt(0) ?? 0) } ?? 0
    }

    /// Applies every migration newer than the database's version.
    /// - Returns: the versions applied.
    @discardableResult
    public func migrate(_ database: Connection) throws -> [Int] {
        let current = try currentVersion(of: database)
        let latest = migrations.map(\.version).max() ?? 0
        guard current <= latest else {
            throw SQLiteError(code: 1, message: "the state database has schema version \(current), newer than this "
                              + "catalogsync understands (\(latest)); upgrade catalogsync or restore a backup")
        }
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) where migration.version > current {
            try database.transaction {
                try database.execute(migration.sql)
                try database.statement("INSERT INTO schema_version (version) VALUES (?)")
                    .bind(.integer(Int64(migration.version))).run()
            }
            applied.append(migration.version)
        }
        return applied
    }
}
