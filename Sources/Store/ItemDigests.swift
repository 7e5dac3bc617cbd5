import Catalog
import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Every item of one feed as ingest needs it to skip unchanged rows: SKU → record hash and listing
/// fingerprint, plus the line this generation first had the SKU on. Exact (SKUs are compared byte for
/// byte), and compact: 39–50 bytes per item plus the SKU's bytes, where a `[String: …]` costs about 100.
/// The first lines make it the duplicate-id check for every SKU the feed had before, so that check needs
/// memory only for new SKUs.
///
/// Built once per generation (`CatalogStore.itemDigests(feed:)`) and then only read, except for the seen
/// marks: the tables are constants, which keeps the per-row lookup free of exclusivity checks. Lookups
/// (`entry(for:)`, `rawHash`, `prefetch`) read the tables only, so a second thread may make them while the seen
/// marks change (`TailScan` in the daemon).
public final class ItemDigests {
    /// Every SKU's UTF-8 bytes, one after the other.
    private let arena: [UInt8]
    private let starts: [UInt32]
    private let lengths: [UInt32]
    /// 0: not known (the item was written before record hashes, or its record could not be hashed).
    private let rawHashes: [UInt64]
    private let fingerprints: [Int64]
    /// Open addressing, at most 3/4 full. A slot holds the upper half of its SKU's hash above the entry index
    /// plus one; 0 is an empty slot. A lookup thus compares hashes within the slot it loaded anyway, and reads
    /// an entry only when they match: one cache miss per row instead of two. In huge pages where the kernel gives
    /// them (`HugePages`).
    private let slots: UnsafeMutableBufferPointer<UInt64>
    /// The line this generation first had the entry on, plus one; 0: not seen yet.
    private let seenLines: UnsafeMutableBufferPointer<UInt32>
    public private(set) var seenCount = 0

    /// An entry's position, for the accessors below.
    public typealias Entry = Int

    public var count: Int { starts.count }

    /// The items as read from the store, in any order (SKUs are unique: the store's primary key).
    struct Builder {
        var arena: [UInt8] = []
        var starts: [UInt32] = []
        var lengths: [UInt32] = []
        var rawHashes: [UInt64] = []
        var fingerprints: [Int64] = []

        init(expectedCount: Int) {
            arena.reserveCapacity(expectedCount * 16)
            starts.reserveCapacity(expectedCount)
            lengths.reserveCapacity(expectedCount)
            rawHashes.reserveCapacity(expectedCount)
            fingerprints.reserveCapacity(expectedCount)
        }

        mutating func append(sku: UnsafeRawBufferPointer, rawHash: UInt64, fingerprint: Int64) {
            starts.append(UInt32(arena.count))
            lengths.append(UInt32(sku.count))
            arena.append(contentsOf: sku)
            rawHashes.append(rawHash)
            fingerprints.append(fingerprint)
        }
    }

    public convenience init() { self.init(Builder(expectedCount: 0)) }

    init(_ builder: Builder) {
        arena = builder.arena
        starts = builder.starts
        lengths = builder.lengths
        rawHashes = builder.rawHashes
        fingerprints = builder.fingerprints
        // The builder's arrays, not the properties: `self` is not fully initialised before `slots` is set.
        let (starts, lengths, count) = (builder.starts, builder.lengths, builder.starts.count)
        precondition(count < Int(UInt32.max), "a slot holds the entry index in 32 bits")
        var size = 16
        while size * 3 < count * 4 { size <<= 1 }
        let slots = HugePages.zeroed(UInt64.self, count: size)
        // Each entry's home slot is loaded `ahead` entries before it is filled: at 5M items the slots take 64 MiB,
        // and filling them one cache miss after the other took about 0.7 s of a 1.3 s load (`perf`).
        let ahead = 16
        var hashes = [UInt64](repeating: 0, count: ahead)
        builder.arena.withUnsafeBytes { arena in
            for position in 0..<count + ahead {
                let entry = position - ahead
                if entry >= 0 {
                    let hash = hashes[entry % ahead]
                    var slot = Self.home(of: hash, size: size)
                    while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
                    slots[slot] = hash & Self.upperHalf | UInt64(entry + 1)
                }
                if position < count {
                    let start = Int(starts[position])
                    let sku = UnsafeRawBufferPointer(rebasing: arena[start..<start + Int(lengths[position])])
                    let hash = RowHash.hash(sku)
                    hashes[position % ahead] = hash
                    csqlite_prefetch(slots.baseAddress! + Self.home(of: hash, size: size))
                }
            }
        }
        self.slots = slots
        seenLines = .allocate(capacity: count)
        seenLines.initialize(repeating: 0)
    }

