/// What a run changed, so that reconcile can look at those SKUs only, and when that is enough.
///
/// Ingest `touch`es every SKU whose item it created, changed or deleted, and every SKU an inventory feed
/// updated; the list lives in a temporary table for the run. A channel's `reconcile_marks` row records the
/// configuration of its last whole reconcile and the next moment a sale window opens or closes: while both
/// hold, every SKU the run did not touch is already reconciled.
extension CatalogStore {
    /// The per-connection table of touched SKUs (made when the store is opened).
    static let touchedTableSQL = "CREATE TEMP TABLE IF NOT EXISTS touched (sku TEXT PRIMARY KEY) WITHOUT ROWID"

    /// Starts the run's list of touched SKUs, empty.
    public func beginTouched() throws {
        try connection.execute("DELETE FROM temp.touched")
    }

    /// Notes that this run changed what the feeds say about `sku`.
    public func touch(sku: String) throws {
        try connection.statement("INSERT OR IGNORE INTO temp.touched VALUES (?)").bind(.text(sku)).run()
    }

    /// Touches every SKU with a stock override: whether one applies depends on its primary feed's file time.
    public func touchOverridden() throws {
        try connection.execute("INSERT OR IGNORE INTO temp.touched SELECT sku FROM stock_overrides")
    }

    public func touchedCount() throws -> Int {
        try connection.statement("SELECT count(*) FROM temp.touched").firstRow { Int($0.int(0)) } ?? 0
    }

    /// Items across all feeds (what a whole reconcile walks).
    public func totalItemCount() throws -> Int {
        try connection.statement("SELECT coalesce(sum(item_count), 0) FROM feeds").firstRow { Int($0.int(0)) } ?? 0
    }

    /// The configuration key and horizon of the channel's last whole reconcile, if it still holds.
    public func reconcileMark(channel: String) throws -> (configKey: String, validUntil: String?)? {
        try connection.statement("SELECT config_key, valid_until FROM reconcile_marks WHERE channel = ?")
            .bind(.text(channel)).firstRow { ($0.text(0) ?? "", $0.text(1)) }
    }

    public func setReconcileMark(channel: String, configKey: String, validUntil: String?) throws {
        try connection.statement("""
            INSERT INTO reconcile_marks (channel, config_key, valid_until) VALUES (?, ?, ?)
            ON CONFLICT (channel) DO UPDATE SET config_key = excluded.config_key, valid_until = excluded.valid_until
            """).bind(.text(channel), .text(configKey), validUntil.map { .text($0) }).run()
    }

    /// Forgets the channel's mark (every channel's for `nil`): its next reconcile walks every SKU. For
    /// whatever changes listings outside reconcile (verify, resync).
    public func clearReconcileMark(channel: String?) throws {
        if let channel {
            try connection.statement("DELETE FROM reconcile_marks WHERE channel = ?").bind(.text(channel)).run()
        } else {
            try connection.execute("DELETE FROM reconcile_marks")
        }
    }
}
