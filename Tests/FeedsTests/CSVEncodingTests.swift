import Catalog
import Testing

@testable import Feeds

@Suite struct CSVEncodingTests {
    /// "name,note\nGåäö,€5\n" as Windows-1252.
    static let windows1252Feed: [UInt8] =
        Array("name,note\nG".utf8) + [0xE5, 0xE4, 0xF6] + [0x2C, 0x80] + Array("5\n".utf8)

    @Test func windows1252IsDetectedFromBytesThatAreNotUTF8() throws {
        var reader = CSVReader(bytes: Self.windows1252Feed, feed: "t.csv", chunkSize: 3)
        #expect(try reader.readHeader() == ["name", "note"])
        #expect(reader.encoding == .windows1252)
        #expect(readAll(&reader) == [.record(2, ["Gåäö", "€5"])])
    }

    @Test(
        arguments: [
            (0x80, "€"), (0x85, "…"), (0x8A, "Š"), (0x92, "’"), (0x96, "–"), (0x99, "™"), (0x9F, "Ÿ"),
            (0xA0, "\u{A0}"), (0xC5, "Å"), (0xE9, "é"), (0xFF, "ÿ"),
        ] as [(UInt8, String)])
    func windows1252DecodesEveryDefinedByte(_ byte: UInt8, _ expected: String) throws {
        var reader = CSVReader(bytes: Array("v\nx".utf8) + [byte] + [0x0A], feed: "t.csv", encoding: .windows1252)
        #expect(try reader.nextRecord()?.fields == ["x" + expected])
    }

    @Test(arguments: [0x81, 0x8D, 0x8F, 0x90, 0x9D] as [UInt8])
    func undefinedWindows1252ByteIsLocated(_ byte: UInt8) {
        var reader = CSVReader(
            bytes: Array("sku,title\nA1,ab".utf8) + [byte] + Array("\nA2,ok\n".utf8), feed: "t.csv",
            encoding: .windows1252)
        let hex = "0x" + String(byte, radix: 16, uppercase: true)
        #expect(
            readAll(&reader) == [
                issue(
                    .invalidEncoding("byte \(hex) is not defined in windows-1252"), line: 2, column: 6, field: "title"),
                .record(3, ["A2", "ok"]),
            ])
    }

    @Test func latin1DecodesEveryByteAsItsCodePoint() throws {
        var reader = CSVReader(bytes: Array("v\n".utf8) + [0x80, 0x9D, 0xE9, 0x0A], feed: "t.csv", encoding: .latin1)
        #expect(try reader.nextRecord()?.fields == ["\u{80}\u{9D}é"])
        #expect(reader.encoding == .latin1)
    }

    @Test(arguments: [1, 4, 1 << 18])
    func invalidUTF8IsLocatedAndTheRowSkipped(chunkSize: Int) {
        let bytes = Array("sku,title\nå,caf".utf8) + [0xE9] + Array("\nA2,ok\n".utf8)
        var reader = CSVReader(bytes: bytes, feed: "t.csv", encoding: .utf8, chunkSize: chunkSize)
        let message = "byte 0xE9 is not valid UTF-8; set the feed's encoding (e.g. windows-1252)"
        #expect(
            readAll(&reader) == [
                issue(.invalidEncoding(message), line: 2, column: 7, field: "title"), .record(3, ["A2", "ok"]),
            ])
    }

    @Test func byteOrderMarkMeansUTF8EvenWhenLaterBytesAreNot() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("v\n\"a\nb".utf8) + [0xE9, 0x22, 0x0A]
        var reader = CSVReader(bytes: bytes, feed: "t.csv")
        let results = readAll(&reader)
        #expect(reader.encoding == .utf8)
        guard case .issue(let issue) = results.first, case .invalidEncoding = issue.reason else {
            Issue.record("expected invalidEncoding, got \(results)")
            return
        }
        #expect(issue.location == SourceLocation(feed: "t.csv", line: 3, column: 2, field: "v"))
    }

    @Test func autoDetectionLooksAtTheFirstChunkOnly() {
        // Valid UTF-8 for the first 256 KiB: later bad bytes are reported, not reinterpreted.
        let row = Array("A1,plain ascii text\n".utf8)
        var bytes = Array("sku,title\n".utf8)
        for _ in 0..<(CSVReader.encodingWindow / row.count + 1) { bytes += row }
        bytes += Array("B1,".utf8) + [0xE5] + Array("\nB2,ok\n".utf8)
        var reader = CSVReader(bytes: bytes, feed: "t.csv", chunkSize: 1 << 16)
        let results = readAll(&reader)
        #expect(reader.encoding == .utf8)
        #expect(results.count == CSVReader.encodingWindow / row.count + 3)
        guard case .issue(let issue) = results[results.count - 2] else {
            Issue.record("expected an issue, got \(results[results.count - 2])")
            return
        }
        #expect(issue.location.column == 4)
        #expect(results.last == .record(issue.location.line + 1, ["B2", "ok"]))
    }

    @Test(
        arguments: [
            ([0x61, 0xE2, 0x82, 0xAC], nil, nil),  // a€
            ([0xF0, 0x9F, 0x9A, 0x80], nil, nil),  // 🚀
            ([0x61, 0xE2, 0x82], 1, nil),  // cut by the end
            ([0xC0, 0x80], 0, 0),  // overlong
            ([0xED, 0xA0, 0x80], 0, 0),  // surrogate
            ([0xF4, 0x90, 0x80, 0x80], 0, 0),  // above U+10FFFF
            ([0x61, 0x80], 1, 1),  // stray continuation byte
            ([0xE9, 0x2C], 0, 0),  // Latin-1 é before a comma
        ] as [([UInt8], Int?, Int?)])
    func utf8ValidationFindsTheFirstBadByte(_ bytes: [UInt8], _ strict: Int?, _ chunked: Int?) {
        bytes.withUnsafeBufferPointer { buffer in
            #expect(TextDecoding.firstInvalidUTF8(in: buffer) == strict)
            #expect(TextDecoding.firstInvalidUTF8(in: buffer, allowsTruncatedEnd: true) == chunked)
        }
    }
}
