import Catalog

#if canImport(Glibc)
import Glibc
#endif

/// Size limits that keep one hostile record from exhausting memory or the stack.
struct JSONLimits: Sendable {
    /// Objects and arrays nested inside one record (the record's own object is level 1).
    var maxDepth = 64
    /// Bytes of one unescaped string (a key or a value).
    var maxStringBytes = 10 << 20
    /// Bytes of one record's source text.
    var maxRecordBytes = 16 << 20
}

/// The byte level of `JSONFeedReader`: chunked input, positions, whitespace, strings, numbers and literals.
///
/// Only the unconsumed tail of the current chunk is held; a token that crosses a chunk boundary is
/// copied into the caller's buffer as it goes, so no look-back is ever needed.
/// Problems that break the syntax are thrown; problems that leave the syntax intact (invalid UTF-8 in a
/// string, a lone surrogate, an over-long string or record, a duplicate key) are recorded once in
/// `recordIssue`, so the record can still be read to its end and the reader can carry on after it.
struct JSONScanner {
    struct Mark {
        var line: Int
        var column: Int
    }

    let source: ByteSource
    let feed: String
    let limits: JSONLimits
    var buffer: [UInt8] = []
    var pos = 0
    /// Absolute offset of `buffer[0]` in the input.
    private(set) var base = 0
    private var isExhausted = false
    private(set) var line = 1
    /// Absolute offset of the first byte of the current line.
    private(set) var lineStart = 0
    /// JSON Lines: a newline ends the record, so whitespace skipping stops in front of it.
    var newlineEndsRecord = false
    /// The first problem of the current record that left its syntax intact.
    private(set) var recordIssue: FeedIssue?
    /// `recordIssue == nil`, as a plain flag: the hot path must not copy the optional issue.
    private(set) var isRecordClean = true
    /// Where the current record's `{` is (absolute offset and position), or nil between records.
    private(set) var recordStart: (offset: Int, mark: Mark)?

    init(source: ByteSource, feed: String, limits: JSONLimits) {
        self.source = source
        self.feed = feed
        self.limits = limits
    }

    var offset: Int { base + pos }

    func mark() -> Mark { Mark(line: line, column: base + pos - lineStart + 1) }

    func issue(_ reason: FeedIssue.Reason, at mark: Mark? = nil, field: String? = nil) -> FeedIssue {
        let m = mark ?? self.mark()
        return FeedIssue(reason, at: SourceLocation(feed: feed, line: m.line, column: m.column, field: field))
    }

    /// Keeps the first issue of a record; later ones are usually consequences of it.
    mutating func record(_ reason: FeedIssue.Reason, at mark: Mark, field: String? = nil) {
        if isRecordClean {
            recordIssue = issue(reason, at: mark, field: field)
            isRecordClean = false
        }
    }

    /// Starts a record whose `{` is at the current position.
    mutating func beginRecord() {
        recordStart = (offset, mark())
        recordIssue = nil
        isRecordClean = true
    }

    /// Reads on from `offset`, the first byte of `line`: what was buffered is dropped.
    mutating func seek(to offset: Int, line: Int) {
        source.seek(to: offset)
        buffer.removeAll(keepingCapacity: true)
        pos = 0
        base = offset
        isExhausted = false
        self.line = line
        lineStart = offset
        abandonRecord()
    }

    /// Forgets the record being read (after a syntax error).
    mutating func abandonRecord() {
        recordStart = nil
        recordIssue = nil
        isRecordClean = true
    }

    /// Ends the record: checks its size and clears its issue.
    /// - Returns: the record's first issue, if any.
    mutating func endRecord() -> FeedIssue? {
        if let start = recordStart, offset - start.offset > limits.maxRecordBytes { recordTooLarge() }
        recordStart = nil
        defer {
            recordIssue = nil
            isRecordClean = true
        }
        return recordIssue
    }

    // MARK: Input

    /// Replaces the consumed buffer with the next chunk. Called only when `pos == buffer.count`.
    /// - Returns: false at end of input.
    @inline(never)
    mutating func refill() throws(FeedIssue) -> Bool {
        if isExhausted { return false }
        base += buffer.count
        pos = 0
        buffer.removeAll(keepingCapacity: true)
        guard try readChunk() else { return false }
        // Everything before `base` was consumed inside the record, so this never counts bytes past its end.
        if let start = recordStart, base - start.offset > limits.maxRecordBytes {
            recordTooLarge()
        }
        return true
    }

    /// Appends the source's next chunk to `buffer`.
    /// - Returns: false at end of input.
    private mutating func readChunk() throws(FeedIssue) -> Bool {
        if isExhausted { return false }
        let count: Int
        do throws(FeedIssue) {
            count = try source.read(into: &buffer)
        } catch {
            isExhausted = true
            throw FeedIssue(error.reason, at: SourceLocation(feed: feed, line: line))
        }
        if count == 0 { isExhausted = true }
        return count > 0
    }

