import Catalog
import Foundation
import Testing
@testable import Feeds

/// What reading a document gives: every record, then the issue that ended it (if any).
struct XMLReading: Equatable, CustomStringConvertible {
    var records: [FeedRecord] = []
    var issue: FeedIssue?

    /// Issues compare by code and line: a skipped item's stand-in can move a later error's column.
    static func == (a: XMLReading, b: XMLReading) -> Bool {
        a.records == b.records && a.issue?.code == b.issue?.code && a.issue?.location.line == b.issue?.location.line
    }

    var description: String {
        records.map { "\($0.line): " + $0.fields.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
            .joined(separator: "\n") + "\n" + (issue.map { "\($0) [\($0.code)]" } ?? "no issue")
    }
}

/// Random RSS and Atom feeds with what exporters and hostile inputs put in them.
struct XMLFeedMaker {
    var random: SplitMix64

    mutating func pick(_ choices: [String]) -> String { choices.randomElement(using: &random)! }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    static let ids = ["A1", "SKU-000123", " padded ", "\n  B2\n  ", "", "caf\u{E9}", "a&amp;b", "<![CDATA[C1]]>",
                      "x&#65;y", "Z9"]
    static let fields = [
        "<title>Towel</title>", "<g:price>8.70 EUR</g:price>", "<g:price>9,90 SEK</g:price>",
        "<description><![CDATA[<b>bold</b> </item> ]]></description>", "<title>a &lt; b &gt; c</title>",
        "<!-- <item>not one</item> -->", "<?pi <item> ?>", "<link href=\"x>y\" rel='a\"b'/>",
        "<g:shipping><g:country>SE</g:country><g:price>0 SEK</g:price></g:shipping>", "<empty/>",
        "<item><title>nested</title></item>", "<g:item>other</g:item>", "<title>line\r\nbreak</title>",
        "<id>atom-or-plain</id>", "<x:y xmlns:x=\"urn:x\">ns</x:y>", "<title>\u{65E5}\u{672C}</title>",
    ]
    static let between = ["\n", "\n  ", "", "\r\n", " <!-- between --> ", "\n<?pi x?>\n", "\n<!---->\n"]
    static let broken = ["<item><title>cut", "<item><title>a</titel></item>", "<item>&bogus;</item>",
                         "<item><a b=\"1\" b=\"2\"/></item>", "</channel>", "<item><![CDATA[x</item>",
                         "<item>\u{0}</item>"]

    mutating func item(atom: Bool) -> String {
        let name = atom ? "entry" : "item"
        var parts: [String] = []
        for _ in 0..<Int.random(in: 0...4, using: &random) { parts.append(pick(Self.fields)) }
        if chance(90) {
            let id = "<g:id>\(pick(Self.ids))</g:id>"
            parts.insert(id, at: Int.random(in: 0...parts.count, using: &random))
        }
        if parts.isEmpty && chance(30) { return "<\(name)/>" }
        let open = chance(5) ? "<\(name) xmlns=\"urn:other\">" : chance(5) ? "<\(name) a=\"1\">" : "<\(name)>"
        let joiner = pick(["", "\n    ", "\r\n  "])
        return open + joiner + parts.joined(separator: joiner) + joiner + "</\(name)>"
    }

    /// A document of about `count` items, in a random dress; `items` lets a caller keep items from another one.
    mutating func document(items: [String], atom: Bool) -> String {
        var text = chance(20) ? "\u{FEFF}" : ""
        if chance(4) {
            text += pick(["<?xml version=\"1.0\"", "<!-- unterminated"])  // broken (fuzzing found the first)
        } else if chance(80) {
            text += pick(["<?xml version=\"1.0\"?>", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"])
        }
        if chance(3) { text += "\n<!DOCTYPE rss>" }
        text += chance(10) ? "\n<!-- generated \(Int.random(in: 0...99, using: &random)) -->\n" : "\n"
        let google = chance(90) ? "http://base.google.com/ns/1.0" : "urn:not-google"
        if atom {
            text += "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:g=\"\(google)\">\n"
                + "<title>Shop \(Int.random(in: 0...9, using: &random))</title><updated>2026-11-23</updated>\n"
        } else {
            text += "<rss version=\"2.0\" xmlns:g=\"\(google)\">\n<channel\(chance(10) ? " a=\"1\"" : "")>"
                + "<title>Shop &amp; Co \(Int.random(in: 0...9, using: &random))</title>\n"
        }
        for (index, item) in items.enumerated() {
            text += pick(Self.between) + item
            if index == items.count / 2 && chance(5) {
                text += atom ? "" : "</channel><channel xmlns:g=\"urn:second\">"
            }
            if chance(1) { text += pick(Self.broken) }
        }
        text += atom ? "\n</feed>\n" : "\n</channel>\n</rss>\n"
        if chance(5) { text.removeLast(Int.random(in: 1...min(40, text.count), using: &random)) }
        return text
    }
}

@Suite struct XMLFeedReaderItemsTests {
    func reader(_ text: String, findingItems: Bool = true) throws(FeedIssue) -> XMLFeedReader {
        let reader = try XMLFeedReader(bytes: Array(text.utf8), feed: "t.xml")
        reader.findsItems = findingItems
        return reader
    }

