import CLibXML2
public import Catalog
public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads one record at a time from an XML product feed: an RSS 2.0 `<item>` or an Atom 1.0 `<entry>`.
///
/// Covers Google Merchant Center's XML formats and feeds built on them (Prisjakt). libxml2's
/// streaming `xmlTextReader` does the parsing, so memory holds one item, not the document.
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
/// expansion; `XML_PARSE_HUGE` is off, so libxml2 keeps its own size and depth limits. A
/// document whose DOCTYPE declares entities, or that refers to any entity besides the five
/// predefined ones, is rejected whole: product feeds never need them, and refusing them is the
/// only policy that rules out both billion-laughs expansion and external entities (XXE). A
/// DOCTYPE without entity declarations (old RSS 0.91 exporters write one) is harmless, as its
/// external DTD is never read, so it is accepted.
///
/// Every thrown `FeedIssue` is about the whole feed (an XML stream cannot resume after an
/// error): after it, `nextRecord()` returns `nil`. Not thread-safe; use from one task at a time.
public final class XMLFeedReader: RecordSource {
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
    public private(set) var format: String = ""

    /// Never `XML_PARSE_NOENT`, `DTDLOAD`, `DTDATTR`, `DTDVALID`, `XINCLUDE` or `HUGE`.
    /// `BIG_LINES` keeps line numbers past 65535 (see `currentLine()`).
    static let parserOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue
        | XML_PARSE_BIG_LINES.rawValue)

    /// libxml2's global set-up, once per process; its global error printers silenced.
    private static let libraryIsReady: Bool = {
        xmlInitParser()
        catalogsync_xml_silence_global_errors()
        return true
    }()

    let feed: String
    let limits: Limits
    private let reader: xmlTextReaderPtr
    private let errors = XMLErrorSink()
    /// The bytes of a memory document, which libxml2 reads in place until the reader is freed.
    private let buffer: UnsafeMutableBufferPointer<UInt8>?
    private let memoryByteCount: Int
    /// The file of a file document; libxml2 does not close it.
    private let fileDescriptor: Int32
    private var isFinished = false
    private var item: XMLItemBuilder?

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
        // xmlReaderForFd rather than ForFile: one open, with its errno, and no transparent gunzip.
        guard let reader = xmlReaderForFd(descriptor, url.path, nil, Self.parserOptions) else {
            close(descriptor)
            throw FeedIssue(.unreadable("libxml2 could not start reading \(url.path)"), at: start)
        }
        self.feed = feed
        self.limits = limits
        self.reader = reader
        self.buffer = nil
        self.memoryByteCount = 0
        self.fileDescriptor = descriptor
        installErrorHandler()
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
        let start = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
        guard let reader = xmlReaderForMemory(start, Int32(bytes.count), feed, nil, Self.parserOptions) else {
            buffer.deallocate()
            throw FeedIssue(.unreadable("libxml2 could not start reading the document"),
                            at: SourceLocation(feed: feed, line: 1))
        }
        self.feed = feed
        self.limits = limits
        self.reader = reader
        self.buffer = buffer
        self.memoryByteCount = bytes.count
        self.fileDescriptor = -1
        installErrorHandler()
    }

    deinit {
        xmlFreeTextReader(reader)
        if fileDescriptor >= 0 { close(fileDescriptor) }
        buffer?.deallocate()
    }

    /// Reads the next item or entry.
    ///
    /// - Returns: The next record, its line that of the item's start tag; `nil` at the end of the
    ///   feed, at once when the document has no items or is empty (the caller decides whether
    ///   that is an empty feed), and after any thrown issue.
    /// - Throws: `FeedIssue` for the whole feed: `.malformed` with libxml2's message at its line
    ///   and column (bad syntax, a document cut short, entities, nesting deeper than
    ///   `limits.maxDepth`), `.invalidEncoding`, or `.tooLarge`.
    public func nextRecord() throws(FeedIssue) -> FeedRecord? {
        guard !isFinished else { return nil }
        // libxml2's global handlers are per thread, and a task may resume on another thread.
        catalogsync_xml_silence_global_errors()
        do throws(FeedIssue) {
            while true {
                let status = xmlTextReaderRead(reader)
                // A fatal error makes the reader fail, and is thrown then. Recoverable errors (an
                // undeclared namespace prefix) do not stop the reader, so throw them at once.
                if let error = errors.first, status != 1 || !error.isFatal {
                    if error.isEmptyDocument && format.isEmpty && isBlankDocument() {
                        isFinished = true
                        return nil
                    }
                    throw issue(for: error)
                }
                guard status == 1 else {
                    if status < 0 {
                        throw FeedIssue(.malformed("libxml2 could not read the document"), at: location())
                    }
                    if item != nil {
                        throw FeedIssue(.malformed("the document ends inside an item"), at: location())
                    }
                    isFinished = true
                    return nil
                }
                if let record = try visitNode() { return record }
            }
        } catch {
            isFinished = true
            item = nil
            var fatal = error
            fatal.isFatal = true  // the XML stream cannot be resumed: the feed is rejected whole
            throw fatal
        }
    }

    // MARK: - Nodes

    private func visitNode() throws(FeedIssue) -> FeedRecord? {
        switch xmlTextReaderNodeType(reader) {
        case XMLNodeType.element:
            return try startElement()
        case XMLNodeType.endElement:
            return try endElement()
        case XMLNodeType.text, XMLNodeType.cdata, XMLNodeType.whitespace, XMLNodeType.significantWhitespace:
            if item != nil, let value = xmlTextReaderConstValue(reader) {
                try item!.appendText(value, limits: limits, at: location())
            }
        case XMLNodeType.documentType:
            if declaresEntities() {
                throw FeedIssue(.malformed("the DOCTYPE declares entities; XML feeds with entity declarations are "
                    + "refused (no entity expansion, no external entities)"), at: location())
            }
        case XMLNodeType.entityReference:
            let name = xmlString(xmlTextReaderConstName(reader)) ?? "?"
            throw FeedIssue(.malformed("entity reference &\(name); refused: only &amp; &lt; &gt; &quot; &apos; and "
                + "character references are allowed"), at: location())
        default:
            break
        }
        return nil
    }

    private func startElement() throws(FeedIssue) -> FeedRecord? {
        let localName = xmlString(xmlTextReaderConstLocalName(reader)) ?? ""
        let namespace = xmlString(xmlTextReaderConstNamespaceUri(reader))
        let prefix = xmlString(xmlTextReaderConstPrefix(reader))
        let isEmpty = xmlTextReaderIsEmptyElement(reader) == 1
        if format.isEmpty {
            switch (localName, namespace) {
            case ("rss", nil): format = "rss"
            case ("feed", XMLNamespace.atom?): format = "atom"
            default:
                let name = prefix.map { "\($0):\(localName)" } ?? localName
                throw FeedIssue(.malformed("the root element is <\(name)>; expected RSS 2.0 <rss> or Atom <feed> "
                    + "in the namespace \(XMLNamespace.atom)"), at: location())
            }
            return nil
        }
        if item != nil {
            var element = XMLItemBuilder.Element(localName: localName, namespace: namespace, prefix: prefix)
            if namespace == XMLNamespace.atom && localName == "link" {
                element.isAlternateLink = ["alternate", nil].contains(attribute("rel"))
                element.fixedValue = attribute("href")
            }
            try item!.start(element, limits: limits, at: location())
            if isEmpty { item!.end() }
            return nil
        }
        let isItem = format == "rss" ? localName == "item" && namespace == nil
            : localName == "entry" && namespace == XMLNamespace.atom
        guard isItem else { return nil }
        item = XMLItemBuilder(line: currentLine(), isAtom: format == "atom")
        return isEmpty ? finishItem() : nil
    }

    private func endElement() throws(FeedIssue) -> FeedRecord? {
        guard item != nil else { return nil }
        return item!.end() ? finishItem() : nil
    }

    private func finishItem() -> FeedRecord? {
        defer { item = nil }
        return item?.record()
    }

    // MARK: - libxml2 details

    private func installErrorHandler() {
        let context = Unmanaged.passUnretained(errors).toOpaque()
        xmlTextReaderSetStructuredErrorHandler(reader, { context, error in
            guard let context, let error else { return }
            Unmanaged<XMLErrorSink>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
        }, context)
    }

    /// The value of an attribute of the current element (the reader moves back to the element).
    private func attribute(_ name: String) -> String? {
        guard xmlTextReaderMoveToAttribute(reader, name) == 1 else { return nil }
        defer { xmlTextReaderMoveToElement(reader) }
        return xmlString(xmlTextReaderConstValue(reader))
    }

    private func declaresEntities() -> Bool {
        guard let node = xmlTextReaderCurrentNode(reader), node.pointee.type == XML_DTD_NODE else { return false }
        let dtd = UnsafeMutableRawPointer(node).assumingMemoryBound(to: xmlDtd.self).pointee
        return dtd.entities != nil || dtd.pentities != nil
    }

    /// The line of the current node: for an element, that of its start tag.
    ///
    /// The parser reads ahead of the reader, so its own line can be past the node; use the line
    /// libxml2 stored in the node. Nodes store lines in 16 bits (65535 means "or more"); with
    /// `XML_PARSE_BIG_LINES` a text node keeps the full line, counted after its own text, in
    /// `psvi`: an element's line is that of its first descendant text less the text's newlines
    /// (exact unless a start tag itself spans lines).
    private func currentLine() -> Int {
        guard let node = xmlTextReaderCurrentNode(reader), node.pointee.line > 0 else { return parserLine() }
        if node.pointee.line < 65535 { return Int(node.pointee.line) }
        return firstTextLine(in: node, levels: 5) ?? parserLine()
    }

    /// The line of `node`'s start, from the first text node found by descending first children.
    private func firstTextLine(in node: xmlNodePtr, levels: Int) -> Int? {
        guard node.pointee.type != XML_TEXT_NODE else {
            // A text node's line is counted after its text (the parser calls back at its end).
            let line = node.pointee.line < 65535
                ? Int(node.pointee.line) : node.pointee.psvi.map { Int(bitPattern: $0) }
            let newlines = node.pointee.content.map { content in
                UnsafeBufferPointer(start: content, count: strlen(content)).count { $0 == 0x0A }
            } ?? 0
            return line.map { $0 - newlines }
        }
        guard levels > 0, node.pointee.type == XML_ELEMENT_NODE, let child = node.pointee.children else { return nil }
        return firstTextLine(in: child, levels: levels - 1)
    }

    /// Whether the document holds nothing but white space and an XML declaration.
    ///
    /// libxml2's push parser calls such a document "Extra content at the end of the document",
    /// as it calls trailing junk; tell them apart from the first bytes, so that a blank file is
    /// an empty feed and an HTML error page is a malformed one.
    private func isBlankDocument() -> Bool {
        var bytes: [UInt8]
        if let buffer {
            bytes = Array(buffer.prefix(min(memoryByteCount, Self.blankProbeBytes)))
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

    private func parserLine() -> Int { max(1, Int(xmlTextReaderGetParserLineNumber(reader))) }

    /// Where the current node is, for the issues this reader raises itself (libxml2's carry their own).
    private func location() -> SourceLocation {
        SourceLocation(feed: feed, line: currentLine())
    }

    private func issue(for error: XMLErrorSink.Captured) -> FeedIssue {
        let at = SourceLocation(feed: feed, line: error.line > 0 ? error.line : parserLine(),
                                column: error.column > 0 ? error.column : nil)
        if error.isEncodingError { return FeedIssue(.invalidEncoding(error.message), at: at) }
        if error.isSizeLimit { return FeedIssue(.tooLarge(error.message), at: at) }
        if error.isEmptyDocument && format.isEmpty {
            let why = "not an XML feed: no root element where one was expected (\(error.message))"
            return FeedIssue(.malformed(why), at: at)
        }
        return FeedIssue(.malformed(error.message), at: at)
    }
}

/// Converts a libxml2 string that must not be freed (the `Const` functions).
func xmlString(_ pointer: UnsafePointer<xmlChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

enum XMLNamespace {
    static let google = "http://base.google.com/ns/1.0"
    static let atom = "http://www.w3.org/2005/Atom"
}

/// `xmlReaderTypes` as the `Int32` that `xmlTextReaderNodeType` returns.
enum XMLNodeType {
    static let element = Int32(XML_READER_TYPE_ELEMENT.rawValue)
    static let endElement = Int32(XML_READER_TYPE_END_ELEMENT.rawValue)
    static let text = Int32(XML_READER_TYPE_TEXT.rawValue)
    static let cdata = Int32(XML_READER_TYPE_CDATA.rawValue)
    static let whitespace = Int32(XML_READER_TYPE_WHITESPACE.rawValue)
    static let significantWhitespace = Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue)
    static let documentType = Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue)
    static let entityReference = Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue)
}