    /// JSON Lines: holds the rest of the current line in `buffer` from `pos`, reading chunks as needed, so that
    /// the line can be hashed before it is parsed. Consumes nothing.
    /// - Returns: the index in `buffer` of the line's `\n`, or `buffer.count` when the input ends first; nil
    ///   when the line is longer than `limits.maxRecordBytes` (it is then parsed a chunk at a time).
    mutating func bufferLine() throws(FeedIssue) -> Int? {
        if let newline = newlineIndex(from: pos) { return newline }
        // Drop what was consumed, once: then the line is only appended to, never moved again.
        base += pos
        buffer.removeSubrange(0..<pos)
        pos = 0
        var searched = buffer.count
        while buffer.count <= limits.maxRecordBytes {
            guard try readChunk() else { return buffer.count }
            if let newline = newlineIndex(from: searched) { return newline }
            searched = buffer.count
        }
        return nil
    }

    private func newlineIndex(from start: Int) -> Int? {
        buffer.withUnsafeBufferPointer { bytes -> Int? in
            guard start < bytes.count, let base = bytes.baseAddress,
                  let found = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    mutating func recordTooLarge() {
        guard let start = recordStart else { return }
        record(.tooLarge("a record longer than \(limits.maxRecordBytes) bytes"), at: start.mark)
    }

    @inline(__always)
    mutating func peek() throws(FeedIssue) -> UInt8? {
        if pos < buffer.count { return buffer[pos] }
        return try refill() ? buffer[pos] : nil
    }

    /// Skips a UTF-8 byte order mark at the very start of the input.
    mutating func skipByteOrderMark() throws(FeedIssue) {
        guard try peek() == 0xEF else { return }
        // Read the three bytes one at a time: they may straddle chunks.
        for expected: UInt8 in [0xEF, 0xBB, 0xBF] {
            guard try peek() == expected else { throw issue(.invalidEncoding("an incomplete byte order mark")) }
            pos += 1
        }
        lineStart = offset
    }

    /// Skips JSON white space and returns the next byte without consuming it; nil at end of input.
    /// With `newlineEndsRecord`, stops at `\n` and returns it.
    mutating func skipWhitespace() throws(FeedIssue) -> UInt8? {
        while true {
            while pos < buffer.count {
                let b = buffer[pos]
                switch b {
                case 0x20, 0x09, 0x0D:
                    pos += 1
                case 0x0A:
                    if newlineEndsRecord { return b }
                    pos += 1
                    line += 1
                    lineStart = base + pos
                default:
                    return b
                }
            }
            if try !refill() { return nil }
        }
    }

    /// Consumes the `\n` at `pos`.
    mutating func takeNewline() {
        pos += 1
        line += 1
        lineStart = base + pos
    }

    /// Skips to just past the next `\n` (JSON Lines resynchronisation: a raw newline cannot occur in a string).
    mutating func skipRestOfLine() throws(FeedIssue) {
        while true {
            while pos < buffer.count {
                if buffer[pos] == 0x0A {
                    takeNewline()
                    return
                }
                pos += 1
            }
            if try !refill() { return }
        }
    }

    // MARK: Tokens

    /// Reads the literal `word` (`true`, `false`, `null`) whose first byte is at `pos`.
    mutating func expectLiteral(_ word: StaticString) throws(FeedIssue) {
        let start = mark()
        let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in bytes {
            guard try peek() == expected else { throw issue(.malformed("invalid literal, expected '\(word)'"), at: start) }
            pos += 1
        }
    }

    /// Reads a number whose first byte is at `pos`, appending its exact source text to `out` when `keep`.
    mutating func readNumber(into out: inout ScratchBytes, keep: Bool) throws(FeedIssue) {
        if try peek() == UInt8(ascii: "-") {
            if keep { out.append(UInt8(ascii: "-")) }
            pos += 1
        }
        guard let first = try peek() else { throw issue(.malformed("truncated feed: the input ends inside a number")) }
        if first == UInt8(ascii: "I") { throw issue(.malformed("Infinity is not valid JSON")) }
        if first == UInt8(ascii: "0") {
            if keep { out.append(first) }
            pos += 1
        } else {
            try digits(into: &out, keep: keep)
        }
        if try peek() == UInt8(ascii: ".") {
            if keep { out.append(UInt8(ascii: ".")) }
            pos += 1
            try digits(into: &out, keep: keep)
        }
        if let e = try peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            if keep { out.append(e) }
            pos += 1
            if let sign = try peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                if keep { out.append(sign) }
                pos += 1
            }
            try digits(into: &out, keep: keep)
        }
    }

    /// One or more decimal digits.
    private mutating func digits(into out: inout ScratchBytes, keep: Bool) throws(FeedIssue) {
        var count = 0
        while let b = try peek(), b &- UInt8(ascii: "0") < 10 {
            if keep { out.append(b) }
            pos += 1
            count += 1
        }
        if count == 0 { throw issue(.malformed("invalid number: expected a digit, found \(describe(try peek()))")) }
    }

    /// A byte as an operator can read it in a message: `'x'`, `byte 0xC3`, `the end of the line`.
    func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "the end of the input" }
        if byte == 0x0A { return "the end of the line" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }
}
