import Catalog
import Foundation
import Testing
@testable import Feeds

/// RELIABILITY.md T7 (issue #7): hostile feeds at full size. Each reader must give a clear issue or a bounded
/// result within 10 s (here, a few seconds in a debug build) and in bounded memory; the peak RSS of this
/// suite is measured with `/usr/bin/time -v` (see Fuzz/README.md).
@Suite struct HostileInputTests {
    /// What reading a whole feed gave: counts, the first issues, and whether the reader reached its end.
    struct Outcome {
        var records = 0
        var issues: [FeedIssue] = []
        var issueCount = 0
        var firstRecord: FeedRecord?
        var lastRecord: FeedRecord?
        /// The reader returned nil (or threw a fatal issue) before `limit` calls.
        var ended = false
        var elapsed = Duration.zero
    }

    /// Reads `source` as the daemon does (FeedScanner): row issues are counted and reading goes on, a fatal
    /// issue ends the feed. Gives up after `limit` calls, so a reader that never ends fails the test instead
    /// of hanging it.
    static func drain(_ source: some RecordSource, limit: Int = 1_000_000) -> Outcome {
        var outcome = Outcome()
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<limit {
            do {
                guard let record = try source.nextRecord() else {
                    outcome.ended = true
                    break
                }
                outcome.records += 1
                if outcome.firstRecord == nil { outcome.firstRecord = record }
                outcome.lastRecord = record
            } catch {
                outcome.issueCount += 1
                if outcome.issues.count < 8 { outcome.issues.append(error) }
                if error.isFatal {
                    outcome.ended = true
                    break
                }
            }
        }
        outcome.elapsed = clock.now - start
        return outcome
    }

    /// 10 s is the promise; a debug build on a shared machine gets the whole of it.
    static let timeLimit = Duration.seconds(10)

    static func csv(_ bytes: [UInt8], encoding: FeedEncoding = .auto) -> CSVRecordSource {
        CSVRecordSource(CSVReader(bytes: bytes, feed: "hostile.csv", encoding: encoding))
    }

    static func json(_ bytes: [UInt8], layout: JSONFeedLayout = .auto) -> JSONFeedReader {
        JSONFeedReader(bytes: bytes, feed: "hostile.json", layout: layout)
    }

    static func xml(_ bytes: [UInt8]) throws -> XMLFeedReader {
        try XMLFeedReader(bytes: bytes, feed: "hostile.xml")
    }

    static func rss(_ items: String) -> String {
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\"><channel>\n"
            + items + "\n</channel></rss>\n"
    }

    // MARK: - CSV

    /// CSVReader's documented limits: a field over 10 MiB or a record over 16 MiB is `.tooLarge`, a row
    /// issue; the reader skips to the record's end and goes on.
    @Test func csvFieldOverTenMegabytesIsTooLargeAndTheNextRowIsRead() {
        let bytes = Array("id,title\n1,".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: (10 << 20) + 1)
            + Array("\n2,ok\n".utf8)
        let outcome = Self.drain(Self.csv(bytes))
        #expect(outcome.ended)
        #expect(outcome.issues.map(\.code) == ["too_large"])
        #expect(outcome.issues.first?.isFatal == false)
        #expect(outcome.issues.first?.location.line == 2)
        #expect(outcome.records == 1)
        #expect(outcome.lastRecord?["title"] == "ok")
        #expect(outcome.elapsed < Self.timeLimit)
    }

    @Test func csvFieldJustUnderTheLimitIsAccepted() {
        let bytes = Array("id,title\n1,\"".utf8) + [UInt8](repeating: UInt8(ascii: "y"), count: 10 << 20)
            + Array("\"\n".utf8)
        let outcome = Self.drain(Self.csv(bytes))
        #expect(outcome.ended)
        #expect(outcome.issueCount == 0)
        #expect(outcome.lastRecord?["title"]?.utf8.count == 10 << 20)
    }

