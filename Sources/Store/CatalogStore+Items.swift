
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

    /// SKU → fingerprint of every item the feed has now.
    public func itemFingerprints(feed: String) throws -> [String: Int64] {
        let s = try connection.statement("SELECT sku, fingerprint FROM items WHERE feed = ?")
        try s.bind(.text(feed))
        var result: [String: Int64] = [:]
        while try s.step() { result[s.text(0) ?? ""] = s.int(1) }
        return result
    }

    /// Inserts or replaces one item of a feed.
    public func upsertItem(feed: String, sku: String, groupID: String?, fingerprint: Int64, data: String,
                           line: Int?, generation: Int) throws {
        try connection.statement("""
            INSERT INTO items (feed, sku, group_id, fingerprint, data, line, generation) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (feed, sku) DO UPDATE SET group_id = excluded.group_id, fingerprint = excluded.fingerprint,
                data = excluded.data, line = excluded.line, generation = excluded.generation
            """).bind(.text(feed), .text(sku), groupID.map { .text($0) }, .integer(fingerprint), .text(data),
                      line.map { .integer(Int64($0)) }, .integer(Int64(generation))).run()
    }

    public func deleteItem(feed: String, sku: String) throws {
        try connection.statement("DELETE FROM items WHERE feed = ? AND sku = ?").bind(.text(feed), .text(sku)).run()
    }

    public func itemCount(feed: String) throws -> Int {
        let s = try connection.statement("SELECT count(*) FROM items WHERE feed = ?")
        try s.bind(.text(feed))
        return try s.firstRow { Int($0.int(0)) } ?? 0
    }

    /// Calls `body` with every item's SKU and listing JSON, in SKU byte order.
    ///
    /// A SKU in more than one feed is given once, from the feed that comes first in `feedOrder`.
    public func forEachItem(feedOrder: [String], _ body: (_ sku: String, _ data: String) throws -> Void) throws {
        let rank = Dictionary(feedOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let s = try connection.statement("SELECT sku, feed, data FROM items ORDER BY sku")
        var pending: (sku: String, rank: Int, data: String)?
        while try s.step() {
            let sku = s.text(0) ?? "", feedRank = rank[s.text(1) ?? ""] ?? Int.max
            if let current = pending, current.sku == sku {
                if feedRank < current.rank { pending = (sku, feedRank, s.text(2) ?? "") }
                continue
            }
            if let current = pending { try body(current.sku, current.data) }
            pending = (sku, feedRank, s.text(2) ?? "")
        }
        if let current = pending { try body(current.sku, current.data) }
    }

    /// FNV-1a, 64 bits, of `text`'s UTF-8: a cheap change detector for item data, not a security hash.
    public static func fingerprint(_ text: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
