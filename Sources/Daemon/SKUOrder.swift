/// Whether a feed's items still come in SKU order, near enough for SQLite's page cache: `Ingest` writes them as they
/// come while they do, and stages the rest to be written in SKU order (`CatalogStore.stageItem`).
///
/// Every 64th item written is compared with the one 64 before it; after the fourth that is not higher, the feed is
/// taken as out of order. A feed in SKU order but for its variants (sizes after their product: "…-XS", "…-S") stays
/// in order, as does a generation whose few changed items are spread over a feed in order; a shuffled or reversed
/// feed, or one in blocks (by category, by date), is out of order within a few hundred items.
struct SKUOrder {
    static let stride = 64
    static let descentsAllowed = 3

    private var checkpoint: String?
    private var sinceCheckpoint = 0
    private var descents = 0

    var isOrdered: Bool { descents <= Self.descentsAllowed }

    /// Notes that `sku` was written next.
    mutating func note(_ sku: String) {
        sinceCheckpoint += 1
        guard sinceCheckpoint >= Self.stride else { return }
        if let checkpoint, !checkpoint.utf8.lexicographicallyPrecedes(sku.utf8) { descents += 1 }
        checkpoint = sku
        sinceCheckpoint = 0
    }
}
