/// The byte-level state machine of `CSVReader`: finds record and field boundaries (RFC 4180, leniently).
///
/// Offsets are indices into the reader's buffer. The scanner is resumable: `scan` stops at the end of the
/// bytes it is given and carries on from there when called again with more bytes (after `shift(by:)` when the
/// reader dropped consumed bytes from the front of its buffer). It only finds boundaries; `CSVReader` turns
/// them into strings and issues.
struct CSVScanner {
    /// One field's content: `start..<end`, without surrounding quotes; doubled quotes still doubled.
    struct Span {
        var start: Int
        var end: Int
        var hasDoubledQuotes: Bool
    }

    enum Outcome: Equatable {
        /// A record ends at `recordEnd`; its fields are in `spans`.
        case record
        /// The bytes ran out inside or before a record: give more, or call again with `isEOF`.
        case needMore
        /// No record is left, only blank lines.
        case endOfInput
        /// The input ended inside a quoted field whose opening quote is at the offset.
        case unterminatedQuote(at: Int)
    }

    enum Mode {
        case fieldStart, unquoted, quoted, quoteInQuoted, afterClosingQuote
    }

    static let quote = UInt8(ascii: "\"")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")

    var delimiter: UInt8
    /// The next byte to look at.
    var position = 0
    /// The 1-based line of `position`. CRLF, LF and a bare CR each end one line.
    var line = 1
    /// The byte before `position` was a CR, so an LF at `position` ends no new line.
    var previousWasCR = false
    var isInRecord = false
    /// While skipping an oversized record: boundaries are still found, spans are not kept.
    var isSkipping = false
    var mode = Mode.fieldStart

    // The current (or last completed) record.
    var recordStart = 0
    var recordLine = 1
    var recordEnd = 0
    var fieldStart = 0
    var fieldHasDoubledQuotes = false
    var spans: [Span] = []
    /// Every byte of the record OR-ed together: bit 7 set means the record is not plain ASCII.
    var highBits: UInt8 = 0
    var longestField = 0
    /// The first byte after a closing quote that is neither a delimiter nor a line end, and its field's index.
    var strayAfterQuote: (offset: Int, field: Int)?

    init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    /// Moves every offset `count` bytes down, after the reader removed that many bytes from its buffer's front.
    mutating func shift(by count: Int) {
        position -= count
        recordStart -= count
        recordEnd -= count
        fieldStart -= count
        for index in spans.indices {
            spans[index].start -= count
            spans[index].end -= count
        }
        if let stray = strayAfterQuote { strayAfterQuote = (stray.offset - count, stray.field) }
    }

    /// The number of bytes of the current record, and of its current field, scanned so far.
    var openSizes: (record: Int, field: Int) {
        guard isInRecord else { return (0, 0) }
        return (position - recordStart, mode == .fieldStart ? 0 : position - fieldStart)
    }

    private mutating func beginRecord(at offset: Int, line: Int) {
        isInRecord = true
        recordStart = offset
        recordLine = line
        fieldStart = offset
        mode = .fieldStart
        spans.removeAll(keepingCapacity: true)
        highBits = 0
        longestField = 0
        strayAfterQuote = nil
    }

    @inline(__always)
    private mutating func closeField(_ start: Int, _ end: Int) {
        longestField = max(longestField, end - start)
        if !isSkipping { spans.append(Span(start: start, end: end, hasDoubledQuotes: fieldHasDoubledQuotes)) }
        fieldHasDoubledQuotes = false
    }

    /// Scans `bytes` from `position` to the end of the next record.
    /// - Parameter isEOF: no bytes follow `bytes`; without it the scanner asks for more instead of ending.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, isEOF: Bool) -> Outcome {
        let count = bytes.count
        let delimiter = self.delimiter
        let (quote, cr, lf) = (Self.quote, Self.cr, Self.lf)
        var index = position
        var line = self.line
        var previousWasCR = self.previousWasCR
        defer {
            position = index
            self.line = line
            self.previousWasCR = previousWasCR
        }

        if !isInRecord {
            // Blank lines between records are skipped; they still count as lines.
            while index < count {
                let byte = bytes[index]
                if byte == lf {
                    if !previousWasCR { line += 1 }
                    previousWasCR = false
                } else if byte == cr {
                    line += 1
                    previousWasCR = true
                } else {
                    break
                }
                index += 1
            }
            guard index < count else { return isEOF ? .endOfInput : .needMore }
            previousWasCR = false
            beginRecord(at: index, line: line)
        }

