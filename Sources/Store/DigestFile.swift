import Catalog
#if canImport(Glibc)
import Glibc
#endif

/// One feed's item digests in a file beside the database (`digests-<hash of the feed's name>.bin`): a
/// generation starts by reading it from end to end, rather than by reading the `items` table, whose pages lie
/// all over a database of gigabytes (even a covering index took 4.7 s at 5M SKUs, half of it waiting for the
/// disk; schema 6 dropped that index).
///
/// A cache, never the truth. Each segment names the digest stamp it brings the file to: a random number
/// that each generation changing the feed's items stores in `feeds.digest_stamp`, in its own transaction.
/// The file is read up to the segment that names the stamp the database has; a file without one, or cut
/// short before it, or failing a checksum there, is not used. So the file can be written before the
/// transaction commits and without `fsync`: a generation rolled back or lost leaves a segment no committed
/// stamp names.
///
/// A sequence of segments: the first holds every item (a snapshot), each later one what one generation
/// changed. Each segment is a header (five `UInt64`: magic, kind, stamp, record count, payload bytes), the
/// records (a `UInt32` SKU length whose top bit marks a deleted SKU, the record hash, the fingerprint, the
/// SKU's bytes), and a checksum (`RowHash` chained over the payload's 1 MiB blocks, then over the header,
/// seeded with the feed's name). Integers are little-endian. `RowHash` may change from build to build: a
/// new build then reads the table once, as it maps every row once anyway.
struct DigestFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Where a loaded file's current part ends, and what it holds.
    struct Position {
        /// Bytes up to the end of the segment that named the database's stamp: a new segment goes there.
        var length: Int
        var snapshotCount: Int
        /// Records in the change segments after the snapshot.
        var changeCount: Int
        var changeSegments: Int
    }

    static let magic: UInt64 = 0x3154_5347_4944_5343  // "CSDIGST1"
    static let snapshotKind: UInt64 = 1
    static let changesKind: UInt64 = 2
    static let headerSize = 40
    static let recordHeaderSize = 20
    static let deletedBit: UInt32 = 1 << 31
    static let blockSize = 1 << 20

    let path: String
    /// Seeds every checksum: a file renamed to another feed's name fails it.
    let seed: UInt64

    init(directory: String, feed: String) {
        path = directory + "/digests-" + String(UInt64(bitPattern: CatalogStore.fingerprint(feed)), radix: 16) + ".bin"
        seed = RowHash.hash("catalogsync-digest-file-1\n" + feed)
    }

    // MARK: Reading

    /// The items as of `stamp`, when the file has them intact; `nil` otherwise.
    /// - Parameter expectedCount: about how many items there are (room is made for them up front).
    func load(stamp: Int64, expectedCount: Int) -> (ItemDigests.Builder, Position)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var reader = BlockReader(fd: fd)
        var builder = ItemDigests.Builder(expectedCount: expectedCount)
        var changes: [String: (rawHash: UInt64, fingerprint: Int64)?] = [:]
        var position = Position(length: 0, snapshotCount: 0, changeCount: 0, changeSegments: 0)
        while let header = reader.read(count: Self.headerSize) {
            let field = { (index: Int) in header.withUnsafeBytes {
                UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) } }
            let isSnapshot = position.length == 0
            guard field(0) == Self.magic, field(1) == (isSnapshot ? Self.snapshotKind : Self.changesKind),
                  field(4) <= UInt64(Int.max) else { return nil }
            var segment: [String: (rawHash: UInt64, fingerprint: Int64)?] = [:]
            let payloadBytes = Int(field(4))
            let counted = reader.records(payloadBytes: payloadBytes, seed: seed) { sku, hash, fingerprint, deleted in
                if isSnapshot {
                    guard !deleted else { return false }
                    builder.append(sku: sku, rawHash: hash, fingerprint: fingerprint)
                } else {
                    segment[String(decoding: sku, as: UTF8.self)] = deleted ? .some(nil) : (hash, fingerprint)
                }
                return true
            }
            guard let (count, payloadHash) = counted, UInt64(count) == field(3),
                  let trailer = reader.read(count: 8),
                  trailer.withUnsafeBytes({ UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
                    == header.withUnsafeBytes({ RowHash.hash($0, seed: payloadHash) }) else { return nil }
            if isSnapshot {
                position.snapshotCount = count
            } else {
                position.changeCount += count
                position.changeSegments += 1
            }
            changes.merge(segment) { $1 }
            position.length = reader.offset
            if Int64(bitPattern: field(2)) == stamp {
                builder.apply(changes)
                return (builder, position)
            }
        }
        return nil
    }

    /// Reads a file block by block, as its segments were checksummed.
    private struct BlockReader {
        let fd: Int32
        private(set) var offset = 0

        init(fd: Int32) { self.fd = fd }

        /// Exactly `count` bytes, or `nil` at the end of the file.
        mutating func read(count: Int) -> [UInt8]? {
            var bytes: [UInt8] = []
            return read(count: count, appendingTo: &bytes) ? bytes : nil
        }

        /// Reads exactly `count` bytes to the end of `bytes`; `false` at the end of the file.
        mutating func read(count: Int, appendingTo bytes: inout [UInt8]) -> Bool {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: count))
            var done = 0
            while done < count {
                let got = bytes.withUnsafeMutableBytes {
                    pread(fd, $0.baseAddress! + start + done, count - done, off_t(offset + done))
                }
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else { return false }
                done += got
            }
            offset += count
            return true
        }

        /// Reads `payloadBytes` of records, calling `body` with each (`false` from `body`: the record is not
        /// valid there). - Returns: the records' count and the payload's chained hash; `nil` when the payload is
        /// cut short or a record does not fit.
        mutating func records(payloadBytes: Int, seed: UInt64,
                              _ body: (UnsafeRawBufferPointer, UInt64, Int64, Bool) -> Bool) -> (Int, UInt64)? {
            var hash = seed, count = 0, remaining = payloadBytes
            // The start of a record that continues in the next block, then that block; one buffer for them all.
            var block: [UInt8] = []
            var used = 0
            while remaining > 0 {
                block.removeSubrange(..<used)
                let carried = block.count
                guard read(count: min(DigestFile.blockSize, remaining), appendingTo: &block) else { return nil }
                remaining -= block.count - carried
                hash = block.withUnsafeBytes {
                    RowHash.hash(UnsafeRawBufferPointer(rebasing: $0[carried...]), seed: hash)
                }
                let parsed: Int? = block.withUnsafeBytes { bytes in
                    var at = 0
                    while bytes.count - at >= DigestFile.recordHeaderSize {
                        let word = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
                        let length = Int(word & ~DigestFile.deletedBit)
                        let end = at + DigestFile.recordHeaderSize + length
                        guard end <= bytes.count + remaining else { return nil }  // longer than the payload
                        guard end <= bytes.count else { break }
                        let rawHash = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 4, as: UInt64.self))
                        let fingerprint = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 12,
                                                                                   as: Int64.self))
                        let sku = UnsafeRawBufferPointer(rebasing: bytes[at + DigestFile.recordHeaderSize..<end])
                        guard body(sku, rawHash, fingerprint, word & DigestFile.deletedBit != 0) else { return nil }
                        count += 1
                        at = end
                    }
                    return at
                }
                guard let parsed else { return nil }
                used = parsed
            }
            return used == block.count ? (count, hash) : nil
        }
    }

    // MARK: Writing

    /// Replaces the file with a snapshot: every item, given to `records`' argument one at a time.
    func writeSnapshot(stamp: Int64, records: (inout SegmentWriter) throws -> Void) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "\(temporary): \(String(cString: strerror(errno)))") }
        do {
            var writer = SegmentWriter(fd: fd, offset: 0, seed: seed)
            try records(&writer)
            try writer.finish(kind: Self.snapshotKind, stamp: stamp)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "\(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Appends one generation's changes where the file's current part ends (`length`), dropping what follows.
    func appendChanges(at length: Int, stamp: Int64, records: (inout SegmentWriter) throws -> Void) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw Failure(description: "\(path): \(String(cString: strerror(errno)))")
        }
        var writer = SegmentWriter(fd: fd, offset: length, seed: seed)
        try records(&writer)
        try writer.finish(kind: Self.changesKind, stamp: stamp)
    }

    func remove() {
        unlink(path)
    }

    /// Writes one segment's records in 1 MiB blocks, chaining their checksum, then its header and trailer.
    struct SegmentWriter {
        private let fd: Int32
        private let start: Int
        private var hash: UInt64
        private var block: [UInt8] = []
        private var written = 0
        private(set) var count = 0

        fileprivate init(fd: Int32, offset: Int, seed: UInt64) {
            self.fd = fd
            start = offset
            hash = seed
            block.reserveCapacity(DigestFile.blockSize)
        }

        mutating func add(sku: UnsafeRawBufferPointer, rawHash: UInt64, fingerprint: Int64,
                          deleted: Bool = false) throws {
            var header = (UInt32(sku.count) | (deleted ? DigestFile.deletedBit : 0)).littleEndian
            try withUnsafeBytes(of: &header) { try append($0) }
            var values = (rawHash.littleEndian, fingerprint.littleEndian)
            try withUnsafeBytes(of: &values.0) { try append($0) }
            try withUnsafeBytes(of: &values.1) { try append($0) }
            try append(sku)
            count += 1
        }

        private mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
            var bytes = bytes
            while !bytes.isEmpty {
                let room = DigestFile.blockSize - block.count
                block.append(contentsOf: bytes.prefix(room))
                bytes = UnsafeRawBufferPointer(rebasing: bytes.dropFirst(room))
                if block.count == DigestFile.blockSize { try flush() }
            }
        }

        private mutating func flush() throws {
            guard !block.isEmpty else { return }
            hash = block.withUnsafeBytes { RowHash.hash($0, seed: hash) }
            try write(block, at: start + DigestFile.headerSize + written)
            written += block.count
            block.removeAll(keepingCapacity: true)
        }

        fileprivate mutating func finish(kind: UInt64, stamp: Int64) throws {
            try flush()
            let fields = [DigestFile.magic, kind, UInt64(bitPattern: stamp), UInt64(count), UInt64(written)]
            let header = fields.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
            let checksum = header.withUnsafeBytes { RowHash.hash($0, seed: hash) }
            let trailer = withUnsafeBytes(of: checksum.littleEndian, Array.init)
            try write(trailer, at: start + DigestFile.headerSize + written)
            try write(header, at: start)
        }

        private func write(_ bytes: [UInt8], at offset: Int) throws {
            var done = 0
            while done < bytes.count {
                let put = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done,
                                                          off_t(offset + done)) }
                if put < 0 && errno == EINTR { continue }
                guard put > 0 else { throw Failure(description: "digest file: \(String(cString: strerror(errno)))") }
                done += put
            }
        }
    }
}
