public import Catalog
public import Feeds
public import Foundation

/// Reads a feed's rows as offers: maps each record through the profile, quarantines bad rows with
/// their location, skips duplicate ids, and throws `FeedRejection` when the feed cannot be read as a whole.
///
/// Shared by ingest and `validate`, so both judge a feed the same way.
public struct FeedScanner {
    public enum Row {
        case offer(Offer, line: Int)
        case issue(FeedIssue)
    }

    private let source: any RecordSource
    public let context: MappingContext
    private var firstLine: [String: Int] = [:]
    public private(set) var rowsRead = 0

    public init(source: any RecordSource, context: MappingContext) {
        self.source = source
        self.context = context
    }

    /// Opens `feed`'s file (a folder means its newest regular file) for scanning.
    public static func open(_ feed: FeedConfig) throws(FeedRejection) -> (FeedScanner, URL) {
        let file = try resolveFile(feed.sourceURL)
        let name = file.lastPathComponent
        let source: any RecordSource
        do {
            switch feed.format == .auto ? FeedFormat.detect(file) : feed.format {
            case .xml: source = try XMLFeedReader(url: file, feed: name)
            case .json: source = try JSONFeedReader(url: file, feed: name, layout: .auto)
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
        return (FeedScanner(source: source, context: MappingContext(feed: name, currency: feed.currency,
                                                                    locale: feed.locale)), file)
    }

    /// The next row, or `nil` at the end of the feed.
    public mutating func next() throws(FeedRejection) -> Row? {
        let record: FeedRecord
        do {
            guard let next = try source.nextRecord() else { return nil }
            record = next
        } catch {
            if error.isFatal { throw FeedRejection(error.description) }
            rowsRead += 1
            return .issue(error)
        }
        rowsRead += 1
        do {
            let offer = try GoogleProfile.offer(from: record, context: context)
            if let line = firstLine[offer.id] {
                return .issue(FeedIssue(.duplicateID(offer.id, firstLine: line),
                                        at: SourceLocation(feed: context.feed, line: record.line, field: "id")))
            }
            firstLine[offer.id] = record.line
            return .offer(offer, line: record.line)
        } catch {
            return .issue(error)
        }
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

/// A feed rejected whole: nothing of it is applied.
public struct FeedRejection: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