        var high = highBits
        defer { highBits = high }
        scanning: while index < count {
            switch mode {
            case .fieldStart:
                fieldStart = index
                if bytes[index] == quote {
                    mode = .quoted
                    index += 1
                } else {
                    mode = .unquoted
                }
            case .unquoted, .afterClosingQuote:
                // A quote inside an unquoted field is kept literally, as Excel does.
                index = Self.skipPlainWords(bytes, from: index, stoppingAt: delimiter, high: &high)
                while index < count {
                    let byte = bytes[index]
                    if byte == delimiter || byte == lf || byte == cr { break }
                    high |= byte
                    index += 1
                }
                guard index < count else { break scanning }
                closeField(fieldStart, index)
                if endField(at: &index, bytes[index], line: &line, previousWasCR: &previousWasCR) { return .record }
            case .quoted:
                let plainEnd = Self.skipPlainWords(bytes, from: index, stoppingAt: quote, high: &high)
                if plainEnd != index {
                    previousWasCR = false  // an LF after these bytes ends a new line
                    index = plainEnd
                }
                while index < count {
                    let byte = bytes[index]
                    if byte == quote { break }
                    if byte == lf {
                        if !previousWasCR { line += 1 }
                    } else if byte == cr {
                        line += 1
                    }
                    previousWasCR = byte == cr
                    high |= byte
                    index += 1
                }
                guard index < count else { break scanning }
                previousWasCR = false
                mode = .quoteInQuoted
                index += 1
            case .quoteInQuoted:
                let byte = bytes[index]
                if byte == quote {
                    fieldHasDoubledQuotes = true
                    mode = .quoted
                    index += 1
                } else if byte == delimiter || byte == lf || byte == cr {
                    closeField(fieldStart + 1, index - 1)
                    if endField(at: &index, byte, line: &line, previousWasCR: &previousWasCR) { return .record }
                } else {
                    // `"abc"x`: remember where, and read on to the record's end to stay in step.
                    if strayAfterQuote == nil { strayAfterQuote = (index, spans.count) }
                    mode = .afterClosingQuote
                }
            }
        }

        guard isEOF else { return .needMore }
        switch mode {
        case .fieldStart: closeField(index, index)  // after a trailing delimiter
        case .unquoted, .afterClosingQuote: closeField(fieldStart, index)
        case .quoteInQuoted: closeField(fieldStart + 1, index - 1)
        case .quoted:
            isInRecord = false
            recordEnd = index
            return .unterminatedQuote(at: fieldStart)
        }
        isInRecord = false
        recordEnd = index
        return .record
    }

    /// Skips 8 bytes at a time while none of them is `stop`, CR or LF (SWAR: a zero-byte test on XOR-ed words),
    /// and then to the first such byte of the word that has one.
    ///
    /// - Returns: the offset where byte-by-byte scanning must go on: the first `stop`, CR or LF, or the last
    ///   7 bytes or fewer of `bytes`. Bit 7 of any skipped byte is OR-ed into `high`.
    @inline(__always)
    static func skipPlainWords(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, stoppingAt stop: UInt8, high: inout UInt8
    ) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let (stops, crs, lfs) = (ones &* UInt64(stop), ones &* UInt64(cr), ones &* UInt64(lf))
        // Bit 7 of each zero byte. Above the lowest zero byte a borrow can mark others too, so only the lowest
        // set bit is exact: that is the only one used.
        @inline(__always) func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }
        var index = start
        var highWord: UInt64 = 0
        while index &+ 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let found = zeroBytes(word ^ stops) | zeroBytes(word ^ crs) | zeroBytes(word ^ lfs)
            if found != 0 {
                let plainBits = found.trailingZeroBitCount &- 7  // the bytes before the first found one
                highWord |= word & ((1 &<< UInt64(plainBits)) &- 1)
                index &+= plainBits &>> 3
                break
            }
            highWord |= word
            index &+= 8
        }
        if highWord & highs != 0 { high |= 0x80 }
        return index
    }

    /// Steps over the delimiter or line end at `index`; returns `true` when it ended the record.
    @inline(__always)
    private mutating func endField(
        at index: inout Int, _ byte: UInt8, line: inout Int, previousWasCR: inout Bool
    ) -> Bool {
        index += 1
        if byte == delimiter {
            mode = .fieldStart
            return false
        }
        // The byte before is content, a quote or a delimiter, never a CR: this always ends a line.
        line += 1
        previousWasCR = byte == Self.cr
        isInRecord = false
        recordEnd = index
        return true
    }
}
