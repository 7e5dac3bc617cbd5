import Catalog
import Foundation
import Testing
@testable import Feeds

/// Reads every record of a tiny inline document.
func xmlRecords(_ xml: String, limits: XMLFeedReader.Limits = XMLFeedReader.Limits()) throws -> [FeedRecord] {
    let reader = try XMLFeedReader(bytes: Array(xml.utf8), feed: "t.xml", limits: limits)
    var records: [FeedRecord] = []
    while let record = try reader.nextRecord() { records.append(record) }
    return records
}

/// A document whose one item has `title`, after a DOCTYPE the caller puts in front.
func oneItem(title: String) -> String {
    "<rss version=\"2.0\"><channel><item><title>\(title)</title></item></channel></rss>"
}

/// Wraps items in a Google Merchant RSS 2.0 document.
func rss(_ items: String, namespaces: String = "") -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"\(namespaces)>
    <channel><title>Shop</title><link>https://example.com/</link>
    \(items)
    </channel></rss>
    """
}

@Suite struct XMLFeedReaderTests {
    @Test func rssItemFieldsUseLocalNames() throws {
        let reader = try XMLFeedReader(bytes: Array(rss("""
            <item><g:id>A1</g:id><title>Towel</title><link>https://example.com/a1</link>
            <description>Soft</description><g:price>8.70 EUR</g:price></item>
            """).utf8), feed: "t.xml")
        let record = try #require(try reader.nextRecord())
        #expect(record.fields.map(\.name) == ["id", "title", "link", "description", "price"])
        #expect(record["id"] == "A1")
        #expect(record["price"] == "8.70 EUR")
        #expect(record["link"] == "https://example.com/a1")
        #expect(reader.format == "rss")
        #expect(try reader.nextRecord() == nil)
    }

    @Test func googleNamespaceIsRecognisedByURINotByPrefix() throws {
        let xml = """
            <rss version="2.0" xmlns:google="http://base.google.com/ns/1.0"><channel>
            <item><google:id>B2</google:id><google:price>1 SEK</google:price></item></channel></rss>
            """
        let records = try xmlRecords(xml)
        #expect(records.first?.fields == [.init("id", "B2"), .init("price", "1 SEK")])
    }

    @Test func otherNamespacesKeepTheDocumentsPrefix() throws {
        let records = try xmlRecords(rss(
            "<item><g:id>C3</g:id><pj:delta_command>remove</pj:delta_command></item>",
            namespaces: #" xmlns:pj="https://schema.prisjakt.nu/ns/1.0""#))
        #expect(records.first?["pj:delta_command"] == "remove")
    }

    @Test func atomEntryBecomesARecord() throws {
        let xml = """
            <?xml version="1.0"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
            <title>Shop</title><link rel="self" href="https://example.com/feed"/>
            <entry>
              <id>tag:example.com,2024:1</id><g:id>TV_1</g:id><title>LG TV</title>
              <link rel="alternate" href="https://example.com/tv?a=1&amp;b=2"/>
              <link rel="enclosure" href="https://example.com/tv.jpg"/>
              <summary>A television</summary><g:price>159 USD</g:price>
            </entry>
            <entry><id>SKU-2</id><summary>Only a summary</summary><link href="https://example.com/2"/></entry>
            </feed>
            """
        let reader = try XMLFeedReader(bytes: Array(xml.utf8), feed: "t.xml")
        let first = try #require(try reader.nextRecord())
        #expect(reader.format == "atom")
        #expect(first["id"] == "TV_1")
        #expect(first["atom:id"] == "tag:example.com,2024:1")
        #expect(first.values("link") == ["https://example.com/tv?a=1&b=2"])
        #expect(first["description"] == "A television")
        #expect(first["price"] == "159 USD")
        #expect(first.line == 4)
        let second = try #require(try reader.nextRecord())
        #expect(second.fields == [.init("id", "SKU-2"), .init("description", "Only a summary"),
                                  .init("link", "https://example.com/2")])
        #expect(try reader.nextRecord() == nil)
    }

    @Test func atomSummaryStaysWhenTheEntryHasADescription() throws {
        let xml = """
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
            <entry><g:id>1</g:id><summary>short</summary><g:description>long</g:description></entry></feed>
            """
        let record = try #require(try xmlRecords(xml).first)
        #expect(record["summary"] == "short")
        #expect(record["description"] == "long")
    }

    @Test func cdataComesOutAsText() throws {
        let records = try xmlRecords(rss(
            "<item><g:brand><![CDATA[Sony & <Co>]]></g:brand><title>a <![CDATA[b]]> c</title></item>"))
        #expect(records.first?["brand"] == "Sony & <Co>")
        #expect(records.first?["title"] == "a b c")
    }

    @Test func entitiesAreDecoded() throws {
        let records = try xmlRecords(rss(
            "<item><title>Tom &amp; Jerry &lt;3 &#233;t&#xE9; &#x20AC;5 &quot;x&quot; &apos;</title></item>"))
        #expect(records.first?["title"] == "Tom & Jerry <3 été €5 \"x\" '")
    }

    @Test func textIsTrimmedOfSurroundingWhiteSpaceOnly() throws {
        let records = try xmlRecords(rss("<item><g:id>\n   A 1\t\r\n </g:id><title>  two  words </title></item>"))
        #expect(records.first?["id"] == "A 1")
        #expect(records.first?["title"] == "two  words")
    }

    @Test func emptyElementsGiveEmptyValues() throws {
        let records = try xmlRecords(rss("<item><g:id>E</g:id><g:sale_price/><g:mpn></g:mpn></item>"))
        #expect(records.first?.fields == [.init("id", "E"), .init("sale_price", ""), .init("mpn", "")])
    }

    @Test func nestedElementsJoinWithDots() throws {
        let records = try xmlRecords(rss("""
            <item><g:id>S</g:id>
              <g:shipping><g:country>SE</g:country><g:price>49 SEK</g:price></g:shipping>
              <g:shipping><g:country>NO</g:country><g:price>59 NOK</g:price></g:shipping>
            </item>
            """))
        let record = try #require(records.first)
        #expect(record.fields.map(\.name) == ["id", "shipping.country", "shipping.price",
                                              "shipping.country", "shipping.price"])
        #expect(record.values("shipping.price") == ["49 SEK", "59 NOK"])
    }

    @Test func repeatedElementsKeepTheirOrder() throws {
        let records = try xmlRecords(rss("<item><g:gtin>10614141000415</g:gtin><g:gtin>90311017</g:gtin></item>"))
        #expect(records.first?.values("gtin") == ["10614141000415", "90311017"])
    }

    @Test func recordLineIsTheLineOfTheItemStartTag() throws {
        let records = try xmlRecords("""
            <?xml version="1.0"?>
            <rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
            <item>
              <g:id>1</g:id>
            </item>

            <item><g:id>2</g:id></item>
              <item><g:id>3</g:id>
            </item>
            </channel></rss>
            """)
        #expect(records.map(\.line) == [3, 7, 8])
    }

    @Test func lineNumbersStayExactPastSixteenBits() throws {
        // libxml2 keeps element lines in 16 bits; feeds are longer than 65535 lines.
        let padding = String(repeating: "\n", count: 70_000)
        let xml = "<rss version=\"2.0\"><channel>\(padding)<item>\n<title>a</title></item>\n"
            + "\(padding)<item><title>b</title></item>\n</channel></rss>"
        let records = try xmlRecords(xml)
        #expect(records.map(\.line) == [70_001, 140_003])
    }

    @Test func channelWithoutItemsReturnsNilAtOnce() throws {
        let reader = try XMLFeedReader(bytes: Array(rss("").utf8), feed: "t.xml")
        #expect(try reader.nextRecord() == nil)
        #expect(reader.format == "rss")
        #expect(try reader.nextRecord() == nil)
    }

    @Test(arguments: ["", "  \n", "<?xml version=\"1.0\"?>\n"])
    func emptyDocumentReturnsNilAtOnce(_ xml: String) throws {
        #expect(try xmlRecords(xml).isEmpty)
    }

    @Test func unknownRootElementIsRejected() throws {
        let issue = #expect(throws: FeedIssue.self) { try xmlRecords("<products>\n<product/></products>") }
        guard case .malformed(let why)? = issue?.reason else {
            Issue.record("not malformed: \(String(describing: issue))")
            return
        }
        #expect(why.contains("<products>"))
        #expect(issue?.location.line == 1)
    }

    @Test func readsAFileByURL() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xmlfeedreader-\(UUID()).xml")
        try Data(rss("<item><g:id>F</g:id></item>").utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try XMLFeedReader(url: url, feed: "f.xml")
        #expect(try reader.nextRecord()?["id"] == "F")
        #expect(try reader.nextRecord() == nil)
    }

    @Test func missingFileIsUnreadable() {
        let url = URL(fileURLWithPath: "/nonexistent/\(UUID()).xml")
        let issue = #expect(throws: FeedIssue.self) { try XMLFeedReader(url: url, feed: "missing.xml") }
        guard case .unreadable(let why)? = issue?.reason else { Issue.record("not unreadable"); return }
        #expect(why.contains("No such file"))
        #expect(issue?.location.feed == "missing.xml")
    }

    @Test func directoryIsUnreadable() {
        let issue = #expect(throws: FeedIssue.self) {
            try XMLFeedReader(url: FileManager.default.temporaryDirectory, feed: "dir")
        }
        #expect(issue?.code == "unreadable")
    }
}
