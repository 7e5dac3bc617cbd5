/// What a remote feed's server said of a download, for the next conditional GET.
public struct FetchValidators: Sendable, Equatable {
    public var etag: String?
    public var lastModified: String?

    public init(etag: String?, lastModified: String?) {
        self.etag = etag
        self.lastModified = lastModified
    }
}

extension CatalogStore {
    /// The validators of the last download of a remote feed that a run read (applied or turned down).
    public func fetchValidators(feed: String) throws -> FetchValidators {
        try connection.statement("SELECT etag, last_modified FROM feeds WHERE name = ?").bind(.text(feed))
            .firstRow { FetchValidators(etag: $0.text(0), lastModified: $0.text(1)) }
            ?? FetchValidators(etag: nil, lastModified: nil)
    }

    /// Stores what the server said of the download a run read, in the run's transaction.
    public func setFetchValidators(feed: String, source: String, _ validators: FetchValidators) throws {
        try connection.statement("""
            INSERT INTO feeds (name, source, etag, last_modified) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified
            """).bind(.text(feed), .text(source), validators.etag.map { .text($0) },
                      validators.lastModified.map { .text($0) }).run()
    }
}
