import Catalog
import Testing

@testable import Feeds

@Suite struct CSVDialectTests {
    @Test(arguments: [";", "\t", "|", ","])
    func delimiterIsDetectedFromTheHeader(_ delimiter: String) throws {
        let text =
            ["sku", "title", "price"].joined(separator: delimiter) + "\n"
            + ["A1", "Tee blue", "9"].joined(separator: delimiter) + "\n"
        var reader = CSVReader(string: text, feed: "t.csv")
        #expect(try reader.readHeader() == ["sku", "title", "price"])
        #expect(reader.delimiter == UInt8(ascii: Unicode.Scalar(delimiter)!))
        #expect(readAll(&reader) == [.record(2, ["A1", "Tee blue", "9"])])
    }

    @Test func delimitersInsideQuotesDoNotCount() throws {
        var reader = CSVReader(string: "\"a,b,c\";\"d,e\";f\n1;2;3\n", feed: "t.csv")
        #expect(try reader.readHeader() == ["a,b,c", "d,e", "f"])
        #expect(reader.delimiter == UInt8(ascii: ";"))
    }

    @Test func singleColumnFeedUsesComma() throws {
        var reader = CSVReader(string: "\n\nsku\nA1\n", feed: "t.csv")
        #expect(try reader.readHeader() == ["sku"])
        #expect(reader.delimiter == UInt8(ascii: ","))
        #expect(readAll(&reader) == [.record(4, ["A1"])])
    }

    @Test(arguments: ["sep=;\r\n", "SEP=;\n", "\u{FEFF}sep=;\r"])
    func excelSeparatorLineSetsTheDelimiterAndIsSkipped(_ firstLine: String) throws {
        var reader = CSVReader(string: firstLine + "a,b;c\n1,2;3\n", feed: "t.csv")
        #expect(try reader.readHeader() == ["a,b", "c"])
        #expect(reader.delimiter == UInt8(ascii: ";"))
        #expect(readAll(&reader) == [.record(3, ["1,2", "3"])])
    }

    @Test func separatorLineAloneIsAnEmptyFeed() {
        var reader = CSVReader(string: "sep=;", feed: "t.csv")
        #expect(throws: FeedIssue(.emptyFeed, at: SourceLocation(feed: "t.csv", line: 1))) {
            try reader.readHeader()
        }
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id,name\r\n1,x".utf8)
        for chunkSize in [1, 2, 1 << 18] {
            var reader = CSVReader(bytes: bytes, feed: "t.csv", chunkSize: chunkSize)
            #expect(try reader.readHeader() == ["id", "name"])
            #expect(reader.encoding == .utf8)
            let record = try #require(try reader.nextRecord())
            #expect(record["id"] == "1")
        }
    }

    @Test func headerLineLongerThanAChunkIsDetected() throws {
        let header = (1...200).map { "column \($0)" }.joined(separator: "\t")
        let row = (1...200).map { "v\($0)" }.joined(separator: "\t")
        var reader = CSVReader(bytes: Array((header + "\n" + row).utf8), feed: "t.tsv", chunkSize: 7)
        #expect(try reader.readHeader().count == 200)
        #expect(reader.delimiter == UInt8(ascii: "\t"))
        #expect(try reader.nextRecord()?["column 200"] == "v200")
    }
}
