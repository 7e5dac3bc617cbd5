import Catalog
import Testing
@testable import Feeds

/// One step of a walk with `moveToNextRecord()`, `currentDigest` and `currentRecord()`.
struct RawStep {
    var outcome: JSONOutcome?
    var digest: (hash: UInt64, key: String)?
    var line: Int
}

/// Walks `reader` as ingest does; `skips` says, for a record with a digest, to leave it undecoded (its
/// `outcome` is then nil).
func walkRaw(_ reader: JSONFeedReader, seed: UInt64 = 7, skips: (Int) -> Bool = { _ in false }) -> [RawStep] {
    var steps: [RawStep] = []
    for index in 0..<100_000 {
        do {
            guard try reader.moveToNextRecord() else { return steps }
        } catch {
            steps.append(RawStep(outcome: .failure(error), line: error.location.line))
            continue
        }
        var step = RawStep(digest: reader.currentDigest(seed: seed, attribute: "id"), line: reader.currentLine)
        if step.digest == nil || !skips(index) {
            do {
                step.outcome = .success(try reader.currentRecord())
            } catch {
                step.outcome = .failure(error)
            }
        }
        steps.append(step)
    }
    Issue.record("the reader never returned false")
    return steps
}

/// Random JSON Lines feeds with what real and hostile exports contain.
struct JSONLinesFeedMaker {
    var random: SplitMix64

