public import Catalog

/// Reading a CSV feed in pieces: a second reader of the same file that starts at a guessed record, and the
/// means to check the guess (`TailScan` in the daemon reads every other chunk of a feed this way).
extension CSVReader {
    /// Where the record `moveToNextRecord()` found starts in the file, in bytes.
    public var currentRecordOffset: Int { source.offset - buffer.count + scanner.recordStart }

    /// Reads on from `offset` as from the first byte of a record on `line`: what was buffered is dropped.
    public mutating func seek(to offset: Int, line: Int) {
        buffer.removeAll(keepingCapacity: true)
        isEOF = false
        skippedRecordIssue = nil
        scanner = CSVScanner(delimiter: delimiter)
        scanner.line = line
        scanner.recordLine = line
        source.seek(to: offset)
        phase = .records
    }

    /// Another reader of the same file, with this one's header, delimiter and encoding (read them first), to
    /// be `seek`ed to a record. It reads the file through an open file of its own.
    public func continuation() throws(FeedIssue) -> CSVReader {
        var reader = self
        reader.source = try source.reopened(at: 0)
        reader.buffer = []
        reader.unescaped = []
        reader.transcoded = []
        reader.hasDataRecords = true  // its end is not a feed without rows
        reader.seek(to: 0, line: 1)
        return reader
    }

    /// The first offset at or after `nominal` that follows a line end and holds neither CR nor LF: where a record
    /// starts, unless that line end is inside a quoted field. `nil` when the next 64 KiB have no such offset.
    public func recordStartGuess(near nominal: Int) throws(FeedIssue) -> Int? {
        let from = max(0, nominal - 1)
        let window = try source.bytes(at: from, count: 64 << 10)
        var index = 0
        while index + 1 < window.count {
            let next = window[index + 1]
            if window[index] == CSVScanner.lf && next != CSVScanner.lf && next != CSVScanner.cr {
                return from + index + 1
            }
            index += 1
        }
        return nil
    }

    /// The number of bytes in the file.
    public var sourceSize: Int { source.size }
}

extension CSVRecordSource {
    /// A source reading the same file with this one's header (see `CSVReader.continuation()`).
    public func continuation() throws(FeedIssue) -> CSVRecordSource {
        let other = CSVRecordSource(try reader.continuation())
        other.names = names
        return other
    }

    /// See `CSVReader.currentRecordOffset`.
    public var currentRecordOffset: Int { reader.currentRecordOffset }

    /// See `CSVReader.seek(to:line:)`.
    public func seek(to offset: Int, line: Int) { reader.seek(to: offset, line: line) }

    /// See `CSVReader.recordStartGuess(near:)`.
    public func recordStartGuess(near nominal: Int) throws(FeedIssue) -> Int? {
        try reader.recordStartGuess(near: nominal)
    }

    public var sourceSize: Int { reader.sourceSize }
}
