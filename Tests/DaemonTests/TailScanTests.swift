import Catalog
import Feeds
import Foundation
import Testing
@testable import Daemon
@testable import Store

/// Reading part of every chunk of a CSV or JSON Lines feed on a second thread (`TailScan`) changes nothing about
/// what the feed comes to: the same rows, issues, lines, seen marks and rejection as reading it whole on one thread.
@Suite struct TailScanTests {
    static let header = "id,title,description,price,availability,quantity"

    /// What scanning `text` came to, a line per row, then the rows read and the items seen; and the tail's parts.
    /// - Parameter countingUnchanged: before each row, take up to 0–6 unchanged rows as a count
    ///   (`takeUnchanged`), a line "unchanged ×N" (see `collapsed`).
    static func scan(_ text: [UInt8], json: Bool = false, known: ItemDigests?, layout: TailScan.Layout?,
                     readSize: Int = 1 << 18, countingUnchanged: Bool = false)
        -> (rows: [String], parts: (taken: Int, dropped: Int)) {
        var scanner = FeedScanner(source: source(text, json: json, readSize: readSize), context: MappingContext(
            feed: "f", currency: Currency(code: "SEK")), kind: .primary, profile: "google", mapping: [:])
        scanner.tailLayout = layout
        scanner.known = known
        var rows: [String] = []
        var takes = 0
        do {
            while true {
                if countingUnchanged {
                    takes += 1
                    let taken = try scanner.takeUnchanged(upTo: takes % 7)
                    if taken > 0 { rows.append("unchanged ×\(taken)") }
                }
                guard let row = try scanner.next() else { break }
                switch row {
                case .offer(let offer, let line, let digest):
                    rows.append("offer \(offer.id) line \(line) source \(offer.source?.line ?? -1) "
                                + "digest \(digest ?? 0) \(offer.baseListing.jsonText)")
                case .unchanged(let id, let line): rows.append("unchanged \(id) line \(line)")
                case .issue(let issue): rows.append("issue \(issue)")
                case .update(let update): rows.append("update \(update.id)")
                }
            }
        } catch {
            rows.append("rejected: \(error)")
        }
        rows.append("read \(scanner.rowsRead)")
        if let known { rows.append("seen \(known.seenCount), unseen \(known.unseenSKUs().sorted())") }
        return (rows, scanner.tailParts)
    }

    /// `rows` with each run of unchanged rows as one line "unchanged ×N" (their ids and lines left out).
    static func collapsed(_ rows: [String]) -> [String] {
        var result: [String] = []
        var run = 0
        for row in rows {
            if row.hasPrefix("unchanged ") {
                run += row.hasPrefix("unchanged ×") ? Int(row.dropFirst("unchanged ×".count))! : 1
                continue
            }
            if run > 0 { result.append("unchanged ×\(run)") }
            run = 0
            result.append(row)
        }
        if run > 0 { result.append("unchanged ×\(run)") }
        return result
    }

    /// The digests of the items `text` makes (its first row per id), as ingest would have stored them.
    static func digests(of text: [UInt8], json: Bool = false) -> ItemDigests.Builder {
        var builder = ItemDigests.Builder(expectedCount: 0)
        var seen: Set<String> = []
        var scanner = FeedScanner(source: source(text, json: json, readSize: 1 << 18), context: MappingContext(
            feed: "f", currency: Currency(code: "SEK")), kind: .primary, profile: "google", mapping: [:])
        scanner.tailLayout = nil
        scanner.known = ItemDigests()
        while let row = try? scanner.next() {
            guard case .offer(let offer, _, let digest?) = row, seen.insert(offer.id).inserted else { continue }
            var id = offer.id
            id.withUTF8 { builder.append(sku: UnsafeRawBufferPointer($0), rawHash: digest, fingerprint: 0) }
        }
        return builder
    }

    static func source(_ text: [UInt8], json: Bool, readSize: Int) -> any RecordSource {
        json ? JSONFeedReader(bytes: text, feed: "f", chunkSize: readSize)
            : CSVRecordSource(CSVReader(bytes: text, feed: "f", chunkSize: readSize))
    }

    /// A generation of a feed: rows with quoted fields across lines, doubled quotes, blank lines, and `newline`.
    static func feed(_ rows: [String], newline: String) -> [UInt8] {
        Array(([header] + rows).joined(separator: newline).utf8)
    }

    static func row(_ id: Int, quantity: Int, random: inout SplitMix64, newline: String) -> String {
        let description: String = switch random.next() % 5 {
        case 0: "\"Soft, warm\(newline)and \"\"light\"\"\(newline)\(newline)wool\""  // line ends inside quotes
        case 1: "\"plain, quoted\""
        case 2: String(repeating: "long text ", count: Int(random.next() % 40))
        default: "Cotton"
        }
        return "S\(id),Item \(id),\(description),\(10 + id % 7).50 SEK,in_stock,\(quantity)"
    }

