import Catalog
import Feeds
import Foundation

// `--map`: what ingest spends turning a changed record into the stored item, without reading or the store.
//
//     .build/release/feeds-read-bench --map /tmp/catalogsync-bench/feeds/feed_100000_g1.csv
//     valgrind --tool=callgrind --toggle-collect='*mapBatch*' .build/release/feeds-read-bench --map FILE
//
// Records are read in batches (untimed). Each batch is mapped as ingest maps a changed row (timed): the google
// profile's mapper (`Profiles.mapper(.google)`, SEK and en_US unless given), then the offer's
// `baseListing.jsonText`. The line gives rows, issues, the mapping seconds and FNV-1a checksums (taken
// untimed) of every jsonText and every issue, to show that a change leaves the output alone; `--offers` also
// folds each offer's full `String(reflecting:)` into a third checksum.

/// FNV-1a over texts, each ended by 0xFF.
struct TextChecksum {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func mix(_ text: String) {
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        value = (value ^ 0xFF) &* 0x100_0000_01b3
    }

    var hex: String { String(value, radix: 16) }
}

struct MapTally {
    var rows = 0
    var issues = 0
    var seconds = 0.0
    var listings = TextChecksum()
    var issueTexts = TextChecksum()
    var offers = TextChecksum()
}

/// Maps one batch: the part `--map` times. Not inlined, so that callgrind can collect it alone.
@inline(never)
func mapBatch(_ records: [FeedRecord], with mapper: inout any OfferMapper,
              into results: inout [Result<Offer, FeedIssue>], texts: inout [String]) {
    for record in records {
        for result in mapper.consume(record) {
            if case .success(let offer) = result { texts.append(offer.baseListing.jsonText) }
            results.append(result)
        }
    }
}

/// Runs `--map` over `source`; returns the line to print.
/// - Parameters: currency, locale: the feed's; `nil` for none.
func mapFeed(_ source: any RecordSource, feed: String, currency: Currency?, locale: AmountLocale?,
             isFoldingOffers: Bool) -> String {
    let context = MappingContext(feed: feed, currency: currency, locale: locale)
    var mapper = Profiles.mapper(.google, context: context, mapping: [:])
    let clock = ContinuousClock()
    var tally = MapTally()
    var batch: [FeedRecord] = []
    var results: [Result<Offer, FeedIssue>] = []
    var texts: [String] = []
    var isAtEnd = false
    var readIssues = 0
    while !isAtEnd {
        batch.removeAll(keepingCapacity: true)
        while batch.count < 1_024 {
            do {
                guard let record = try source.nextRecord() else {
                    isAtEnd = true
                    break
                }
                batch.append(record)
            } catch {
                readIssues += 1
                if error.isFatal { isAtEnd = true }
            }
        }
        results.removeAll(keepingCapacity: true)
        texts.removeAll(keepingCapacity: true)
        let started = clock.now
        mapBatch(batch, with: &mapper, into: &results, texts: &texts)
        let elapsed = clock.now - started
        tally.seconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tally.rows += batch.count
        for text in texts { tally.listings.mix(text) }
        for result in results {
            switch result {
            case .success(let offer):
                if isFoldingOffers { tally.offers.mix(String(reflecting: offer)) }
            case .failure(let issue):
                tally.issues += 1
                tally.issueTexts.mix(issue.description)
            }
        }
    }
    var line = "rows \(tally.rows) mapped \(tally.rows - tally.issues) issues \(tally.issues)"
    line += " read_issues \(readIssues)"
    line += " listings_checksum \(tally.listings.hex) issues_checksum \(tally.issueTexts.hex)"
    if isFoldingOffers { line += " offers_checksum \(tally.offers.hex)" }
    line += String(format: " map_seconds %.3f us_per_row %.2f", tally.seconds,
                   tally.seconds * 1e6 / Double(max(tally.rows, 1)))
    return line
}
