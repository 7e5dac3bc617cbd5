import Foundation
import Testing
@testable import Daemon

/// XML items byte for byte what they were, in the same context, are skipped before libxml2 reads them
/// (`XMLFeedReader+Items.swift`), end to end through ingest.
@Suite struct IngestSkipXMLTests {
    static let items = (1...12).map { index in
        "<item>\n  <g:id>S\(index)</g:id>\n  <g:title>Sock \(index)</g:title>\n  <g:price>2.00 SEK</g:price>\n"
            + "  <g:availability>in_stock</g:availability>\n  <g:quantity>\(index)</g:quantity>\n</item>"
    }

    static func feed(_ items: [String], title: String = "Shop", channel: String = "<channel>") -> [String] {
        ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
         "<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">", channel, "<title>\(title)</title>"]
            + items + ["</channel>", "</rss>"]
    }

    @Test func unchangedItemsAreSkippedAndAChangedOneIsRead() async throws {
        let folder = try IngestSkipTests.Folder(feed: "feed.xml")
        let first = try await folder.sync(Self.feed(Self.items), file: "feed.xml")
        #expect(first.feeds[0].created == 12 && first.feeds[0].skipped == 0)
        // The channel's own elements are not the items' context: a new title changes nothing.
        let same = try await folder.sync(Self.feed(Self.items, title: "Shop, 23 Nov"), file: "feed.xml")
        #expect(same.feeds[0].skipped == 12 && same.feeds[0].updated == 0)

        var items = Self.items
        items[4] = items[4].replacingOccurrences(of: "<g:quantity>5<", with: "<g:quantity>0<")
        let changed = try await folder.sync(Self.feed(items), file: "feed.xml")
        #expect(changed.feeds[0].skipped == 11 && changed.feeds[0].updated == 1)
        #expect(changed.channels[0].enqueued == [.update: 1])
        #expect(try folder.store.itemData(feed: "f", sku: "S5")?.contains("\"quantity\":0") == true)
    }

    @Test func anotherContextReadsEveryItemAgain() async throws {
        let folder = try IngestSkipTests.Folder(feed: "feed.xml")
        _ = try await folder.sync(Self.feed(Self.items), file: "feed.xml")
        // The same item bytes inside a start tag that could bind prefixes: every item is read, none changed.
        let moved = try await folder.sync(Self.feed(Self.items, channel: "<channel xml:lang=\"sv\">"), file: "feed.xml")
        #expect(moved.feeds[0].skipped == 0 && moved.feeds[0].updated == 0)
        #expect(moved.channels[0].enqueued.isEmpty)
        let again = try await folder.sync(Self.feed(Self.items, channel: "<channel xml:lang=\"sv\">"), file: "feed.xml")
        #expect(again.feeds[0].skipped == 12)
    }
}
