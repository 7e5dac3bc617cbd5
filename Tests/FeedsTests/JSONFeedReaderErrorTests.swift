import Catalog
import Testing
@testable import Feeds

@Suite struct JSONFeedReaderErrorTests {
    @Test func duplicateKeyIsARowErrorAndReadingContinues() throws {
        let all = readAllJSON(jsonReader("{\"id\":\"A\"}\n{\"price\":1, \"price\":2}\n{\"id\":\"C\"}\n"))
        try #require(all.count == 3)
        let issue = all[1].issue
        #expect(issue?.reason == .malformed("duplicate key \"price\""))
        #expect(issue?.location.line == 2)
        #expect(issue?.location.column == 13)
        #expect(issue?.location.field == "price")
        #expect(all[2].record?["id"] == "C")
        #expect(all[2].record?.line == 3)
    }

    @Test func duplicateKeysAreFoundInNestedAndLargeObjects() throws {
        let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let text = """
            [{"a":{"x":1},"b":{"x":1}},
             {"a":{"x":1,"y":{"z":1},"x":2}},
             {\(many),"k39":0},
             {\(many)},
             {"id":"last"}]
            """
        let all = readAllJSON(jsonReader(text))
        try #require(all.count == 5)
        #expect(jsonPairs(all[0].record) == ["a.x=1", "b.x=1"])
        #expect(all[1].issue?.reason == .malformed("duplicate key \"x\""))
        #expect(all[1].issue?.location.field == "a.x")
        #expect(all[2].issue?.reason == .malformed("duplicate key \"k39\""))
        #expect(all[3].record?.fields.count == 40)
        #expect(all[4].record?["id"] == "last")
    }

    @Test func brokenJSONLinesLineIsReportedAndTheNextLineIsStillRead() throws {
        let all = readAllJSON(jsonReader("{\"id\":1}\n{\"id\": 2,\n{\"id\":3} x\n[4]\n{\"id\":5}\n{\"a\" 1}\n"))
        try #require(all.count == 6)
        #expect(all[0].record?["id"] == "1")
        #expect(all[1].issue?.reason == .malformed("truncated line: it ends inside an object"))
        #expect(all[1].issue?.location.line == 2)
        #expect(all[1].issue?.location.column == 10)
        #expect(all[2].issue?.reason == .malformed("unexpected 'x' after the object"))
        #expect(all[2].issue?.location.line == 3)
        #expect(all[2].issue?.location.column == 10)
        #expect(all[3].issue?.reason == .malformed("expected a JSON object, found an array"))
        #expect(all[3].issue?.location.line == 4)
        #expect(all[4].record?["id"] == "5")
        #expect(all[4].record?.line == 5)
        #expect(all[5].issue?.reason == .malformed("expected ':' after a key, found '1'"))
        #expect(all[5].issue?.location.column == 6)
    }

    @Test func aBackslashAtTheEndOfALineDoesNotSwallowTheNextLine() throws {
        let text = "{\"id\":\"a\\\n{\"id\":\"B\"}\n{\"id\":\"C\\\r\n{\"id\":\"D\"}\n"
        let all = readAllJSON(jsonReader(text, chunkSize: 2))
        try #require(all.count == 4, "\(all)")
        #expect(all[0].issue?.reason == .malformed("invalid escape '\\' then the end of the line in a string"))
        #expect(all[0].issue?.location.line == 1 && all[0].issue?.location.column == 9)
        #expect(all[1].record?["id"] == "B" && all[1].record?.line == 2)
        #expect(all[2].issue?.reason == .malformed("invalid escape '\\' then byte 0x0D in a string"))
        #expect(all[2].issue?.location.line == 3)
        #expect(all[3].record?["id"] == "D" && all[3].record?.line == 4)
    }

    @Test func arraySyntaxErrorIsFatalWithLineAndColumn() throws {
        let all = readAllJSON(jsonReader("[\n{\"id\":1},\n{\"id\" 2},\n{\"id\":3}]"))
        try #require(all.count == 2)
        #expect(all[0].record?["id"] == "1")
        #expect(all[1].issue?.reason == .malformed("expected ':' after a key, found '2'"))
        #expect(all[1].issue?.location.line == 3)
        #expect(all[1].issue?.location.column == 7)
    }

    @Test(arguments: [
        ("[{\"a\":1},]", "expected a value, found ']'"),
        ("[{\"a\":1}}", "expected ',' or ']' after an array element, found '}'"),
        ("[{\"a\":1}] x", "unexpected 'x' after the end of the JSON document"),
        ("[{\"a\":1,}]", "expected a key string, found '}'"),
        ("[{\"a\":\"x\ty\"}]", "unescaped control character U+0009 in a string"),
        ("[{\"a\":\"\\x\"}]", "invalid escape '\\x' in a string"),
        ("[{\"a\":\"\\u12G4\"}]", "invalid \\u escape: expected 4 hex digits"),
        ("x", "a JSON feed starts with '[' or '{', found 'x'"),
    ])
    func arraySyntaxErrorsAreNamed(_ text: String, _ message: String) throws {
        let all = readAllJSON(jsonReader(text))
        #expect(all.last?.issue?.reason == .malformed(message))
        #expect(all.compactMap(\.issue).count == 1)
    }

    @Test func nonObjectElementIsARowError() throws {
        let all = readAllJSON(jsonReader("[1, {\"id\":\"a\"}, \"x\", [2, {\"b\":[]}],\n null, {\"id\":\"b\"}]", chunkSize: 2))
        try #require(all.count == 6)
        #expect(all[0].issue?.reason == .malformed("array element 1 is a number, not an object"))
        #expect(all[0].issue?.location.column == 2)
        #expect(all[1].record?["id"] == "a")
        #expect(all[2].issue?.reason == .malformed("array element 3 is a string, not an object"))
        #expect(all[3].issue?.reason == .malformed("array element 4 is an array, not an object"))
        #expect(all[4].issue?.reason == .malformed("array element 5 is null, not an object"))
        #expect(all[4].issue?.location.line == 2)
        #expect(all[5].record?["id"] == "b")
    }

