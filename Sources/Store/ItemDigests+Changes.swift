import Catalog
#if canImport(Glibc)
import Glibc
#endif

extension ItemDigests {
    /// What one generation wrote to a feed's items (`Ingest`), so that the feed's digest file can follow it
    /// without reading the `items` table again (`CatalogStore.saveItemDigests`).
    ///
    /// Kept up to `limit` changes, for memory: past that (a first sync, an upgrade) `isComplete` turns false,
    /// what was kept is dropped, and the file is rebuilt from the `items` table after the generation's writes.
    public struct Changes {
        struct Update {
            var entry: UInt32
            var rawHash: UInt64
            var fingerprint: Int64
        }

        /// Known items whose record hash or fingerprint changed, in the order they were written.
        private(set) var updated: [Update] = []
        /// SKUs the feed did not have.
        private(set) var created = Builder(expectedCount: 0)
        /// The line each of `created` was read from, as `ItemDigests`' seen marks have it (`mark(line:)`).
        private(set) var createdLines: [UInt32] = []
        let limit: Int
        public private(set) var isComplete = true

        /// - Parameter known: the digests the generation started from.
        public init(known: ItemDigests) {
            self.init(limit: max(known.count / 8, 50_000))
        }

        init(limit: Int) {
            self.limit = limit
        }

        var count: Int { updated.count + created.count }

        /// A known item now has `rawHash` and `fingerprint`.
        public mutating func update(_ entry: Entry, rawHash: UInt64, fingerprint: Int64) {
            guard admitsOneMore() else { return }
            updated.append(Update(entry: UInt32(entry), rawHash: rawHash, fingerprint: fingerprint))
        }

        /// A SKU the feed did not have was written, read from `line`.
        public mutating func create(sku: String, rawHash: UInt64, fingerprint: Int64, line: Int) {
            guard admitsOneMore() else { return }
            var sku = sku
            sku.withUTF8 { created.append(sku: UnsafeRawBufferPointer($0), rawHash: rawHash, fingerprint: fingerprint) }
            createdLines.append(ItemDigests.mark(line: line))
        }

        private mutating func admitsOneMore() -> Bool {
            if isComplete && count >= limit {
                isComplete = false
                updated = []
                created = Builder(expectedCount: 0)
                createdLines = []
            }
            return isComplete
        }
    }
}

extension ItemDigests.Builder {
    var count: Int { starts.count }

    /// Calls `body` with each entry's SKU bytes, record hash and fingerprint, in order.
    func forEach(_ body: (UnsafeRawBufferPointer, UInt64, Int64) throws -> Void) rethrows {
        for entry in starts.indices { try withEntry(entry, body) }
    }

    /// Calls `body` with the entry's SKU bytes (valid during the call only), record hash and fingerprint.
    func withEntry<T>(_ entry: Int, _ body: (UnsafeRawBufferPointer, UInt64, Int64) throws -> T) rethrows -> T {
        try arena.withUnsafeBytes { arena in
            let start = Int(starts[entry])
            return try body(UnsafeRawBufferPointer(rebasing: arena[start..<start + Int(lengths[entry])]),
                            rawHashes[entry], fingerprints[entry])
        }
    }

    /// Applies later generations' changes to the items read so far: `changes` maps a SKU to its record hash and
    /// fingerprint now, or to `nil` when it was deleted. Entries keep their order; new SKUs go last.
    mutating func apply(_ changes: [String: (rawHash: UInt64, fingerprint: Int64)?]) {
        guard !changes.isEmpty else { return }
        var changes = changes
        // Most entries did not change: one bit per hash of their bytes rules them out without making a `String`
        // (64 bits per change, so about one entry in 64 is looked up for nothing). A `Set` of the hashes cost a
        // SipHash per entry (6% of the samples of a 5M load, `perf`).
        var bits = 64
        while bits < changes.count * 64 { bits <<= 1 }
        var filter = [UInt64](repeating: 0, count: bits / 64)
        let mask = UInt64(bits - 1)
        for sku in changes.keys {
            let bit = RowHash.hash(sku) & mask
            filter[Int(bit >> 6)] |= 1 << (bit & 63)
        }
        var kept = 0, keptBytes = 0
        var arena = self.arena
        self.arena = []
        arena.withUnsafeMutableBytes { arena in
            for entry in starts.indices {
                let start = Int(starts[entry]), length = Int(lengths[entry])
                var values = (rawHashes[entry], fingerprints[entry])
                let sku = UnsafeRawBufferPointer(rebasing: arena[start..<start + length])
                let bit = RowHash.hash(sku) & mask
                if filter[Int(bit >> 6)] & (1 << (bit & 63)) != 0,
                   let change = changes.removeValue(forKey: String(decoding: sku, as: UTF8.self)) {
                    guard let change else { continue }  // deleted
                    values = change
                }
                if kept != entry {
                    if keptBytes != start {
                        memmove(arena.baseAddress! + keptBytes, arena.baseAddress! + start, length)
                    }
                    (starts[kept], lengths[kept]) = (UInt32(keptBytes), UInt32(length))
                }
                (rawHashes[kept], fingerprints[kept]) = values
                kept += 1
                keptBytes += length
            }
        }
        arena.removeLast(arena.count - keptBytes)
        self.arena = arena
        let dropped = starts.count - kept
        starts.removeLast(dropped)
        lengths.removeLast(dropped)
        rawHashes.removeLast(dropped)
        fingerprints.removeLast(dropped)
        for (sku, change) in changes.sorted(by: { $0.key < $1.key }) {
            guard let change else { continue }
            var sku = sku
            sku.withUTF8 { append(sku: UnsafeRawBufferPointer($0), rawHash: change.rawHash,
                                  fingerprint: change.fingerprint) }
        }
    }
}
