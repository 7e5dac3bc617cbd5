import Catalog
import Foundation
import Testing

@testable import Feeds

/// Real exports in `shared/real/feeds/` (see SOURCES.md there); `shared/` is beside the package root's folder.
enum RealFeeds {
    static let folder = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()  // package root
        .appending(path: "../shared/real/feeds").standardized

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: folder.path) }
}

/// Record counts and last lines were checked with Python's `csv` module (blank lines not counted).
@Suite(.enabled(if: RealFeeds.isAvailable, "shared/real/feeds is absent: real-feed tests skipped"))
struct CSVRealFeedsTests {

    struct Expectation: Sendable, CustomTestStringConvertible {
        var file: String
        var delimiter: Character
        var columns: Int
        var records: Int
        var lastLine: Int
        var testDescription: String { file }
    }

    static let feeds: [Expectation] = [
        Expectation(
            file: "gmc-learning-site-feed-variants-eur.tsv", delimiter: "\t", columns: 18, records: 22,
            lastLine: 23),
        Expectation(
            file: "prestashop-combinations-import-semicolon.csv", delimiter: ";", columns: 24, records: 27,
            lastLine: 28),
        Expectation(
            file: "prestashop-products-import-semicolon.csv", delimiter: ";", columns: 67, records: 7,
            lastLine: 8),
        Expectation(file: "prisjakt-sample-feed-sek.csv", delimiter: ",", columns: 40, records: 1, lastLine: 2),
        Expectation(
            file: "semlers-meta-vehicles-catalog-cad.csv", delimiter: ",", columns: 47, records: 280,
            lastLine: 7169),
        Expectation(file: "shopify-partners-apparel.csv", delimiter: ",", columns: 46, records: 22, lastLine: 23),
        Expectation(
            file: "shopify-partners-home-and-garden.csv", delimiter: ",", columns: 47, records: 21,
            lastLine: 22),
        Expectation(file: "shopify-partners-jewelery.csv", delimiter: ",", columns: 46, records: 41, lastLine: 55),
        Expectation(
            file: "woocommerce-product-export-2024-metric.csv", delimiter: ",", columns: 54, records: 124,
            lastLine: 125),
        Expectation(
            file: "woocommerce-sample-products-x16-bom-crlf.csv", delimiter: ",", columns: 51,
            records: 400, lastLine: 401),
    ]

    @Test(arguments: feeds)
    func realFeedReadsWithoutIssues(_ feed: Expectation) throws {
        var reader = try CSVReader(url: RealFeeds.folder.appending(path: feed.file), feed: feed.file)
        #expect(try reader.readHeader().count == feed.columns)
        #expect(reader.delimiter == feed.delimiter.asciiValue)
        #expect(reader.encoding == .utf8)
        let results = readAll(&reader)
        let issues = results.filter { if case .issue = $0 { true } else { false } }
        #expect(issues == [])
        #expect(results.count == feed.records)
        guard case .record(let line, let fields) = results.last else { return }
        #expect(line == feed.lastLine)
        #expect(fields.count == feed.columns)
    }

    @Test(arguments: feeds)
    func realFeedReadsTheSameInSmallChunks(_ feed: Expectation) throws {
        let bytes = try [UInt8](Data(contentsOf: RealFeeds.folder.appending(path: feed.file)))
        var whole = CSVReader(bytes: bytes, feed: "t.csv")
        var chunked = CSVReader(bytes: bytes, feed: "t.csv", chunkSize: 997)
        #expect(readAll(&whole) == readAll(&chunked))
    }

    @Test func metaCatalogKeepsMultiLineDescriptionsAndDoubledQuotes() throws {
        let file = "semlers-meta-vehicles-catalog-cad.csv"
        var reader = try CSVReader(url: RealFeeds.folder.appending(path: file), feed: file)
        var multiLine = 0
        var withQuote = 0
        while let record = try reader.nextRecord() {
            let description = try #require(record["description"])
            if description.contains("\r\n") { multiLine += 1 }
            if record.fields.contains(where: { $0.contains("\"") }) { withQuote += 1 }
        }
        #expect(multiLine == 280)
        #expect(withQuote == 118)
    }
}
