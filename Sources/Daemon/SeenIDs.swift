import Catalog

/// The ids a feed has had so far, and the line each was first seen on, in about 32 bytes per id. Ingest
/// keeps here only the ids the store did not know (`FeedScanner.known` has the others).
///
/// A `[String: Int]` costs about 100 bytes per id at a million SKUs (ids longer than 15 bytes live on
/// the heap), which alone would break the memory budget. This keeps a 64-bit hash of each id's UTF-8
/// bytes in an open-addressing table instead. Two different ids with the same 64-bit hash would be
/// reported as a duplicate; for a million ids that chance is about 3 in 100 million.
struct SeenIDs {
    private var hashes: [UInt64]
    private var lines: [UInt32]
    private var count = 0

    init(capacity: Int = 1 << 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        hashes = Array(repeating: 0, count: size)
        lines = Array(repeating: 0, count: size)
    }

    /// Records `id` on `line`. - Returns: the line it was first seen on, when it was seen before.
    mutating func insert(_ id: String, line: Int) -> Int? {
        if (count + 1) * 2 > hashes.count { grow() }
        let hash = Self.slotHash(RowHash.hash(id))
        var slot = Int(truncatingIfNeeded: hash) & (hashes.count - 1)
        while hashes[slot] != 0 {
            if hashes[slot] == hash { return Int(lines[slot]) }
            slot = (slot + 1) & (hashes.count - 1)
        }
        hashes[slot] = hash
        lines[slot] = UInt32(clamping: line)
        count += 1
        return nil
    }

    private mutating func grow() {
        let oldHashes = hashes, oldLines = lines
        hashes = Array(repeating: 0, count: oldHashes.count * 2)
        lines = Array(repeating: 0, count: oldHashes.count * 2)
        for (index, hash) in oldHashes.enumerated() where hash != 0 {
            var slot = Int(truncatingIfNeeded: hash) & (hashes.count - 1)
            while hashes[slot] != 0 { slot = (slot + 1) & (hashes.count - 1) }
            hashes[slot] = hash
            lines[slot] = oldLines[index]
        }
    }

    static func slotHash(_ hash: UInt64) -> UInt64 {
        hash == 0 ? 1 : hash  // 0 marks an empty slot
    }
}
