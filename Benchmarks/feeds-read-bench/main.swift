import Catalog
import Feeds
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// feeds-read-bench: how fast XMLFeedReader and JSONFeedReader turn a feed into `FeedRecord`s, and nothing
// else (no profile, no duplicate check, no store). Builds only the Feeds module:
//
//     swift build -c release --product feeds-read-bench
//     .build/release/feeds-read-bench /tmp/catalogsync-bench/feeds/feed_100000_g1.xml
//     valgrind --tool=callgrind .build/release/feeds-read-bench FILE     # instruction counts
//
// `--checksum` and `--dump` show that a change to a reader leaves its output alone: compare them between
// two builds (`--dump` prints every record and issue; it is slow, for small and hostile files).
// `--skip` times what ingest does with a generation whose rows are all unchanged (see `FeedScanner`).

let usage = """
    usage: feeds-read-bench [--format xml|json|jsonl] [--memory [--chunk-size N]] [--checksum | --dump | --skip] FILE

    Reads every record of FILE with XMLFeedReader or JSONFeedReader (the format comes from the extension
    unless given) and prints one line: records, fields, value bytes, issues, the seconds spent reading
    and the peak RSS in MiB; with --checksum, an FNV-1a hash of every record's line, field names and
    values and every issue; with --dump, every record and issue first, one a line. --memory reads the
    file into memory first and uses the readers' `bytes:` initialisers; --chunk-size N makes the JSON
    reader take N bytes at a time from it (small sizes exercise chunk boundaries). --skip reads as ingest
    reads a generation whose rows are all unchanged: each record's digest and id (from its bytes when the
    reader is a RawRecordSource, else from the decoded record), decoding only records without one; the
    line then also counts the rows skipped.
    """

struct Tally {
    var records = 0
    var fields = 0
    var valueBytes = 0
    var issues = 0
    var skipped = 0
    /// The digests of the skipped rows, folded, so that computing them cannot be left out.
    var digests: UInt64 = 0
    var checksum: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func mix(_ text: String) {
        for byte in text.utf8 { checksum = (checksum ^ UInt64(byte)) &* 0x100_0000_01b3 }
        checksum = (checksum ^ 0xFF) &* 0x100_0000_01b3
    }
}

func main() -> Int32 {
    var arguments = Array(CommandLine.arguments.dropFirst())
    var format: String?
    if let index = arguments.firstIndex(of: "--format"), index + 1 < arguments.count {
        format = arguments[index + 1]
        arguments.removeSubrange(index...(index + 1))
    }
    var chunkSize = 1 << 18
    if let index = arguments.firstIndex(of: "--chunk-size"), index + 1 < arguments.count {
        chunkSize = max(1, Int(arguments[index + 1]) ?? chunkSize)
        arguments.removeSubrange(index...(index + 1))
    }
    let isDumping = arguments.contains("--dump")
    let isSumming = isDumping || arguments.contains("--checksum")
    let isInMemory = arguments.contains("--memory")
    let isSkipping = arguments.contains("--skip")
    arguments.removeAll { ["--dump", "--checksum", "--memory", "--skip"].contains($0) }
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
        default:
            print("unknown format \(kind); give --format")
            return 2
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
    if isSumming { line += " checksum " + String(tally.checksum, radix: 16) }
    if isSkipping { line += " skipped \(tally.skipped)" + (tally.digests == 0 ? " (no digests)" : "") }
    line += String(format: " seconds %.3f peak_rss_mib %.1f", seconds, Double(resources.ru_maxrss) / 1024)
    print(line)
    return 0
}

exit(main())
