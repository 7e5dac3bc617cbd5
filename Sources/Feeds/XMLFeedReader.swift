import CLibXML2
public import Catalog
public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads one record at a time from an XML product feed: an RSS 2.0 `<item>` or an Atom 1.0 `<entry>`.
///
/// Covers Google Merchant Center's XML formats and feeds built on them (Prisjakt). libxml2's push
/// parser reads the feed in 64 KiB chunks and reports elements and text through SAX2 callbacks (no
/// tree is built), so memory holds one chunk's items, not the document. As a `RawRecordSource` it finds items
/// in the bytes first, so that an unchanged item is never parsed (see `XMLFeedReader+Items.swift`).
///
/// Field names (see `FeedRecord`): elements in Google's namespace `http://base.google.com/ns/1.0`,
/// in no namespace (RSS) or in Atom's namespace go by their local name (`g:price` → `price`);
/// other namespaces keep the document's prefix (`pj:delta_command`); nested elements join with
/// dots (`shipping.price`); repeated elements repeat, in document order. A value is the element's
/// text with entities and CDATA decoded, trimmed of XML white space (space, tab, CR, LF); an empty
/// element gives `""`. Only leaf elements become fields; attributes are ignored except in Atom:
/// - `<link href="…"/>` with no `rel` or `rel="alternate"` gives `link`; other links are skipped;
/// - `summary`, else `content`, becomes `description` when the entry has no description;
/// - Atom's own `<id>` is `atom:id` when the entry also has a `g:id`.
///
/// Security (DESIGN promise 4): no network (`XML_PARSE_NONET`), no DTD loading, no entity
/// expansion; `XML_PARSE_HUGE` is off, so libxml2 keeps its own size and depth limits, and the
/// two that belong to its tree builder are kept by `XMLItemCollector` with libxml2's messages
/// (256 open elements, 10,000,000 bytes per text node). A document whose DOCTYPE declares
/// entities, or that refers to any entity besides the five predefined ones, is rejected whole,
/// at the first declaration: product feeds never need them, and refusing them is the only
/// policy that rules out both billion-laughs expansion and external entities (XXE). A DOCTYPE
/// without entity declarations (old RSS 0.91 exporters write one) is harmless, as its external
/// DTD is never read, so it is accepted; libxml2's tree builder still checks its declarations.
///
/// Every thrown `FeedIssue` is about the whole feed (an XML stream cannot resume after an
/// error): after it, `nextRecord()` returns `nil`. Not thread-safe; use from one task at a time.
public final class XMLFeedReader: RawRecordSource {
    /// Bounds on one item, so that a hostile or broken feed cannot exhaust memory.
    public struct Limits: Sendable {
        /// Elements nested inside an item (its children are depth 1).
        public var maxDepth: Int
        /// UTF-8 bytes of one field's value; libxml2 itself refuses text nodes over 10,000,000 bytes.
        public var maxFieldBytes: Int
        /// UTF-8 bytes of all text inside one item.
        public var maxItemBytes: Int

        public init(maxDepth: Int = 64, maxFieldBytes: Int = 10_000_000, maxItemBytes: Int = 100_000_000) {
            self.maxDepth = maxDepth
            self.maxFieldBytes = maxFieldBytes
            self.maxItemBytes = maxItemBytes
        }
    }

    /// `"rss"` or `"atom"` once the root element has been read; `""` before.
    public var format: String { state.pointee.format }

