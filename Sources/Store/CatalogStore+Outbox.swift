public import Catalog

/// Walks a channel's snapshot in SKU byte order, one entry at a time.
public final class SnapshotCursor {
    private let statement: Statement

    init(statement: Statement) { self.statement = statement }

    public func next() throws -> SnapshotEntry? {
        guard try statement.step() else { return nil }
        var pending: SnapshotEntry.Pending?
        if let version = statement.optionalInt(4), let op = statement.text(5).flatMap(Delta.Operation.init),
           let payload = statement.text(6) {
            pending = SnapshotEntry.Pending(version: version, operation: op, payloadText: payload,
                                            changed: JSONText.parseArray(statement.text(7) ?? "") ?? [],
                                            rejected: statement.text(8) == "rejected")
        }
        return SnapshotEntry(sku: statement.text(0) ?? "", ackedText: statement.text(1),
                             ackedVersion: statement.int(2), lastVersion: statement.int(3), pending: pending)
    }
}

/// An unsent delta as the pusher sees it.
public struct OutboxEntry: Sendable, Equatable {
    public var delta: Delta
    public var attempts: Int
    public var seenAt: String
    /// `delta.values` as the outbox stores it (`Listing.jsonText`): writers copy it instead of encoding again.
    public var valuesText: String
    /// Where the entry stands in the push order: `pendingDeltas(after:)` reads on from here.
    public var position: OutboxPosition
}

/// A place in a channel's push order (priority, then age): what has been read up to.
public struct OutboxPosition: Sendable, Equatable {
    var priority: Int64
    var id: Int64
}

extension CatalogStore {
    /// The snapshot of `channel`: every SKU it has or has a delta for, in SKU byte order.
    ///
    /// A delta the platform rejected counts as the SKU's pending delta: the same change is not sent again
    /// (it stays parked), while a different one replaces it.
    /// - Parameter touchedOnly: only the SKUs this run touched (see `touch(sku:)`).
    public func snapshot(channel: String, touchedOnly: Bool = false) throws -> SnapshotCursor {
        // A statement of its own (not the cache): a cursor may be open while other statements run.
        // CROSS JOIN keeps the (small) touched list as the outer loop; its key order is the SKU order.
        let listings = touchedOnly ? "temp.touched t CROSS JOIN listings l ON l.channel = ? AND l.sku = t.sku"
            : "listings l"
        // A delta's version is in its outbox row until it is acknowledged (see `enqueue`).
        let statement = try Statement(connection: connection, sql: """
            SELECT l.sku, l.acked, l.acked_version, max(l.last_version, coalesce(o.version, 0)), o.version, o.op,
                o.payload, o.changed, o.state
            FROM \(listings) LEFT JOIN outbox o ON o.channel = l.channel AND o.sku = l.sku
            \(touchedOnly ? "ORDER BY t.sku" : "WHERE l.channel = ? ORDER BY l.sku")
            """)
        try statement.bind(.text(channel))
        return SnapshotCursor(statement: statement)
    }

