public import Catalog
public import Foundation

/// One data record of a CSV/TSV feed.
public struct CSVRecord: Sendable {
    /// The field values, in column order; as many as the header has columns.
    public var fields: [String]
    /// The 1-based line on which the record starts.
    public var line: Int
    let columnIndex: [String: Int]

    init(fields: [String], line: Int, columnIndex: [String: Int]) {
        self.fields = fields
        self.line = line
        self.columnIndex = columnIndex
    }

    /// A record for tests of code that consumes records; `header` names the fields in order.
    public init(fields: [String], line: Int, header: [String]) {
        self.init(fields: fields, line: line, columnIndex: CSVReader.columnIndex(of: header))
    }

    /// The value of the named header column (the first, if the header repeats it); `nil` when there is none.
    public subscript(column: String) -> String? {
        guard let index = columnIndex[column], index < fields.count else { return nil }
        return fields[index]
    }
}

/// The text encoding of a feed file.
public enum FeedEncoding: String, Sendable, CaseIterable {
    /// A UTF-8 BOM or valid UTF-8 in the first 256 KiB means UTF-8; other bytes ≥ 0x80 mean Windows-1252.
    case auto
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case latin1 = "iso-8859-1"
}

/// Reads one record at a time from a CSV or TSV feed, streaming: memory is bounded by the largest record.
///
/// Follows RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180), plus what real exports contain: a UTF-8 BOM,
/// CRLF, LF or bare CR line ends, `;`, tab or `|` delimiters, Excel's `sep=;` first line, quotes inside
/// unquoted fields (kept literally), PrestaShop's trailing `;`, and Windows-1252 text.
///
/// Errors are per record: after `nextRecord()` throws, the next call returns the record after the bad one.
/// Locations are 1-based; columns count bytes of the line, like swiftc. Record-level issues (ragged row, too
/// large) point at the line where the record starts; byte-level issues (a stray character after a closing
/// quote, an undecodable byte) point at the byte itself, which in a multi-line record may be a later line.
///
/// ```swift
/// var reader = try CSVReader(url: url, feed: "products.csv")
/// while true {
///     do {
///         guard let record = try reader.nextRecord() else { break }
///         print(record.line, record["id"] ?? "")
///     } catch {
///         quarantine(error)  // feed:line:column and the reason; reading continues
///     }
/// }
/// ```
public struct CSVReader {
    /// The trimmed column names; empty until the header has been read.
    public private(set) var header: [String] = []
    /// The field delimiter: given, taken from a `sep=` line, or detected from the header line.
    public private(set) var delimiter: UInt8
    /// The encoding in use; `.auto` is resolved when the header is read.
    public private(set) var encoding: FeedEncoding

    /// A field longer than this many bytes is reported as `.tooLarge`.
    var maxFieldBytes = 10 << 20
    /// A record longer than this many bytes is reported as `.tooLarge`.
    var maxRecordBytes = 16 << 20

    enum Phase {
        case start, records, finished
        case failed(FeedIssue)
    }

    let feed: String
    var source: ByteSource
    var buffer: [UInt8] = []
    var isEOF = false
    var scanner: CSVScanner
    var phase = Phase.start
    var isDelimiterGiven: Bool
    var columnIndex: [String: Int] = [:]
    var headerLine = 1
    var hasDataRecords = false
    /// The `.tooLarge` issue of the record being skipped.
    var skippedRecordIssue: FeedIssue?
    var unescaped: [UInt8] = []
    var transcoded: [UInt8] = []

    /// Reads CSV text from a string (for tests); the string is UTF-8 by construction.
    public init(string: String, feed: String, delimiter: UInt8? = nil) {
        self.init(bytes: Array(string.utf8), feed: feed, delimiter: delimiter, encoding: .utf8)
    }

    /// Reads CSV from bytes in memory, `chunkSize` bytes at a time (small sizes exercise chunk boundaries).
    public init(
        bytes: [UInt8], feed: String, delimiter: UInt8? = nil, encoding: FeedEncoding = .auto,
        chunkSize: Int = 1 << 18
    ) {
        self.init(
            source: ByteSource(bytes: bytes, chunkSize: chunkSize), feed: feed, delimiter: delimiter,
            encoding: encoding)
    }

