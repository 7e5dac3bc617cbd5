import Catalog
import Foundation
import Testing

@testable import Feeds

/// What reading a whole feed produced, in order: records (line and fields) and issues.
enum CSVRead: Equatable, CustomStringConvertible {
    case record(Int, [String])
    case issue(FeedIssue)

    var description: String {
        switch self {
        case .record(let line, let fields): return "record \(line) \(fields)"
        case .issue(let issue): return "issue \(issue) \(issue.reason)"
        }
    }
}

/// Reads records until `nil`, collecting issues as the quarantine would, and reading on after each.
func readAll(_ reader: inout CSVReader, limit: Int = 100_000) -> [CSVRead] {
    var results: [CSVRead] = []
    for _ in 0..<limit {
        do throws(FeedIssue) {
            guard let record = try reader.nextRecord() else { return results }
            results.append(.record(record.line, record.fields))
        } catch {
            results.append(.issue(error))
        }
    }
    Issue.record("the reader did not end after \(limit) calls")
    return results
}

func readAll(_ text: String, chunkSize: Int = 1 << 18) -> [CSVRead] {
    var reader = CSVReader(bytes: Array(text.utf8), feed: "t.csv", chunkSize: chunkSize)
    return readAll(&reader)
}

func issue(_ reason: FeedIssue.Reason, line: Int, column: Int? = nil, field: String? = nil) -> CSVRead {
    .issue(FeedIssue(reason, at: SourceLocation(feed: "t.csv", line: line, column: column, field: field)))
}

@Suite struct CSVReaderTests {
    @Test(arguments: ["\n", "\r\n", "\r"])
    func quotedFieldMayContainNewline(_ newline: String) {
        let text = "sku,title\nA1,\"two\(newline)lines\"\nA2,x\n"
        #expect(readAll(text) == [.record(2, ["A1", "two\(newline)lines"]), .record(4, ["A2", "x"])])
    }

