extension CatalogStore {
    /// SKU → the listing JSON the channel acknowledged, for every SKU the channel should have.
    public func ackedListings(channel: String) throws -> [String: String] {
        let s = try connection.statement("SELECT sku, acked FROM listings WHERE channel = ? AND acked IS NOT NULL")
        try s.bind(.text(channel))
        var result: [String: String] = [:]
        while try s.step() { result[s.text(0) ?? ""] = s.text(1) ?? "" }
        return result
    }

    /// Records what the channel really shows for `sku` (`nil`: nothing), so the next reconcile diffs
    /// against reality and enqueues the repair. The acknowledged version is kept: versions only grow.
    public func recordDrift(channel: String, sku: String, actualText: String?) throws {
        try connection.statement("UPDATE listings SET acked = ? WHERE channel = ? AND sku = ?")
            .bind(actualText.map { .text($0) }, .text(channel), .text(sku)).run()
        try clearReconcileMark(channel: channel)
    }
}

extension CatalogStore {
    /// Records SKUs a platform has that we never listed there, so the next reconcile deletes them (or
    /// updates them, if a feed has them after all).
    public func recordOrphans(channel: String, skus: [String]) throws {
        if !skus.isEmpty { try clearReconcileMark(channel: channel) }
        for sku in skus {
            try connection.statement("""
                INSERT INTO listings (channel, sku, acked) VALUES (?, ?, '{}')
                ON CONFLICT (channel, sku) DO UPDATE SET acked = coalesce(acked, '{}')
                """).bind(.text(channel), .text(sku)).run()
        }
    }

    /// Marks listings acknowledged before `cutoff` for a full re-push (platforms expire stale items).
    /// - Returns: how many were marked.
    @discardableResult
    public func markForRepush(channel: String, ackedBefore cutoff: String) throws -> Int {
        try connection.statement("""
            UPDATE listings SET acked = '{}' WHERE channel = ? AND acked IS NOT NULL AND acked_at < ?
            """).bind(.text(channel), .text(cutoff)).run()
        let marked = connection.changes
        if marked > 0 { try clearReconcileMark(channel: channel) }
        return marked
    }
}
