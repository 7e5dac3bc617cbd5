import Catalog

/// The record level of `JSONFeedReader`: layouts, records, error recovery. A struct, owned by the reader.
struct JSONRecordParser {
    private(set) var layout: JSONFeedLayout
    var scanner: JSONScanner
    /// `recordPath` split at dots, as UTF-8.
    let recordPath: [[UInt8]]?
    private var state = State.start
    /// Objects around the record array (one per `recordPath` component) that are still open.
    private var openObjects = 0
    /// Array elements read so far (1-based in messages).
    private var elementCount = 0
    /// Set just before a record issue is thrown, so that `recover(from:)` knows the feed can go on.
    private var rowIssueThrown = false

    // The record being built.
    var fields: [FeedRecord.Field] = []
    var path = ScratchBytes()
    var value = ScratchBytes()
    /// False while values are only checked (outside records).
    var isEmitting = false
    var keys = JSONKeyIndex()
    var names = JSONFieldNames()

    private enum State {
        case start, lines, firstElement, nextElement, finished
    }

    /// The record `moveToNextRecord()` found.
    private var found: Found?
    /// The found record once decoded (an array element is decoded to be found), or the issue that keeps it out.
    private var decoded: FeedRecord?
    private var decodedIssue: FeedIssue?
    private var attributeNames = JSONAttributeNames()

    /// Plain values only (no record, no issue): it is set for every record, so copying it must stay cheap.
    private struct Found {
        /// JSON Lines: absolute offsets of the line's first byte after white space and of its `\n` (or the end
        /// of the input), while the buffer holds the line whole; nil for a longer line and an array element.
        var bytes: Range<Int>?
        var line: Int
        var isDecoded: Bool
        /// JSON Lines: the absolute offset of the record's line. `Int.min` for an array element and an issue.
        var start = Int.min
    }

    init(scanner: JSONScanner, layout: JSONFeedLayout, recordPath: [[UInt8]]?) {
        self.scanner = scanner
        self.layout = layout
        self.recordPath = recordPath
    }

    mutating func nextRecord() throws(FeedIssue) -> FeedRecord? {
        guard try moveToNextRecord() else { return nil }
        return try currentRecord()
    }

    /// Finds the next record: a JSON Lines line by its end alone (held whole in the buffer when it can be, for
    /// `currentDigest`); an array element by decoding it, as its end is only known then.
    /// - Returns: false at the end of the feed. Throws only fatal issues; a record's own issue waits for
    ///   `currentRecord()`.
    mutating func moveToNextRecord() throws(FeedIssue) -> Bool {
        let previous = found
        found = nil
        decoded = nil
        decodedIssue = nil
        do throws(FeedIssue) {
            if state == .start { try begin() }
            switch state {
            case .start, .finished:
                return false
            case .lines:
                if let previous, !previous.isDecoded { try skipLine(previous) }
                return try moveToNextLine()
            case .firstElement, .nextElement:
                guard let record = try nextElement() else { return false }
                found = Found(bytes: nil, line: record.line, isDecoded: true)
                decoded = record
                return true
            }
        } catch {
            let issue = recover(from: error)
            if issue.isFatal { throw issue }
            found = Found(bytes: nil, line: issue.location.line, isDecoded: true)
            decodedIssue = issue
            return true
        }
    }

    /// The record `moveToNextRecord()` found, decoded; or the issue that keeps it out.
    mutating func currentRecord() throws(FeedIssue) -> FeedRecord {
        guard let found else { preconditionFailure("currentRecord() needs a record found by moveToNextRecord()") }
        if !found.isDecoded {
            self.found?.isDecoded = true
            do throws(FeedIssue) {
                decoded = try readLine()
            } catch {
                decodedIssue = recover(from: error)
            }
        }
        if let decodedIssue { throw decodedIssue }
        return decoded!
    }

    /// Where the JSON Lines record `moveToNextRecord()` found starts: its line's first byte. `mutating` though it
    /// changes nothing: the parser is then used in place, where a getter copied it whole for every record.
    mutating func currentRecordOffset() -> Int { found?.start ?? Int.min }

    /// Whether a second reader can read the feed from a line in the middle: JSON Lines, once its first record
    /// was found.
    var canSplit: Bool { state == .lines }

    /// JSON Lines: reads on from `offset`, the first byte of `line`.
    mutating func seekLine(to offset: Int, line: Int) {
        scanner.seek(to: offset, line: line)
        scanner.newlineEndsRecord = true
        layout = .lines
        state = .lines
        found = nil
        decoded = nil
        decodedIssue = nil
    }

    /// The 1-based line of the record `moveToNextRecord()` found.
    var currentLine: Int { found?.line ?? scanner.line }

