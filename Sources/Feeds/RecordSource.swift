public import Catalog


/// Anything that yields feed records one at a time: the CSV, XML and JSON readers.
public protocol RecordSource: AnyObject {
    /// - Returns: the next record, or `nil` at the end.
    /// - Throws: `FeedIssue` for a bad row (reading may continue) or a bad feed (`isFatal`).
    func nextRecord() throws(FeedIssue) -> FeedRecord?
}

/// CSV/TSV records as `FeedRecord`s named by the header as the export spells it (profiles match names
/// ignoring case and spacing, and report problems in the merchant's own column names).
public final class CSVRecordSource: RecordSource {
    public private(set) var reader: CSVReader
    private var names: [String]?

    public init(_ reader: CSVReader) {
        self.reader = reader
    }

    public func nextRecord() throws(FeedIssue) -> FeedRecord? {
        if names == nil { names = try reader.readHeader() }
        guard let record = try reader.nextRecord() else { return nil }
        let names = self.names!
        var fields: [FeedRecord.Field] = []
        fields.reserveCapacity(record.fields.count)
        for (index, value) in record.fields.enumerated() where index < names.count {
            fields.append(FeedRecord.Field(names[index], value))
        }
        return FeedRecord(line: record.line, fields: fields)
    }
}