    @Test(arguments: [1, 3, 1 << 18])
    func linesAreCountedInsideLongQuotedFields(chunkSize: Int) {
        let text = "sku,body\nA1,\"a\rbcdefghijklmnopq\nrstuvwxyz0123456789\r\n\"\nA2,x\n"
        #expect(
            readAll(text, chunkSize: chunkSize) == [
                .record(2, ["A1", "a\rbcdefghijklmnopq\nrstuvwxyz0123456789\r\n"]), .record(6, ["A2", "x"]),
            ])
    }

    @Test func doubledQuoteIsOneQuote() {
        let text = "sku,title,empty,only\nA1,\"26\"\" Pads\",\"\",\"\"\"\"\n"
        #expect(readAll(text) == [.record(2, ["A1", "26\" Pads", "", "\""])])
    }

    @Test func quotedFieldMayContainDelimiter() {
        #expect(readAll("sku,tags\nA1,\"red, blue\"\n") == [.record(2, ["A1", "red, blue"])])
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndEndsARecord(_ end: String) {
        let text = "h1,h2\(end)a,b\(end)c,d\(end)"
        #expect(readAll(text) == [.record(2, ["a", "b"]), .record(3, ["c", "d"])])
    }

    @Test func finalRecordNeedsNoNewline() {
        #expect(readAll("h\nA\nB") == [.record(2, ["A"]), .record(3, ["B"])])
        #expect(readAll("h1,h2\na,") == [.record(2, ["a", ""])])
        #expect(readAll("h1,h2\na,\"b\"") == [.record(2, ["a", "b"])])
    }

    @Test func blankLinesAreSkippedButCounted() {
        let text = "h1,h2\n\na,b\r\n\r\n\nc,d\n\r\r\n"
        #expect(readAll(text) == [.record(3, ["a", "b"]), .record(6, ["c", "d"])])
    }

    @Test func raggedRowIsReportedAtItsLineAndReadingContinues() {
        let text = "a,b\n1,2,3\n4\n5,6\n"
        #expect(
            readAll(text) == [
                issue(.raggedRow(expected: 2, found: 3), line: 2),
                issue(.raggedRow(expected: 2, found: 1), line: 3),
                .record(4, ["5", "6"]),
            ])
    }

    @Test func trailingEmptyFieldsBeyondTheHeaderAreTolerated() {
        let text = "a;b\n1;2;\n3;4;;\"\"\n5;6;x\n"
        #expect(
            readAll(text) == [
                .record(2, ["1", "2"]),
                .record(3, ["3", "4"]),
                issue(.raggedRow(expected: 2, found: 3), line: 4),
            ])
    }

    @Test func unterminatedQuoteAtEndOfFileIsReportedWhereTheFieldStarts() {
        let text = "a,b\n1,2\n3,x\n4,\"open\nmore\n"
        #expect(
            readAll(text) == [
                .record(2, ["1", "2"]), .record(3, ["3", "x"]), issue(.unterminatedQuote, line: 4, column: 3),
            ])
    }

    @Test func characterAfterClosingQuoteIsLocated() {
        let text = "sku,title\nA1,\"abc\"x,\nA2,ok\n"
        #expect(
            readAll(text) == [
                issue(.unexpectedQuote, line: 2, column: 9, field: "title"), .record(3, ["A2", "ok"]),
            ])
    }

    @Test func characterAfterClosingQuoteIsLocatedOnItsOwnLineInAMultiLineRecord() {
        let text = "sku,title\nA1,\"ab\ncd\"x\nA2,ok\n"
        #expect(
            readAll(text) == [
                issue(.unexpectedQuote, line: 3, column: 4, field: "title"), .record(4, ["A2", "ok"]),
            ])
    }

    @Test func quoteInsideUnquotedFieldIsKeptLiterally() {
        #expect(
            readAll("sku,title\nA1,12\" screen\nA2,a\"b\"c\n") == [
                .record(2, ["A1", "12\" screen"]), .record(3, ["A2", "a\"b\"c"]),
            ])
    }

    @Test(arguments: ["sku,title", "sku,title\n", "sku,title\r\n\r\n\n"])
    func headerOnlyFeedIsReported(_ text: String) throws {
        var reader = CSVReader(string: text, feed: "t.csv")
        #expect(try reader.readHeader() == ["sku", "title"])
        #expect(readAll(&reader) == [issue(.headerOnly, line: 1)])
    }

    @Test(arguments: ["", "\n", "\r\n\r\n", "\u{FEFF}"])
    func emptyFeedIsReported(_ text: String) {
        var reader = CSVReader(string: text, feed: "t.csv")
        #expect(throws: FeedIssue(.emptyFeed, at: SourceLocation(feed: "t.csv", line: 1))) {
            try reader.readHeader()
        }
        #expect(readAll(&reader) == [])
    }

    @Test func headerNamesAreTrimmedAndNameTheFields() throws {
        var reader = CSVReader(string: " sku ,\"title \",sku\nA1,Tee,B\n", feed: "t.csv")
        #expect(try reader.readHeader() == ["sku", "title", "sku"])
        let record = try #require(try reader.nextRecord())
        #expect(record["sku"] == "A1")
        #expect(record["title"] == "Tee")
        #expect(record["price"] == nil)
    }

    @Test func givenDelimiterIsUsedAsIs() throws {
        var reader = CSVReader(string: "a;b,c\n1;2,3\n", feed: "t.csv", delimiter: UInt8(ascii: ";"))
        #expect(try reader.readHeader() == ["a", "b,c"])
        #expect(readAll(&reader) == [.record(2, ["1", "2,3"])])
    }

    @Test(arguments: [1, 2, 3, 5])
    func oversizedFieldIsReportedAndTheNextRecordRead(chunkSize: Int) {
        let text = "a,b\n1,2\n\"123\n456789012\",x\n3,4\n1234567,12345678,\n5,6"
        var reader = CSVReader(bytes: Array(text.utf8), feed: "t.csv", chunkSize: chunkSize)
        reader.maxFieldBytes = 8
        reader.maxRecordBytes = 16
        let results = readAll(&reader)
        #expect(results.count == 5)
        #expect(results[0] == .record(2, ["1", "2"]))
        #expect(results[2] == .record(5, ["3", "4"]))
        #expect(results[4] == .record(7, ["5", "6"]))
        for (index, line) in [(1, 3), (3, 6)] {
            guard case .issue(let issue) = results[index], case .tooLarge = issue.reason else {
                Issue.record("expected tooLarge, got \(results[index])")
                continue
            }
            #expect(issue.location.line == line)
        }
    }

    @Test func missingFileIsUnreadable() {
        #expect {
            _ = try CSVReader(url: URL(filePath: "/nonexistent/feed.csv"), feed: "feed.csv")
        } throws: { error in
            guard let issue = error as? FeedIssue, case .unreadable = issue.reason else { return false }
            return issue.location.feed == "feed.csv"
        }
    }

    /// A feed with every hard case; any split into chunks must read the same.
    static let nastyFeed: [UInt8] = Array(
        ("\u{FEFF}sku,title,price\r\n"
            + "A1,\"two\r\nlines, \"\"quoted\"\"\",1\r\n"
            + "\r\n"
            + "A2,Blåbär €,2\rA3,\"🚀\",\r"
            + "A4,ragged\n"
            + "A5,\"x\"y,5\n"
            + "A6,last,\"6\"").utf8)

    static let nastyFeedRecords: [CSVRead] = [
        .record(2, ["A1", "two\r\nlines, \"quoted\"", "1"]),
        .record(5, ["A2", "Blåbär €", "2"]),
        .record(6, ["A3", "🚀", ""]),
        issue(.raggedRow(expected: 3, found: 2), line: 7),
        issue(.unexpectedQuote, line: 8, column: 7, field: "title"),
        .record(9, ["A6", "last", "6"]),
    ]

    @Test(arguments: 1...7)
    func chunkBoundariesDoNotChangeWhatIsRead(chunkSize: Int) {
        var reader = CSVReader(bytes: Self.nastyFeed, feed: "t.csv", chunkSize: chunkSize)
        #expect(readAll(&reader) == Self.nastyFeedRecords)
    }

    @Test func nastyFeedReadsInOneChunk() throws {
        var reader = CSVReader(bytes: Self.nastyFeed, feed: "t.csv")
        #expect(try reader.readHeader() == ["sku", "title", "price"])
        #expect(reader.encoding == .utf8)
        #expect(readAll(&reader) == Self.nastyFeedRecords)
    }
}
