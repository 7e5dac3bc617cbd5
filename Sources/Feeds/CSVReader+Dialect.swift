import Catalog

/// Dialect and encoding detection, done once before the header is read.
extension CSVReader {
    /// How many bytes from the start `.auto` looks at to choose an encoding (one default chunk).
    static let encodingWindow = 1 << 18
    /// The delimiters detection chooses from; on a tie, the earlier one wins.
    static let candidateDelimiters: [UInt8] = [
        UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|"),
    ]

    /// Skips a UTF-8 BOM and Excel's `sep=` line, and works out the encoding and the delimiter.
    ///
    /// Positions the scanner at the header line.
    mutating func detectedDialect() throws(FeedIssue) -> (encoding: FeedEncoding, delimiter: UInt8) {
        var encoding = encoding
        var delimiter = delimiter
        try fill(atLeast: encoding == .auto ? Self.encodingWindow : 8)
        var start = 0
        if (encoding == .auto || encoding == .utf8) && buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
            start = 3
            encoding = .utf8
        }
        if encoding == .auto { encoding = detectedEncoding(from: start) }
        scanner.position = start
        if let separator = separatorLine(at: start) {
            // Excel's `sep=;` names the delimiter; the line is not the header but still counts as line 1.
            if !isDelimiterGiven { delimiter = separator.delimiter }
            scanner.position = separator.end
            if separator.end > start + 5 {
                scanner.line = 2
                scanner.previousWasCR = buffer[start + 5] == CSVScanner.cr
            }
        } else if !isDelimiterGiven {
            delimiter = try detectedDelimiter(from: start)
        }
        scanner.delimiter = delimiter
        return (encoding, delimiter)
    }

    /// Reads chunks until the buffer holds `count` bytes or the input ends.
    mutating func fill(atLeast count: Int) throws(FeedIssue) {
        while !isEOF && buffer.count < count { try readChunk() }
    }

    /// UTF-8 when the first `encodingWindow` bytes are valid UTF-8 (a sequence cut by the window's end is
    /// fine), else Windows-1252, the usual encoding of a spreadsheet saved as CSV on Windows.
    func detectedEncoding(from start: Int) -> FeedEncoding {
        let end = min(buffer.count, start + Self.encodingWindow)
        let isWholeInput = isEOF && end == buffer.count
        let invalid = buffer.withUnsafeBufferPointer { bytes in
            TextDecoding.firstInvalidUTF8(
                in: UnsafeBufferPointer(rebasing: bytes[start..<end]),
                allowsTruncatedEnd: !isWholeInput)
        }
        return invalid == nil ? .utf8 : .windows1252
    }

    /// A first line `sep=X` (any case): the delimiter `X` and the offset after the line end.
    func separatorLine(at start: Int) -> (delimiter: UInt8, end: Int)? {
        let prefix = Array("sep=".utf8)
        guard buffer.count >= start + 5 else { return nil }
        for (offset, expected) in prefix.enumerated() where buffer[start + offset] | 0x20 != expected {
            return nil
        }
        let separator = buffer[start + 4]
        guard separator != CSVScanner.cr && separator != CSVScanner.lf else { return nil }
        guard buffer.count > start + 5 else { return (separator, start + 5) }
        let next = buffer[start + 5]
        guard next == CSVScanner.cr || next == CSVScanner.lf else { return nil }
        return (separator, start + 6)
    }

    /// The most frequent of `,` `;` tab `|` outside quotes in the first non-blank line; `,` when none occurs.
    mutating func detectedDelimiter(from start: Int) throws(FeedIssue) -> UInt8 {
        var counts = [Int](repeating: 0, count: 256)
        var index = start
        var isInQuotes = false
        var hasStarted = false
        scanning: while true {
            while index < buffer.count {
                let byte = buffer[index]
                index += 1
                if byte == CSVScanner.quote {
                    isInQuotes.toggle()
                } else if byte == CSVScanner.cr || byte == CSVScanner.lf {
                    if hasStarted && !isInQuotes { break scanning }
                    continue
                } else if !isInQuotes {
                    counts[Int(byte)] += 1
                }
                hasStarted = true
            }
            // The header line is bounded like any record; past that, decide on what was seen.
            guard !isEOF && index - start <= maxRecordBytes else { break }
            try readChunk()
        }
        var best = Self.candidateDelimiters[0]
        for candidate in Self.candidateDelimiters where counts[Int(candidate)] > counts[Int(best)] {
            best = candidate
        }
        return best
    }
}
