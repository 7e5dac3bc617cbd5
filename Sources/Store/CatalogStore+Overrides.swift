extension CatalogStore {
    /// Records stock (and price) for `sku` from an inventory feed, replacing what that SKU had unless that was
    /// observed later (a file put back from a backup, or read after a newer one).
    /// - Returns: whether it was recorded.
    @discardableResult
    public func upsertOverride(sku: String, feed: String, override: StockOverride, observedAt: String,
                               line: Int) throws -> Bool {
        try connection.statement("""
            INSERT INTO stock_overrides (sku, feed, quantity, availability, price, sale_price, observed_at, line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (sku) DO UPDATE SET feed = excluded.feed, quantity = excluded.quantity,
                availability = excluded.availability, price = excluded.price, sale_price = excluded.sale_price,
                observed_at = excluded.observed_at, line = excluded.line
            WHERE excluded.observed_at >= stock_overrides.observed_at
            """).bind(.text(sku), .text(feed), override.quantity.map { .integer(Int64($0)) },
                      override.availability.map { .text($0) }, override.price.map { .text($0) },
                      override.salePrice.map { .text($0) }, .text(observedAt), .integer(Int64(line))).run()
        return connection.changes > 0
    }

    /// Notes when the primary feed's file was written; overrides observed before that no longer apply.
    public func setSourceTime(feed: String, _ time: String) throws {
        try connection.statement("UPDATE feeds SET source_time = ? WHERE name = ?").bind(.text(time), .text(feed)).run()
    }

    /// Whether any primary item has this SKU.
    public func hasItem(sku: String) throws -> Bool {
        try connection.statement("SELECT 1 FROM items WHERE sku = ? LIMIT 1").bind(.text(sku)).firstRow { _ in true } ?? false
    }
}
