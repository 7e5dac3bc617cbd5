import Catalog
import Foundation
import Testing
@testable import Feeds

/// Every input a fuzzer once crashed, hung or ran out of memory on (Fuzz/regressions/<target>/, read from the
/// source tree), replayed the way its entry point in Fuzz/entry/ feeds it: the first byte of a CSV or JSON
/// input picks the chunk size and options, the rest is the feed. Each must end within a bounded number of
/// calls, with the same invariants the entry points check.
@Suite struct FuzzRegressionTests {
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/regressions")

    static func inputs(_ target: String) -> [String] {
        let directory = regressions.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    static func bytes(_ target: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: regressions.appendingPathComponent(target).appendingPathComponent(name)))
    }

    /// Calls `next` until it returns nil or throws a fatal issue; the number of calls, or nil past `limit`.
    static func callsToEnd(limit: Int = 100_000, _ next: () throws(FeedIssue) -> FeedRecord?) -> Int? {
        for call in 1...limit {
            do {
                guard try next() != nil else { return call }
            } catch {
                if error.isFatal { return call }
            }
        }
        return nil
    }

    @Test func theRegressionInputsAreThere() {
        #expect(!Self.inputs("csv").isEmpty)
    }

    @Test(arguments: inputs("csv"))
    func csv(_ name: String) throws {
        let input = try Self.bytes("csv", name)
        try #require(!input.isEmpty)
        let control = input[0]
        let chunkSize = Int(control & 0x3F) + 1
        let encoding: FeedEncoding = [.auto, .utf8, .windows1252, .latin1][Int(control >> 6)]
        let feed = Array(input.dropFirst())
        for size in [chunkSize, 1 << 18] {
            let source = CSVRecordSource(CSVReader(bytes: feed, feed: name, encoding: encoding, chunkSize: size))
            #expect(Self.callsToEnd { () throws(FeedIssue) in try source.nextRecord() } != nil, "\(name) never ends")
        }
    }

    @Test(arguments: inputs("json"))
    func json(_ name: String) throws {
        let input = try Self.bytes("json", name)
        try #require(!input.isEmpty)
        let control = input[0]
        let layout: JSONFeedLayout = [.auto, .array, .lines, .auto][Int((control >> 5) & 0x3)]
        let reader = JSONFeedReader(bytes: Array(input.dropFirst()), feed: name, layout: layout,
                                    recordPath: control & 0x80 != 0 ? "products" : nil,
                                    chunkSize: Int(control & 0x1F) + 1)
        #expect(Self.callsToEnd { () throws(FeedIssue) in try reader.nextRecord() } != nil, "\(name) never ends")
        #expect((try? reader.nextRecord()) == nil)
    }

    @Test(arguments: inputs("xml"))
    func xml(_ name: String) throws {
        guard let reader = try? XMLFeedReader(bytes: try Self.bytes("xml", name), feed: name) else { return }
        #expect(Self.callsToEnd { () throws(FeedIssue) in try reader.nextRecord() } != nil, "\(name) never ends")
        #expect((try? reader.nextRecord()) == nil)
    }

    @Test(arguments: inputs("money"))
    func money(_ name: String) throws {
        let text = String(decoding: try Self.bytes("money", name), as: UTF8.self)
        for currency in [nil, .sek, .usd, Currency(code: "JPY")] as [Currency?] {
            for locale in [nil, AmountLocale(decimalMark: .dot), AmountLocale(decimalMark: .comma)] {
                guard let money = try? Money.parse(text, defaultCurrency: currency, locale: locale) else { continue }
                #expect(money.minorUnits >= 0)
                #expect((try? Money.parse(money.description, defaultCurrency: nil, locale: nil)) == money)
            }
        }
        _ = try? SaleWindow.parse(text)
    }

    /// fuzz-csv's first finding, spelled out: a header with bytes that are not UTF-8 in a feed read as UTF-8.
    @Test func undecodableHeaderIsThrownOnceAndIsFatal() {
        var reader = CSVReader(bytes: [0x61, 0xFF] + Array(",b\n1,2\n".utf8),
                               feed: "h.csv", encoding: .utf8)
        let issue = #expect(throws: FeedIssue.self) { try reader.readHeader() }
        #expect(issue?.code == "invalid_encoding")
        #expect(issue?.isFatal == true)
        #expect((try? reader.nextRecord()) == nil)
        let source = CSVRecordSource(CSVReader(bytes: [0xFF, 0x0A, 0x31, 0x0A], feed: "h.csv", encoding: .utf8))
        #expect(Self.callsToEnd(limit: 10) { () throws(FeedIssue) in try source.nextRecord() } == 1)
    }

    /// The same for the other ways a header can be bad: a stray quote, and a header over the record limit.
    @Test func everyHeaderIssueIsFatal() {
        var quoted = CSVReader(string: "\"id\"x,title\n1,2\n", feed: "q.csv")
        let stray = #expect(throws: FeedIssue.self) { try quoted.readHeader() }
        #expect(stray?.code == "unexpected_quote")
        #expect(stray?.isFatal == true)

        var large = CSVReader(string: "id,title\n1,2\n", feed: "l.csv")
        large.maxFieldBytes = 1
        let tooLarge = #expect(throws: FeedIssue.self) { try large.readHeader() }
        #expect(tooLarge?.code == "too_large")
        #expect(tooLarge?.isFatal == true)
        #expect((try? large.nextRecord()) == nil)
    }
}
