
/// One merchant item as reconcile reads it.
public struct ItemRow: Sendable, Equatable {
    public var sku: String
    /// The primary feed the item comes from.
    public var feed: String
    /// The offer in listing form (canonical JSON).
    public var data: String
    public var override: StockOverride?
}

/// Stock (and price) from an inventory feed that is newer than the item's primary feed.
public struct StockOverride: Sendable, Equatable {
    public var quantity: Int?
    public var availability: String?
    public var price: String?
    public var salePrice: String?

    public init(quantity: Int?, availability: String?, price: String?, salePrice: String?) {
        self.quantity = quantity
        self.availability = availability
        self.price = price
        self.salePrice = salePrice
    }
}

/// A feed as the store knows it.
public struct FeedState: Sendable, Equatable {
    public var name: String
    public var source: String
    public var generation: Int
    public var appliedAt: String?
    public var itemCount: Int
    public var status: String
    public var statusReason: String?

    public init(name: String, source: String, generation: Int, appliedAt: String?, itemCount: Int, status: String,
                statusReason: String?) {
        self.name = name
        self.source = source
        self.generation = generation
        self.appliedAt = appliedAt
        self.itemCount = itemCount
        self.status = status
        self.statusReason = statusReason
    }
}

extension CatalogStore {
    public func feedState(_ name: String) throws -> FeedState? {
        let s = try connection.statement("""
            SELECT name, source, generation, applied_at, item_count, status, status_reason FROM feeds WHERE name = ?
            """)
        try s.bind(.text(name))
        return try s.firstRow { s in
            FeedState(name: s.text(0) ?? "", source: s.text(1) ?? "", generation: Int(s.int(2)),
                      appliedAt: s.text(3), itemCount: Int(s.int(4)), status: s.text(5) ?? "",
                      statusReason: s.text(6))
        }
    }

    public func allFeedStates() throws -> [FeedState] {
        let s = try connection.statement("SELECT name FROM feeds ORDER BY name")
        var names: [String] = []
        while try s.step() { names.append(s.text(0) ?? "") }
        return try names.compactMap { try feedState($0) }
    }

    /// Records a feed's applied generation (or its rejection, with `status` and `reason`).
    public func recordFeed(_ state: FeedState) throws {
        try connection.statement("""
            INSERT INTO feeds (name, source, generation, applied_at, item_count, status, status_reason)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET source = excluded.source, generation = excluded.generation,
                applied_at = excluded.applied_at, item_count = excluded.item_count, status = excluded.status,
                status_reason = excluded.status_reason
            """).bind(.text(state.name), .text(state.source), .integer(Int64(state.generation)),
                      state.appliedAt.map { .text($0) }, .integer(Int64(state.itemCount)), .text(state.status),
                      state.statusReason.map { .text($0) }).run()
    }

    /// When the feed's file was last written (as read at its last applied generation), else when it was applied.
    public func sourceTime(feed: String) throws -> String? {
        try connection.statement("SELECT coalesce(source_time, applied_at) FROM feeds WHERE name = ?").bind(.text(feed))
            .firstRow { $0.text(0) } ?? nil
    }

    /// When the file of the feed's last applied generation was last written; `nil` before the first.
    public func fileTime(feed: String) throws -> String? {
        try connection.statement("SELECT source_time FROM feeds WHERE name = ?").bind(.text(feed))
            .firstRow { $0.text(0) } ?? nil
    }

    /// Inserts or replaces one item of a feed.
    /// - Parameters:
    ///   - line: where in the feed the item's data was read (an unchanged row read again keeps its old line).
    ///   - rawHash: the hash of the record it was read from (`FeedScanner` digests); 0 when not known.
    public func upsertItem(feed: String, sku: String, groupID: String?, fingerprint: Int64, data: String,
                           line: Int?, generation: Int, rawHash: UInt64 = 0) throws {
        try connection.statement("INSERT INTO items (\(Self.itemColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)\n"
                                 + Self.itemUpsert)
            .bind(Self.itemValues(feed: feed, sku: sku, groupID: groupID, fingerprint: fingerprint, data: data,
                                  line: line, generation: generation, rawHash: rawHash)).run()
    }

