public import Catalog
public import Foundation

// STUB (replaced by the CSV reader work): reads the whole string, no quoting rules.

/// One data record of a CSV/TSV feed.
public struct CSVRecord: Sendable {
    /// The raw field values, in column order.
    public var fields: [String]
    /// The 1-based line on which the record starts.
    public var line: Int
    let columnIndex: [String: Int]

    /// The value of the named header column; `nil` when the header has no such column.
    public subscript(column: String) -> String? {
        guard let index = columnIndex[column], index < fields.count else { return nil }
        return fields[index]
    }
}

/// Reads one record at a time from a CSV or TSV feed.
public struct CSVReader {
    public private(set) var header: [String] = []
    public private(set) var delimiter: UInt8
    let feed: String
    var lines: [Substring]
    var position = 0
    var columnIndex: [String: Int] = [:]

    public init(string: String, feed: String, delimiter: UInt8? = nil) {
        self.feed = feed
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        self.lines = string.split(separator: "\n", omittingEmptySubsequences: false)
    }

    public init(url: URL, feed: String, delimiter: UInt8? = nil, encoding: FeedEncoding = .auto) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        self.init(string: text, feed: feed, delimiter: delimiter)
    }

    /// Reads the header (the first record) if it has not been read yet.
    public mutating func readHeader() throws(FeedIssue) -> [String] {
        if position == 0 {
            guard !lines.isEmpty, !(lines.count == 1 && lines[0].isEmpty) else {
                throw FeedIssue(.emptyFeed, at: SourceLocation(feed: feed, line: 1))
            }
            header = lines[0].split(separator: Character(UnicodeScalar(delimiter)), omittingEmptySubsequences: false)
                .map { String($0) }
            columnIndex = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            position = 1
        }
        return header
    }

    public mutating func nextRecord() throws(FeedIssue) -> CSVRecord? {
        _ = try readHeader()
        while position < lines.count {
            let line = lines[position]
            position += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: Character(UnicodeScalar(delimiter)), omittingEmptySubsequences: false)
                .map { String($0) }
            if fields.count != header.count {
                throw FeedIssue(.raggedRow(expected: header.count, found: fields.count),
                                at: SourceLocation(feed: feed, line: position))
            }
            return CSVRecord(fields: fields, line: position, columnIndex: columnIndex)
        }
        return nil
    }
}

/// The text encoding of a feed file.
public enum FeedEncoding: String, Sendable, CaseIterable {
    case auto, utf8 = "utf-8", windows1252 = "windows-1252", latin1 = "iso-8859-1"
}
