import Catalog
import Foundation
import Testing
@testable import Feeds

/// Reads every record and every issue until the reader returns nil (bounded, so a bug cannot hang the run).
func readAllJSON(_ reader: JSONFeedReader) -> [JSONOutcome] {
    var out: [JSONOutcome] = []
    for _ in 0..<100_000 {
        do {
            guard let record = try reader.nextRecord() else { return out }
            out.append(.success(record))
        } catch {
            out.append(.failure(error))
        }
    }
    Issue.record("the reader never returned nil")
    return out
}

func jsonReader(
    _ text: String, layout: JSONFeedLayout = .auto, recordPath: String? = nil, chunkSize: Int = 3,
    limits: JSONLimits = JSONLimits()
) -> JSONFeedReader {
    JSONFeedReader(bytes: Array(text.utf8), feed: "t.json", layout: layout, recordPath: recordPath,
                   chunkSize: chunkSize, limits: limits)
}

/// One answer of `nextRecord()`.
enum JSONOutcome: Equatable, CustomStringConvertible {
    case success(FeedRecord)
    case failure(FeedIssue)
    var record: FeedRecord? { if case .success(let r) = self { r } else { nil } }
    var issue: FeedIssue? { if case .failure(let e) = self { e } else { nil } }
    var description: String {
        switch self {
        case .success(let r): "\(r.line): " + jsonPairs(r).joined(separator: " ")
        case .failure(let e): "\(e) [\(e.code)]"
        }
    }
}

func jsonPairs(_ record: FeedRecord?) -> [String] {
    record?.fields.map { "\($0.name)=\($0.value)" } ?? []
}

@Suite struct JSONFeedReaderTests {
    @Test func arrayLayoutReadsOneRecordPerElement() throws {
        let r = jsonReader("[\n  {\"id\": \"A1\", \"qty\": 3},\n  {\"id\": \"B2\"}\n]\n")
        let all = readAllJSON(r)
        try #require(all.count == 2)
        #expect(jsonPairs(all[0].record) == ["id=A1", "qty=3"])
        #expect(all[0].record?.line == 2)
        #expect(all[1].record?["id"] == "B2")
        #expect(all[1].record?.line == 3)
        #expect(r.feedLayout == .array)
    }

    @Test func emptyArrayHasNoRecords() throws {
        #expect(readAllJSON(jsonReader(" [ ] ")).isEmpty)
    }

    @Test func jsonLinesLayoutReadsOneRecordPerNonBlankLine() throws {
        let r = jsonReader("{\"id\":\"A\"}\n\n   \n{\"id\":\"B\",\"n\":1}\n{\"id\":\"C\"}")
        let all = readAllJSON(r)
        #expect(all.map { $0.record?["id"] } == ["A", "B", "C"])
        #expect(all.map { $0.record?.line } == [1, 4, 5])
        #expect(r.feedLayout == .lines)
    }

    @Test(arguments: [
        ("  \n[{\"a\":1}]", JSONFeedLayout.array),
        ("{\"a\":1}\n{\"a\":2}\n", .lines),
        ("\u{FEFF}[{\"a\":1}]", .array),
        ("\u{FEFF}{\"a\":1}\n", .lines),
    ])
    func autoDetectsTheLayoutFromTheFirstByte(_ text: String, _ expected: JSONFeedLayout) throws {
        let r = jsonReader(text, chunkSize: 1)
        #expect(try r.nextRecord()?["a"] == "1")
        #expect(r.feedLayout == expected)
    }

    @Test func emptyInputHasNoRecords() throws {
        #expect(readAllJSON(jsonReader("")).isEmpty)
        #expect(readAllJSON(jsonReader(" \n\n", layout: .lines)).isEmpty)
    }

