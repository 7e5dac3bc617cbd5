import Catalog
import Foundation
import Testing
@testable import Feeds

/// The SAX2 push parser under `XMLFeedReader`: chunks, the record queue, the names cache, and the
/// limits libxml2's tree builder used to impose, which the reader keeps.
@Suite struct XMLFeedReaderStreamingTests {
    /// Every record and the first issue, reading `xml` from memory.
    func readAll(_ xml: String) -> (records: [FeedRecord], issue: FeedIssue?) {
        var records: [FeedRecord] = []
        do {
            let reader = try XMLFeedReader(bytes: Array(xml.utf8), feed: "t.xml")
            while let record = try reader.nextRecord() { records.append(record) }
        } catch {
            return (records, error)
        }
        return (records, nil)
    }

    func items(_ count: Int, _ body: (Int) -> String) -> String {
        (0..<count).map { "<item>\(body($0))</item>" }.joined(separator: "\n")
    }

    @Test func itemsAcrossManyChunksReadTheSameFromMemoryAndFromAFile() throws {
        // About 300 KB: items straddle the 64 KiB chunks handed to libxml2.
        let xml = rss(items(3000) {
            "<g:id>\($0)</g:id><title>caf\u{E9} \(String(repeating: "x", count: $0 % 97))</title>"
        })
        let fromMemory = readAll(xml)
        #expect(fromMemory.issue == nil)
        #expect(fromMemory.records.count == 3000)
        let lastTitle = "caf\u{E9} " + String(repeating: "x", count: 2999 % 97)
        #expect(fromMemory.records.last?.fields == [.init("id", "2999"), .init("title", lastTitle)])
        #expect(fromMemory.records.map(\.line) == (0..<3000).map { $0 + 4 })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xml-chunks-\(UUID()).xml")
        try Data(xml.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try XMLFeedReader(url: url, feed: "t.xml")
        var fromFile: [FeedRecord] = []
        while let record = try reader.nextRecord() { fromFile.append(record) }
        #expect(fromFile == fromMemory.records)
    }

    @Test func itemsThatEndedBeforeAnErrorAreReturnedBeforeIt() {
        let (records, issue) = readAll(
            rss("<item><g:id>1</g:id></item><item><g:id>2</g:id></item><item><g:id>3</g:price>"))
        #expect(records.map { $0["id"] } == ["1", "2"])
        #expect(issue?.code == "malformed")
        #expect(issue?.isFatal == true)
    }

    @Test func fieldNamesFollowEachItemsOwnElements() {
        // The names cache guesses that items repeat their elements in order; items that do not must still
        // be named by what they hold.
        let (records, issue) = readAll(rss("""
            <item><g:id>1</g:id><title>a</title><g:shipping><g:price>1</g:price></g:shipping></item>
            <item><title>b</title><g:id>2</g:id><g:shipping><g:country>SE</g:country></g:shipping>
            <g:price>5</g:price></item>
            <item><g:price>7</g:price><pj:price xmlns:pj="urn:pj">8</pj:price><price>9</price>
            <g:shipping><g:price>2</g:price></g:shipping></item>
            """))
        #expect(issue == nil)
        #expect(records.map { $0.fields.map(\.name) } == [
            ["id", "title", "shipping.price"],
            ["title", "id", "shipping.country", "price"],
            ["price", "pj:price", "price", "shipping.price"],
        ])
        #expect(records[2].values("price") == ["7", "9"])
    }

    @Test func moreDistinctNamesThanTheCacheHoldsAreStillNamed() {
        let count = XMLFieldNames.maxCached + 500
        let (records, issue) = readAll(rss(items(count) { "<f\($0)><v>\($0)</v></f\($0)>" }))
        #expect(issue == nil)
        #expect(records.count == count)
        #expect(records.last?.fields == [.init("f\(count - 1).v", "\(count - 1)")])
    }

    @Test func atomLinksInEveryEntryAreReadFromTheirOwnAttributes() {
        let entries = (0..<5).map { index in
            let rel = index % 2 == 0 ? "" : #" rel="enclosure""#
            return "<entry><id>\(index)</id><link\(rel) href=\"https://e.example/\(index)?a=1&amp;b=2\"/></entry>"
        }.joined()
        let (records, issue) = readAll(#"<feed xmlns="http://www.w3.org/2005/Atom">"# + entries + "</feed>")
        #expect(issue == nil)
        #expect(records.map { $0["link"] } == ["https://e.example/0?a=1&b=2", nil, "https://e.example/2?a=1&b=2",
                                             nil, "https://e.example/4?a=1&b=2"])
    }

    @Test func attributesDefaultedByTheDoctypeDoNotCount() {
        // Without XML_PARSE_DTDATTR the tree builder dropped them: a default rel does not skip a link.
        let (records, issue) = readAll("""
            <!DOCTYPE feed [<!ATTLIST link rel CDATA "enclosure">]>
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><link href="https://e.example/1"/></entry></feed>
            """)
        #expect(issue == nil)
        #expect(records.first?["link"] == "https://e.example/1")
    }

    @Test func doctypeDeclarationsAreStillCheckedByLibxml2() {
        let (_, issue) = readAll("<!DOCTYPE rss [<!ELEMENT rss ANY><!ELEMENT rss ANY>]>\n" + oneItem(title: "t"))
        guard case .malformed(let why)? = issue?.reason else {
            Issue.record("not malformed: \(String(describing: issue))")
            return
        }
        #expect(why.contains("Redefinition of element rss"))
    }

    @Test func anEntityDeclarationIsRefusedOnItsLineBeforeAnythingIsExpanded() {
        let (records, issue) = readAll("""
            <?xml version="1.0"?>
            <!DOCTYPE rss [
            <!ELEMENT rss ANY>
            <!ENTITY e "\(String(repeating: "&#65;", count: 1000))">
            ]>
            <rss><channel><item><title>&e;</title></item></channel></rss>
            """)
        #expect(records.isEmpty)
        #expect(issue?.message.contains("declares entities") == true)
        #expect(issue?.location.line == 4)
    }

    @Test func nestingOutsideItemsStopsAtLibxml2sDepthLimit() {
        func nested(_ depth: Int) -> String {
            "<rss>" + String(repeating: "<a>", count: depth - 1) + String(repeating: "</a>", count: depth - 1)
                + "</rss>"
        }
        #expect(readAll(nested(257)).issue == nil)
        let (_, issue) = readAll(nested(258))
        #expect(issue?.code == "malformed")
        #expect(issue?.message.contains("Excessive depth in document: 256") == true)
        #expect(issue?.location.column != nil)
    }

    @Test func textNodeOverTenMillionBytesOutsideItemsIsTooLarge() {
        let huge = String(repeating: "d", count: 10_000_001)
        let (records, issue) = readAll("<rss><channel><description>\(huge)</description>"
            + "<item><title>t</title></item></channel></rss>")
        #expect(records.isEmpty)
        #expect(issue?.code == "too_large")
        #expect(issue?.message.contains("huge text node") == true)
        // A comment ends a text node: two halves under the limit are fine.
        let half = String(repeating: "d", count: 6_000_000)
        #expect(readAll("<rss><channel><description>\(half)<!-- -->\(half)</description></channel></rss>").issue == nil)
    }

    /// The line libxml2 gives text: where its first run ends, as the tree builder's text nodes had it.
    @Test func fieldIssuesNameTheLineOfTheirText() {
        let limits = XMLFeedReader.Limits(maxFieldBytes: 8)
        var issue: FeedIssue?
        do {
            let reader = try XMLFeedReader(
                bytes: Array(rss("<item>\n<title>1234\n5678\n9</title></item>").utf8), feed: "t.xml", limits: limits)
            while try reader.nextRecord() != nil {}
        } catch {
            issue = error
        }
        #expect(issue?.code == "too_large")
        #expect(issue?.location.field == "title")
        #expect(issue?.location.line == 7)
    }
}