    /// 20 MB without a line end: over the record limit, skipped in constant memory, then the feed ends.
    @Test func csvEndlessLineIsTooLarge() {
        let bytes = Array("id,title\n1,".utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: 20 << 20)
        let outcome = Self.drain(Self.csv(bytes))
        #expect(outcome.ended)
        #expect(outcome.issues.map(\.code) == ["too_large"])
        #expect(outcome.records == 0)
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// An endless first line cannot be a header: the feed is rejected whole, once.
    @Test func csvEndlessHeaderLineRejectsTheFeed() {
        let bytes = [UInt8](repeating: UInt8(ascii: "h"), count: 20 << 20)
        let outcome = Self.drain(Self.csv(bytes))
        #expect(outcome.ended)
        #expect(outcome.issueCount == 1)
        #expect(outcome.issues.first?.code == "too_large")
        #expect(outcome.issues.first?.isFatal == true)
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// 20 MB inside a quoted field that never closes, line ends and all.
    @Test func csvEndlessQuotedFieldIsTooLarge() {
        let bytes = Array(("id,title\n1,\"" + String(repeating: "abc,\r\n\"\"", count: (20 << 20) / 8)).utf8)
        let outcome = Self.drain(Self.csv(bytes))
        #expect(outcome.ended)
        #expect(outcome.issues.first?.code == "too_large")
        #expect(outcome.records == 0)
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// 1 MB of bytes that are not UTF-8, in a feed declared UTF-8: one encoding issue for that row.
    @Test func csvMegabyteOfInvalidUTF8IsOneEncodingIssue() {
        let bytes = Array("id,title\n1,".utf8) + Self.invalidUTF8 + Array("\n2,ok\n".utf8)
        let outcome = Self.drain(Self.csv(bytes, encoding: .utf8))
        #expect(outcome.ended)
        #expect(outcome.issues.map(\.code) == ["invalid_encoding"])
        #expect(outcome.records == 1)
        #expect(outcome.lastRecord?["id"] == "2")
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// Detected encoding: bytes that are not UTF-8 make the feed Windows-1252, where 0x81 is undefined.
    @Test func csvMegabyteOfInvalidUTF8WithDetectedEncodingIsBounded() {
        let bytes = Array("id,title\n1,".utf8) + Self.invalidUTF8 + Array("\n2,ok\n".utf8)
        let outcome = Self.drain(Self.csv(bytes))
        #expect(outcome.ended)
        #expect(outcome.issues.map(\.code) == ["invalid_encoding"])
        #expect(outcome.lastRecord?["id"] == "2")
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// A header that cannot be decoded is fatal: before, it was a row issue that `nextRecord()` threw again
    /// on every call, so the daemon's feed scanner never reached the end (found by fuzz-csv).
    @Test func csvUndecodableHeaderEndsTheFeed() {
        let bytes = Array("id,ti".utf8) + [0xFF, 0xFE] + Array("tle\n1,ok\n".utf8)
        let outcome = Self.drain(Self.csv(bytes, encoding: .utf8), limit: 100)
        #expect(outcome.ended)
        #expect(outcome.issueCount == 1)
        #expect(outcome.issues.first?.code == "invalid_encoding")
        #expect(outcome.issues.first?.isFatal == true)
    }

    /// 100,000 rows of the wrong width: one issue each, in time linear in the input.
    @Test func csvHundredThousandRaggedRowsAreReadInBoundedTime() {
        var text = "id,title,price\n"
        text.reserveCapacity(1_500_000)
        for row in 0..<100_000 { text += row % 2 == 0 ? "\(row),a\n" : "\(row),a,b,c\n" }
        text += "last,t,1\n"
        let outcome = Self.drain(Self.csv(Array(text.utf8)))
        #expect(outcome.ended)
        #expect(outcome.issueCount == 100_000)
        #expect(outcome.issues.allSatisfy { $0.code == "ragged_row" && !$0.isFatal })
        #expect(outcome.records == 1)
        #expect(outcome.lastRecord?["id"] == "last")
        #expect(outcome.elapsed < Self.timeLimit)
    }

    // MARK: - JSON

    /// `[[[[…` 100,000 deep: the first element is not an object, and the nesting limit (64) stops the
    /// scanner long before the stack could.
    @Test func jsonHundredThousandDeepArrayIsRejected() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let outcome = Self.drain(Self.json(bytes))
        #expect(outcome.ended)
        #expect(outcome.records == 0)
        #expect(outcome.issueCount >= 1)
        #expect(outcome.issues.last?.isFatal == true)
        #expect(outcome.elapsed < Self.timeLimit)
    }

    @Test func jsonHundredThousandDeepNestingInsideARecordIsARowIssue() {
        let deep = "{\"id\":1,\"n\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let bytes = Array((deep + "\n{\"id\":2}\n").utf8)
        let outcome = Self.drain(Self.json(bytes))
        #expect(outcome.ended)
        #expect(outcome.issues.map(\.message) == ["nested too deep (more than 64 levels)"])
        #expect(outcome.records == 1)
        #expect(outcome.lastRecord?["id"] == "2")
        #expect(outcome.elapsed < Self.timeLimit)
    }

    @Test func jsonHundredThousandDeepObjectsInAnArrayAreBounded() {
        let deep = String(repeating: "{\"a\":", count: 100_000)
        let bytes = Array(("[{\"id\":1}," + deep).utf8)
        let outcome = Self.drain(Self.json(bytes))
        #expect(outcome.ended)
        #expect(outcome.records == 1)
        #expect(outcome.issues.last?.isFatal == true)
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// A 12 MB string (the limit is 10 MiB): a row issue, and the next record is read.
    @Test func jsonTwelveMegabyteStringIsTooLarge() {
        var bytes = Array("[{\"id\":1,\"title\":\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "s"), count: 12_000_000)
        bytes += Array("\"},{\"id\":2}]".utf8)
        let outcome = Self.drain(Self.json(bytes))
        #expect(outcome.ended)
        #expect(outcome.issues.map(\.code) == ["too_large"])
        #expect(outcome.issues.first?.isFatal == false)
        #expect(outcome.lastRecord?["id"] == "2")
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// A JSON Lines line of 20 MB that never ends.
    @Test func jsonEndlessLineIsBounded() {
        let bytes = Array("{\"id\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "q"), count: 20 << 20)
        let outcome = Self.drain(Self.json(bytes, layout: .lines))
        #expect(outcome.ended)
        #expect(outcome.records == 0)
        #expect(outcome.issues.first.map { ["too_large", "malformed"].contains($0.code) } == true)
        #expect(outcome.elapsed < Self.timeLimit)
    }

    @Test func jsonMegabyteOfInvalidUTF8IsOneEncodingIssue() {
        let bytes = Array("{\"id\":\"".utf8) + Self.invalidUTF8 + Array("\"}\n{\"id\":\"2\"}\n".utf8)
        let outcome = Self.drain(Self.json(bytes))
        #expect(outcome.ended)
        #expect(outcome.issues.map(\.code) == ["invalid_encoding"])
        #expect(outcome.lastRecord?["id"] == "2")
        #expect(outcome.elapsed < Self.timeLimit)
    }

    // MARK: - XML

    /// Billion laughs: ten levels of ten references. Refused at the DOCTYPE, nothing expanded.
    @Test func xmlEntityBombIsRefused() throws {
        var doctype = "<!DOCTYPE rss [\n<!ENTITY lol0 \"lol\">\n"
        for level in 1...9 {
            doctype += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">\n"
        }
        doctype += "]>\n"
        let text = "<?xml version=\"1.0\"?>\n" + doctype
            + "<rss><channel><item><title>&lol9;</title></item></channel></rss>\n"
        let outcome = Self.drain(try Self.xml(Array(text.utf8)))
        #expect(outcome.ended)
        #expect(outcome.records == 0)
        #expect(outcome.issues.map(\.code) == ["malformed"])
        #expect(outcome.issues.first?.message.lowercased().contains("entit") == true)
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// Quadratic blowup: one 100 KB entity referenced 10,000 times (no nesting for a depth limit to catch).
    @Test func xmlQuadraticBlowupIsRefused() throws {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY big \"" + String(repeating: "B", count: 100_000)
            + "\">]>\n<rss><channel><item><title>" + String(repeating: "&big;", count: 10_000)
            + "</title></item></channel></rss>\n"
        let outcome = Self.drain(try Self.xml(Array(text.utf8)))
        #expect(outcome.ended)
        #expect(outcome.records == 0)
        #expect(outcome.issues.map(\.code) == ["malformed"])
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// An undeclared entity referenced a million times, without any DOCTYPE.
    @Test func xmlMillionUndeclaredEntityReferencesAreRefused() throws {
        let text = Self.rss("<item><title>" + String(repeating: "&x;", count: 1_000_000) + "</title></item>")
        let outcome = Self.drain(try Self.xml(Array(text.utf8)))
        #expect(outcome.ended)
        #expect(outcome.records == 0)
        #expect(outcome.issues.map(\.code) == ["malformed"])
        #expect(outcome.elapsed < Self.timeLimit)
    }

    @Test func xmlHundredThousandDeepNestingInsideAnItemIsRefused() throws {
        let text = Self.rss("<item><g:id>1</g:id>" + String(repeating: "<a>", count: 100_000) + "x"
            + String(repeating: "</a>", count: 100_000) + "</item>")
        let outcome = Self.drain(try Self.xml(Array(text.utf8)))
        #expect(outcome.ended)
        #expect(outcome.records == 0)
        #expect(outcome.issues.map(\.code) == ["malformed"])
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// Outside any item our depth limit does not apply: libxml2's own (256 levels without XML_PARSE_HUGE) does.
    @Test func xmlHundredThousandDeepNestingOutsideItemsIsRefused() throws {
        let text = "<rss>" + String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
            + "</rss>"
        let outcome = Self.drain(try Self.xml(Array(text.utf8)))
        #expect(outcome.ended)
        #expect(outcome.records == 0)
        #expect(outcome.issues.map(\.code) == ["malformed"])
        #expect(outcome.elapsed < Self.timeLimit)
    }

    /// A text node over libxml2's 10,000,000-byte limit (our field limit is the same).
    @Test func xmlElevenMegabyteFieldIsRejected() throws {
        let text = Self.rss("<item><g:id>1</g:id><description>" + String(repeating: "d", count: 11_000_000)
            + "</description></item>")
        let outcome = Self.drain(try Self.xml(Array(text.utf8)))
        #expect(outcome.ended)
        #expect(outcome.records == 0)
        #expect(outcome.issues.first.map { ["too_large", "malformed"].contains($0.code) } == true)
        #expect(outcome.elapsed < Self.timeLimit)
    }

    @Test func xmlMegabyteOfInvalidUTF8IsAnEncodingIssue() throws {
        let bytes = Array(Self.rss("<item><title>").utf8) + Self.invalidUTF8 + Array("</title></item></channel></rss>".utf8)
        let outcome = Self.drain(try Self.xml(bytes))
        #expect(outcome.ended)
        #expect(outcome.records == 0)
        #expect(outcome.issues.first.map { ["invalid_encoding", "malformed"].contains($0.code) } == true)
        #expect(outcome.elapsed < Self.timeLimit)
    }

    // MARK: - Money

    /// Amounts come from fields of up to 10 MB; the parser must not choke on one.
    @Test func moneyParserIsBoundedOnAMegabyteOfDigits() {
        let clock = ContinuousClock()
        let start = clock.now
        let digits = String(repeating: "9", count: 1 << 20)
        #expect(throws: MoneyParseError.self) { try Money.parse(digits, defaultCurrency: .sek, locale: nil) }
        let grouped = String(repeating: "999 ", count: 1 << 18) + "SEK"
        #expect(throws: MoneyParseError.self) { try Money.parse(grouped, defaultCurrency: nil, locale: nil) }
        let window = String(repeating: "2024-11-29", count: 100_000) + "/"
        #expect(throws: MoneyParseError.self) { try SaleWindow.parse(window) }
        #expect(clock.now - start < Self.timeLimit)
    }

    /// 1 MiB of bytes that are invalid UTF-8 in every decoder we have: lone continuation bytes, overlongs,
    /// surrogates, bytes above U+10FFFF, and 0x81 (also undefined in Windows-1252).
    static let invalidUTF8: [UInt8] = {
        let pattern: [UInt8] = [0x81, 0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0xF5, 0x90, 0x80, 0x80, 0xFE, 0x81, 0x81, 0xBF, 0x81]
        return [UInt8](unsafeUninitializedCapacity: 1 << 20) { buffer, count in
            for index in 0..<buffer.count { buffer[index] = pattern[index % pattern.count] }
            count = buffer.count
        }
    }()
}