    deinit {
        HugePages.free(slots)
        seenLines.deallocate()
    }

    private static let upperHalf: UInt64 = 0xffff_ffff_0000_0000

    /// The slot a lookup of a SKU with `hash` starts at, in a table of `size` (a power of two) slots.
    @inline(__always)
    private static func home(of hash: UInt64, size: Int) -> Int { Int(truncatingIfNeeded: hash) & (size - 1) }

    /// The entry of `sku`, or `nil` when the feed has no such item.
    public func entry(for sku: String) -> Entry? {
        var sku = sku
        return sku.withUTF8 { lookUp(UnsafeRawBufferPointer($0)) }
    }

    /// The entry whose SKU is `key`'s bytes, found through the slots.
    private func lookUp(_ key: UnsafeRawBufferPointer) -> Entry? {
        let hash = RowHash.hash(key)
        let mask = slots.count - 1
        var slot = Self.home(of: hash, size: slots.count)
        while case let value = slots[slot], value != 0 {
            let entry = Int(truncatingIfNeeded: value & ~Self.upperHalf) - 1
            if value & Self.upperHalf == hash & Self.upperHalf, has(entry, key) { return entry }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Whether `entry` (a valid one) is the item whose SKU is `key`'s bytes.
    @inline(__always)
    private func has(_ entry: Entry, _ key: UnsafeRawBufferPointer) -> Bool {
        Int(lengths[entry]) == key.count
            && arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + Int(starts[entry]), key.baseAddress!,
                                                      key.count) == 0 }
    }

    /// Starts loading the slot where a lookup of `key` will begin, and returns at once.
    private func prefetchSlot(of key: UnsafeRawBufferPointer) {
        csqlite_prefetch(slots.baseAddress! + Self.home(of: RowHash.hash(key), size: slots.count))
    }

    /// One reader's lookups, each tried first at the entry after the last one found. The table lists the items
    /// in the order the feed had last time (`DigestFile`), so in a feed that keeps its order each row's item is
    /// found there, in arrays read from start to end, without hashing the SKU or loading its slot: at 5M items the
    /// slots take 64 MiB, twice the processor's cache, and a slot is a cache miss per row. Anywhere else (a new
    /// SKU, a row moved, the first row a reader reads), a lookup goes through the slots as `entry(for:)` does; the
    /// entry found is the same either way, since SKUs are unique.
    ///
    /// One per thread; `table` must outlive it (it is not retained: the scanner and `TailScan` read one table, and
    /// counting references to it from both moved its count's cache line from core to core).
    public final class Cursor {
        private unowned(unsafe) let table: ItemDigests
        /// The entry the next lookup tries first.
        private var expected = 0
        /// Lookups found there.
        private(set) var hits = 0

        public init(_ table: ItemDigests) { self.table = table }

        /// Starts loading the slot where `entry(for: sku)` will begin, unless the expected entry is `sku`'s, and
        /// returns at once: the slots are spread over megabytes, so a lookup otherwise waits for memory once per row.
        /// Called when a row's SKU is known and its bytes are still to be hashed (`RawRecordSource.keyObserver`);
        /// changes nothing.
        public func prefetch(_ sku: String) {
            var sku = sku
            sku.withUTF8 { key in
                let key = UnsafeRawBufferPointer(key)
                if !isExpected(key) { table.prefetchSlot(of: key) }
            }
        }

        /// As `ItemDigests.entry(for:)`; the next lookup tries the entry after the one found.
        public func entry(for sku: String) -> Entry? {
            var sku = sku
            let found = sku.withUTF8 { key in
                let key = UnsafeRawBufferPointer(key)
                guard isExpected(key) else { return table.lookUp(key) }
                hits += 1
                return expected
            }
            if let found { expected = found + 1 }
            return found
        }

