import Catalog
import Feeds
import Store

/// Part of every chunk of a CSV or JSON Lines feed, read on a thread of its own while `FeedScanner` reads the rest:
/// when most rows are unchanged (skipped by their digest), reading is what ingest waits for, and this puts both
/// cores to it.
///
/// The feed is cut in chunks of `Layout.chunk` bytes; the scanner reads the first part of each and the tail the
/// last `Layout.tail` bytes. The tail cannot know where a record starts there, so it guesses: after the first line
/// end (`SplittableRecordSource.recordStartGuess`). In a CSV feed, the guess is wrong when that line end is
/// inside a quoted field. So each of
/// its parts comes as `.start(offset)`, rows and `.end`, and the scanner takes the rows only when its own reading
/// reaches a record at exactly that offset: both have then read the same bytes from the same state. Otherwise it
/// drops them and reads on itself. The tail's part ends before the first record that starts in the next chunk;
/// `.end` says where, and the scanner reads on from there.
///
/// The tail looks SKUs up in `known` but never marks them seen: what depends on the rows before (seen marks,
/// duplicate ids, line numbers) is applied by the scanner as it takes the rows, in feed order. Lines in items are
/// counted from the part's first line (1). Only for the google profile, whose mapper keeps nothing from one record
/// to the next.
final class TailScan {
    enum Item {
        /// The part's first record starts at `offset`.
        case start(offset: Int)
        /// A record byte for byte what the item `entry` was read from.
        case unchanged(entry: ItemDigests.Entry, line: Int)
        /// A record mapped (or not); `digest` is its record hash.
        indirect case mapped([Result<Offer, FeedIssue>], digest: UInt64?)
        /// A record that could not be read; a fatal issue ends the tail.
        indirect case unreadable(FeedIssue)
        /// The part ends before the record at `offset`, on `line`.
        case end(offset: Int, line: Int)
    }

    /// How a feed is cut: chunks of `chunk` bytes, of which the tail reads the last `tail` bytes.
    struct Layout {
        var chunk: Int
        var tail: Int

        /// The tail's part is larger: taking its rows costs the scanner too. 5 MiB is about 9,300 rows of the
        /// bench's feeds, fewer than the 12,288 items the tail may be ahead by (12 batches of 1,024): it can read
        /// a whole part while the scanner reads its own.
        static let standard = Layout(chunk: 8 << 20, tail: 5 << 20)
    }

    private let items: ReadAhead<Item>
    /// The offset of the next part's first record, read from the items but not taken yet.
    private var start: Int?
    private var ended = false
    /// Parts whose rows the scanner took, and parts it dropped (their guessed start was not a record's).
    private(set) var taken = 0
    private(set) var dropped = 0

    /// A tail for `source` (a feed whose first record was read), or `nil` when the feed is smaller than two
    /// chunks.
    init?(source: any SplittableRecordSource, known: ItemDigests, seed: UInt64, mapper: any OfferMapper,
          layout: Layout) throws(FeedIssue) {
        precondition(layout.tail > 0 && layout.tail < layout.chunk)
        guard source.sourceSize > 2 * layout.chunk else { return nil }
        let reader = Reader(source: try source.continuation(), known: known, seed: seed, mapper: mapper,
                            layout: layout)
        reader.source.keyObserver = { [cursor = reader.cursor] in cursor.prefetch($0) }
        // A batch goes at a part's start and end (the scanner may be waiting for them), and after 64 offers: rows
        // read in full weigh about 1.5 KB each, and a feed whose rows all changed is read no faster with the tail.
        var offers = 0
        items = ReadAhead(batchSize: 1024, depth: 12, handsOverAfter: { item in
            switch item {
            case .start, .end: offers = 0
            case .mapped:
                offers += 1
                guard offers == 64 else { return false }
                offers = 0
            case .unchanged, .unreadable: return false
            }
            return true
        }, { () throws(FeedRejection) -> Item? in reader.next() })
    }

    deinit { items.finish() }

    /// The offset where the tail's next part starts (waiting for the tail to get there); `nil`: no more.
    func nextStart() -> Int? {
        while start == nil && !ended {
            guard let item = next() else {
                ended = true
                break
            }
            if case .start(let offset) = item { start = offset }
        }
        return start
    }

    /// Takes the tail's part if it starts at `offset`, where the scanner's record starts; drops the parts it
    /// passed. `true`: the next items are that part's rows, up to `.end`.
    func take(at offset: Int) -> Bool {
        while let start = nextStart(), start <= offset {
            self.start = nil
            if start == offset {
                taken += 1
                return true
            }
            dropped += 1
            while let item = next() {  // a wrong guess: the part's rows go unread
                if case .end = item { break }
            }
        }
        return false
    }

    /// The next item; `nil` after the last.
    func next() -> Item? {
        (try? items.next()) ?? nil  // `Reader.next()` throws nothing
    }

    /// The tail's own thread: reads its parts one after the other.
    private final class Reader {
        let source: any SplittableRecordSource
        let known: ItemDigests
        /// The tail's lookups in `known`.
        let cursor: ItemDigests.Cursor
        let seed: UInt64
        var mapper: any OfferMapper
        let layout: Layout
        let size: Int
        /// The next chunk whose part the tail reads (counted from 1).
        var chunk = 1
        /// Where the part being read ends (the next chunk's start); `nil` between parts.
        var partEnd: Int?
        var isDone = false

        init(source: any SplittableRecordSource, known: ItemDigests, seed: UInt64, mapper: any OfferMapper,
             layout: Layout) {
            self.source = source
            self.known = known
            cursor = ItemDigests.Cursor(known)
            self.seed = seed
            self.mapper = mapper
            self.layout = layout
            size = source.sourceSize
        }

        func next() -> Item? {
            while !isDone {
                guard let end = partEnd else {
                    let nominal = chunk * layout.chunk - layout.tail
                    chunk += 1
                    guard nominal < size else { break }
                    guard let offset = try? source.recordStartGuess(near: nominal), offset < size else { continue }
                    source.seek(to: offset, line: 1)
                    partEnd = nominal + layout.tail
                    return .start(offset: offset)
                }
                do {
                    guard try source.moveToNextRecord() else { return finish() }
                    let offset = source.currentRecordOffset
                    guard offset < end else {
                        partEnd = nil
                        return .end(offset: offset, line: source.currentLine)
                    }
                    let found = source.currentDigest(seed: seed, attribute: "id")
                    if let found, found.hash != 0, let entry = cursor.entry(for: found.key),
                       known.rawHash(entry) == found.hash {
                        return .unchanged(entry: entry, line: source.currentLine)
                    }
                    return .mapped(mapper.consume(try source.currentRecord()), digest: found?.hash)
                } catch {
                    if error.isFatal { isDone = true }  // then `.end`: the scanner may be dropping this part
                    return .unreadable(error)
                }
            }
            return finish()
        }

        /// The part's `.end` at the end of the file (or after a fatal issue), once; then nothing.
        private func finish() -> Item? {
            isDone = true
            guard partEnd != nil else { return nil }
            partEnd = nil
            return .end(offset: size, line: source.currentLine)
        }
    }
}

extension FeedIssue {
    /// The issue with its line `lines` further down: from a line counted in a chunk to the feed's.
    func movedDown(by lines: Int) -> FeedIssue {
        var issue = self
        issue.location.line += lines
        return issue
    }
}