    /// Reads with `nextRecord()`.
    func read(_ text: String, findingItems: Bool = true) -> XMLReading {
        var reading = XMLReading()
        do throws(FeedIssue) {
            let reader = try reader(text, findingItems: findingItems)
            while let record = try reader.nextRecord() { reading.records.append(record) }
        } catch {
            reading.issue = error
        }
        return reading
    }

    /// Walks as ingest does: an item whose key and digest are what `known` has for that id is skipped, and stands
    /// for the record known by it; a read item is known by its id from then on.
    func walk(_ text: String, known: inout [String: (hash: UInt64, record: FeedRecord)], skipped: inout Int)
        -> XMLReading {
        var reading = XMLReading()
        do throws(FeedIssue) {
            let reader = try reader(text)
            while try reader.moveToNextRecord() {
                if let digest = reader.currentDigest(seed: 11, attribute: "id"),
                   let entry = known[digest.key], entry.hash == digest.hash {
                    var record = entry.record
                    record.line = reader.currentLine
                    reading.records.append(record)
                    skipped += 1
                    continue
                }
                let record = try reader.currentRecord()
                #expect(record.line == reader.currentLine)
                reading.records.append(record)
                guard reader.currentDigestHolds, let found = reader.currentDigest(seed: 11, attribute: "id") else {
                    continue
                }
                #expect(found.key == record.value(ofAttribute: "id"))
                known[found.key] = (found.hash, record)
            }
        } catch {
            reading.issue = error
        }
        return reading
    }

    @Test func findingItemsReadsRandomFeedsAsLibxml2AloneDoes() {
        var maker = XMLFeedMaker(random: SplitMix64(seed: 2026))
        for round in 0..<400 {
            let atom = round % 3 == 0
            let items = (0..<Int.random(in: 0...12, using: &maker.random)).map { _ in maker.item(atom: atom) }
            let text = maker.document(items: items, atom: atom)
            let expected = read(text, findingItems: false)
            #expect(read(text) == expected, "round \(round):\n\(text)")
        }
    }

    /// The 32-bytes-at-a-time count against a byte-by-byte one: every length around the block and flush sizes,
    /// at odd offsets, from no line feed to nothing but line feeds (a lane must not overflow after 255 blocks).
    @Test func lineFeedsAreCountedLikeOneByteAtATime() {
        var random = SplitMix64(seed: 0x0A0A)
        let lengths = Array(0...70) + [255 * 32 - 1, 255 * 32, 255 * 32 + 1, 254 * 32 + 31, 600 * 32 + 17]
        for length in lengths {
            for percent in [0, 3, 50, 100] {
                let bytes = (0..<(length + 3)).map { _ in
                    Int.random(in: 0..<100, using: &random) < percent ? UInt8(0x0A)
                        : UInt8.random(in: 0...255, using: &random)
                }
                for offset in 0...3 {
                    let slice = bytes[offset..<(offset + length)]
                    let counted = slice.withUnsafeBytes { XMLFeedReader.lineFeeds(in: $0) }
                    #expect(counted == slice.filter { $0 == 0x0A }.count, "length \(length), \(percent)%, +\(offset)")
                }
            }
        }
    }

