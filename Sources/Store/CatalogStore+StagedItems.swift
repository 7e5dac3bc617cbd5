/// Items that a feed lists out of SKU order, held back and written into `items` in SKU order at the end of the feed.
///
/// `items` is keyed by feed and SKU, with rows of hundreds of bytes: written in the feed's order, each item of a
/// feed in another order lands on a random page of a table far larger than SQLite's 16 MiB cache, which is read
/// back and written to the WAL again and again (a first sync of 1M SKUs from a shuffled feed: ingest 70–76 s,
/// against 16 s from the same feed in SKU order). A temporary table takes them in arrival order instead (appended,
/// outside the WAL), and one `INSERT … SELECT … ORDER BY` sorts them (SQLite's sorter, in bounded memory) and
/// writes them as an ordered feed would. Staged rows belong to the caller's transaction: a feed rolled back takes
/// them along.
extension CatalogStore {
    /// The per-connection table of staged items (made when the store is opened).
    static let stagedItemsTableSQL = """
        CREATE TEMP TABLE IF NOT EXISTS staged_items (feed TEXT NOT NULL, sku TEXT NOT NULL, group_id TEXT,
            fingerprint INTEGER NOT NULL, data TEXT NOT NULL, line INTEGER, generation INTEGER NOT NULL,
            raw_hash INTEGER NOT NULL)
        """

    /// Starts a feed's staged items, none.
    public func beginStagedItems() throws {
        try connection.execute("DELETE FROM temp.staged_items")
    }

    /// Holds back one item as `upsertItem` would write it, until `applyStagedItems`.
    public func stageItem(feed: String, sku: String, groupID: String?, fingerprint: Int64, data: String,
                          line: Int?, generation: Int, rawHash: UInt64) throws {
        try connection.statement("INSERT INTO temp.staged_items VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(Self.itemValues(feed: feed, sku: sku, groupID: groupID, fingerprint: fingerprint, data: data,
                                  line: line, generation: generation, rawHash: rawHash)).run()
    }

    /// Writes every staged item into `items`, in SKU order, and forgets them.
    public func applyStagedItems() throws {
        // `WHERE true`: without a WHERE, SQLite would read `ON CONFLICT` as part of the SELECT's join.
        try connection.execute("""
            INSERT INTO items (\(Self.itemColumns))
            SELECT \(Self.itemColumns) FROM temp.staged_items WHERE true ORDER BY feed, sku
            \(Self.itemUpsert)
            """)
        try beginStagedItems()
    }
}
