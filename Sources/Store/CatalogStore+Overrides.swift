extension CatalogStore {
    /// Records stock (and price) for `sku` from an inventory feed, replacing what that SKU had.
    public func upsertOverride(sku: String, feed: String, override: StockOverride, observedAt: String,
                               line: Int) throws {
        try connection.statement("""
            INSERT OR REPLACE INTO stock_overrides (sku, feed, quantity, availability, price, sale_price, observed_at, line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).bind(.text(sku), .text(feed), override.quantity.map { .integer(Int64($0)) },
                      override.availability.map { .text($0) }, override.price.map { .text($0) },
                      override.salePrice.map { .text($0) }, .text(observedAt), .integer(Int64(line))).run()
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
