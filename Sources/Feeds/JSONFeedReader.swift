public import Catalog
public import Foundation

/// How a JSON feed holds its records.
public enum JSONFeedLayout: String, Sendable {
    /// Decide from the first byte: `[` is `.array`, `{` is `.lines` (or, with a record path, the object holding the array).
    case auto
    /// One top-level array (or the array at `recordPath`) whose elements are the records.
    case array
    /// JSON Lines (https://jsonlines.org): one object per non-blank line.
    case lines
}

/// Reads one record at a time from a JSON or JSON Lines feed, in constant memory.
///
/// Each record's object is flattened into dot paths with array indices, in source order:
/// `{"priceInfo":{"price":12.50},"categories":["x"]}` gives `priceInfo.price` = `12.50` and `categories[0]` = `x`.
/// Numbers keep their exact source text (never through `Double`), booleans are `true`/`false`, a `null` is
/// left out. Only the current record is materialised; the limits are 64 nesting levels, 10 MB per string
/// and 16 MB per record.
///
/// Errors: a problem confined to one record (a broken JSON Lines line, a duplicate key, invalid UTF-8 or a
/// lone surrogate in a string, an over-long string or record, an array element that is not an object) is
/// thrown once and reading continues with the next record. A syntax error in `.array` layout is fatal:
/// the position of the next element cannot be trusted, so it is thrown once and `nextRecord()` then
/// returns nil. Lines and columns are 1-based; columns count UTF-8 bytes.
///
/// As a `RawRecordSource`, a JSON Lines record is hashed from its line's bytes and its id read from them, so an
/// unchanged line is never decoded; an array element is decoded to be found and hashed by its fields.
///
/// One owner: not `Sendable`.
public final class JSONFeedReader: RawRecordSource {
    /// The layout being read; after the first record, what `.auto` detected.
    public var feedLayout: JSONFeedLayout { parser.layout }

    // All parsing state lives in one struct, so the hot loops run without per-access exclusivity checks.
    private var parser: JSONRecordParser
    private let recordPath: String?
    public var keyObserver: ((String) -> Void)?

    /// Opens the feed at `url`.
    /// - Parameters:
    ///   - feed: the feed's name in issue locations.
    ///   - layout: how records are laid out; `.auto` looks at the first byte.
    ///   - recordPath: dot path of the record array inside a top-level object (`products` for Shopify's
    ///     `{"products":[…]}`, `data.items`); used with `.auto` and `.array`, ignored for `.lines`.
    /// - Throws: `FeedIssue.Reason.unreadable` when the file cannot be opened.
    public convenience init(url: URL, feed: String, layout: JSONFeedLayout = .auto, recordPath: String? = nil)
        throws(FeedIssue)
    {
        let source: ByteSource
        do throws(FeedIssue) {
            source = try ByteSource(url: url)
        } catch {
            throw FeedIssue(error.reason, at: SourceLocation(feed: feed, line: 0))
        }
        self.init(source: source, feed: feed, layout: layout, recordPath: recordPath, limits: JSONLimits())
    }

    /// Reads `bytes`, `chunkSize` at a time (small sizes exercise chunk boundaries in tests).
    public convenience init(
        bytes: [UInt8], feed: String, layout: JSONFeedLayout = .auto, recordPath: String? = nil,
        chunkSize: Int = 1 << 18
    ) {
        self.init(bytes: bytes, feed: feed, layout: layout, recordPath: recordPath, chunkSize: chunkSize,
                  limits: JSONLimits())
    }

    /// Like `init(bytes:…)`, with other limits (tests lower them to stay small).
    convenience init(
        bytes: [UInt8], feed: String, layout: JSONFeedLayout = .auto, recordPath: String? = nil,
        chunkSize: Int = 1 << 18, limits: JSONLimits
    ) {
        self.init(source: ByteSource(bytes: bytes, chunkSize: chunkSize), feed: feed, layout: layout,
                  recordPath: recordPath, limits: limits)
    }

    init(source: ByteSource, feed: String, layout: JSONFeedLayout, recordPath: String?, limits: JSONLimits) {
        self.recordPath = recordPath
        parser = JSONRecordParser(
            scanner: JSONScanner(source: source, feed: feed, limits: limits), layout: layout,
            recordPath: recordPath.map { $0.split(separator: ".").map { Array($0.utf8) } })
    }

    /// Reads the next record.
    /// - Returns: The next record, or `nil` at the end of the feed (and after a fatal issue).
    /// - Throws: `FeedIssue` for a bad record (call again for the next one) or a bad feed (the next call
    ///   returns nil).
    public func nextRecord() throws(FeedIssue) -> FeedRecord? {
        try parser.nextRecord()
    }

    /// Finds the next record without building it, when it can: a JSON Lines line is found by its end alone; an
    /// array element is decoded, as its end is only known then.
    /// - Returns: `false` at the end of the feed (and after a fatal issue).
    /// - Throws: a fatal `FeedIssue`; a record's own issue is thrown by `currentRecord()`.
    public func moveToNextRecord() throws(FeedIssue) -> Bool {
        try parser.moveToNextRecord()
    }

    /// A hash of the found record and its value of `attribute`, the one `FeedRecord.value(ofAttribute:)` would
    /// give. JSON Lines: a hash of the line's bytes (without white space around it), the value read from the
    /// bytes without decoding the record; an array element: `FeedRecord.digest(seed:)` of the decoded record.
    /// - Returns: nil when the record has no such value or must be decoded to be judged (the attribute's member
    ///   is not a string or a number, or comes after anything unusual), and for a line over 16 MB.
    public func currentDigest(seed: UInt64, attribute: String) -> (hash: UInt64, key: String)? {
        parser.currentDigest(seed: seed, attribute: attribute, keyObserver: keyObserver)
    }

    /// The found record, decoded as `nextRecord()` decodes it; or the issue that keeps it out.
    public func currentRecord() throws(FeedIssue) -> FeedRecord {
        try parser.currentRecord()
    }

    /// The 1-based line on which the found record starts.
    public var currentLine: Int { parser.currentLine }

    /// What besides a record's bytes decides how it reads: the layout, and for an array the record path
    /// (`["json-layout=array", "json-record-path=products"]`). Known once the first record is found.
    public var layout: [String] {
        let path = parser.layout == .array ? recordPath.map { ["json-record-path=\($0)"] } ?? [] : []
        return ["json-layout=\(parser.layout.rawValue)"] + path
    }
}

extension JSONFeedReader: SplittableRecordSource {
    public var canSplit: Bool { parser.canSplit }

    public func continuation() throws(FeedIssue) -> any SplittableRecordSource {
        let scanner = parser.scanner
        let other = JSONFeedReader(source: try scanner.source.reopened(at: 0), feed: scanner.feed, layout: .lines,
                                   recordPath: nil, limits: scanner.limits)
        other.seek(to: 0, line: 1)
        return other
    }

    public var currentRecordOffset: Int { parser.currentRecordOffset() }

    public func seek(to offset: Int, line: Int) { parser.seekLine(to: offset, line: line) }

    public func recordStartGuess(near nominal: Int) throws(FeedIssue) -> Int? {
        try parser.scanner.source.lineStartGuess(near: nominal)
    }

    public var sourceSize: Int { parser.scanner.source.size }
}
