public import Catalog
public import Feeds
public import Foundation
public import Store
#if canImport(Glibc)
import Glibc
#endif

/// Reads a feed's rows as offers (or, for an inventory feed, stock updates): maps each record through the
/// feed's profile, quarantines bad rows with their location, skips duplicate ids, and throws
/// `FeedRejection` when the feed cannot be read as a whole.
///
/// Shared by ingest and `validate`, so both judge a feed the same way.
public struct FeedScanner {
    /// What one record comes to. Rows are queued and handed between threads by value: every case but the common
    /// `unchanged` is boxed, so that a row is a few words rather than an `Offer`'s hundreds of bytes.
    public enum Row {
        /// A mapped offer; `digest` is its record's hash when the feed's rows can be skipped by it.
        indirect case offer(Offer, line: Int, digest: UInt64?)
        /// A record recognised by its digest: byte for byte what an item of the feed (`known`) was read from.
        case unchanged(id: String, line: Int)
        indirect case update(InventoryUpdate)
        indirect case issue(FeedIssue)
    }

    /// The feed's items as the store has them (ingest sets this; `validate` does not).
    ///
    /// A record byte for byte what an item was read from is `.unchanged`: found by its id and digest before it
    /// is decoded, and never mapped — only for profiles that map one record to one offer found by its `id`
    /// (google). Their seen marks are also the duplicate-id check for the items' SKUs, so only new ids take
    /// memory of their own (`seen`).
    public var known: ItemDigests? {
        // A row's SKU is looked up right after its bytes are hashed: its slot, if needed, starts loading before that.
        didSet {
            let cursor = known.map(ItemDigests.Cursor.init)
            rawSource?.keyObserver = cursor.map { cursor in { cursor.prefetch($0) } }
            self.cursor = cursor
            knownReference = known.map(Unmanaged.passUnretained)
        }
    }
    /// The scanner's lookups in `known` (the tail has its own).
    private var cursor: ItemDigests.Cursor?
    /// `known` for the per-row lookup, which then costs no retain and release: `known` keeps it alive. The second
    /// reader (`TailScan`) reads the same table, so each count change moved its cache line from core to core
    /// (`swift_retain` and `swift_release` under `skipsUnchanged`: 9% of the scanner's samples, 1M CSV).
    private var knownReference: Unmanaged<ItemDigests>?

    private let source: any RecordSource
    /// `source`, when it can hash a record before decoding it (cast once: a cast is a conformance lookup).
    private let rawSource: (any RawRecordSource)?
    public let context: MappingContext
    private let kind: FeedKind
    private let configuredProfile: String
    private let mapping: [String: String]
    private var mapper: (any OfferMapper)?
    /// The profile in use: the configured one, or what `auto` detected from the first record.
    public private(set) var profile: ProfileKind?
    private var queue: [Row] = []
    private var queueIndex = 0
    private var finished = false
    private var seen = SeenIDs()
    public private(set) var rowsRead = 0
    /// What every digest of this feed starts from (see `digestSeed(profile:)`); `nil`: no digests.
    private var digestSeed: UInt64?
    /// How a CSV or JSON Lines feed with digests is shared with a second reading thread (`TailScan`); `nil`: it
    /// is not.
    var tailLayout: TailScan.Layout? = .standard
    /// Part of every chunk of the feed, read ahead on a thread of its own, and the feed's source.
    private var tail: (scan: TailScan, source: any SplittableRecordSource)?
    /// The tail's parts taken and dropped so far (see `TailScan`).
    var tailParts: (taken: Int, dropped: Int) { tail.map { ($0.scan.taken, $0.scan.dropped) } ?? (0, 0) }
    /// Where the tail's next part starts; `Int.max` while a part is taken, and when there is none.
    private var tailStart = Int.max
    /// While a part read by the tail is taken: what its lines are counted from (the line before its first).
    private var tailBase: Int?
    /// The rejection a fatal issue in the tail's part comes to, once the rows before it are taken.
    private var tailFatal: FeedRejection?
    /// A rejection met by `takeUnchanged` after rows it took: thrown by the next read.
    private var deferredRejection: FeedRejection?