    /// A hash of the record `moveToNextRecord()` found and its value of `attribute`: for a JSON Lines line,
    /// from its bytes, without decoding it (see `RawJSONObject`); for an array element, from its fields.
    /// - Returns: nil when the record has no such value, or it cannot be told without decoding the record, or
    ///   the record is known to be bad.
    mutating func currentDigest(seed: UInt64, attribute: String, keyObserver: ((String) -> Void)? = nil)
        -> (hash: UInt64, key: String)? {
        guard let found, decodedIssue == nil else { return nil }
        guard let bytes = found.bytes else {
            guard layout == .array, let record = decoded, let key = record.value(ofAttribute: attribute) else {
                return nil
            }
            return (record.digest(seed: seed), key)
        }
        let start = bytes.lowerBound - scanner.base
        var end = bytes.upperBound - scanner.base
        guard start >= 0, end <= scanner.buffer.count else { return nil }
        return scanner.buffer.withUnsafeBufferPointer { buffer -> (hash: UInt64, key: String)? in
            // Without the line's end and trailing white space: they do not change the record.
            while end > start, buffer[end - 1] == 0x20 || buffer[end - 1] == 0x09 || buffer[end - 1] == 0x0D {
                end -= 1
            }
            let record = UnsafeBufferPointer(rebasing: buffer[start..<end])
            guard let key = RawJSONObject(bytes: record).value(ofAttribute: attribute, names: &attributeNames) else {
                return nil
            }
            keyObserver?(key)
            return (RowHash.hash(UnsafeRawBufferPointer(record), seed: seed), key)
        }
    }

    /// Settles the parser after `error`: in JSON Lines the next line is the next record; in an array, only a
    /// record issue can be read past.
    /// - Returns: `error`, made fatal when nothing after it can be read.
    private mutating func recover(from error: FeedIssue) -> FeedIssue {
        scanner.abandonRecord()
        isEmitting = false
        let isRowIssue = rowIssueThrown
        rowIssueThrown = false
        if error.code == "unreadable" {
            state = .finished
        } else if state == .lines {
            // A raw newline cannot occur inside a JSON string, so the next line is the next record.
            do throws(FeedIssue) {
                try scanner.skipRestOfLine()
            } catch {
                state = .finished
                var issue = error
                issue.isFatal = true
                return issue
            }
        } else if !isRowIssue {
            state = .finished
        }
        var issue = error
        issue.isFatal = state == .finished  // nothing after it can be read: the feed is rejected whole
        return issue
    }

    /// Marks an issue that spoils one record only; reading goes on after it.
    private mutating func rowIssue(_ issue: FeedIssue) -> FeedIssue {
        rowIssueThrown = true
        return issue
    }

    /// Skips a byte order mark, settles the layout and, for an array, moves into it.
    private mutating func begin() throws(FeedIssue) {
        try scanner.skipByteOrderMark()
        if layout == .lines {
            scanner.newlineEndsRecord = true
            state = .lines
            return
        }
        guard let first = try scanner.skipWhitespace() else {
            if layout == .array || recordPath != nil { throw scanner.issue(.emptyFeed) }
            layout = .lines
            state = .finished
            return
        }
        if let recordPath {
            layout = .array
            try enter(recordPath)
        } else if first == UInt8(ascii: "[") {
            layout = .array
            scanner.pos += 1
        } else if first == UInt8(ascii: "{") && layout == .auto {
            layout = .lines
            scanner.newlineEndsRecord = true
            state = .lines
            return
        } else {
            let expected = layout == .array ? "'['" : "'[' or '{'"
            throw scanner.issue(.malformed("a JSON feed starts with \(expected), found \(scanner.describe(first))"))
        }
        state = .firstElement
    }

    /// Walks from the top-level object to the array at `components`, skipping the members before it.
    private mutating func enter(_ components: [[UInt8]]) throws(FeedIssue) {
        let name = components.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
        for component in components {
            guard try scanner.skipWhitespace() == UInt8(ascii: "{") else {
                throw scanner.issue(.malformed("expected an object holding \"\(name)\""))
            }
            scanner.pos += 1
            openObjects += 1
            var afterMember = false
            while true {
                guard let key = try nextMember(afterMember: afterMember) else {
                    throw scanner.issue(.malformed("no \"\(name)\" array in the document"))
                }
                afterMember = true
                if key == component { break }
                try skipValue(inside: "an object")
            }
        }
        guard let b = try scanner.skipWhitespace(), b == UInt8(ascii: "[") else {
            throw scanner.issue(.malformed("\"\(name)\" is not an array"))
        }
        scanner.pos += 1
    }