    @Test func recordPathStreamsTheNamedArrayWithNestedVariants() throws {
        let text = """
            {"count": 2, "meta": {"a": [1, {"b": null}]},
             "products": [
              {"id": 1, "title": "Tee", "variants": [{"sku": "T-S", "price": "10.00"}, {"sku": "T-M"}]},
              {"id": 2, "variants": []}
             ],
             "next": null}
            """
        let r = jsonReader(text, recordPath: "products")
        let all = readAllJSON(r)
        try #require(all.count == 2)
        #expect(jsonPairs(all[0].record) == ["id=1", "title=Tee", "variants[0].sku=T-S", "variants[0].price=10.00",
                                         "variants[1].sku=T-M"])
        #expect(all[0].record?.line == 3)
        #expect(jsonPairs(all[1].record) == ["id=2"])
        #expect(r.feedLayout == .array)
    }

    @Test func recordPathMayNameANestedArrayWithDots() throws {
        let all = readAllJSON(jsonReader("{\"data\":{\"x\":[],\"items\":[{\"id\":\"a\"},{\"id\":\"b\"}]}}", recordPath: "data.items"))
        #expect(all.map { $0.record?["id"] } == ["a", "b"])
    }

    @Test func missingRecordPathIsFatal() throws {
        let all = readAllJSON(jsonReader("{\"items\": [{\"id\": 1}]}", recordPath: "products"))
        try #require(all.count == 1)
        #expect(all[0].issue?.reason == .malformed("no \"products\" array in the document"))
    }

    @Test func objectsAndArraysFlattenToDotPathsInSourceOrder() throws {
        let text = #"{"priceInfo":{"price":12.5,"currencyCode":"USD"},"images":[{"uri":"a"}],"categories":["x","y"],"m":[[1,2]]}"#
        let all = readAllJSON(jsonReader(text + "\n"))
        #expect(jsonPairs(all.first?.record) == ["priceInfo.price=12.5", "priceInfo.currencyCode=USD", "images[0].uri=a",
                                             "categories[0]=x", "categories[1]=y", "m[0][0]=1", "m[0][1]=2"])
    }

    @Test func numbersKeepTheirExactSourceText() throws {
        let text = #"{"a":12.50,"b":1e2,"c":-0,"d":1E+5,"e":0.1e-3,"f":123456789012345678901234567890,"g":-7}"#
        let record = readAllJSON(jsonReader(text)).first?.record
        #expect(jsonPairs(record) == ["a=12.50", "b=1e2", "c=-0", "d=1E+5", "e=0.1e-3",
                                  "f=123456789012345678901234567890", "g=-7"])
    }

    @Test(arguments: ["{\"a\":01}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":1e}",
                      "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":tru}", "{\"a\":nul}"])
    func invalidNumbersAndLiteralsAreMalformedRows(_ line: String) throws {
        let all = readAllJSON(jsonReader(line + "\n{\"ok\":true}\n"))
        try #require(all.count == 2)
        guard case .malformed? = all[0].issue?.reason else {
            Issue.record("expected malformed, got \(all[0])")
            return
        }
        #expect(all[0].issue?.location.line == 1)
        #expect(all[1].record?["ok"] == "true")
    }

    @Test func nanAndInfinityAreNamedInTheMessage() throws {
        #expect(readAllJSON(jsonReader("{\"a\":NaN}")).first?.issue?.reason == .malformed("NaN is not valid JSON"))
        #expect(readAllJSON(jsonReader("{\"a\":-Infinity}")).first?.issue?.reason == .malformed("Infinity is not valid JSON"))
    }

    @Test func escapesAndSurrogatePairsAreUnescaped() throws {
        let text = #"{"s":"q\" b\\ s\/ \b\f\n\r\t \u00e9\u20AC \uD83D\uDE00 \u0000 日本"}"#
        let record = readAllJSON(jsonReader(text, chunkSize: 1)).first?.record
        #expect(record?["s"] == "q\" b\\ s/ \u{8}\u{C}\n\r\t é€ 😀 \u{0} 日本")
    }

    @Test(arguments: [#"{"a":"\uD800"}"#, #"{"a":"\uDC00"}"#, #"{"a":"\uD800x"}"#, #"{"a":"\uD800\u0041"}"#,
                      #"{"a":"\uD800\n"}"#, #"{"a":"\uD83D\uD83D\uDE00"}"#])
    func loneSurrogatesAreMalformedRows(_ line: String) throws {
        let all = readAllJSON(jsonReader(line + "\n{\"ok\":1}\n"))
        try #require(all.count == 2, "\(all)")
        #expect(all[0].issue?.reason == .malformed("lone UTF-16 surrogate in a \\u escape"))
        #expect(all[0].issue?.location.line == 1)
        #expect(all[1].record?.line == 2)
    }

    @Test func nullIsOmittedAndBooleansAreWords() throws {
        let record = readAllJSON(jsonReader(#"{"a":null,"b":true,"c":false,"d":[null,1],"e":{}}"#)).first?.record
        #expect(jsonPairs(record) == ["b=true", "c=false", "d[1]=1"])
    }

    @Test func crlfLineEndsAreAccepted() throws {
        let all = readAllJSON(jsonReader("{\"id\":\"A\"}\r\n{\"id\":\"B\"}\r\n\r\n{\"id\":\"C\"}\r\n", chunkSize: 2))
        #expect(all.map { $0.record?["id"] } == ["A", "B", "C"])
        #expect(all.map { $0.record?.line } == [1, 2, 4])
    }

    @Test func everyChunkSizeGivesTheSameRecords() throws {
        let text = """
            \u{FEFF}[{"id":"é-1","t":"日本語 \\u00e9\\uD83D\\uDE00 \\"q\\"","p":{"v":12.50,"c":"SEK"},"tags":["a","b"],"n":null},
            {"id":"2","x":[[true,false],{"y":-1.5e-3}]}, 7, {"id":"3"}]
            """
        let expected = readAllJSON(jsonReader(text, chunkSize: 1 << 18)).map { "\($0)" }
        #expect(expected.count == 4)
        for size in 1...7 {
            #expect(readAllJSON(jsonReader(text, chunkSize: size)).map { "\($0)" } == expected, "chunk size \(size)")
        }
    }

    @Test func unreadableFileIsReportedWithTheFeedName() throws {
        #expect(throws: FeedIssue.self) {
            _ = try JSONFeedReader(url: URL(fileURLWithPath: "/nonexistent/feed.json"), feed: "products")
        }
        do {
            _ = try JSONFeedReader(url: URL(fileURLWithPath: "/nonexistent/feed.json"), feed: "products")
        } catch {
            #expect(error.location.feed == "products")
            #expect(error.code == "unreadable")
        }
    }

    // MARK: Real feeds

    /// `<package root>/../shared/real/feeds`; the package root is three levels above this file.
    static let realFeeds: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/real/feeds")
    static let hasRealFeeds = FileManager.default.fileExists(atPath: realFeeds.path)

    func realFeed(_ name: String) throws -> JSONFeedReader {
        try JSONFeedReader(url: Self.realFeeds.appendingPathComponent(name), feed: name)
    }

    @Test(.enabled(if: hasRealFeeds, "skipped: ../shared/real/feeds is absent"))
    func realGoogleRetailJSONLinesFeedHasAllRecords() throws {
        let r = try realFeed("google-retail-api-products-ja.jsonl")
        let all = readAllJSON(r)
        try #require(all.count == 1276)
        #expect(all.allSatisfy { $0.record != nil })
        #expect(r.feedLayout == .lines)
        let first = all.first?.record
        #expect(first?["id"] == "GGOEGBJA127699")
        #expect(first?["categories[0]"] == "バッグ")
        #expect(first?["priceInfo.price"] == "18")
        #expect(first?["images[0].uri"]?.hasSuffix("GGOEGBJA127699.jpg") == true)
        #expect(all.last?.record?.line == 1276)
        #expect(all.compactMap { $0.record?["id"] }.filter { $0 == "POKEMONP004" }.count == 2)
    }

    @Test(.enabled(if: hasRealFeeds, "skipped: ../shared/real/feeds is absent"))
    func realSaleorFixtureArrayHasAllRecords() throws {
        let r = try realFeed("saleor-populatedb-data.json")
        let all = readAllJSON(r)
        try #require(all.count == 721)
        #expect(all.allSatisfy { $0.record != nil })
        #expect(r.feedLayout == .array)
        let first = all.first?.record
        #expect(first?.line == 2)
        #expect(first?["model"] == "discount.sale")
        #expect(first?["fields.products[0]"] == "128")
        #expect(first?["fields.end_date"] == nil)
    }
}