    static let idNames = ["id", "ID", "Id", " id", "id ", "g:id", "G:ID", #"\u0069d"#, #"i\u0064"#]
    static let otherNames = ["title", "sku", "price", "identifier", "i d", "ids", "inventory", "g:price", "item group",
                             "d\u{e9}j\u{e0}", #"q\"uote"#, "id.x", "id[0]", ""]
    static let idValues = [
        #""A1""#, #""SKU-000123""#, #"" padded ""#, #""  ""#, #""""#, #""caf\u00e9""#, #""q\"uote\\""#,
        #""tab\tin""#, #""\u00a0nbsp\u00a0""#, "\"\u{a0}raw nbsp\"", "\"日本-\u{1F600}\"", #""\uD83D\uDE00""#,
        "\" \u{301}combining\"", #""\/slash""#, "12", "-0", "12.50", "1e3", "-7.25E-2", "0", "null", "true",
        "false", #"{"x":"A"}"#, #"["A"]"#, "[]", "{}", #""line\nbreak""#, "\"\u{3000}ideographic\u{3000}\"",
    ]
    static let otherValues = [
        #""plain""#, #""with \"escapes\" \\ \/ \b\f\n\r\t""#, #""\u00e9\u20AC\uD83D\uDE00""#, "\"日本語\"", "3",
        "-1.5e-3", "true", "null", #"{"id":"nested","a":[1,{"b":"}"}]}"#, #"["x","]",{"id":"y"}]"#, "[]", "{}",
        #""{\"id\":\"fake\"}""#,
    ]
    static let spaces = ["", "", "", " ", "  ", "\t", " \r "]
    static let brokenLines = [
        #"{"id":"X1","#, #"{"id":"X2"} trailing"#, "[1]", #"{"id" "X3"}"#, #"{"id":"X4\x"}"#, #"{"id":"\uD800"}"#,
        #"{"id":"X5","id":"X6"}"#, #"{"id":01}"#, "{\"id\":\"tab\there\"}", #"{"id":"X7""#, "nul", #"{"id":-}"#,
        #"{"id":"X8",}"#, #""just a string""#, "{\"id\":\"\u{1}\"}",
    ]

    mutating func pick(_ choices: [String]) -> String { choices.randomElement(using: &random)! }

    mutating func space() -> String { pick(Self.spaces) }

    /// One record's line: an id (or none, or two ids) among other members, in a random order.
    mutating func record() -> String {
        var members: [String] = []
        for _ in 0..<Int.random(in: 0...5, using: &random) {
            members.append("\"\(pick(Self.otherNames))\"\(space()):\(space())\(pick(Self.otherValues))")
        }
        for _ in 0..<[0, 1, 1, 1, 1, 2].randomElement(using: &random)! {
            let id = "\"\(pick(Self.idNames))\"\(space()):\(space())\(pick(Self.idValues))"
            members.insert(id, at: Int.random(in: 0...members.count, using: &random))
        }
        return space() + "{" + space() + members.joined(separator: space() + "," + space()) + space() + "}" + space()
    }

    /// A feed of about `count` lines: records, repeated records, blank lines, broken lines, invalid UTF-8, an
    /// optional BOM and a last line that may be cut short.
    mutating func feed(lines count: Int) -> [UInt8] {
        var lines: [[UInt8]] = []
        for _ in 0..<count {
            switch Int.random(in: 0..<20, using: &random) {
            case 0: lines.append(Array(space().utf8))
            case 1: lines.append(Array(pick(Self.brokenLines).utf8))
            case 2: lines.append(Array(#"{"id":"bad-"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
            case 3 where !lines.isEmpty: lines.append(lines.randomElement(using: &random)!)
            default: lines.append(Array(record().utf8))
            }
        }
        let newline = Bool.random(using: &random) ? "\n" : "\r\n"
        var bytes: [UInt8] = Bool.random(using: &random) ? [0xEF, 0xBB, 0xBF] : []
        bytes += Array(lines.joined(separator: Array(newline.utf8)))
        switch Int.random(in: 0..<3, using: &random) {
        case 0: bytes += Array(newline.utf8)
        case 1: bytes.removeLast(min(bytes.count, Int.random(in: 0...12, using: &random)))
        default: break
        }
        return bytes
    }
}

@Suite struct JSONFeedReaderRawTests {
    static let chunkSizes = [1, 2, 3, 5, 8, 17, 64, 1 << 18]

    func reader(_ bytes: [UInt8], layout: JSONFeedLayout = .lines, chunkSize: Int = 1 << 18,
                limits: JSONLimits = JSONLimits()) -> JSONFeedReader {
        JSONFeedReader(bytes: bytes, feed: "t.json", layout: layout, chunkSize: chunkSize, limits: limits)
    }

    /// The bytes of each line of `bytes` (1-based), without a BOM and without the white space around it.
    func sourceLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
        let isSpace = { (b: UInt8) in b == 0x20 || b == 0x09 || b == 0x0D }
        return [[]] + text.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            guard let first = line.firstIndex(where: { !isSpace($0) }) else { return line[line.endIndex...] }
            return line[first...line.lastIndex(where: { !isSpace($0) })!]
        }
    }

    @Test func rawWalkAgreesWithNextRecordOnRandomJSONLinesFeeds() throws {
        var maker = JSONLinesFeedMaker(random: SplitMix64(seed: 2024))
        var hashes: [ArraySlice<UInt8>: UInt64] = [:]
        var keysFound = 0
        var recordsWithID = 0
        for round in 0..<300 {
            let bytes = maker.feed(lines: Int.random(in: 0...40, using: &maker.random))
            let chunkSize = Self.chunkSizes.randomElement(using: &maker.random)!
            let expected = readAllJSON(reader(bytes, layout: round % 3 == 0 ? .auto : .lines, chunkSize: chunkSize))
            var skipping = SplitMix64(seed: UInt64(round))
            let steps = walkRaw(reader(bytes, layout: round % 3 == 0 ? .auto : .lines, chunkSize: chunkSize),
                                skips: { _ in Bool.random(using: &skipping) })
            let lines = sourceLines(bytes)
            try #require(steps.count == expected.count, "round \(round): \(steps.map(\.line)) vs \(expected)")
            for (step, outcome) in zip(steps, expected) {
                if let got = step.outcome { #expect(got == outcome, "round \(round)") }
                let line = outcome.record?.line ?? outcome.issue!.location.line
                #expect(step.line == line, "round \(round): \(outcome)")
                if outcome.record?.value(ofAttribute: "id") != nil {
                    recordsWithID += 1
                    if step.digest != nil { keysFound += 1 }
                }
                guard let digest = step.digest else { continue }
                if let record = outcome.record {
                    #expect(digest.key == record.value(ofAttribute: "id"), "round \(round) line \(line): \(outcome)")
                }
                let bytes = lines[line]
                #expect(hashes[bytes, default: digest.hash] == digest.hash, "round \(round) line \(line)")
                hashes[bytes] = digest.hash
            }
        }
        #expect(Set(hashes.values).count == hashes.count, "different lines, one hash")
        // The fast path does its job: most records with an id are recognised from their bytes.
        #expect(keysFound * 4 > recordsWithID * 3, "\(keysFound) of \(recordsWithID)")
    }

    @Test func everyChunkSizeReadsTheRandomFeedsAlike() throws {
        // Skipping every record it can, too.
        var maker = JSONLinesFeedMaker(random: SplitMix64(seed: 99))
        for round in 0..<40 {
            let bytes = maker.feed(lines: 30)
            let expected = readAllJSON(reader(bytes, chunkSize: 1 << 18)).map(\.description)
            for size in Self.chunkSizes {
                #expect(readAllJSON(reader(bytes, chunkSize: size)).map(\.description) == expected, "round \(round)")
                let steps = walkRaw(reader(bytes, chunkSize: size), skips: { _ in true })
                #expect(steps.count == expected.count, "round \(round) chunk size \(size)")
            }
        }
    }

    @Test(arguments: [
        (#"{"id":"A1","title":"Shirt"}"#, "A1"),
        (#"{"ID":"A1"}"#, "A1"),
        (#"{"g:id":"A1"}"#, "A1"),
        (#"{" Id ":"A1"}"#, "A1"),
        (#"{"\u0069d":"A1"}"#, "A1"),
        (#" { "id" : "A1" } "#, "A1"),
        (#"{"id":"  A1 \t"}"#, "A1"),
        (#"{"id":"caf\u00e9 \"q\" \\ \/"}"#, "café \"q\" \\ /"),
        (#"{"id":"\uD83D\uDE00-日本"}"#, "\u{1F600}-日本"),
        (#"{"id":"\u00a0A1\u3000"}"#, "A1"),
        (#"{"id":12.50}"#, "12.50"),
        (#"{"id":-0}"#, "-0"),
        (#"{"id":1E+5}"#, "1E+5"),
        (#"{"title":"x","n":{"id":"no"},"l":[{"id":"no"},"]"],"s":"{\"id\":1}","id":"A1"}"#, "A1"),
        (#"{"id":"","ID":"B1"}"#, "B1"),
        (#"{"id":"   ","g:id":7}"#, "7"),
        (#"{"id":"A1","id":"A1"}"#, nil),  // a duplicate key: the record is an issue
    ] as [(String, String?)])
    func keyFromTheBytesIsTheDecodedRecordsValue(_ line: String, _ expected: String?) throws {
        let r = reader(Array((line + "\n").utf8))
        #expect(try r.moveToNextRecord())
        let digest = r.currentDigest(seed: 1, attribute: "id")
        let record = try? r.currentRecord()
        #expect(record?.value(ofAttribute: "id") == expected)
        if expected != nil { #expect(digest?.key == expected) }
        #expect(try !r.moveToNextRecord())
    }

    /// Where the id is not a plain string or number at the top level, the record is decoded to be judged.
    @Test(arguments: [
        #"{"id":null,"ID":"B1"}"#, #"{"id":true}"#, #"{"id":{"x":"A1"}}"#, #"{"id":["A1"]}"#, #"{"sku":"A1"}"#,
        #"{"id":"   "}"#, #"{"id":"\u00a0"}"#, "{}", #"{"id":"\uD800"}"#, #"{"id":"A\x"}"#, #"{"id":01}"#,
        #"{"id":"A1"#, "[1]", #""A1""#, #"{"id":-}"#,
    ])
    func unusualIDsHaveNoDigest(_ line: String) throws {
        let r = reader(Array((line + "\n").utf8))
        #expect(try r.moveToNextRecord())
        #expect(r.currentDigest(seed: 1, attribute: "id") == nil)
    }

    @Test func anyAttributeIsFoundByItsAliases() throws {
        let r = reader(Array(#"{"id":"A1","Inventory":" 3 ","title":"x"}"#.utf8))
        #expect(try r.moveToNextRecord())
        #expect(r.currentDigest(seed: 1, attribute: "quantity")?.key == "3")
        #expect(r.currentDigest(seed: 1, attribute: "title")?.key == "x")
        #expect(r.currentDigest(seed: 1, attribute: "id")?.key == "A1")
        #expect(r.currentDigest(seed: 1, attribute: "price") == nil)
        #expect(try r.currentRecord().value(ofAttribute: "quantity") == "3")
    }

    @Test func identicalRecordsHashTheSameAndOneChangedByteChangesTheHash() throws {
        let line = #"{"id":"A1","title":"Linen \"Shirt\"","price":"10.00 SEK","quantity":3}"#
        let bytes = Array(line.utf8)
        // The same record on another line, with CRLF and a BOM before the first.
        let r = reader([0xEF, 0xBB, 0xBF] + bytes + Array("\r\n\n".utf8) + bytes + Array("  ".utf8))
        var hashes: [UInt64] = []
        while try r.moveToNextRecord() {
            hashes.append(try #require(r.currentDigest(seed: 3, attribute: "id")).hash)
        }
        #expect(hashes.count == 2 && hashes[0] == hashes[1])

        var changed = 0
        for index in bytes.indices {
            var other = bytes
            other[index] = bytes[index] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
            let r = reader(other)
            #expect(try r.moveToNextRecord())
            guard let digest = r.currentDigest(seed: 3, attribute: "id") else { continue }
            changed += 1
            #expect(digest.hash != hashes[0], "byte \(index)")
        }
        #expect(changed > bytes.count / 2)
        #expect(reader(bytes).firstDigest(seed: 4)?.hash != hashes[0], "the seed counts")
    }

    @Test func aDigestIsStillThereAfterNextRecord() throws {
        // Ingest reads the first record with nextRecord() and asks for its digest after.
        let r = reader(Array("{\"id\":\"A1\"}\n{\"id\":\"B2\"}".utf8), layout: .auto, chunkSize: 3)
        #expect(try r.nextRecord()?.line == 1)
        #expect(r.currentDigest(seed: 1, attribute: "id")?.key == "A1")
        #expect(try r.nextRecord()?.line == 2)
        #expect(r.currentDigest(seed: 1, attribute: "id")?.key == "B2")
        #expect(try r.nextRecord() == nil)
    }

    @Test func aLineLongerThanARecordMayBeIsDecodedInstead() throws {
        let limits = JSONLimits(maxRecordBytes: 64)
        let long = #"{"id":"A1"}"# + String(repeating: " ", count: 200)
        let r = reader(Array((long + "\n" + #"{"id":"B2"}"#).utf8), chunkSize: 16, limits: limits)
        #expect(try r.moveToNextRecord())
        #expect(r.currentDigest(seed: 1, attribute: "id") == nil)
        #expect(try r.currentRecord().value(ofAttribute: "id") == "A1")
        #expect(try r.moveToNextRecord())
        #expect(r.currentDigest(seed: 1, attribute: "id")?.key == "B2")
        #expect(r.currentLine == 2)
    }

    @Test func arrayElementsAreDigestedByTheirFields() throws {
        let text = "[\n{\"id\":\"A1\",\"n\":1},\n 7,\n{\"id\":\"B2\",\"n\":2}]"
        let expected = readAllJSON(jsonReader(text))
        for size in Self.chunkSizes {
            let steps = walkRaw(reader(Array(text.utf8), layout: .auto, chunkSize: size))
            #expect(steps.compactMap(\.outcome) == expected)
            #expect(steps.map(\.line) == [2, 3, 4])
            #expect(steps.map { $0.digest?.key } == ["A1", nil, "B2"])
            #expect(steps[0].digest?.hash == expected[0].record?.digest(seed: 7))
        }
    }

    @Test func arraySyntaxErrorIsStillFatal() throws {
        let steps = walkRaw(reader(Array("[{\"id\":1},\n{\"id\" 2},\n{\"id\":3}]".utf8), layout: .array))
        #expect(steps.count == 2)
        #expect(steps.last?.outcome?.issue?.isFatal == true)
        #expect(steps.last?.outcome?.issue?.location.line == 2)
    }

    @Test func recordPathArraysReadTheSameRawOrNot() throws {
        let text = #"{"count":2,"products":[{"id":1,"v":[{"sku":"a"}]},{"id":"2"}],"next":null}"#
        let r = JSONFeedReader(bytes: Array(text.utf8), feed: "t.json", recordPath: "products", chunkSize: 4)
        let steps = walkRaw(r)
        #expect(steps.compactMap(\.outcome) == readAllJSON(jsonReader(text, recordPath: "products")))
        #expect(steps.map { $0.digest?.key } == ["1", "2"])
    }

    @Test func layoutNamesWhatDecidesHowARecordReads() throws {
        let lines = reader(Array("{\"id\":1}\n".utf8), layout: .auto)
        _ = try lines.nextRecord()
        #expect(lines.feedLayout == .lines)
        #expect(lines.layout == ["json-layout=lines"])
        let array = JSONFeedReader(bytes: Array("{\"p\":[{\"id\":1}]}".utf8), feed: "t.json", recordPath: "p")
        _ = try array.nextRecord()
        #expect(array.feedLayout == .array)
        #expect(array.layout == ["json-layout=array", "json-record-path=p"])
    }
}

extension JSONFeedReader {
    fileprivate func firstDigest(seed: UInt64) -> (hash: UInt64, key: String)? {
        guard (try? moveToNextRecord()) == true else { return nil }
        return currentDigest(seed: seed, attribute: "id")
    }
}