    /// Opens a CSV or TSV file.
    /// - Throws: `FeedIssue` with `.unreadable` when the file cannot be opened.
    public init(url: URL, feed: String, delimiter: UInt8? = nil, encoding: FeedEncoding = .auto) throws {
        let source: ByteSource
        do throws(FeedIssue) {
            source = try ByteSource(url: url)
        } catch {
            throw FeedIssue(error.reason, at: SourceLocation(feed: feed, line: 0))
        }
        self.init(source: source, feed: feed, delimiter: delimiter, encoding: encoding)
    }

    init(source: ByteSource, feed: String, delimiter: UInt8?, encoding: FeedEncoding) {
        self.source = source
        self.feed = feed
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        self.isDelimiterGiven = delimiter != nil
        self.encoding = encoding
        self.scanner = CSVScanner(delimiter: self.delimiter)
    }

    /// Reads the header (the first record) if it has not been read yet, detecting dialect and encoding.
    ///
    /// - Returns: The column names, trimmed of surrounding white space.
    /// - Throws: `.emptyFeed` when there is no record at all; a syntax, size or encoding issue in the header
    ///   line. All are fatal (`isFatal`): the feed cannot be read, and `nextRecord()` then returns `nil`.
    public mutating func readHeader() throws(FeedIssue) -> [String] {
        switch phase {
        case .failed(let issue): throw issue
        case .records, .finished: return header
        case .start: break
        }
        do throws(FeedIssue) {
            (encoding, delimiter) = try detectedDialect()
            switch try advance() {
            case .endOfInput, .needMore:
                throw FeedIssue(.emptyFeed, at: SourceLocation(feed: feed, line: 1))
            case .unterminatedQuote(let offset):
                if let skipped = takeSkippedRecordIssue() { throw skipped }
                throw issue(.unterminatedQuote, atOffset: offset)
            case .record:
                headerLine = scanner.recordLine
                header = try decodedFields(count: scanner.spans.count)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                columnIndex = Self.columnIndex(of: header)
            }
            phase = .records
            return header
        } catch {
            // Without a header no record can be read: the issue ends the feed, whatever its reason
            // (a consumer that goes on after a row issue would otherwise be handed it forever).
            var fatal = error
            fatal.isFatal = true
            phase = .failed(fatal)
            throw fatal
        }
    }

    /// Reads the next data record, reading the header first if needed.
    ///
    /// - Returns: The next record, or `nil` at the end of the feed (and after a final issue).
    /// - Throws: A `FeedIssue` for this record only (the next call goes on with the next record), or a final
    ///   one: `.emptyFeed`, `.headerOnly`, a bad header, `.unterminatedQuote` at the end, `.unreadable`.
    public mutating func nextRecord() throws(FeedIssue) -> CSVRecord? {
        guard try moveToNextRecord() else { return nil }
        return try makeRecord()
    }

    /// Finds the next record without decoding it: `currentRecord()` decodes it, `currentDigest` hashes it.
    /// - Returns: `false` at the end. Throws what `nextRecord()` throws, except the record's own issues,
    ///   which `currentRecord()` throws.
    public mutating func moveToNextRecord() throws(FeedIssue) -> Bool {
        switch phase {
        case .failed, .finished: return false
        case .start: _ = try readHeader()
        case .records: break
        }
        do throws(FeedIssue) {
            switch try advance() {
            case .endOfInput, .needMore:
                phase = .finished
                guard hasDataRecords else {
                    throw FeedIssue(.headerOnly, at: SourceLocation(feed: feed, line: headerLine))
                }
                return false
            case .unterminatedQuote(let offset):
                phase = .finished
                hasDataRecords = true
                if let skipped = takeSkippedRecordIssue() { throw skipped }
                throw issue(.unterminatedQuote, atOffset: offset)
            case .record:
                hasDataRecords = true
                return true
            }
        } catch {
            if case .unreadable = error.reason { phase = .failed(error) }
            throw error
        }
    }

    /// Scans to the end of the next record, reading chunks as needed.
    mutating func advance() throws(FeedIssue) -> CSVScanner.Outcome {
        while true {
            let outcome = buffer.withUnsafeBufferPointer { scanner.scan($0, isEOF: isEOF) }
            guard outcome == .needMore else { return outcome }
            try refill()
        }
    }

    /// Drops the bytes before the open record and appends the next chunk; starts skipping an oversized record.
    mutating func refill() throws(FeedIssue) {
        let open = scanner.openSizes
        if !scanner.isSkipping && (open.record > maxRecordBytes || open.field > maxFieldBytes) {
            skippedRecordIssue = tooLarge(record: open.record, field: open.field)
            scanner.isSkipping = true
            scanner.spans.removeAll()
        }
        let keep = scanner.isInRecord && !scanner.isSkipping ? scanner.recordStart : scanner.position
        if keep > 0 {
            buffer.removeSubrange(0..<keep)
            scanner.shift(by: keep)
        }
        try readChunk()
    }

