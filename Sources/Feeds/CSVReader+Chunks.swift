public import Catalog

/// Reading a CSV feed in pieces: a second reader of the same file that starts at a guessed record, and the
/// means to check the guess (`TailScan` in the daemon reads part of every chunk of a feed this way).
extension CSVReader {
    /// Where the record `moveToNextRecord()` found starts in the file, in bytes. `mutating` though it changes
    /// nothing, as `currentDigest`: a reader held in a class's property is then used in place, not copied.
    public mutating func currentRecordOffset() -> Int { source.offset - buffer.count + scanner.recordStart }

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

    /// Where a record starts at or after `nominal`, unless the line end before it is inside a quoted field
    /// (`ByteSource.lineStartGuess`).
    public func recordStartGuess(near nominal: Int) throws(FeedIssue) -> Int? {
        try source.lineStartGuess(near: nominal)
    }

    /// The number of bytes in the file.
    public var sourceSize: Int { source.size }
}

extension CSVRecordSource: SplittableRecordSource {
    public var canSplit: Bool { true }

    public func continuation() throws(FeedIssue) -> any SplittableRecordSource {
        let other = CSVRecordSource(try reader.continuation())
        other.names = names
        return other
    }

    public var currentRecordOffset: Int { reader.currentRecordOffset() }

    public func seek(to offset: Int, line: Int) { reader.seek(to: offset, line: line) }

    public func recordStartGuess(near nominal: Int) throws(FeedIssue) -> Int? {
        try reader.recordStartGuess(near: nominal)
    }

    public var sourceSize: Int { reader.sourceSize }
}
