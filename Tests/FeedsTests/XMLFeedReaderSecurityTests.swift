import CLibXML2
import Catalog
import Foundation
import Testing
@testable import Feeds

/// Errors, hostile documents and limits: each rejects the feed whole, with its location.
@Suite struct XMLFeedReaderSecurityTests {
    /// The first issue thrown while reading every record.
    func firstIssue(_ xml: String, limits: XMLFeedReader.Limits = .init()) -> (FeedIssue?, [FeedRecord]) {
        var records: [FeedRecord] = []
        do {
            let reader = try XMLFeedReader(bytes: Array(xml.utf8), feed: "t.xml", limits: limits)
            while let record = try reader.nextRecord() { records.append(record) }
        } catch {
            return (error, records)
        }
        return (nil, records)
    }

    @Test func parserOptionsNeverLoadOrExpandAnything() {
        let options = XMLFeedReader.parserOptions
        #expect(options & Int32(XML_PARSE_NONET.rawValue) != 0)
        for forbidden in [XML_PARSE_NOENT, XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR, XML_PARSE_DTDVALID, XML_PARSE_HUGE,
                          XML_PARSE_XINCLUDE] {
            #expect(options & Int32(forbidden.rawValue) == 0)
        }
    }

    @Test func truncatedDocumentIsMalformedAtItsEnd() throws {
        let xml = rss("<item><g:id>1</g:id></item>\n<item><g:id>2</g:id>\n<title>cut").split(separator: "\n")
            .dropLast(1).joined(separator: "\n")
        let reader = try XMLFeedReader(bytes: Array(xml.utf8), feed: "t.xml")
        #expect(try reader.nextRecord()?["id"] == "1")
        let issue = #expect(throws: FeedIssue.self) { try reader.nextRecord() }
        #expect(issue?.code == "malformed")
        #expect(issue?.location.line == 6)
        #expect(issue?.location.feed == "t.xml")
        #expect(try reader.nextRecord() == nil)
    }

    @Test func mismatchedTagIsMalformedWithLineAndColumn() throws {
        let (issue, _) = firstIssue(rss("<item><g:id>1</g:id></item>\n<item><g:id>2</g:price></item>"))
        guard case .malformed(let why)? = issue?.reason else { Issue.record("not malformed"); return }
        #expect(why.contains("mismatch"))
        #expect(issue?.location.line == 5)
        #expect(issue?.location.column != nil)
    }

    @Test func invalidUTF8IsAnEncodingIssue() throws {
        var bytes = Array(rss("<item><title>ok</title></item>\n<item><title>X</title></item>").utf8)
        let index = try #require(bytes.lastIndex(of: UInt8(ascii: "X")))
        bytes[index] = 0xFF
        let reader = try XMLFeedReader(bytes: bytes, feed: "t.xml")
        var issue: FeedIssue?
        do { while try reader.nextRecord() != nil {} } catch { issue = error }
        guard case .invalidEncoding? = issue?.reason else {
            Issue.record("not invalidEncoding: \(String(describing: issue))")
            return
        }
        #expect(issue?.location.line == 5)
    }

    @Test(arguments: ["not xml at all", "<html><body>502 Bad Gateway</body></html>", "<?xml version=\"1.0\"?>\njunk"])
    func nonFeedDocumentIsMalformed(_ text: String) {
        let (issue, records) = firstIssue(text)
        #expect(records.isEmpty)
        guard case .malformed(let why)? = issue?.reason else { Issue.record("not malformed"); return }
        #expect(why.contains("root element"))
    }

    @Test func undefinedEntityIsMalformed() {
        let (issue, _) = firstIssue(rss("<item><title>a&nbsp;b</title></item>"))
        guard case .malformed(let why)? = issue?.reason else { Issue.record("not malformed"); return }
        #expect(why.lowercased().contains("entity"))
    }