    init(source: any RecordSource, context: MappingContext, kind: FeedKind, profile: String,
         mapping: [String: String]) {
        self.source = source
        rawSource = source as? any RawRecordSource
        self.context = context
        self.kind = kind
        configuredProfile = profile
        self.mapping = mapping
    }

    /// Opens `feed`'s file (a folder means its newest regular file) for scanning.
    public static func open(_ feed: FeedConfig) throws(FeedRejection) -> (FeedScanner, URL) {
        let file = try resolveFile(feed.sourceURL)
        let name = file.lastPathComponent
        let source: any RecordSource
        do {
            switch feed.format == .auto ? FeedFormat.detect(file) : feed.format {
            case .xml: source = try XMLFeedReader(url: file, feed: name)
            case .json: source = try JSONFeedReader(url: file, feed: name, layout: .auto, recordPath: feed.recordPath)
            case .jsonl: source = try JSONFeedReader(url: file, feed: name, layout: .lines)
            case .tsv:
                source = CSVRecordSource(try CSVReader(url: file, feed: name, delimiter: feed.delimiter ?? 0x09,
                                                       encoding: feed.encoding))
            case .csv, .auto:
                source = CSVRecordSource(try CSVReader(url: file, feed: name, delimiter: feed.delimiter,
                                                       encoding: feed.encoding))
            }
        } catch {
            throw FeedRejection("\(file.path): \(error)")
        }
        let context = MappingContext(feed: name, currency: feed.currency, locale: feed.locale, timeZone: feed.timeZone)
        return (FeedScanner(source: source, context: context, kind: feed.kind, profile: feed.profile,
                            mapping: feed.mapping), file)
    }

    /// The next row, or `nil` at the end of the feed.
    public mutating func next() throws(FeedRejection) -> Row? {
        while queueIndex >= queue.count {
            guard !finished else { return nil }
            try refill()
        }
        defer { queueIndex += 1 }
        return queue[queueIndex]
    }

    /// Takes the `.unchanged` rows that come next, up to `limit` of them, and returns how many it took: a reader
    /// that only counts them need not take them one at a time. A rejection after rows it took comes with the next
    /// call, as `next()` would have returned those rows first.
    public mutating func takeUnchanged(upTo limit: Int) throws(FeedRejection) -> Int {
        var taken = 0
        while taken < limit {
            if queueIndex >= queue.count {
                guard !finished else { break }
                do {
                    try refill()
                } catch {
                    guard taken > 0 else { throw error }
                    deferredRejection = error
                    break
                }
                continue
            }
            guard case .unchanged = queue[queueIndex] else { break }
            queueIndex += 1
            taken += 1
        }
        return taken
    }

    /// Empties the queue and reads on (`fill()`), after the rejection `takeUnchanged` held back, if any.
    private mutating func refill() throws(FeedRejection) {
        queue.removeAll(keepingCapacity: true)
        queueIndex = 0
        if let rejection = deferredRejection {
            deferredRejection = nil
            throw rejection
        }
        try fill()
    }

