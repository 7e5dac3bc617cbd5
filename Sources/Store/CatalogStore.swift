public import Foundation

/// The daemon's state: one SQLite file (WAL) in the state directory.
///
/// One writer: the process that holds it. Not `Sendable`; owned by one task.
public final class CatalogStore {
    public let connection: Connection
    /// Where the feeds' digest files go (`DigestFile`): the database's folder; `nil` for an in-memory database.
    let digestDirectory: String?

    /// Opens or creates the database at `path` and migrates it to the current schema.
    public init(path: String) throws {
        connection = try Connection(path: path)
        digestDirectory = path.isEmpty || path.hasPrefix(":memory:") || path.hasPrefix("file:") ? nil
            : URL(fileURLWithPath: path).deletingLastPathComponent().path
        try Migrator(Schema.migrations).migrate(connection)
        try connection.execute(Self.touchedTableSQL)
        try connection.execute(Self.stagedItemsTableSQL)
    }

    /// Opens `catalogsync.db` in `directory`, creating the directory if needed.
    public convenience init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try self.init(path: directory.appendingPathComponent("catalogsync.db").path)
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try connection.transaction(body)
    }

    /// Undoes everything since the enclosing `transaction` began, and begins it again (`SyncJob.ingestFeeds`).
    public func restartTransaction() throws {
        try connection.execute("ROLLBACK")
        try connection.execute("BEGIN IMMEDIATE")
    }

    /// Reads a stored time stamp back.
    public static func date(fromTimestamp text: String) -> Date? {
        try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)
            .timeZone(separator: .omitted))
    }

    /// A time stamp as stored: ISO 8601 UTC with milliseconds.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
