extension CatalogStore {
    /// The validators of a remote feed's last download: its `ETag` and `Last-Modified`.
    public func fetchValidators(feed: String) throws -> (etag: String?, lastModified: String?) {
        try connection.statement("SELECT etag, last_modified FROM feeds WHERE name = ?").bind(.text(feed))
            .firstRow { ($0.text(0), $0.text(1)) } ?? (nil, nil)
    }

    public func setFetchValidators(feed: String, source: String, etag: String?, lastModified: String?) throws {
        try connection.statement("""
            INSERT INTO feeds (name, source, etag, last_modified) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified
            """).bind(.text(feed), .text(source), etag.map { .text($0) }, lastModified.map { .text($0) }).run()
    }
}