    /// Appends one chunk to the buffer, or sets `isEOF`.
    mutating func readChunk() throws(FeedIssue) {
        do throws(FeedIssue) {
            if try source.read(into: &buffer) == 0 { isEOF = true }
        } catch {
            throw FeedIssue(error.reason, at: SourceLocation(feed: feed, line: scanner.line))
        }
    }

    private mutating func takeSkippedRecordIssue() -> FeedIssue? {
        guard scanner.isSkipping else { return nil }
        scanner.isSkipping = false
        defer { skippedRecordIssue = nil }
        return skippedRecordIssue
    }

    private func tooLarge(record: Int, field: Int) -> FeedIssue {
        let why =
            field > maxFieldBytes
            ? "a field is over \(maxFieldBytes) bytes" : "the record is over \(maxRecordBytes) bytes"
        return FeedIssue(.tooLarge(why + "; record skipped"), at: SourceLocation(feed: feed, line: scanner.recordLine))
    }

    /// The record `moveToNextRecord()` found, decoded; or the issue that keeps it out.
    public mutating func currentRecord() throws(FeedIssue) -> CSVRecord { try makeRecord() }

    /// The record `moveToNextRecord()` found, undecoded: a hash of its bytes as the file has them (quotes
    /// and delimiters included) and the text of field `keyField`. `nil` when the record is being skipped as
    /// too large, or the key field is empty, quoted with doubled quotes, padded with spaces or not ASCII:
    /// such records take the decoding path.
    ///
    /// `mutating` though it changes nothing: a reader held in a class's property (`CSVRecordSource`) is then
    /// used in place, where a non-mutating call copied the whole reader for every record.
    public mutating func currentDigest(seed: UInt64, keyField: Int, keyObserver: ((String) -> Void)? = nil)
        -> (hash: UInt64, key: String)? {
        guard !scanner.isSkipping, skippedRecordIssue == nil, keyField < scanner.spans.count else { return nil }
        let span = scanner.spans[keyField]
        guard !span.hasDoubledQuotes, span.end > span.start else { return nil }
        return buffer.withUnsafeBufferPointer { bytes -> (hash: UInt64, key: String)? in
            let key = UnsafeBufferPointer(rebasing: bytes[span.start..<span.end])
            guard key.first! > 0x20, key.last! > 0x20, key.allSatisfy({ $0 < 0x80 }) else { return nil }
            // Without its line end: the last row hashes the same with or without a final newline.
            var end = scanner.recordEnd
            while end > scanner.recordStart, bytes[end - 1] == CSVScanner.lf || bytes[end - 1] == CSVScanner.cr {
                end -= 1
            }
            let record = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[scanner.recordStart..<end])
            let text = String(decoding: key, as: UTF8.self)
            keyObserver?(text)
            return (RowHash.hash(record, seed: seed), text)
        }
    }

    /// The 1-based line of the record `moveToNextRecord()` found.
    public var currentLine: Int { scanner.recordLine }

    /// Turns the record the scanner just found into a `CSVRecord`, or the issue that keeps it out.
    private mutating func makeRecord() throws(FeedIssue) -> CSVRecord {
        if let skipped = takeSkippedRecordIssue() { throw skipped }
        if let stray = scanner.strayAfterQuote {
            throw issue(.unexpectedQuote, atOffset: stray.offset, field: stray.field)
        }
        var count = scanner.spans.count
        if count != header.count {
            // PrestaShop ends rows with `;`: extra fields are fine while they are all empty.
            let extra = count > header.count ? scanner.spans[header.count...] : []
            guard !extra.isEmpty, extra.allSatisfy({ $0.start == $0.end }) else {
                throw FeedIssue(
                    .raggedRow(expected: header.count, found: count),
                    at: SourceLocation(feed: feed, line: scanner.recordLine))
            }
            count = header.count
        }
        return CSVRecord(fields: try decodedFields(count: count), line: scanner.recordLine, columnIndex: columnIndex)
    }

    /// Checks the record the scanner just found and decodes its first `count` fields.
    private mutating func decodedFields(count: Int) throws(FeedIssue) -> [String] {
        if let skipped = takeSkippedRecordIssue() { throw skipped }
        if let stray = scanner.strayAfterQuote {
            throw issue(.unexpectedQuote, atOffset: stray.offset, field: stray.field)
        }
        let recordBytes = scanner.recordEnd - scanner.recordStart
        if recordBytes > maxRecordBytes || scanner.longestField > maxFieldBytes {
            throw tooLarge(record: recordBytes, field: scanner.longestField)
        }
        if scanner.highBits >= 0x80, let offset = firstUndecodableByte() {
            throw issue(
                .invalidEncoding(undecodableMessage(buffer[offset])), atOffset: offset,
                field: scanner.spans.firstIndex { $0.end > offset })
        }
        let isASCII = scanner.highBits < 0x80
        let spans = scanner.spans
        let encoding = encoding
        // Moved out and back, so that the scratch buffers stay uniquely referenced and are not copied.
        var unescaped = self.unescaped
        var transcoded = self.transcoded
        self.unescaped = []
        self.transcoded = []
        defer {
            self.unescaped = unescaped
            self.transcoded = transcoded
        }
        var fields: [String] = []
        fields.reserveCapacity(count)
        buffer.withUnsafeBufferPointer { bytes in
            for span in spans[0..<count] {
                let content = UnsafeBufferPointer(rebasing: bytes[span.start..<span.end])
                guard span.hasDoubledQuotes else {
                    fields.append(Self.decode(content, isASCII: isASCII, as: encoding, scratch: &transcoded))
                    continue
                }
                // RFC 4180: a quote inside a quoted field is written twice.
                unescaped.removeAll(keepingCapacity: true)
                var index = content.startIndex
                while index < content.endIndex {
                    unescaped.append(content[index])
                    index += content[index] == CSVScanner.quote ? 2 : 1
                }
                fields.append(
                    unescaped.withUnsafeBufferPointer {
                        Self.decode($0, isASCII: isASCII, as: encoding, scratch: &transcoded)
                    })
            }
        }
        return fields
    }

    @inline(__always)
    private static func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool, as encoding: FeedEncoding, scratch: inout [UInt8]
    ) -> String {
        if isASCII || encoding == .utf8 || encoding == .auto { return String(decoding: bytes, as: UTF8.self) }
        return TextDecoding.decodeSingleByte(bytes, isWindows1252: encoding == .windows1252, scratch: &scratch)
    }

    /// The offset of the record's first byte the encoding cannot decode, or `nil`.
    private func firstUndecodableByte() -> Int? {
        let range = scanner.recordStart..<scanner.recordEnd
        return buffer.withUnsafeBufferPointer { bytes -> Int? in
            let record = UnsafeBufferPointer(rebasing: bytes[range])
            let found: Int?
            switch encoding {
            case .latin1: found = nil
            case .windows1252: found = TextDecoding.firstUndefinedWindows1252(in: record)
            case .utf8, .auto: found = TextDecoding.firstInvalidUTF8(in: record)
            }
            return found.map { $0 + range.lowerBound }
        }
    }

    private func undecodableMessage(_ byte: UInt8) -> String {
        let hex = "0x" + String(byte, radix: 16, uppercase: true)
        if encoding == .windows1252 { return "byte \(hex) is not defined in windows-1252" }
        return "byte \(hex) is not valid UTF-8; set the feed's encoding (e.g. windows-1252)"
    }

    /// An issue located at a byte of the current record: its line and column (bytes), and its column's name.
    func issue(_ reason: FeedIssue.Reason, atOffset offset: Int, field: Int? = nil) -> FeedIssue {
        let start = scanner.recordStart
        let (line, lineStart) = buffer.withUnsafeBufferPointer { bytes -> (Int, Int) in
            var line = scanner.recordLine
            var lineStart = start
            for index in start..<max(start, offset) {
                let byte = bytes[index]
                if byte == CSVScanner.cr
                    || (byte == CSVScanner.lf && (index == start || bytes[index - 1] != CSVScanner.cr))
                {
                    line += 1
                }
                if byte == CSVScanner.cr || byte == CSVScanner.lf { lineStart = index + 1 }
            }
            return (line, lineStart)
        }
        let name = field.flatMap { $0 < header.count ? header[$0] : nil }
        return FeedIssue(
            reason, at: SourceLocation(feed: feed, line: line, column: offset - lineStart + 1, field: name))
    }

    static func columnIndex(of header: [String]) -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, name) in header.enumerated() where index[name] == nil { index[name] = position }
        return index
    }
}