    /// Reads one record (or the end) and queues what it completes.
    private mutating func fill() throws(FeedRejection) {
        if let base = tailBase { return try takeTailItems(base: base) }
        var record: FeedRecord
        var digest: UInt64?
        do {
            if let seed = digestSeed, let raw = rawSource {
                // CSV, JSON Lines, XML items: hash the record's bytes first, and decode it only when it is not
                // known unchanged.
                guard try raw.moveToNextRecord() else { return finish() }
                if tailStart != Int.max, let offset = tail?.source.currentRecordOffset, offset >= tailStart,
                   let scan = tail?.scan {
                    if scan.take(at: offset) {
                        tailStart = Int.max
                        tailBase = raw.currentLine - 1  // the tail read this record and the rest of its part
                        return
                    }
                    tailStart = scan.nextStart() ?? Int.max
                }
                if let found = raw.currentDigest(seed: seed, attribute: "id") {
                    digest = found.hash
                    if skipsUnchanged(id: found.key, digest: found.hash, line: raw.currentLine) { return }
                }
                record = try raw.currentRecord()
                if !raw.currentDigestHolds { digest = nil }
            } else {
                guard let next = try source.nextRecord() else { return finish() }
                record = next
            }
        } catch {
            if error.isFatal { throw FeedRejection(error.description) }
            rowsRead += 1
            queue.append(.issue(error))
            return
        }
        if kind == .inventory {
            rowsRead += 1
            do {
                let update = try InventoryProfile.update(from: record, context: context)
                queue.append(deduplicated(id: update.id, line: update.line) ?? .update(update))
            } catch {
                queue.append(.issue(error))
            }
            return
        }
        let isShopifyProduct = ShopifyJSON.isProduct(record)
        if mapper == nil {
            let kind = ProfileKind(rawValue: configuredProfile) ?? (isShopifyProduct ? .shopify : nil)
                ?? Profiles.detect(fieldNames: record.fields.map(\.name)) ?? .google
            profile = kind
            mapper = Profiles.mapper(kind, context: context, mapping: mapping)
            if known != nil && kind == .google {
                digestSeed = digestSeed(profile: kind)
                startTail()
            }
        }
        if let seed = digestSeed, digest == nil {
            // A raw source's first record (decoded before the profile was known), or a record of another format.
            let found: (hash: UInt64, key: String?)?
            if let raw = rawSource {
                found = raw.currentDigest(seed: seed, attribute: "id").map { ($0.hash, $0.key) }
            } else {
                found = (record.digest(seed: seed), record.value(ofAttribute: "id"))
            }
            digest = found?.hash
            if let found, let id = found.key, skipsUnchanged(id: id, digest: found.hash, line: record.line) { return }
        }
        rowsRead += 1
        // Shopify's products.json: one record per product, expanded to the export's rows per variant.
        for row in profile == .shopify && isShopifyProduct ? ShopifyJSON.rows(from: record) : [record] {
            enqueue(mapper!.consume(row), digest: digest)
        }
    }

    /// Starts reading part of every chunk of a CSV or JSON Lines feed ahead (see `TailScan`); without it, or
    /// when the file cannot be opened again, the scanner reads the whole feed itself.
    private mutating func startTail() {
        guard let layout = tailLayout, let seed = digestSeed, let known,
              let split = source as? any SplittableRecordSource, split.canSplit else { return }
        let mapper = Profiles.mapper(.google, context: context, mapping: mapping)
        if let scan = try? TailScan(source: split, known: known, seed: seed, mapper: mapper, layout: layout) {
            tail = (scan, split)
            tailStart = scan.nextStart() ?? Int.max
        }
    }

    /// Queues what the next items of the tail's part come to, as `fill()` would for the records they are; after
    /// the part's last, reads on after it.
    private mutating func takeTailItems(base: Int) throws(FeedRejection) {
        guard let tail, let known else { return }
        if let fatal = tailFatal { throw fatal }
        while queue.count < 256 {
            guard let item = tail.scan.next() else {
                throw FeedRejection("\(context.feed): the feed's second reader stopped in the middle of its part")
            }
            switch item {
            case .start:
                throw FeedRejection("\(context.feed): the feed's second reader started a part in the middle of one")
            case .unchanged(let entry, let line):
                rowsRead += 1
                cursor?.move(past: entry)
                let line = base + line
                let id = known.sku(entry)
                if let first = known.markSeen(entry, line: line) {
                    queue.append(duplicate(id: id, line: line, firstLine: first))  // what mapping it again comes to
                } else {
                    queue.append(.unchanged(id: id, line: line))
                }
            case .mapped(let results, let digest):
                rowsRead += 1
                enqueue(results.map { result in
                    result.map { offer in
                        var offer = offer
                        offer.source?.line += base
                        return offer
                    }.mapError { $0.movedDown(by: base) }
                }, digest: digest)
            case .unreadable(let issue):
                let issue = issue.movedDown(by: base)
                if issue.isFatal {
                    let fatal = FeedRejection(issue.description)
                    guard queue.isEmpty else {
                        tailFatal = fatal  // the rows before it go first, as when the scanner reads them itself
                        return
                    }
                    throw fatal
                }
                rowsRead += 1
                queue.append(.issue(issue))
            case .end(let offset, let line):
                tail.source.seek(to: offset, line: base + line)
                tailBase = nil
                tailStart = tail.scan.nextStart() ?? Int.max
                return
            }
        }
    }

