import Foundation
@testable import Store

/// A database path in a fresh temporary folder; the caller removes `folder`.
func temporaryDatabase() throws -> (folder: URL, path: String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("catalogsync-db-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return (folder, folder.appendingPathComponent("state.db").path)
}

/// Writes about `pages` 4 KiB pages (rows of 3,900 random bytes in `filler`) in one transaction.
func writePages(_ connection: Connection, _ pages: Int) throws {
    try connection.execute("CREATE TABLE IF NOT EXISTS filler (bytes BLOB)")
    try connection.transaction {
        try connection.execute("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(pages))
            INSERT INTO filler SELECT randomblob(3900) FROM n
            """)
    }
}
