import Catalog
import Feeds
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// feeds-read-bench: how fast CSVReader, XMLFeedReader and JSONFeedReader turn a feed into `FeedRecord`s, and
// nothing else (no profile, no duplicate check, no store). Builds only the Feeds module:
//
//     swift build -c release --product feeds-read-bench
//     .build/release/feeds-read-bench /tmp/catalogsync-bench/feeds/feed_100000_g1.xml
//     valgrind --tool=callgrind .build/release/feeds-read-bench FILE     # instruction counts
//
// `--checksum` and `--dump` show that a change to a reader leaves its output alone: compare them between
// two builds (`--dump` prints every record and issue; it is slow, for small and hostile files).
// `--skip` times what ingest does with a generation whose rows are all unchanged (see `FeedScanner`);
// `--map` times mapping alone (see MapMode.swift).

let usage = """
    usage: feeds-read-bench [--format xml|json|jsonl|csv] [--memory [--chunk-size N]] [--checksum|--dump|--skip] FILE
           feeds-read-bench --map [--offers] [--currency CODE|none] [--locale ID|none] [--format F] FILE

    Reads every record of FILE with CSVReader, XMLFeedReader or JSONFeedReader (the format comes from the
    extension unless given) and prints one line: records, fields, value bytes, issues, the seconds spent reading
    and the peak RSS in MiB; with --checksum, an FNV-1a hash of every record's line, field names and
    values and every issue; with --dump, every record and issue first, one a line. --memory reads the
    file into memory first and uses the readers' `bytes:` initialisers; --chunk-size N makes the JSON
    reader take N bytes at a time from it (small sizes exercise chunk boundaries). --skip reads as ingest
    reads a generation whose rows are all unchanged: each record's digest and id (from its bytes when the
    reader is a RawRecordSource, else from the decoded record), decoding only records without one; the
    line then also counts the rows skipped. --map reads every record (untimed) and maps it with the google
    profile (the feed's currency and locale: SEK and en_US unless given) to its listing's JSON text (timed),
    printing rows, issues, checksums of the texts and issues, and the seconds spent mapping; --offers adds
    a checksum of every offer's full value.
    """

struct Tally {
    var records = 0
    var fields = 0
    var valueBytes = 0
    var issues = 0
    var skipped = 0
    /// The digests of the skipped rows, folded, so that computing them cannot be left out.
    var digests: UInt64 = 0
    var checksum = TextChecksum()

    mutating func mix(_ text: String) { checksum.mix(text) }
}

/// Removes `name` and the value after it from `arguments`, and returns the value.
func takeOption(_ name: String, from arguments: inout [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(index...(index + 1)) }
    return arguments[index + 1]
}

func main() -> Int32 {
    var arguments = Array(CommandLine.arguments.dropFirst())
    let format = takeOption("--format", from: &arguments)
    let chunkSize = takeOption("--chunk-size", from: &arguments).map { max(1, Int($0) ?? 1 << 18) } ?? 1 << 18
    // `--currency none`, `--locale none`: the feed sets none.
    let currency = takeOption("--currency", from: &arguments).map { Currency(code: $0) } ?? .sek
    let locale = takeOption("--locale", from: &arguments).map { AmountLocale(identifier: $0) }
        ?? AmountLocale(identifier: "en_US")
    let isDumping = arguments.contains("--dump")
    let isSumming = isDumping || arguments.contains("--checksum")
    let isInMemory = arguments.contains("--memory")
    let isSkipping = arguments.contains("--skip")
    let isMapping = arguments.contains("--map")
    let isFoldingOffers = arguments.contains("--offers")
    arguments.removeAll { ["--dump", "--checksum", "--memory", "--skip", "--map", "--offers"].contains($0) }
    guard arguments.count == 1, !arguments[0].hasPrefix("-") else {
        print(usage)
        return 2
    }
    let url = URL(fileURLWithPath: arguments[0])
    let kind = format ?? url.pathExtension.lowercased()
    let clock = ContinuousClock()
    let started = clock.now
    var tally = Tally()
    do {
        let source: any RecordSource
        let bytes = isInMemory ? Array((try? Data(contentsOf: url)) ?? Data()) : []
        let name = url.lastPathComponent
        switch (kind, isInMemory) {
        case ("xml", true): source = try XMLFeedReader(bytes: bytes, feed: name)
        case ("xml", false): source = try XMLFeedReader(url: url, feed: name)
        case ("json", true), ("jsonl", true): source = JSONFeedReader(bytes: bytes, feed: name, chunkSize: chunkSize)
        case ("json", false), ("jsonl", false): source = try JSONFeedReader(url: url, feed: name)
        case ("csv", true): source = CSVRecordSource(CSVReader(bytes: bytes, feed: name, chunkSize: chunkSize))
        case ("csv", false): source = CSVRecordSource(try CSVReader(url: url, feed: name))
        default:
            print("unknown format \(kind); give --format")
            return 2
        }
        if isMapping {
            print(mapFeed(source, feed: name, currency: currency, locale: locale, isFoldingOffers: isFoldingOffers))
            return 0
        }
        let raw = isSkipping ? source as? any RawRecordSource : nil
        while true {
            do {
                let record: FeedRecord
                if let raw {
                    guard try raw.moveToNextRecord() else { break }
                    if let found = raw.currentDigest(seed: 1, attribute: "id") {
                        tally.skipped += 1
                        tally.digests ^= found.hash &+ UInt64(found.key.utf8.count)
                        continue
                    }
                    record = try raw.currentRecord()
                } else {
                    guard let next = try source.nextRecord() else { break }
                    record = next
                    if isSkipping, let key = record.value(ofAttribute: "id") {
                        tally.skipped += 1
                        tally.digests ^= record.digest(seed: 1) &+ UInt64(key.utf8.count)
                        continue
                    }
                }
                tally.records += 1
                tally.fields += record.fields.count
                for field in record.fields { tally.valueBytes += field.value.utf8.count }
                if isSumming {
                    tally.mix(String(record.line))
                    for field in record.fields {
                        tally.mix(field.name)
                        tally.mix(field.value)
                    }
                }
                if isDumping {
                    print("\(record.line)", record.fields.map { "\($0.name)=\($0.value.debugDescription)" }
                        .joined(separator: " "))
                }
            } catch {
                tally.issues += 1
                let text = "issue \(error.isFatal ? "fatal" : "row") \(error.code): \(error)"
                if isSumming { tally.mix(text) }
                if isDumping { print(text.debugDescription) }
                if error.isFatal { break }
            }
        }
    } catch {
        print("cannot open: \(error)")
        return 1
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    var resources = rusage()
    getrusage(RUSAGE_SELF.rawValue, &resources)
    var line = "records \(tally.records) fields \(tally.fields) value_bytes \(tally.valueBytes) issues \(tally.issues)"
    if isSumming { line += " checksum " + tally.checksum.hex }
    if isSkipping { line += " skipped \(tally.skipped)" + (tally.digests == 0 ? " (no digests)" : "") }
    line += String(format: " seconds %.3f peak_rss_mib %.1f", seconds, Double(resources.ru_maxrss) / 1024)
    print(line)
    return 0
}

exit(main())