    /// Enqueues `delta` in place of whatever its channel and SKU have unacknowledged: a pending delta, or one
    /// parked after a rejection (one outbox row per channel and SKU).
    ///
    /// Versions only grow per channel and SKU, so that a late acknowledgement is never taken for a newer
    /// delta's. The newest version issued is the larger of the listing's `last_version` and its outbox row's:
    /// an enqueued delta's version stays in its outbox row (the listing's page is not written again for it),
    /// and reaches `last_version` when the delta is acknowledged. A delta leaves the outbox only then, or
    /// replaced by a newer one: one that may have reached the channel is never just dropped (`Reconciler`).
    ///
    /// May run while a `snapshot` cursor of the channel is open, for SKUs the cursor has passed: SQLite seeks
    /// the cursor back to its place after each write, and the rows written lie behind it.
    /// - Parameters:
    ///   - valuesText: `delta.values.jsonText`, when the caller has it already.
    ///   - listed: the channel has a `listings` row for the SKU already (it was in the snapshot): the row that
    ///     `acknowledge` updates is not looked up again to be made.
    public func enqueue(_ delta: Delta, valuesText: String? = nil, seenAt: String, listed: Bool = false) throws {
        try connection.statement("""
            INSERT OR REPLACE INTO outbox (channel, sku, version, op, priority, changed, payload, seen_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).bind(.text(delta.channel), .text(delta.sku), .integer(delta.version), .text(delta.operation.rawValue),
                      .integer(Int64(delta.priority.rawValue)), .text(JSONText.array(delta.changed)),
                      .text(valuesText ?? delta.values.jsonText), .text(seenAt), .text(seenAt)).run()
        guard !listed else { return }
        try connection.statement("""
            INSERT INTO listings (channel, sku, last_version) VALUES (?, ?, ?) ON CONFLICT (channel, sku) DO NOTHING
            """)
            .bind(.text(delta.channel), .text(delta.sku), .integer(delta.version)).run()
    }

    /// Up to `limit` unsent deltas of `channel`, most urgent first (priority, then age).
    ///
    /// - Parameters:
    ///   - decodingValues: `false` leaves every `delta.values` empty, for a channel that writes `valuesText` as it
    ///     is (`ListingTextWriting`); `acknowledge(_:sentFrom:at:)` then records that text.
    ///   - after: only deltas after this position (an entry's `position`), so that the next batch can be read
    ///     while the one before is still with the channel, its rows still in the outbox.
    public func pendingDeltas(channel: String, limit: Int, decodingValues: Bool = true,
                              after: OutboxPosition? = nil) throws -> [OutboxEntry] {
        // Two seeks in `outbox_order` (channel, state, priority, id): the rest of `after`'s priority, then the
        // priorities after it. (A row value `(priority, id) > (?, ?)` would scan that priority from its start.)
        let from = after ?? OutboxPosition(priority: Int64.min, id: Int64.max)  // the first seek finds nothing
        let columns = "sku, version, op, priority, changed, payload, attempts, seen_at, id"
        var result: [OutboxEntry] = []
        try appendPending(to: &result, channel: channel, decodingValues: decodingValues,
                          statement: connection.statement("""
            SELECT \(columns) FROM outbox WHERE channel = ? AND state = 'pending' AND priority = ? AND id > ?
            ORDER BY id LIMIT ?
            """).bind(.text(channel), .integer(from.priority), .integer(from.id), .integer(Int64(limit))))
        guard result.count < limit else { return result }
        try appendPending(to: &result, channel: channel, decodingValues: decodingValues,
                          statement: connection.statement("""
            SELECT \(columns) FROM outbox WHERE channel = ? AND state = 'pending' AND priority > ?
            ORDER BY priority, id LIMIT ?
            """).bind(.text(channel), .integer(from.priority), .integer(Int64(limit - result.count))))
        return result
    }

    private func appendPending(to result: inout [OutboxEntry], channel: String, decodingValues: Bool,
                               statement s: Statement) throws {
        while try s.step() {
            let payload = s.text(5) ?? "{}"
            let values = decodingValues ? Listing(jsonText: payload) ?? Listing() : Listing()
            let priority = s.int(3)
            let delta = Delta(channel: channel, sku: s.text(0) ?? "",
                              operation: Delta.Operation(rawValue: s.text(2) ?? "") ?? .update, version: s.int(1),
                              changed: JSONText.parseArray(s.text(4) ?? "") ?? [], values: values,
                              priority: DeltaPriority(rawValue: Int(priority)) ?? .content)
            result.append(OutboxEntry(delta: delta, attempts: Int(s.int(6)), seenAt: s.text(7) ?? "",
                                      valuesText: payload, position: OutboxPosition(priority: priority, id: s.int(8))))
        }
    }

    /// Notes that `deltas` left for the channel at `time` and counts the attempt (the latency trail: seen,
    /// diffed, sent, confirmed).
    ///
    /// For deltas that stay in the outbox after a push: sent but unconfirmed, or failed (`markRetry`). An
    /// acknowledged delta's row is deleted, so it is not marked (a write per delta for a row about to go).
    /// Run a batch inside one transaction: an autocommit per delta writes the WAL once per row.
    public func markSent(_ deltas: [Delta], at time: String) throws {
        let s = try connection.statement("""
            UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE channel = ? AND sku = ? AND version = ?
            """)
        for delta in deltas {
            s.reset()
            try s.bind(.text(time), .text(delta.channel), .text(delta.sku), .integer(delta.version)).run()
        }
    }

    /// Records that a batch could not be pushed: the error and when it is tried again. Run it inside a
    /// transaction, as `markSent`.
    public func markRetry(_ deltas: [Delta], nextAttemptAt time: String, error: String) throws {
        let s = try connection.statement("""
            UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE channel = ? AND sku = ? AND version = ?
            """)
        let message = String(error.prefix(500))
        for delta in deltas {
            s.reset()
            try s.bind(.text(time), .text(message), .text(delta.channel), .text(delta.sku), .integer(delta.version))
                .run()
        }
    }

    /// Pending deltas that failed to push at least once, per channel.
    public func retryingCounts() throws -> [String: Int] {
        let s = try connection.statement(
            "SELECT channel, count(*) FROM outbox WHERE state = 'pending' AND next_attempt_at IS NOT NULL GROUP BY channel")
        var counts: [String: Int] = [:]
        while try s.step() { counts[s.text(0) ?? ""] = Int(s.int(1)) }
        return counts
    }

    /// Records that the channel acknowledged `deltas`: the snapshot advances, the outbox rows go.
    ///
    /// A late acknowledgement never regresses a newer acknowledged state (versions only grow), and a
    /// delta that was superseded while in flight stays in the outbox as the newer one.
    public func acknowledge(_ deltas: [Delta], at time: String) throws {
        try acknowledge(deltas, sentFrom: [], at: time)
    }

    /// As `acknowledge(_:at:)`, for deltas read from the outbox as `entries`: a delta found there (same SKU and
    /// version) is recorded with the entry's stored text instead of encoding its listing again.
    public func acknowledge(_ deltas: [Delta], sentFrom entries: [OutboxEntry], at time: String) throws {
        // At most one outbox row per channel and SKU, so the SKU finds the entry; the version confirms it.
        var stored: [String: OutboxEntry] = [:]
        stored.reserveCapacity(entries.count)
        for entry in entries { stored[entry.delta.sku] = entry }
        let update = try connection.statement("""
            UPDATE listings SET acked = ?, acked_version = ?, acked_at = ?, last_version = max(last_version, ?)
            WHERE channel = ? AND sku = ? AND acked_version < ?
            """)
        let delete = try connection.statement("DELETE FROM outbox WHERE channel = ? AND sku = ? AND version = ?")
        for delta in deltas {
            var acked: SQLiteValue?
            if delta.operation != .delete {
                if let entry = stored[delta.sku], entry.delta.version == delta.version,
                   entry.delta.channel == delta.channel {
                    acked = .text(entry.valuesText)
                } else {
                    acked = .text(delta.values.jsonText)
                }
            }
            update.reset()
            try update.bind(acked, .integer(delta.version), .text(time), .integer(delta.version),
                            .text(delta.channel), .text(delta.sku), .integer(delta.version)).run()
            delete.reset()
            try delete.bind(.text(delta.channel), .text(delta.sku), .integer(delta.version)).run()
        }
    }

    /// Parks a delta the platform rejected, with its message: it is not sent again until the item changes.
    public func reject(_ delta: Delta, message: String) throws {
        try connection.statement("""
            UPDATE outbox SET state = 'rejected', last_error = ?, attempts = attempts + 1
            WHERE channel = ? AND sku = ? AND version = ?
            """).bind(.text(message), .text(delta.channel), .text(delta.sku), .integer(delta.version)).run()
    }

    /// Unsent deltas per channel.
    public func pendingCounts() throws -> [String: Int] {
        let s = try connection.statement("SELECT channel, count(*) FROM outbox WHERE state = 'pending' GROUP BY channel")
        var counts: [String: Int] = [:]
        while try s.step() { counts[s.text(0) ?? ""] = Int(s.int(1)) }
        return counts
    }

    /// Deltas parked after the platform rejected them, per channel.
    public func rejectedCounts() throws -> [String: Int] {
        let s = try connection.statement("SELECT channel, count(*) FROM outbox WHERE state = 'rejected' GROUP BY channel")
        var counts: [String: Int] = [:]
        while try s.step() { counts[s.text(0) ?? ""] = Int(s.int(1)) }
        return counts
    }

    /// Listings acknowledged per channel (SKUs the channel has).
    public func listedCounts() throws -> [String: Int] {
        let s = try connection.statement("SELECT channel, count(*) FROM listings WHERE acked IS NOT NULL GROUP BY channel")
        var counts: [String: Int] = [:]
        while try s.step() { counts[s.text(0) ?? ""] = Int(s.int(1)) }
        return counts
    }
}
