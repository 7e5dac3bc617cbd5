public import Catalog


/// Anything that yields feed records one at a time: the CSV, XML and JSON readers.
public protocol RecordSource: AnyObject {
    /// - Returns: the next record, or `nil` at the end.
    /// - Throws: `FeedIssue` for a bad row (reading may continue) or a bad feed (`isFatal`).
    func nextRecord() throws(FeedIssue) -> FeedRecord?
}

/// A source that can hash a record before decoding it (CSV, JSON Lines): a record whose bytes are what they were
/// in the last generation is then neither decoded nor mapped.
public protocol RawRecordSource: RecordSource {
    /// Finds the next record without decoding it. - Returns: `false` at the end.
    func moveToNextRecord() throws(FeedIssue) -> Bool
    /// The hash of the found record's bytes and its value of `attribute` (a profile attribute such as `id`),
    /// or `nil` when this record must be decoded to be judged.
    func currentDigest(seed: UInt64, attribute: String) -> (hash: UInt64, key: String)?
    /// Called by `currentDigest` with the key it found, before it hashes the record's bytes: a caller that looks
    /// the key up afterwards can start loading what it will need meanwhile (`ItemDigests.prefetch`). Records
    /// digested from their decoded fields (JSON array elements, XML read without the splitter) are not announced.
    var keyObserver: ((String) -> Void)? { get set }
    /// The found record, decoded; or the issue that keeps it out.
    func currentRecord() throws(FeedIssue) -> FeedRecord
    /// The 1-based line of the found record.
    var currentLine: Int { get }
    /// What, beyond a record's bytes, decides how it reads (column names, delimiter, encoding; a JSON layout).
    var layout: [String] { get }
    /// After `currentRecord()`: whether the digest `currentDigest` gave describes the record it returned. `false`
    /// when decoding showed that the bytes hashed were not one record (an XML item libxml2 read otherwise).
    var currentDigestHolds: Bool { get }
}

/// A raw source that a second reader can read from a record in the middle: `TailScan` in the daemon has part
/// of a feed read on another thread. The offsets are the file's; the second reader's lines count from the line
/// it was `seek`ed to.
public protocol SplittableRecordSource: RawRecordSource {
    /// Whether the feed, as read so far, can be read from the middle (JSON Lines can, a JSON array cannot).
    var canSplit: Bool { get }
    /// A reader of the same file, set up as this one is after its first record (header, layout), to be
    /// `seek`ed to a record before it reads. It reads through an open file of its own.
    func continuation() throws(FeedIssue) -> any SplittableRecordSource
    /// Where the record `moveToNextRecord()` found starts, in bytes; `Int.min` when it has no place (an issue).
    var currentRecordOffset: Int { get }
    /// Reads on from `offset` as from the first byte of a record on `line`.
    func seek(to offset: Int, line: Int)
    /// Where a record may start at or after `nominal`: a guess to be checked (see `TailScan`).
    func recordStartGuess(near nominal: Int) throws(FeedIssue) -> Int?
    /// The number of bytes in the file.
    var sourceSize: Int { get }
}

extension RawRecordSource {
    public var currentDigestHolds: Bool { true }
}

extension FeedRecord {
    /// A hash of every field's name and value, in order.
    public func digest(seed: UInt64) -> UInt64 {
        var state = seed
        for field in fields {
            state = RowHash.hash(field.name, seed: state)
            state = RowHash.hash(field.value, seed: state &+ UInt64(field.value.utf8.count))
        }
        return state
    }

    /// The first non-empty value, trimmed, of the fields a profile reads as `attribute` (see `RowFields.text`).
    public func value(ofAttribute attribute: String) -> String? {
        for field in fields where RowFields.key(field.name) == attribute {
            let trimmed = Substring(field.value).trimmingSpaces()
            if !trimmed.isEmpty { return String(trimmed) }
        }
        return nil
    }
}

/// CSV/TSV records as `FeedRecord`s named by the header as the export spells it (profiles match names
/// ignoring case and spacing, and report problems in the merchant's own column names).
public final class CSVRecordSource: RawRecordSource {
    public internal(set) var reader: CSVReader
    var names: [String]?
    /// The attribute last asked for in `currentDigest` and its column; `nil` when no single column has it.
    private var keyField: (attribute: String, column: Int?)?
    public var keyObserver: ((String) -> Void)?

    public init(_ reader: CSVReader) {
        self.reader = reader
    }

    public func nextRecord() throws(FeedIssue) -> FeedRecord? {
        guard try moveToNextRecord() else { return nil }
        return try currentRecord()
    }

    public func moveToNextRecord() throws(FeedIssue) -> Bool {
        if names == nil { names = try reader.readHeader() }
        return try reader.moveToNextRecord()
    }

    public func currentDigest(seed: UInt64, attribute: String) -> (hash: UInt64, key: String)? {
        if keyField?.attribute != attribute {
            let columns = (names ?? []).indices.filter { RowFields.key(names![$0]) == attribute }
            keyField = (attribute, columns.count == 1 ? columns[0] : nil)
        }
        guard let column = keyField?.column else { return nil }
        return reader.currentDigest(seed: seed, keyField: column, keyObserver: keyObserver)
    }

    public var currentLine: Int { reader.currentLine }

    public var layout: [String] {
        (names ?? []) + ["delimiter=\(reader.delimiter)", "encoding=\(reader.encoding.rawValue)"]
    }

    public func currentRecord() throws(FeedIssue) -> FeedRecord {
        let record = try reader.currentRecord()
        let names = self.names!
        var fields: [FeedRecord.Field] = []
        fields.reserveCapacity(record.fields.count)
        for (index, value) in record.fields.enumerated() where index < names.count {
            fields.append(FeedRecord.Field(names[index], value))
        }
        return FeedRecord(line: record.line, fields: fields)
    }
}
