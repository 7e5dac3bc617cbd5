public import Catalog
public import Feeds
public import Foundation

/// Reads a feed's rows as offers (or, for an inventory feed, stock updates): maps each record through the
/// feed's profile, quarantines bad rows with their location, skips duplicate ids, and throws
/// `FeedRejection` when the feed cannot be read as a whole.
///
/// Shared by ingest and `validate`, so both judge a feed the same way.
public struct FeedScanner {
    public enum Row {
        case offer(Offer, line: Int)
        case update(InventoryUpdate)
        case issue(FeedIssue)
    }

    private let source: any RecordSource
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

    init(source: any RecordSource, context: MappingContext, kind: FeedKind, profile: String,
         mapping: [String: String]) {
        self.source = source
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
            queue.removeAll(keepingCapacity: true)
            queueIndex = 0
            guard !finished else { return nil }
            try fill()
        }
        defer { queueIndex += 1 }
        return queue[queueIndex]
    }

    /// Reads one record (or the end) and queues what it completes.
    private mutating func fill() throws(FeedRejection) {
        let record: FeedRecord
        do {
            guard let next = try source.nextRecord() else {
                finished = true
                if var mapper { enqueue(mapper.finish()); self.mapper = mapper }
                return
            }
            record = next
        } catch {
            if error.isFatal { throw FeedRejection(error.description) }
            rowsRead += 1
            queue.append(.issue(error))
            return
        }
        rowsRead += 1
        if kind == .inventory {
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
        }
        // Shopify's products.json: one record per product, expanded to the export's rows per variant.
        for row in profile == .shopify && isShopifyProduct ? ShopifyJSON.rows(from: record) : [record] {
            enqueue(mapper!.consume(row))
        }
    }

    private mutating func enqueue(_ results: [Result<Offer, FeedIssue>]) {
        for result in results {
            switch result {
            case .success(let offer):
                let line = offer.source?.line ?? 0
                queue.append(deduplicated(id: offer.id, line: line) ?? .offer(offer, line: line))
            case .failure(let issue):
                queue.append(.issue(issue))
            }
        }
    }

    /// A duplicate-id issue when `id` was seen before; records it otherwise.
    private mutating func deduplicated(id: String, line: Int) -> Row? {
        guard let first = seen.insert(id, line: line) else { return nil }
        return .issue(FeedIssue(.duplicateID(id, firstLine: first),
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