        /// Tells the cursor that the rows up to `entry`'s were read elsewhere (by `TailScan`).
        public func move(past entry: Entry) { expected = entry + 1 }

        @inline(__always)
        private func isExpected(_ key: UnsafeRawBufferPointer) -> Bool {
            expected < table.count && table.has(expected, key)
        }
    }

    /// Calls `body` with the entry's SKU bytes (valid during the call only).
    func withSKU<T>(_ entry: Entry, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try arena.withUnsafeBytes { arena in
            let start = Int(starts[entry])
            return try body(UnsafeRawBufferPointer(rebasing: arena[start..<start + Int(lengths[entry])]))
        }
    }

    /// The entry's SKU.
    public func sku(_ entry: Entry) -> String { withSKU(entry) { String(decoding: $0, as: UTF8.self) } }

    /// The hash of the record the item was last read from; 0 when not known.
    public func rawHash(_ entry: Entry) -> UInt64 { rawHashes[entry] }
    public func fingerprint(_ entry: Entry) -> Int64 { fingerprints[entry] }
    public func isSeen(_ entry: Entry) -> Bool { seenLines[entry] != 0 }
    /// The line this generation first had the entry on, plus one (`mark(line:)`); 0: not seen yet.
    func seenMark(_ entry: Entry) -> UInt32 { seenLines[entry] }
    static func mark(line: Int) -> UInt32 { UInt32(clamping: max(line, 0) + 1) }

    /// Marks the entry seen on `line`. - Returns: the line it was first seen on, when it was seen before.
    @discardableResult
    public func markSeen(_ entry: Entry, line: Int = 0) -> Int? {
        guard seenLines[entry] == 0 else { return Int(seenLines[entry] - 1) }
        seenLines[entry] = Self.mark(line: line)
        seenCount += 1
        return nil
    }

    /// The SKUs not seen in this generation: what a complete feed deletes.
    public func unseenSKUs() -> [String] {
        seenLines.indices.filter { seenLines[$0] == 0 }.map(sku)
    }
}

extension CatalogStore {
    /// The digests of every item `feed` has now, read from the `items` table (every item's page: the digest file,
    /// `loadItemDigests`, is the quick way).
    /// - Parameter expectedCount: about how many items there are (room is made for them up front).
    public func itemDigests(feed: String, expectedCount: Int = 0) throws -> ItemDigests {
        var builder = ItemDigests.Builder(expectedCount: expectedCount)
        try forEachItemDigest(feed: feed) { builder.append(sku: $0, rawHash: $1, fingerprint: $2) }
        return ItemDigests(builder)
    }

    /// Calls `body` with each of `feed`'s items as the `items` table has it now: the SKU's bytes (valid during the
    /// call), the record hash (0: not known) and the fingerprint.
    /// - Parameter inFeedOrder: by the line each item was last written from, rather than by SKU.
    func forEachItemDigest(feed: String, inFeedOrder: Bool = false,
                           _ body: (UnsafeRawBufferPointer, UInt64, Int64) throws -> Void) throws {
        let s = try connection.statement("SELECT sku, raw_hash, fingerprint FROM items WHERE feed = ?"
                                         + (inFeedOrder ? " ORDER BY line" : ""))
        try s.bind(.text(feed))
        func read() throws {
            while try s.step() {
                let raw = UInt64(bitPattern: s.int(1))  // NULL reads as 0
                try s.withTextBytes(0) { try body($0, raw, s.int(2)) }
            }
        }
        // Sorting with the usual 16 MiB cache raised an upgrade's 1M cycle from 128 to 147 MiB at its peak.
        try inFeedOrder ? connection.withCacheSize(kib: 2_048, read) : read()
    }

    /// Records the hash of the record an unchanged item was read from this time.
    public func setRawHash(feed: String, sku: String, _ rawHash: UInt64) throws {
        try connection.statement("UPDATE items SET raw_hash = ? WHERE feed = ? AND sku = ?")
            .bind(.integer(Int64(bitPattern: rawHash)), .text(feed), .text(sku)).run()
    }
}