    static let itemColumns = "feed, sku, group_id, fingerprint, data, line, generation, raw_hash"
    /// What an item written again replaces.
    static let itemUpsert = """
        ON CONFLICT (feed, sku) DO UPDATE SET group_id = excluded.group_id, fingerprint = excluded.fingerprint,
            data = excluded.data, line = excluded.line, generation = excluded.generation, raw_hash = excluded.raw_hash
        """

    /// An item's values in the order of `itemColumns`.
    static func itemValues(feed: String, sku: String, groupID: String?, fingerprint: Int64, data: String, line: Int?,
                           generation: Int, rawHash: UInt64) -> [SQLiteValue?] {
        [.text(feed), .text(sku), groupID.map { .text($0) }, .integer(fingerprint), .text(data),
         line.map { .integer(Int64($0)) }, .integer(Int64(generation)), .integer(Int64(bitPattern: rawHash))]
    }

    /// The stored listing JSON of one item.
    public func itemData(feed: String, sku: String) throws -> String? {
        try connection.statement("SELECT data FROM items WHERE feed = ? AND sku = ?").bind(.text(feed), .text(sku))
            .firstRow { $0.text(0) } ?? nil
    }

    public func deleteItem(feed: String, sku: String) throws {
        try connection.statement("DELETE FROM items WHERE feed = ? AND sku = ?").bind(.text(feed), .text(sku)).run()
    }

    public func itemCount(feed: String) throws -> Int {
        let s = try connection.statement("SELECT count(*) FROM items WHERE feed = ?")
        try s.bind(.text(feed))
        return try s.firstRow { Int($0.int(0)) } ?? 0
    }

    /// Calls `body` with every item's SKU, listing JSON and newer stock override, in SKU byte order.
    ///
    /// A SKU in more than one feed is given once, from the feed that comes first in `feedOrder`. An
    /// override from an inventory feed comes along only while it was observed after the primary feed's file
    /// was written (a newer full export wins over an older stock file).
    ///
    /// - Parameter touchedOnly: only the SKUs this run touched (see `touch(sku:)`).
    public func forEachItem(feedOrder: [String], touchedOnly: Bool = false,
                            _ body: (_ item: ItemRow) throws -> Void) throws {
        let rank = Dictionary(feedOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        // A touched SKU is looked up by the primary key once per feed: through `items_by_sku` it would be looked
        // up in the index and then by the primary key all the same.
        let s = try connection.statement("""
            SELECT i.sku, i.feed, i.data, o.quantity, o.availability, o.price, o.sale_price
            FROM \(touchedOnly
                ? "temp.touched t CROSS JOIN feeds f CROSS JOIN items i ON i.feed = f.name AND i.sku = t.sku"
                : "items i JOIN feeds f ON f.name = i.feed")
            LEFT JOIN stock_overrides o ON o.sku = i.sku AND (f.source_time IS NULL OR o.observed_at > f.source_time)
            ORDER BY \(touchedOnly ? "t.sku" : "i.sku")
            """)
        var pending: (row: ItemRow, rank: Int)?
        while try s.step() {
            var override: StockOverride?
            if !s.isNull(3) || !s.isNull(4) || !s.isNull(5) || !s.isNull(6) {
                override = StockOverride(quantity: s.optionalInt(3).map { Int($0) }, availability: s.text(4),
                                         price: s.text(5), salePrice: s.text(6))
            }
            let row = ItemRow(sku: s.text(0) ?? "", feed: s.text(1) ?? "", data: s.text(2) ?? "", override: override)
            let feedRank = rank[s.text(1) ?? ""] ?? Int.max
            if let current = pending, current.row.sku == row.sku {
                if feedRank < current.rank { pending = (row, feedRank) }
                continue
            }
            if let current = pending { try body(current.row) }
            pending = (row, feedRank)
        }
        if let current = pending { try body(current.row) }
    }

    /// FNV-1a, 64 bits, of `text`'s UTF-8: a cheap change detector for item data, not a security hash.
    /// Its values are stored (`items.fingerprint`), so they must not change from one build to the next.
    public static func fingerprint(_ text: String) -> Int64 {
        var text = text
        return text.withUTF8 { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
            return Int64(bitPattern: hash)
        }
    }
}