    private mutating func finish() {
        finished = true
        if var mapper { enqueue(mapper.finish(), digest: nil); self.mapper = mapper }
    }

    /// Queues the record as unchanged when it is byte for byte what its item was read from — unless the feed
    /// had the id already: that record is mapped, and reported as a duplicate.
    private mutating func skipsUnchanged(id: String, digest: UInt64, line: Int) -> Bool {
        guard digest != 0, let knownReference, let cursor else { return false }
        let isUnchanged = knownReference._withUnsafeGuaranteedRef { known in
            guard let entry = cursor.entry(for: id), known.rawHash(entry) == digest else { return false }
            return known.markSeen(entry, line: line) == nil
        }
        guard isUnchanged else { return false }
        rowsRead += 1
        queue.append(.unchanged(id: id, line: line))
        return true
    }

    /// The start of every digest of this feed: whatever besides a record's bytes decides the offer it maps to —
    /// the profile, the feed's settings, the CSV header and dialect, and the build that maps it (a new
    /// catalogsync maps every row once more).
    private func digestSeed(profile: ProfileKind) -> UInt64 {
        var parts = ["catalogsync-row-digest-1", Self.buildIdentity, profile.rawValue,
                     String(describing: context.currency), String(describing: context.locale),
                     context.timeZone?.identifier ?? "-"]
        parts += mapping.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        parts += rawSource?.layout ?? []
        return RowHash.hash(parts)
    }

    /// The running executable's size and modification time.
    static let buildIdentity: String = {
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return "unknown" }
        return "\(info.st_size)@\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }()

    private mutating func enqueue(_ results: [Result<Offer, FeedIssue>], digest: UInt64?) {
        for result in results {
            switch result {
            case .success(let offer):
                let line = offer.source?.line ?? 0
                queue.append(deduplicated(id: offer.id, line: line)
                             ?? .offer(offer, line: line, digest: results.count == 1 ? digest : nil))
            case .failure(let issue):
                queue.append(.issue(issue))
            }
        }
    }

    /// A duplicate-id issue when `id` was seen before; records it otherwise.
    private mutating func deduplicated(id: String, line: Int) -> Row? {
        let first = if let known, let entry = known.entry(for: id) {
            known.markSeen(entry, line: line)
        } else {
            seen.insert(id, line: line)
        }
        guard let first else { return nil }
        return duplicate(id: id, line: line, firstLine: first)
    }

    private func duplicate(id: String, line: Int, firstLine: Int) -> Row {
        .issue(FeedIssue(.duplicateID(id, firstLine: firstLine),
                         at: SourceLocation(feed: context.feed, line: line, field: "id")))
    }

    static func resolveFile(_ url: URL) throws(FeedRejection) -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw FeedRejection("\(url.path): no such file")
        }
        guard isDirectory.boolValue else { return url }
        let keys: [URLResourceKey] = [.contentModificationDateKey, .isRegularFileKey]
        let files = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: keys,
                                                                   options: [.skipsHiddenFiles])) ?? []
        func modified(_ file: URL) -> Date {
            (try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
        }
        let newest = files.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .max { modified($0) < modified($1) }
        guard let newest else { throw FeedRejection("\(url.path): the folder has no feed file") }
        return newest
    }
}

/// A feed rejected whole, or held by a guard: nothing of it is applied.
public struct FeedRejection: Error, CustomStringConvertible {
    public let message: String
    /// A guard held a readable feed (it can be approved), rather than the feed being unreadable.
    public let isHold: Bool
    public init(_ message: String, isHold: Bool = false) {
        self.message = message
        self.isHold = isHold
    }
    public var description: String { message }
}
