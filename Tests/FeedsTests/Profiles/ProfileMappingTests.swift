import Catalog
import Foundation
import Testing

@testable import Feeds

/// Tiny inline feeds for the profile tests, read through the real readers.
enum Fixture {
    static let usd = MappingContext(feed: "t.csv", currency: .usd)

    /// The records of an inline CSV, with header names as `CSVRecordSource` gives them.
    static func records(_ csv: String) throws -> [FeedRecord] {
        let source = CSVRecordSource(CSVReader(string: csv, feed: "t.csv"))
        var records: [FeedRecord] = []
        while let record = try source.nextRecord() { records.append(record) }
        return records
    }

    /// One record with the given fields, as the XML and JSON readers give them.
    static func record(line: Int = 2, _ fields: KeyValuePairs<String, String>) -> FeedRecord {
        FeedRecord(line: line, fields: fields.map { FeedRecord.Field($0.key, $0.value) })
    }

    /// Every result of a whole feed, `finish()` included.
    static func map(_ kind: ProfileKind, _ records: [FeedRecord], context: MappingContext = usd,
                    mapping: [String: String] = [:]) -> [Result<Offer, FeedIssue>] {
        var mapper = Profiles.mapper(kind, context: context, mapping: mapping)
        return records.flatMap { mapper.consume($0) } + mapper.finish()
    }

    static func offers(_ results: [Result<Offer, FeedIssue>]) -> [Offer] { results.compactMap(\.offer) }
    static func issues(_ results: [Result<Offer, FeedIssue>]) -> [FeedIssue] { results.compactMap(\.issue) }

    static func money(_ text: String) -> Money { try! Money.parse(text, defaultCurrency: nil, locale: nil) }
}

extension Result where Success == Offer, Failure == FeedIssue {
    var offer: Offer? { if case .success(let offer) = self { offer } else { nil } }
    var issue: FeedIssue? { if case .failure(let issue) = self { issue } else { nil } }
}

@Suite struct ProfileMappingTests {
    @Test func googleMapperReturnsOneResultPerRecordAndBuffersNothing() {
        var mapper = Profiles.mapper(.google, context: Fixture.usd, mapping: [:])
        let good = Fixture.record(line: 2, ["id": "A1", "price": "10.00 USD", "availability": "in_stock"])
        let bad = Fixture.record(line: 3, ["id": "A2", "availability": "in_stock"])
        #expect(mapper.consume(good).first?.offer?.id == "A1")
        let issue = mapper.consume(bad).first?.issue
        #expect(issue?.reason == .missingValue("price"))
        #expect(issue?.location.line == 3)
        #expect(issue?.location.field == "price")
        #expect(mapper.finish().isEmpty)
    }

    @Test func everyProfileHasAMapper() {
        for kind in ProfileKind.allCases {
            var mapper = Profiles.mapper(kind, context: Fixture.usd, mapping: [:])
            #expect(mapper.finish().isEmpty, "\(kind)")
        }
    }
}