    /// Reads the next member's key and its `:` in an object outside the records.
    /// - Parameter afterMember: whether a member came before, so that a `,` must come first.
    /// - Returns: the key, or nil at the object's `}` (consumed).
    private mutating func nextMember(afterMember: Bool) throws(FeedIssue) -> [UInt8]? {
        var b = try token(inside: "an object")
        if b == UInt8(ascii: "}") {
            scanner.pos += 1
            return nil
        }
        if afterMember {
            guard b == UInt8(ascii: ",") else {
                throw scanner.issue(.malformed("expected ',' or '}' after a member, found \(scanner.describe(b))"))
            }
            scanner.pos += 1
            b = try token(inside: "an object")
        }
        guard b == UInt8(ascii: "\"") else {
            throw scanner.issue(.malformed("expected a key string, found \(scanner.describe(b))"))
        }
        var key = ScratchBytes()
        try scanner.readString(into: &key, keep: true)
        b = try token(inside: "an object")
        guard b == UInt8(ascii: ":") else {
            throw scanner.issue(.malformed("expected ':' after a key, found \(scanner.describe(b))"))
        }
        scanner.pos += 1
        return key.array
    }

    /// After the record array's `]`: the rest of each enclosing object, then the end of the input.
    private mutating func finishDocument() throws(FeedIssue) {
        while openObjects > 0 {
            while try nextMember(afterMember: true) != nil {
                try skipValue(inside: "an object")
            }
            openObjects -= 1
        }
        if let b = try scanner.skipWhitespace() {
            throw scanner.issue(.malformed("unexpected \(scanner.describe(b)) after the end of the JSON document"))
        }
    }

    /// `.array`: the next element, or nil after the closing `]`.
    private mutating func nextElement() throws(FeedIssue) -> FeedRecord? {
        let unclosed = "truncated feed: the top-level array is not closed (missing ']')"
        guard var b = try scanner.skipWhitespace() else { throw scanner.issue(.malformed(unclosed)) }
        if state == .nextElement && b != UInt8(ascii: "]") {
            guard b == UInt8(ascii: ",") else {
                throw scanner.issue(.malformed("expected ',' or ']' after an array element, found \(scanner.describe(b))"))
            }
            scanner.pos += 1
            guard let after = try scanner.skipWhitespace() else { throw scanner.issue(.malformed(unclosed)) }
            if after == UInt8(ascii: "]") { throw scanner.issue(.malformed("expected a value, found ']'")) }
            b = after
        }
        if b == UInt8(ascii: "]") {
            scanner.pos += 1
            try finishDocument()
            state = .finished
            return nil
        }
        state = .nextElement
        elementCount += 1
        if b == UInt8(ascii: "{") { return try readRecord() }
        let start = scanner.mark()
        let kind = kind(of: b)
        try skipValue(inside: "the top-level array")
        throw rowIssue(scanner.issue(.malformed("array element \(elementCount) is \(kind), not an object"), at: start))
    }

    /// `.lines`: finds the next non-blank line and holds it in the buffer.
    /// - Returns: false at the end of the input.
    private mutating func moveToNextLine() throws(FeedIssue) -> Bool {
        while true {
            guard let b = try scanner.skipWhitespace() else {
                state = .finished
                return false
            }
            guard b == 0x0A else { break }
            scanner.takeNewline()
        }
        let line = scanner.line
        let end = try scanner.bufferLine()
        found = Found(bytes: end.map { scanner.offset..<(scanner.base + $0) }, line: line, isDecoded: false,
                      start: scanner.lineStart)
        return true
    }

    /// `.lines`: passes over the line `moveToNextLine()` found and nobody decoded, up to its `\n`.
    private mutating func skipLine(_ skipped: Found) throws(FeedIssue) {
        if let bytes = skipped.bytes {
            scanner.pos = bytes.upperBound - scanner.base
        } else {
            try scanner.skipRestOfLine()
        }
    }

    /// `.lines`: the record on the line `moveToNextLine()` found.
    private mutating func readLine() throws(FeedIssue) -> FeedRecord {
        let b = try scanner.peek()  // the line's first byte, where moveToNextLine() stopped
        guard b == UInt8(ascii: "{") else {
            let found = b.map { kind(of: $0) } ?? scanner.describe(b)
            throw scanner.issue(.malformed("expected a JSON object, found \(found)"))
        }
        let record = try readRecord()
        if let after = try scanner.skipWhitespace() {
            guard after == 0x0A else {
                throw scanner.issue(.malformed("unexpected \(scanner.describe(after)) after the object"))
            }
            scanner.takeNewline()
        }
        return record
    }

    /// Reads the record whose `{` is at the current position.
    /// - Throws: a syntax error, or after the whole object was read, the first record issue.
    private mutating func readRecord() throws(FeedIssue) -> FeedRecord {
        let start = scanner.mark()
        scanner.beginRecord()
        fields.removeAll(keepingCapacity: true)
        path.truncate(to: 0)
        keys.reset()
        isEmitting = true
        try parseObject(depth: 1)
        isEmitting = false
        if let issue = scanner.endRecord() { throw rowIssue(issue) }
        let record = FeedRecord(line: start.line, fields: fields)
        fields = []
        fields.reserveCapacity(record.fields.count)
        return record
    }

    /// Reads and checks one value without keeping it.
    private mutating func skipValue(inside what: String) throws(FeedIssue) {
        isEmitting = false
        try parseValue(depth: 0, inside: what)
    }
}
