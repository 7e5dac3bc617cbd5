import Catalog
import Testing

@testable import Feeds

@Suite struct RowLayoutTests {
    static let names = [
        "id", "ID", "g:id", "price", "Price", "g:price", "sale_price", "Sale Price", "availability", "quantity",
        "inventory", "Inventory", "title", "item_group_id", "Item Group", "item group id", "additional_image_link",
        "additional_image_links", "custom_label_0", "Custom Label 3", "color", "colour", "brand", "extra", "",
    ]
    static let values = [
        "", " ", "x", " y ", "1", "-2", "5.0", "a,b, ,c", "19.99 SEK", "19,99", "in stock", "preorder", "nope",
        "1,299", "\u{00A0}z\u{00A0}",
    ]

    /// A random record of up to 9 fields; names repeat, and records often share their names, as a feed's do.
    static func record(_ random: inout SplitMix64, line: Int, shapes: [[String]]) -> FeedRecord {
        let names = random.next() % 4 == 0
            ? (0..<Int(random.next() % 10)).map { _ in Self.names[Int(random.next() % UInt64(Self.names.count))] }
            : shapes[Int(random.next() % UInt64(shapes.count))]
        return FeedRecord(line: line, fields: names.map {
            FeedRecord.Field($0, values[Int(random.next() % UInt64(values.count))])
        })
    }

    @Test func attributeNamesAreTheirOwnLookupKeys() {
        #expect(GoogleProfile.Attribute.allCases.map(\.name) == Listing.canonicalOrder)
        for attribute in GoogleProfile.Attribute.allCases {
            #expect(RowFields.key(attribute.name) == attribute.name)
        }
        #expect(GoogleProfile.Attribute.customLabels.map(\.name) == (0..<5).map { "custom_label_\($0)" })
    }

    /// A kept layout reads a record as a fresh one does, and an attribute reads as its name does.
    @Test func keptLayoutsReadAsTheGeneralLookup() {
        var random = SplitMix64(seed: 0x1A70)
        let shapes = [
            ["id", "price", "availability", "title", "sale_price"],
            ["id", "price", "availability", "title"],
            ["ID", "Price", "Availability", "Item Group", "Sale Price", "sale_price"],
            ["g:id", "g:price", "inventory", "additional_image_links", "custom_label_0", "Custom Label 3"],
        ]
        let context = MappingContext(feed: "t.csv", currency: .sek, locale: AmountLocale(identifier: "en_US"))
        var layouts = RowLayouts()
        var mapper = Profiles.mapper(.google, context: context, mapping: [:])
        for line in 2..<3_000 {
            let record = Self.record(&random, line: line, shapes: shapes)
            let kept = RowFields(record, context: context, layout: layouts.layout(for: record))
            let fresh = RowFields(record, context: context)
            #expect(kept.layout.names == record.fields.map(\.name))
            for attribute in GoogleProfile.Attribute.allCases {
                #expect(kept.text(attribute) == fresh.text(attribute.name), "\(attribute) \(record)")
                #expect(kept.list(attribute) == fresh.list(attribute.name), "\(attribute) \(record)")
            }
            for name in Self.names {
                #expect(kept.text(name) == fresh.text(name), "\(name) \(record)")
                #expect(kept.has(name) == fresh.has(name), "\(name) \(record)")
            }
            let expected = Result { () throws(FeedIssue) in try GoogleProfile.offer(from: fresh) }
            #expect(mapper.consume(record) == [expected], "\(record)")
        }
    }

    @Test func leastRecentlyUsedLayoutMakesRoom() {
        var layouts = RowLayouts()
        let records = (0...RowLayouts.capacity).map {
            FeedRecord(line: 2, fields: [FeedRecord.Field("id", "a"), FeedRecord.Field("c\($0)", "b")])
        }
        let first = layouts.layout(for: records[0])
        for record in records.dropFirst().dropLast() { _ = layouts.layout(for: record) }
        #expect(layouts.layout(for: records[0]) === first)
        _ = layouts.layout(for: records.last!)  // makes room by dropping records[1]'s, not the one just used
        #expect(layouts.layout(for: records[0]) === first)
    }
}
