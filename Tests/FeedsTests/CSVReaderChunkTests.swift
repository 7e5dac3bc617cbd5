import Catalog
import Foundation
import Testing
@testable import Feeds

/// A second reader of a CSV file (`CSVReader.continuation()`): it reads the file the first one opened, from any
/// record, with the first one's header.
@Suite struct CSVReaderChunkTests {
    final class Folder {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cs-chunks-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: root) }
    }

    @Test func aContinuationReadsTheFileTheFirstReaderOpenedFromAnyRecord() throws {
        let folder = try Folder()
        let file = folder.root.appendingPathComponent("feed.csv")
        let rows = (1...50).map { "S\($0);\"Line one\r\nline two\";\($0),5" }
        try ("id;description;quantity\r\n" + rows.joined(separator: "\r\n")).write(to: file, atomically: true,
                                                                                     encoding: .utf8)
        var first = try CSVReader(url: file, feed: "feed.csv")
        _ = try first.nextRecord()
        // The feed is replaced under its path: the second reader still reads the file the first one opened.
        try "id;description;quantity\nX;y;1\n".write(to: file, atomically: true, encoding: .utf8)
        var second = try first.continuation()
        #expect(second.header == ["id", "description", "quantity"] && second.delimiter == UInt8(ascii: ";"))

        // Record k starts on line 2k: after the header and k - 1 records of two lines each.
        let guess = try first.recordStartGuess(near: 800)
        let offset = try #require(guess)
        #expect(offset > 800)
        var probe = first
        while try probe.moveToNextRecord(), probe.currentRecordOffset() < offset {}
        #expect(probe.currentRecordOffset() == offset)
        second.seek(to: offset, line: probe.currentLine)
        let record = try #require(try second.nextRecord())
        let expected = try probe.currentRecord()
        let number = try #require(Int(record.fields[0].dropFirst()))
        #expect(record.fields == expected.fields && record.line == expected.line && record.line == 2 * number)
        var count = 1
        while try second.nextRecord() != nil { count += 1 }
        #expect(count == 50 - number + 1 && number > 1)
        #expect(first.sourceSize == second.sourceSize)
    }

    @Test func aGuessIsTheFirstLineStartAtOrAfterTheOffsetThatIsNotABlankLine() throws {
        let reader = CSVReader(string: "id\nA\n\n\nB\r\nC", feed: "f.csv")
        #expect(try reader.recordStartGuess(near: 0) == 3)  // "A": a line end just before the offset counts
        #expect(try reader.recordStartGuess(near: 3) == 3)
        #expect(try reader.recordStartGuess(near: 4) == 7)  // after the blank lines: "B"
        #expect(try reader.recordStartGuess(near: 9) == 10)  // "C", after CRLF
        #expect(try reader.recordStartGuess(near: 11) == nil)
    }
}
