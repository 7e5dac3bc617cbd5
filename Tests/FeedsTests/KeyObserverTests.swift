import Foundation
import Testing
@testable import Feeds

/// `RawRecordSource.keyObserver` hears each key `currentDigest` returns, before the record is hashed: ingest uses it
/// to start loading the key's slot in the digest table (`ItemDigests.prefetch`).
@Suite struct KeyObserverTests {
    /// Walks `source` as ingest does and returns the keys `currentDigest` gave and the keys the observer heard.
    static func walk(_ source: any RawRecordSource) throws -> (returned: [String], heard: [String]) {
        var heard: [String] = []
        source.keyObserver = { heard.append($0) }
        var returned: [String] = []
        while try source.moveToNextRecord() {
            let before = heard.count
            if let found = source.currentDigest(seed: 7, attribute: "id") {
                returned.append(found.key)
                #expect(heard.count == before + 1, "one key heard per digest")
            } else {
                #expect(heard.count == before, "no key heard without a digest")
            }
        }
        return (returned, heard)
    }

    @Test func csvHearsEveryKeyItReturns() throws {
        let csv = "id;title\nA1;Shirt\n\"B 2\";\"Quoted, with\nnewline\"\n;no id\nC3;x\n"
        let (returned, heard) = try Self.walk(CSVRecordSource(CSVReader(string: csv, feed: "t.csv")))
        #expect(returned == ["A1", "B 2", "C3"])
        #expect(heard == returned)
    }

    @Test func jsonLinesHearsEveryKeyItReturns() throws {
        let lines = #"{"id":"A1","title":"x"}"# + "\n" + #"{"title":"no id"}"# + "\n" + #"{"ID":"B2"}"# + "\n"
        let (returned, heard) = try Self.walk(JSONFeedReader(bytes: Array(lines.utf8), feed: "t.jsonl",
                                                             layout: .lines))
        #expect(returned == ["A1", "B2"])
        #expect(heard == returned)
    }

    @Test func xmlItemsHearEveryKeyTheyReturn() throws {
        let xml = """
            <?xml version="1.0"?>
            <rss xmlns:g="http://base.google.com/ns/1.0"><channel>
            <item><g:id>A1</g:id><title>x</title></item>
            <item><title>no id</title></item>
            <item><g:id>B2</g:id></item>
            </channel></rss>
            """
        let (returned, heard) = try Self.walk(XMLFeedReader(bytes: Array(xml.utf8), feed: "t.xml"))
        #expect(returned == ["A1", "B2"])
        #expect(heard == returned)
    }
}
