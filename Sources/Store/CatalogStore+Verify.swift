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
    }
}
