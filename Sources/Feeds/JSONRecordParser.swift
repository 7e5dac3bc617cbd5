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
    /// Set just before a record issue is thrown, so that `nextRecord()` knows the feed can go on.
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

    init(scanner: JSONScanner, layout: JSONFeedLayout, recordPath: [[UInt8]]?) {
        self.scanner = scanner
        self.layout = layout
        self.recordPath = recordPath
    }

    mutating func nextRecord() throws(FeedIssue) -> FeedRecord? {
        do throws(FeedIssue) {
            if state == .start { try begin() }
            switch state {
            case .start, .finished:
                return nil
            case .lines:
                return try nextLine()
            case .firstElement, .nextElement:
                return try nextElement()
            }
        } catch {
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
                    throw issue
                }
            } else if !isRowIssue {
                state = .finished
            }
            var issue = error
            issue.isFatal = state == .finished  // nothing after it can be read: the feed is rejected whole
            throw issue
        }
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

    /// `.lines`: the next non-blank line's record, or nil at the end of the input.
    private mutating func nextLine() throws(FeedIssue) -> FeedRecord? {
        while true {
            guard let b = try scanner.skipWhitespace() else {
                state = .finished
                return nil
            }
            if b == 0x0A {
                scanner.takeNewline()
                continue
            }
            guard b == UInt8(ascii: "{") else {
                throw scanner.issue(.malformed("expected a JSON object, found \(kind(of: b))"))
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