    @Test(arguments: [
        ("[{\"id\":1},\n{\"id\":2", "truncated feed: the input ends inside an object", 2),
        ("[{\"id\":1},\n{\"id\":2}\n", "truncated feed: the top-level array is not closed (missing ']')", 3),
        ("[{\"id\":1},\n{\"id\":\"ab", "truncated feed: the input ends inside a string", 2),
        ("{\"products\":[{\"id\":1}]", "truncated feed: the input ends inside an object", 1),
    ])
    func truncatedArrayIsFatal(_ text: String, _ message: String, _ line: Int) throws {
        let all = readAllJSON(jsonReader(text, recordPath: text.hasPrefix("{") ? "products" : nil))
        try #require(all.count >= 2)
        #expect(all[0].record?["id"] == "1")
        #expect(all.dropLast().allSatisfy { $0.record != nil })
        #expect(all.last?.issue?.reason == .malformed(message))
        #expect(all.last?.issue?.location.line == line)
    }

    @Test func truncatedLastLineIsARowError() throws {
        let all = readAllJSON(jsonReader("{\"id\":1}\n{\"id\":2, \"t\": [1,"))
        try #require(all.count == 2)
        #expect(all[1].issue?.reason == .malformed("truncated feed: the input ends inside an array"))
        #expect(all[1].issue?.location.line == 2)
    }

    @Test func nestingDeeperThan64LevelsIsRejected() throws {
        func nested(_ depth: Int) -> String {
            "{\"id\":1,\"n\":" + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
        }
        let all = readAllJSON(jsonReader(nested(64) + "\n" + nested(65) + "\n{\"id\":3}\n"))
        try #require(all.count == 3)
        #expect(all[0].record?["id"] == "1")
        #expect(all[1].issue?.reason == .malformed("nested too deep (more than 64 levels)"))
        #expect(all[1].issue?.location.line == 2)
        #expect(all[1].issue?.location.column == 76)
        #expect(all[2].record?["id"] == "3")
    }

    @Test func stringOverTheLimitIsTooLarge() throws {
        let limits = JSONLimits(maxStringBytes: 10)
        let all = readAllJSON(jsonReader("{\"a\":\"0123456789\"}\n{\"b\":1,\"a\":\"0123456789X\"}\n{\"c\":1}\n", limits: limits))
        try #require(all.count == 3)
        #expect(all[0].record?["a"] == "0123456789")
        #expect(all[1].issue?.reason == .tooLarge("a string longer than 10 bytes"))
        #expect(all[1].issue?.location.line == 2)
        #expect(all[1].issue?.location.column == 12)
        #expect(all[2].record?["c"] == "1")
    }

    @Test func recordOverTheLimitIsTooLarge() throws {
        let limits = JSONLimits(maxRecordBytes: 32)
        let big = "{\"a\":\"" + String(repeating: "x", count: 40) + "\"}"
        let all = readAllJSON(jsonReader("[{\"a\":1},\n \(big), {\"a\":2}]", chunkSize: 4, limits: limits))
        try #require(all.count == 3)
        #expect(all[1].issue?.reason == .tooLarge("a record longer than 32 bytes"))
        #expect(all[1].issue?.location.line == 2)
        #expect(all[1].issue?.location.column == 2)
        #expect(all[2].record?["a"] == "2")
    }

    @Test func realTenMegabyteStringIsTooLarge() throws {
        let text = "{\"a\":\"" + String(repeating: "x", count: 10 << 20) + "y\"}\n{\"b\":1}\n"
        let all = readAllJSON(jsonReader(text, chunkSize: 1 << 18))
        try #require(all.count == 2)
        #expect(all[0].issue?.reason == .tooLarge("a string longer than 10485760 bytes"))
        #expect(all[1].record?["b"] == "1")
    }

    @Test(arguments: [
        ([0xFF], 7), ([0xC0, 0x80], 7), ([0xED, 0xA0, 0x80], 7), ([0xE6, 0x97], 7), ([0x61, 0xF4, 0x90, 0x80, 0x80], 8),
    ])
    func invalidUTF8IsAnEncodingRowError(_ bad: [UInt8], _ column: Int) throws {
        let bytes = Array("{\"id\":1}\n{\"a\":\"".utf8) + bad + Array("\"}\n{\"id\":3}\n".utf8)
        for size in [1, 3, 1 << 18] {
            let all = readAllJSON(JSONFeedReader(bytes: bytes, feed: "t.json", chunkSize: size))
            try #require(all.count == 3)
            guard case .invalidEncoding? = all[1].issue?.reason else {
                Issue.record("expected invalidEncoding, got \(all[1])")
                continue
            }
            #expect(all[1].issue?.location.line == 2)
            #expect(all[1].issue?.location.column == column)
            #expect(all[2].record?["id"] == "3")
        }
    }

    @Test func invalidUTF8OutsideStringsIsMalformed() throws {
        let bytes = Array("[{\"a\":1}, ".utf8) + [0xC3, 0xA9] + Array("]".utf8)
        let all = readAllJSON(JSONFeedReader(bytes: bytes, feed: "t.json"))
        try #require(all.count == 2)
        #expect(all[1].issue?.reason == .malformed("expected a value, found byte 0xC3"))
        #expect(all[1].issue?.location.column == 11)
    }
}