    @Test func unchangedItemsAreSkippedAndTheFeedReadsTheSame() {
        var maker = XMLFeedMaker(random: SplitMix64(seed: 77))
        var skippedInAll = 0
        for round in 0..<300 {
            let atom = round % 4 == 0
            var items = (0..<Int.random(in: 1...15, using: &maker.random)).map { _ in maker.item(atom: atom) }
            var known: [String: (hash: UInt64, record: FeedRecord)] = [:]
            var skipped = 0
            let first = maker.document(items: items, atom: atom)
            #expect(walk(first, known: &known, skipped: &skipped) == read(first, findingItems: false),
                    "round \(round):\n\(first)")
            // The next generation: some items change, go, come, or repeat.
            for index in items.indices.reversed() {
                switch Int.random(in: 0..<10, using: &maker.random) {
                case 0: items[index] = maker.item(atom: atom)
                case 1: items.remove(at: index)
                case 2: items.insert(maker.item(atom: atom), at: index)
                case 3: items.insert(items[index], at: index)
                default: break
                }
            }
            let second = maker.document(items: items, atom: atom)
            let expected = read(second, findingItems: false)
            #expect(walk(second, known: &known, skipped: &skipped) == expected, "round \(round):\n\(second)")
            skippedInAll += skipped
        }
        // The fast path does its job: many items are skipped (half the ids in the maker are not plain text).
        #expect(skippedInAll > 200, "\(skippedInAll) skipped")
    }

    @Test func aTypicalFeedIsReadItemByItem() throws {
        let items = (1...200).map { "<item>\n  <g:id>S\($0)</g:id>\n  <title>T \($0 % 7)</title>\n</item>" }
        let text = rss(items.joined(separator: "\n"))
        let reader = try reader(text)
        var keys: [String] = []
        while try reader.moveToNextRecord() {
            #expect(reader.current != nil, "found by the splitter")
            keys.append(try #require(reader.currentDigest(seed: 1, attribute: "id")).key)
        }
        #expect(keys == (1...200).map { "S\($0)" })
        // Read one by one, records do not pile up in the collector's queue.
        let again = try self.reader(text)
        while try again.moveToNextRecord() {
            _ = try again.currentRecord()
            #expect(again.state.pointee.records.isEmpty)
        }
    }

    @Test(arguments: [
        ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>", true),
        ("<?xml version=\"1.0\" encoding=\"windows-1252\"?>", true),
        ("<?xml version='1.0' encoding='utf-8'?>", true),
        ("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>", false),
        ("<?xml version=\"1.0\"?>\n<!DOCTYPE rss>", false),
    ])
    func itemsAreOnlyFoundInDocumentsTheSplitterFollows(_ prolog: String, _ finds: Bool) throws {
        let text = prolog + "\n<rss xmlns:g=\"http://base.google.com/ns/1.0\"><channel>"
            + "<item><g:id>A</g:id></item><item><g:id>B</g:id></item></channel></rss>"
        let reader = try reader(text)
        var records: [FeedRecord] = []
        while try reader.moveToNextRecord() {
            #expect((reader.current != nil) == finds)
            records.append(try reader.currentRecord())
        }
        #expect(records.map { $0.value(ofAttribute: "id") } == ["A", "B"])
    }

    @Test func anItemLargerThanTheWindowIsReadByLibxml2() throws {
        // Fields under libxml2's 10,000,000-byte text node limit, together over the window's largest size.
        let field = "<description>" + String(repeating: "x", count: 6_000_000) + "</description>"
        let big = String(repeating: field, count: XMLFeedReader.maxWindowSize / 6_000_000 + 1)
        let text = rss("<item><g:id>A</g:id></item><item><g:id>B</g:id>\(big)</item><item><g:id>C</g:id></item>")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).xml")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try XMLFeedReader(url: url, feed: "big.xml",
                                       limits: XMLFeedReader.Limits(maxFieldBytes: 1 << 25, maxItemBytes: 1 << 26))
        var ids: [String?] = []
        while let record = try reader.nextRecord() { ids.append(record.value(ofAttribute: "id")) }
        #expect(ids == ["A", "B", "C"])
        #expect(!reader.findsItems)
    }

    @Test func skippedItemsKeepLaterErrorsOnTheirLines() throws {
        let items = (1...50).map { "<item>\n<g:id>S\($0)</g:id>\n</item>" }.joined(separator: "\n")
        let good = rss(items)
        let bad = rss(items + "\n<item><g:id>X</g:id></oops></item>")
        var known: [String: (hash: UInt64, record: FeedRecord)] = [:]
        var skipped = 0
        _ = walk(good, known: &known, skipped: &skipped)
        let reading = walk(bad, known: &known, skipped: &skipped)
        #expect(skipped == 50)
        #expect(reading == read(bad, findingItems: false))
        #expect(reading.issue?.location.line == read(bad, findingItems: false).issue?.location.line)
        #expect(reading.issue?.code == "malformed")
    }
}