    @Test func billionLaughsIsRejected() {
        var declarations = #"<!ENTITY lol0 "lol">"#
        for level in 1...9 {
            declarations += "\n<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [\(declarations)]>
            <rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>
            """
        let (issue, records) = firstIssue(xml)
        #expect(records.isEmpty)
        guard case .malformed(let why)? = issue?.reason else { Issue.record("not malformed"); return }
        #expect(why.lowercased().contains("entit"))
    }

    @Test(arguments: [
        #"<!DOCTYPE rss [<!ENTITY x SYSTEM "SECRET_URL">]>"# + "\n" + oneItem(title: "&x;"),
        #"<!DOCTYPE rss [<!ENTITY % p SYSTEM "SECRET_URL"> %p;]>"# + "\n" + oneItem(title: "t"),
        #"<!DOCTYPE rss SYSTEM "SECRET_URL">"# + "\n" + oneItem(title: "&x;"),
    ])
    func externalEntitiesAreRejectedWithoutReadingTheFile(_ template: String) throws {
        let secret = "TOP-SECRET-\(UUID())"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xxe-\(UUID()).txt")
        try Data(secret.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let xml = template.replacingOccurrences(of: "SECRET_URL", with: url.absoluteString)
        let (issue, records) = firstIssue(xml)
        #expect(records.isEmpty)
        let issueText = issue.map { "\($0)" } ?? ""
        #expect(!issueText.contains(secret))
        #expect(!records.flatMap(\.fields).contains { $0.value.contains(secret) })
        guard case .malformed(let why)? = issue?.reason else { Issue.record("not malformed: \(issueText)"); return }
        #expect(why.lowercased().contains("entit"))
    }

    @Test func doctypeWithoutEntitiesIsAccepted() throws {
        // Old RSS exporters still write this; the external DTD is never loaded.
        let xml = """
            <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
              "http://my.netscape.com/publish/formats/rss-0.91.dtd">
            <rss version="0.91"><channel><item><title>t</title></item></channel></rss>
            """
        #expect(try xmlRecords(xml).first?["title"] == "t")
    }

    @Test func nestingDeeperThanTheLimitIsRejected() throws {
        func item(depth: Int) -> String {
            "<item>" + String(repeating: "<a>", count: depth) + "x"
                + String(repeating: "</a>", count: depth) + "</item>"
        }
        let allowed = try xmlRecords(rss(item(depth: 64)))
        #expect(allowed.first?.fields == [.init(Array(repeating: "a", count: 64).joined(separator: "."), "x")])
        let (issue, _) = firstIssue(rss("\n" + item(depth: 65)))
        guard case .malformed(let why)? = issue?.reason else { Issue.record("not malformed"); return }
        #expect(why.contains("too deep"))
        #expect(issue?.location.line == 5)
    }

    @Test func fieldLargerThanTheLimitIsTooLarge() {
        let limits = XMLFeedReader.Limits(maxFieldBytes: 8)
        let (issue, records) = firstIssue(
            rss("<item><title>12345678</title></item><item><title>123456789</title></item>"),
                                          limits: limits)
        #expect(records.count == 1)
        guard case .tooLarge? = issue?.reason else { Issue.record("not tooLarge"); return }
        #expect(issue?.location.field == "title")
    }

    @Test func itemLargerThanTheLimitIsTooLarge() {
        let limits = XMLFeedReader.Limits(maxItemBytes: 10)
        let (issue, _) = firstIssue(rss("<item><a>123456</a><b>123456</b></item>"), limits: limits)
        #expect(issue?.code == "too_large")
    }

    @Test func textNodeOverLibxml2sOwnLimitIsTooLarge() {
        let title = String(repeating: "x", count: 10_000_001)
        let (issue, _) = firstIssue(rss("<item><title>\(title)</title></item>"))
        #expect(issue?.code == "too_large")
    }
}

/// The real feeds in `shared/real/feeds`, when the shared folder is present.
@Suite struct XMLFeedReaderRealFeedTests {
    static let feeds: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/real/feeds")

    func readAll(_ name: String) throws -> [FeedRecord]? {
        let url = Self.feeds.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("skipped: \(url.path) is absent")
            return nil
        }
        let reader = try XMLFeedReader(url: url, feed: name)
        var records: [FeedRecord] = []
        while let record = try reader.nextRecord() { records.append(record) }
        #expect(reader.format == "rss")
        return records
    }

    @Test func vaivoraRSSFeedHas807Items() throws {
        guard let records = try readAll("vaivora-lt-google-merchant-rss-eur.xml") else { return }
        #expect(records.count == 807)
        let first = try #require(records.first)
        #expect(first.line == 7)
        #expect(first["id"] == "vonios-ranksluostis-140x70cm")
        #expect(first["title"] == "Vonios rankšluostis, 140x70cm")
        #expect(first["price"] == "8.70 EUR")
        #expect(first["link"] == "https://vaivora.shop/vonios-ranksluostis-140x70cm")
        #expect(first["availability"] == "in_stock")
        #expect(records.allSatisfy { $0["id"] != nil && $0["price"]?.hasSuffix(" EUR") == true })
    }

    @Test func prisjaktFeedHasThreeItemsWithNestedAndRepeatedFields() throws {
        guard let records = try readAll("prisjakt-sample-feed-sek.xml") else { return }
        #expect(records.count == 3)
        let first = try #require(records.first)
        #expect(first["id"] == "sv-2131.prod-1")
        #expect(first["brand"] == "Sony")
        #expect(first["price"] == "1.144.000 SEK")
        #expect(first.values("gtin") == ["10614141000415", "90311017"])
        #expect(first.values("shipping.price") == ["25.00 SEK", "5.00 SEK", "45.00 SEK"])
        #expect(first["product_detail.attribute_value"] == "500 GB")
        #expect(first["pj:prisjakt_id"] == "123")
    }
}

