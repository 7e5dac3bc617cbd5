import Catalog
import Testing
@testable import Feeds

/// The JSON reader's fast paths (8 bytes at a time, strings made straight from the input, names reused
/// from the record before) give what the byte-at-a-time paths give.
@Suite struct JSONScannerFastPathTests {
    /// `scanRun` one byte at a time, as it was before words.
    static func slowRun(_ bytes: [UInt8], from start: Int) -> (Int, JSONScanner.RunStop) {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 { return (index, .quote) }
            if byte == 0x5C { return (index, .backslash) }
            if byte < 0x20 { return (index, .control) }
            if byte < 0x80 {
                index += 1
                continue
            }
            guard let shape = JSONScanner.sequenceShape(byte) else { return (index, .invalidUTF8) }
            if index + shape.length > bytes.count { return (index, .splitSequence) }
            guard bytes[index + 1] >= shape.low && bytes[index + 1] <= shape.high,
                (2..<shape.length).allSatisfy({ bytes[index + $0] & 0xC0 == 0x80 })
            else { return (index, .invalidUTF8) }
            index += shape.length
        }
        return (bytes.count, .endOfBuffer)
    }

    static let specials: [[UInt8]] = [
        [0x22], [0x5C], [0x00], [0x01], [0x1F], [0x0A], [0x7F], [0xC3, 0xA9], [0xE2, 0x82, 0xAC],
        [0xF0, 0x9F, 0x98, 0x80], [0xFF], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x21], [0x23],
        [0x5B], [0x5D], [0x20],
    ]

    @Test func wordScanFindsEveryByteThatNeedsALookAtEveryOffset() {
        for special in Self.specials {
            for length in 0..<24 {
                for position in 0...length {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes.insert(contentsOf: special, at: position)
                    for start in [0, min(1, bytes.count)] {
                        let fast = bytes.withUnsafeBufferPointer { JSONScanner.scanRun($0, from: start) }
                        let slow = Self.slowRun(bytes, from: start)
                        #expect(fast.0 == slow.0 && fast.1 == slow.1, "\(special) at \(position) of \(length)")
                    }
                }
            }
        }
    }

    @Test func stringsThatEndAtAChunkBoundaryOrCrossItReadTheSame() {
        let values = ["", "a", "abcdefg", "abcdefgh", "abcdefghi", "caf\u{E9} au lait \u{20AC}5 \u{1F600}",
                      String(repeating: "long ", count: 40)]
        let line = "{" + values.enumerated().map { "\"k\($0.offset)\":\"\($0.element)\"" }.joined(separator: ",") + "}"
        let text = Array(repeating: line, count: 3).joined(separator: "\n")
        let expected = values.enumerated().map { "k\($0.offset)=\($0.element)" }
        for size in [1, 2, 3, 5, 8, 9, 16, 17, 64, 1 << 18] {
            let all = readAllJSON(jsonReader(text, chunkSize: size))
            #expect(all.map { jsonPairs($0.record) } == Array(repeating: expected, count: 3), "chunk size \(size)")
        }
    }

    @Test func fieldNamesFollowEachRecordsOwnKeys() {
        // Names are reused from the record before when the bytes match; records that differ keep their own.
        let text = """
            {"id":"1","title":"a","price":{"v":1,"c":"SEK"}}
            {"title":"b","id":"2","price":{"c":"NOK","v":2}}
            {"id":"3","titles":"c","price":{"v":3},"extra":[{"k":1},{"k":2}]}
            {"id":"4","title":"d","price":{"v":4,"c":"SEK"}}
            {"i":"5","title":"e"}
            """
        let all = readAllJSON(jsonReader(text))
        #expect(all.map { $0.record?.fields.map(\.name) ?? [] } == [
            ["id", "title", "price.v", "price.c"],
            ["title", "id", "price.c", "price.v"],
            ["id", "titles", "price.v", "extra[0].k", "extra[1].k"],
            ["id", "title", "price.v", "price.c"],
            ["i", "title"],
        ])
    }

    @Test func duplicateKeysAreFoundWhateverTheirLength() {
        // Keys are compared from bytes kept per object: keys that share a prefix, or differ only in their last bytes.
        let long = String(repeating: "abcdefgh", count: 4)
        let text = """
            {"\(long)":1,"\(long)x":2,"\(long)y":3}
            {"\(long)x":1,"\(long)":2,"\(long)x":3}
            {"abcdefgh":1,"abcdefg":2,"abcdefghi":3,"abcdefg":4}
            {"":1,"a":2,"":3}
            """
        let all = readAllJSON(jsonReader(text))
        #expect(all.count == 4)
        #expect(all[0].record?.fields.count == 3)
        #expect(all[1].issue?.reason == .malformed("duplicate key \"\(long)x\""))
        #expect(all[2].issue?.reason == .malformed("duplicate key \"abcdefg\""))
        #expect(all[3].issue?.reason == .malformed("duplicate key \"\""))
    }
}