    @Test func aFeedComesToTheSameRowsReadWithTheTailAsWithout() throws {
        var random = SplitMix64(seed: 0x7A11_5CA7)
        var taken = 0, dropped = 0
        for round in 0..<300 {
            let newline = random.next() % 3 == 0 ? "\r\n" : "\n"
            let count = 20 + Int(random.next() % 60)
            let first = (0..<count).map { Self.row($0, quantity: $0 % 5, random: &random, newline: newline) }
            var second: [String] = []
            for (index, line) in first.enumerated() {
                switch random.next() % 20 {
                case 0: continue  // deleted
                case 1: second.append(Self.row(index, quantity: 99, random: &random, newline: newline))  // changed
                case 2: second.append(line + newline)  // then a blank line
                case 3: second += [line, first[Int(random.next() % UInt64(count))]]  // a duplicate
                case 4: second += [line, "S\(count + index),Broken row"]  // ragged
                case 5: second += [line, "S\(count + index),Bad,x,not a price,in_stock,1"]
                case 6:  // a new item
                    second += [line, Self.row(count + index, quantity: 1, random: &random, newline: newline)]
                default: second.append(line)
                }
            }
            if round % 10 == 0 { second.append("S\(2 * count),\"never closed,x,1 SEK,in_stock,1") }
            let text = Self.feed(second, newline: newline)
            let builder = Self.digests(of: Self.feed(first, newline: newline))
            let chunk = 64 + Int(random.next() % 400)
            let layout = TailScan.Layout(chunk: chunk, tail: 1 + Int(random.next() % UInt64(chunk - 1)))
            let readSize = 1 + Int(random.next() % 300)
            let alone = Self.scan(text, known: ItemDigests(builder), layout: nil, readSize: readSize)
            let shared = Self.scan(text, known: ItemDigests(builder), layout: layout, readSize: readSize)
            #expect(alone.rows == shared.rows, "round \(round), layout \(layout), reads of \(readSize)")
            // Unchanged rows taken as counts are the rows taken one at a time, with the same seen marks.
            let counted = Self.scan(text, known: ItemDigests(builder), layout: layout, readSize: readSize,
                                    countingUnchanged: true)
            #expect(Self.collapsed(counted.rows) == Self.collapsed(shared.rows), "round \(round)")
            #expect(alone.parts.taken == 0)
            taken += shared.parts.taken
            dropped += shared.parts.dropped
        }
        // The tail did read most parts, and some guesses (inside a quoted field) were dropped.
        #expect(taken > 1_000 && dropped > 100, "taken \(taken), dropped \(dropped)")
    }

    static func jsonRow(_ id: Int, quantity: Int, random: inout SplitMix64) -> String {
        let description: String = switch random.next() % 4 {
        case 0: #"Soft,\nwarm and \"light\" wool \u00e9"#
        case 1: String(repeating: "long text ", count: Int(random.next() % 40))
        default: "Cotton"
        }
        let padding = random.next() % 7 == 0 ? "  " : ""
        return padding + #"{"id":"S\#(id)","title":"Item \#(id)","description":"\#(description)","#
            + #""price":"\#(10 + id % 7).50 SEK","availability":"in_stock","quantity":\#(quantity)}"#
    }

    @Test func aJSONLinesFeedComesToTheSameRowsReadWithTheTailAsWithout() throws {
        var random = SplitMix64(seed: 0x150_11E5)
        var taken = 0
        for round in 0..<300 {
            let newline = random.next() % 3 == 0 ? "\r\n" : "\n"
            let count = 20 + Int(random.next() % 60)
            let first = (0..<count).map { Self.jsonRow($0, quantity: $0 % 5, random: &random) }
            var second: [String] = []
            for (index, line) in first.enumerated() {
                switch random.next() % 16 {
                case 0: continue  // deleted
                case 1: second.append(Self.jsonRow(index, quantity: 99, random: &random))  // changed
                case 2: second += [line, ""]  // then a blank line
                case 3: second += [line, first[Int(random.next() % UInt64(count))]]  // a duplicate
                case 4: second += [line, #"{"id":"S\#(count + index)","title":"#]  // broken
                case 5: second += [line, #"{"id":"S\#(count + index)","price":"x","title":"Bad"}"#]
                default: second.append(line)
                }
            }
            if round % 10 == 0 { second.append(#"{"id":"S0","title":"never closed"#) }
            let text = Array(second.joined(separator: newline).utf8)
            let builder = Self.digests(of: Array(first.joined(separator: newline).utf8), json: true)
            let chunk = 64 + Int(random.next() % 400)
            let layout = TailScan.Layout(chunk: chunk, tail: 1 + Int(random.next() % UInt64(chunk - 1)))
            let readSize = 1 + Int(random.next() % 300)
            let alone = Self.scan(text, json: true, known: ItemDigests(builder), layout: nil, readSize: readSize)
            let shared = Self.scan(text, json: true, known: ItemDigests(builder), layout: layout, readSize: readSize)
            #expect(alone.rows == shared.rows, "round \(round), layout \(layout), reads of \(readSize)")
            let counted = Self.scan(text, json: true, known: ItemDigests(builder), layout: layout, readSize: readSize,
                                    countingUnchanged: true)
            #expect(Self.collapsed(counted.rows) == Self.collapsed(shared.rows), "round \(round)")
            taken += shared.parts.taken
        }
        #expect(taken > 1_000, "taken \(taken)")
    }

    @Test func aFeedSmallerThanTwoChunksIsReadByTheScannerAlone() throws {
        var random = SplitMix64(seed: 1)
        let rows = (0..<10).map { Self.row($0, quantity: 1, random: &random, newline: "\n") }
        let text = Self.feed(rows, newline: "\n")
        let known = ItemDigests(Self.digests(of: text))
        let result = Self.scan(text, known: known, layout: TailScan.Layout(chunk: text.count / 2 + 1, tail: 10))
        #expect(result.parts.taken == 0 && result.parts.dropped == 0)
        #expect(result.rows.filter { $0.hasPrefix("unchanged") }.count == 10)
    }
}