    /// Never `XML_PARSE_NOENT`, `DTDLOAD`, `DTDATTR`, `DTDVALID`, `XINCLUDE` or `HUGE`. (`BIG_LINES`
    /// only concerns tree nodes, which are not built: lines come from the parser's input, in full.)
    static let parserOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue
        | XML_PARSE_BIG_LINES.rawValue)

    /// Bytes handed to libxml2 per `xmlParseChunk`: records wait in memory for at most one chunk.
    static let chunkSize = 1 << 16

    /// libxml2's global set-up, once per process; its global error printers silenced.
    private static let libraryIsReady: Bool = {
        xmlInitParser()
        catalogsync_xml_silence_global_errors()
        return true
    }()

    let feed: String
    let parser: xmlParserCtxtPtr
    /// The collector the parser calls back into, at a fixed address (the parser's user data).
    let state: UnsafeMutablePointer<XMLItemCollector>
    /// The document's bytes from `fed` on: all of a memory document, or what was read of a file.
    var window: UnsafeMutableBufferPointer<UInt8>
    /// `window[0..<end]` holds bytes of the document.
    var end: Int
    /// `window[0..<fed]` was handed to libxml2 (or, for a skipped item, its stand-in was).
    var fed = 0
    /// Whether `window` holds the rest of the document: no more bytes to read.
    var isEOF: Bool
    /// The file of a file document; -1 for a memory document.
    private let fileDescriptor: Int32
    private var isAtEnd = false
    var isFinished = false

    // The raw-item state (see `XMLFeedReader+Items.swift`).
    /// Whether items are still found by `XMLItemSplitter` (until the document has something it does not follow).
    var findsItems = true
    var splitter = XMLItemSplitter()
    /// `window[0..<scanned]` was read by the splitter.
    var scanned = 0
    /// libxml2's line at `fed`.
    var line = 1
    var current: FoundItem?
    /// The current record when items are not found by the splitter.
    var currentPlain: FeedRecord?
    public internal(set) var currentDigestHolds = true
    public var keyObserver: ((String) -> Void)?
    /// Kinds of item (context and start tag) that libxml2 read as one item on the line the splitter counted.
    var checkedKinds: Set<UInt64> = []
    var itemSeed: (seed: UInt64, contextVersion: Int, value: UInt64)?
    var standIn = ScratchBytes()

    /// Opens a local XML feed file.
    ///
    /// - Throws: `FeedIssue(.unreadable)` when the file cannot be opened or is a directory.
    public init(url: URL, feed: String, limits: Limits = Limits()) throws(FeedIssue) {
        _ = Self.libraryIsReady
        catalogsync_xml_silence_global_errors()
        let start = SourceLocation(feed: feed, line: 1)
        guard url.isFileURL else { throw FeedIssue(.unreadable("\(url) is not a local file"), at: start) }
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FeedIssue(.unreadable("\(url.path): \(String(cString: strerror(errno)))"), at: start)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT != S_IFDIR else {
            close(descriptor)
            throw FeedIssue(.unreadable("\(url.path) is a directory"), at: start)
        }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Self.windowSize)
        let count = Self.read(descriptor, into: buffer)
        guard count >= 0, let (parser, state) = Self.makeParser(
            first: count >= 4 ? UnsafeBufferPointer(rebasing: buffer[0..<4]) : nil, name: url.path, feed: feed,
            limits: limits)
        else {
            buffer.deallocate()
            close(descriptor)
            throw FeedIssue(.unreadable("libxml2 could not start reading \(url.path)"), at: start)
        }
        self.feed = feed
        self.parser = parser
        self.state = state
        self.window = buffer
        self.end = count
        self.isEOF = count < buffer.count
        self.fileDescriptor = descriptor
        self.fed = count >= 4 ? 4 : 0  // as in xmlTextReader: the parser starts with the first 4 bytes
        self.line = 1 + buffer[0..<fed].count { $0 == 0x0A }
    }

    /// Reads a document held in memory (tests, small downloads).
    public init(bytes: [UInt8], feed: String, limits: Limits = Limits()) throws(FeedIssue) {
        _ = Self.libraryIsReady
        catalogsync_xml_silence_global_errors()
        guard bytes.count < Int32.max else {
            throw FeedIssue(.tooLarge("in-memory XML documents must be under 2 GiB"),
                            at: SourceLocation(feed: feed, line: 1))
        }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = buffer.initialize(from: bytes)
        guard let (parser, state) = Self.makeParser(
            first: bytes.count >= 4 ? UnsafeBufferPointer(rebasing: buffer[0..<4]) : nil, name: feed, feed: feed,
            limits: limits)
        else {
            buffer.deallocate()
            throw FeedIssue(.unreadable("libxml2 could not start reading the document"),
                            at: SourceLocation(feed: feed, line: 1))
        }
        self.feed = feed
        self.parser = parser
        self.state = state
        self.window = buffer
        self.end = bytes.count
        self.isEOF = true
        self.fileDescriptor = -1
        self.fed = bytes.count >= 4 ? 4 : 0
        self.line = 1 + buffer[0..<fed].count { $0 == 0x0A }
    }

    deinit {
        if let document = parser.pointee.myDoc {
            xmlFreeDoc(document)
            parser.pointee.myDoc = nil
        }
        xmlFreeParserCtxt(parser)
        state.deinitialize(count: 1)
        state.deallocate()
        if fileDescriptor >= 0 { close(fileDescriptor) }
        window.deallocate()
    }

    /// Reads the next item or entry.
    ///
    /// - Returns: The next record, its line that of the item's start tag; `nil` at the end of the
    ///   feed, at once when the document has no items or is empty (the caller decides whether
    ///   that is an empty feed), and after any thrown issue.
    /// - Throws: `FeedIssue` for the whole feed: `.malformed` with libxml2's message at its line
    ///   and column (bad syntax, a document cut short, entities, nesting deeper than
    ///   `limits.maxDepth`), `.invalidEncoding`, or `.tooLarge`. Items that ended before the
    ///   problem are returned first.
    public func nextRecord() throws(FeedIssue) -> FeedRecord? {
        guard try moveToNextRecord() else { return nil }
        return try currentRecord()
    }

    /// Runs `body`; any issue it throws ends the feed (an XML stream cannot resume after an error).
    func endingOnIssue<T>(_ body: () throws(FeedIssue) -> T) throws(FeedIssue) -> T {
        do throws(FeedIssue) {
            // libxml2's global handlers are per thread, and a task may resume on another thread.
            catalogsync_xml_silence_global_errors()
            return try body()
        } catch {
            isFinished = true
            current = nil
            currentPlain = nil
            state.pointee.discard()
            var fatal = error
            fatal.isFatal = true  // the feed is rejected whole
            throw fatal
        }
    }

    /// The next record as libxml2 reads the document on from `fed`, chunk by chunk.
    func nextParsedRecord() throws(FeedIssue) -> FeedRecord? {
        while !isFinished {
            if let record = state.pointee.nextFinishedRecord() { return record }
            switch state.pointee.problem {
            case .issue(let issue)?:
                throw issue
            case .parser(let error)?:
                if error.isEmptyDocument && format.isEmpty && isBlankDocument() {
                    isFinished = true
                    return nil
                }
                throw issue(for: error)
            case nil:
                break
            }
            if isAtEnd {
                if state.pointee.isInsideItem {
                    throw FeedIssue(.malformed("the document ends inside an item"), at: state.pointee.location)
                }
                if parser.pointee.wellFormed == 0 {
                    throw FeedIssue(.malformed("libxml2 could not read the document"), at: state.pointee.location)
                }
                isFinished = true
                return nil
            }
            try parseNextChunk()
        }
        return nil
    }

    // MARK: - Input

    /// Bytes read from a file at a time; the window grows past it only to hold one item whole.
    static let windowSize = 1 << 20
    /// The largest item whose bytes are hashed whole; a larger one makes libxml2 read the rest of the document.
    static let maxWindowSize = 1 << 24

    /// Hands the next chunk to libxml2, which calls back into `state` for what it parses.
    private func parseNextChunk() throws(FeedIssue) {
        if fed == end && !isEOF {
            guard refill() else {
                throw FeedIssue(.malformed("libxml2 could not read the document"), at: state.pointee.location)
            }
        }
        let count = min(Self.chunkSize, end - fed)
        isAtEnd = isEOF && fed + count == end
        parse(UnsafeBufferPointer(rebasing: window[fed..<(fed + count)]), isLast: isAtEnd)
        fed += count
    }

    /// Hands `bytes` to libxml2 in pieces of at most `chunkSize`: its push parser refuses to look ahead more than
    /// 10,000,000 bytes at once (without `XML_PARSE_HUGE`), which one large piece of text would make it do.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>, isLast: Bool) {
        var offset = 0
        repeat {
            let count = min(Self.chunkSize, bytes.count - offset)
            let start = bytes.baseAddress.map { UnsafeRawPointer($0 + offset).assumingMemoryBound(to: CChar.self) }
            offset += count
            _ = xmlParseChunk(parser, start, Int32(count), isLast && offset == bytes.count ? 1 : 0)
        } while offset < bytes.count
    }

    /// Moves the bytes not yet fed to the window's start and reads more of the file after them, growing the
    /// window when they fill it (up to `maxWindowSize`). - Returns: `false` on a read error or a full window.
    func refill() -> Bool {
        if fed > 0 {
            if end > fed { memmove(window.baseAddress!, window.baseAddress! + fed, end - fed) }
            end -= fed
            scanned -= fed
            fed = 0
        }
        if end == window.count {
            guard window.count < Self.maxWindowSize else { return false }
            let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: window.count * 2)
            memcpy(larger.baseAddress!, window.baseAddress!, end)
            window.deallocate()
            window = larger
        }
        let count = Self.read(fileDescriptor, into: UnsafeMutableBufferPointer(rebasing: window[end...]))
        guard count >= 0 else { return false }
        end += count
        isEOF = count == 0
        return true
    }

    /// Fills `buffer` from the file as far as it goes; 0 at its end, -1 on a read error.
    private static func read(_ descriptor: Int32, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = 0
        while count < buffer.count {
            let got = Glibc.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { return -1 }
            if got == 0 { break }
            count += got
        }
        return count
    }

    /// A push parser that calls back into a new collector, fed `first` (the first 4 bytes) if given.
    private static func makeParser(
        first: UnsafeBufferPointer<UInt8>?, name: String, feed: String, limits: Limits
    ) -> (xmlParserCtxtPtr, UnsafeMutablePointer<XMLItemCollector>)? {
        let state = UnsafeMutablePointer<XMLItemCollector>.allocate(capacity: 1)
        state.initialize(to: XMLItemCollector(feed: feed, limits: limits))
        var handler = XMLItemCollector.saxHandler()
        let start = first?.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        guard let parser = xmlCreatePushParserCtxt(&handler, state, start, Int32(first?.count ?? 0), name) else {
            state.deinitialize(count: 1)
            state.deallocate()
            return nil
        }
        parser.pointee._private = UnsafeMutableRawPointer(state)
        state.pointee.parser = parser
        _ = xmlCtxtUseOptions(parser, parserOptions)
        return (parser, state)
    }

    // MARK: - Issues

    /// Whether the document holds nothing but white space and an XML declaration.
    ///
    /// libxml2's push parser calls such a document "Extra content at the end of the document",
    /// as it calls trailing junk; tell them apart from the first bytes, so that a blank file is
    /// an empty feed and an HTML error page is a malformed one.
    private func isBlankDocument() -> Bool {
        var bytes: [UInt8]
        if fileDescriptor < 0 {
            bytes = Array(window.prefix(min(end, Self.blankProbeBytes)))
        } else {
            bytes = [UInt8](repeating: 0, count: Self.blankProbeBytes)
            let count = bytes.withUnsafeMutableBytes { pread(fileDescriptor, $0.baseAddress, $0.count, 0) }
            guard count >= 0, count < Self.blankProbeBytes else { return false }
            bytes.removeSubrange(count...)
        }
        guard bytes.count < Self.blankProbeBytes else { return false }
        var text = Substring(decoding: bytes, as: UTF8.self)
        text = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        if text.hasPrefix("<?xml"), let end = text.range(of: "?>") {
            text = text[end.upperBound...]
        }
        return text.allSatisfy(\.isWhitespace)
    }

    private static let blankProbeBytes = 65_536

    private func issue(for error: XMLParserError) -> FeedIssue {
        let line = error.line > 0 ? error.line : max(1, Int(parser.pointee.input?.pointee.line ?? 1))
        let at = SourceLocation(feed: feed, line: line, column: error.column > 0 ? error.column : nil)
        if error.isEncodingError { return FeedIssue(.invalidEncoding(error.message), at: at) }
        if error.isSizeLimit { return FeedIssue(.tooLarge(error.message), at: at) }
        if error.isEmptyDocument && format.isEmpty {
            let why = "not an XML feed: no root element where one was expected (\(error.message))"
            return FeedIssue(.malformed(why), at: at)
        }
        return FeedIssue(.malformed(error.message), at: at)
    }
}

/// Whether a libxml2 string is `text`.
func xmlEqual(_ pointer: UnsafePointer<xmlChar>, _ text: StaticString) -> Bool {
    xmlStrEqual(pointer, text.utf8Start) == 1
}

enum XMLNamespace {
    static let google = "http://base.google.com/ns/1.0"
    static let atom = "http://www.w3.org/2005/Atom"
    static let googleC: StaticString = "http://base.google.com/ns/1.0"
    static let atomC: StaticString = "http://www.w3.org/2005/Atom"
}
