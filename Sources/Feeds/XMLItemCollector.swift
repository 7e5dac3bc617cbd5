import CLibXML2
import Catalog
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The document level of `XMLFeedReader`: receives libxml2's SAX2 events for one document and
/// collects its items as records, in the order the parser finishes them.
///
/// libxml2 calls back while it parses a chunk, so the records of a chunk wait in `records` until
/// `XMLFeedReader.nextRecord()` returns them: memory holds one chunk's items, not the document.
/// The first problem (a libxml2 error or one of our issues) ends the events that count; what
/// came before it is still returned, then it is thrown.
///
/// Lives at a fixed address (`UnsafeMutablePointer`), which is the parser's user data.
struct XMLItemCollector {
    /// The first thing that went wrong, as libxml2 or we found it.
    enum Problem {
        case parser(XMLParserError)
        case issue(FeedIssue)
    }

    let feed: String
    let limits: XMLFeedReader.Limits
    /// Set once the parser exists, before it parses anything.
    var parser: xmlParserCtxtPtr?
    /// `"rss"` or `"atom"` once the root element has been read; `""` before.
    private(set) var format = ""
    private var item: XMLItemBuilder
    /// Records finished and not yet returned; `records[returned...]`.
    private(set) var records: [FeedRecord] = []
    private var returned = 0
    private(set) var problem: Problem?
    /// `problem != nil`, as a plain flag: every event checks it, and must not copy the problem.
    private(set) var isStopped = false
    /// Bytes of the text node libxml2's tree builder would be growing; 0 when there is none.
    private var textNodeBytes = 0
    /// Elements open in the document.
    private var depth = 0

    init(feed: String, limits: XMLFeedReader.Limits) {
        self.feed = feed
        self.limits = limits
        item = XMLItemBuilder(feed: feed)
    }

    /// Whether an item was started and not finished.
    var isInsideItem: Bool { item.isOpen }

    /// Records finished and not yet returned.
    var finishedCount: Int { records.count - returned }

    /// The line of the record `nextFinishedRecord()` would return.
    var nextFinishedLine: Int? { returned < records.count ? records[returned].line : nil }

    /// The next finished record, or nil when the chunk's records have all been returned.
    mutating func nextFinishedRecord() -> FeedRecord? {
        guard returned < records.count else { return nil }
        let record = records[returned]
        returned += 1
        if returned == records.count {  // the last one: the queue starts again, whoever reads it next
            records.removeAll(keepingCapacity: true)
            returned = 0
        }
        return record
    }

    /// Drops everything after a thrown issue.
    mutating func discard() {
        records = []
        returned = 0
        item = XMLItemBuilder(feed: feed)
    }

    /// The line the parser is on: for an element, that of its start tag (its `>`).
    var line: Int { Self.line(of: parser) }

    private static func line(of parser: xmlParserCtxtPtr?) -> Int {
        guard let input = parser?.pointee.input else { return 1 }
        return max(1, Int(input.pointee.line))
    }

    /// The parser's column, as libxml2 gives it in errors.
    private var column: Int { Int(parser?.pointee.input?.pointee.col ?? 0) }

    var location: SourceLocation { SourceLocation(feed: feed, line: line) }

    // MARK: - Events

    mutating func startElement(
        localName: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?, namespace: UnsafePointer<xmlChar>?,
        attributeCount: Int, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) throws(FeedIssue) {
        textNodeBytes = 0
        // libxml2's tree builder refuses more than xmlParserMaxDepth (256) open elements without
        // XML_PARSE_HUGE, and its push parser has no limit of its own: keep the limit.
        guard depth <= Self.maxDepth else {
            record(XMLParserError(
                message: "Excessive depth in document: \(Self.maxDepth) use XML_PARSE_HUGE option",
                domain: Int32(XML_FROM_PARSER.rawValue), code: Int32(XML_ERR_INTERNAL_ERROR.rawValue), line: line,
                column: column, isFatal: true))
            if let parser { xmlStopParser(parser) }
            return
        }
        depth += 1
        if item.isOpen {
            try item.start(localName: localName, prefix: prefix, namespace: namespace, attributeCount: attributeCount,
                           attributes: attributes, dictionary: parser?.pointee.dict, limits: limits, line: line)
            return
        }
        if format.isEmpty {
            if namespace == nil && xmlEqual(localName, "rss") {
                format = "rss"
            } else if let namespace, xmlEqual(namespace, XMLNamespace.atomC), xmlEqual(localName, "feed") {
                format = "atom"
            } else {
                let local = String(cString: localName)
                let name = prefix.map { "\(String(cString: $0)):\(local)" } ?? local
                throw FeedIssue(.malformed("the root element is <\(name)>; expected RSS 2.0 <rss> or Atom <feed> "
                    + "in the namespace \(XMLNamespace.atom)"), at: location)
            }
            return
        }
        let isItem = format == "rss" ? namespace == nil && xmlEqual(localName, "item")
            : namespace.map { xmlEqual($0, XMLNamespace.atomC) } == true && xmlEqual(localName, "entry")
        if isItem { item.begin(line: line, isAtom: format == "atom") }
    }

    mutating func endElement() {
        textNodeBytes = 0
        depth -= 1
        guard item.isOpen, let record = item.end() else { return }
        records.append(record)
    }

    /// Text, CDATA or white space.
    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) throws(FeedIssue) {
        // libxml2's tree builder refuses to grow one text node past XML_MAX_TEXT_LENGTH without
        // XML_PARSE_HUGE; the reader it replaces inherited that limit, anywhere in the document.
        let isNewTextNode = textNodeBytes == 0
        if !isNewTextNode && textNodeBytes + bytes.count > Self.maxTextNodeBytes {
            record(XMLParserError(
                message: "xmlSAX2Characters: huge text node", domain: Int32(XML_FROM_PARSER.rawValue),
                code: Int32(XML_ERR_NO_MEMORY.rawValue), line: line, column: column, isFatal: false))
            if let parser { xmlStopParser(parser) }  // as libxml2 halts after it
            return
        }
        textNodeBytes += bytes.count
        if item.isTakingText {
            try item.appendText(bytes, isNewTextNode: isNewTextNode, limits: limits, line: line)
        }
    }

    /// A comment or processing instruction: text after it is a new text node.
    mutating func otherNode() {
        textNodeBytes = 0
    }

    /// Keeps the first problem; after it, the other events do not count.
    mutating func record(_ newProblem: @autoclosure () -> Problem) {
        if !isStopped {
            problem = newProblem()
            isStopped = true
        }
    }

    mutating func record(_ error: XMLParserError) {
        record(.parser(error))
    }

    // MARK: - libxml2 details

    /// libxml2's `XML_MAX_TEXT_LENGTH`.
    static let maxTextNodeBytes = 10_000_000
    /// libxml2's `xmlParserMaxDepth`.
    static let maxDepth = 256
}

/// Attributes as libxml2's `startElementNs` hands them over.
enum XMLAttributes {
    /// The value of an attribute in no namespace, from `startElementNs`'s attribute array.
    ///
    /// Without entity substitution libxml2 hands over `&` as `&#38;` (its tree builder decodes it
    /// again); no other reference can be left in a value.
    static func value(
        of name: StaticString, count: Int, in attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) -> String? {
        guard let attributes else { return nil }
        for index in 0..<count {
            let base = index * 5  // localname, prefix, URI, value, end
            guard attributes[base + 1] == nil, let localName = attributes[base],
                xmlEqual(localName, name),
                let start = attributes[base + 3], let end = attributes[base + 4]
            else { continue }
            let bytes = UnsafeBufferPointer(start: start, count: end - start)
            return String(decoding: decodingAmpersands(bytes), as: UTF8.self)
        }
        return nil
    }

    private static func decodingAmpersands(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let escape = Array("&#38;".utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "&") && index + escape.count <= bytes.count
                && bytes[index..<(index + escape.count)].elementsEqual(escape) {
                decoded.append(UInt8(ascii: "&"))
                index += escape.count
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return decoded
    }
}

/// One error libxml2 reported (its structured `xmlError`), kept in the form issues need.
struct XMLParserError {
    var message: String
    var domain: Int32
    var code: Int32
    var line: Int
    var column: Int
    var isFatal: Bool
}

extension XMLParserError {
    /// - Returns: nil for a warning, which does not stop a feed.
    init?(_ error: xmlError) {
        // Recoverable errors (namespace errors) stop a feed too, as malformed input.
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue else { return nil }
        let text = error.message.map { String(cString: $0) } ?? "XML error \(error.code)"
        let message = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "; ")
        self.init(message: message, domain: error.domain, code: error.code, line: Int(error.line),
                  column: Int(error.int2), isFatal: error.level == XML_ERR_FATAL)
    }

    /// libxml2 says "Document is empty" for no bytes, only white space, or only a declaration.
    var isEmptyDocument: Bool {
        code == Int32(XML_ERR_DOCUMENT_EMPTY.rawValue) || code == Int32(XML_ERR_DOCUMENT_END.rawValue)
    }

    var isEncodingError: Bool {
        domain == Int32(XML_FROM_I18N.rawValue)
            || [XML_ERR_INVALID_ENCODING, XML_ERR_UNKNOWN_ENCODING, XML_ERR_UNSUPPORTED_ENCODING]
                .contains { code == Int32($0.rawValue) }
            || message.hasPrefix("Input is not proper UTF-8")
    }

    /// libxml2's own limits without `XML_PARSE_HUGE` ("xmlSAX2Characters: huge text node").
    var isSizeLimit: Bool { message.contains("huge text node") }
}

// MARK: - The SAX handler

extension XMLItemCollector {
    /// libxml2's SAX2 handler for a collector (the parser's user data).
    ///
    /// Elements, text and references come here; no tree is built. DOCTYPE declarations go to
    /// libxml2's own tree builder, which checks them (as it did when this reader used
    /// `xmlTextReader`), except entity declarations, which stop the parser at once. Errors arrive
    /// through `serror`.
    static func saxHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startDocument = { context in
            guard let parser = collector(context)?.pointee.parser else { return }
            xmlSAX2StartDocument(parser)
        }
        handler.startElementNs = { context, localName, prefix, namespace, _, _, count, defaulted, attributes in
            guard let state = collector(context), !state.pointee.isStopped, let localName else { return }
            do throws(FeedIssue) {
                // Attributes defaulted by the DTD come last; without XML_PARSE_DTDATTR they do not count.
                try state.pointee.startElement(localName: localName, prefix: prefix, namespace: namespace,
                                               attributeCount: Int(count - defaulted), attributes: attributes)
            } catch {
                state.pointee.stop(error)
            }
        }
        handler.endElementNs = { context, _, _, _ in
            guard let state = collector(context), !state.pointee.isStopped else { return }
            state.pointee.endElement()
        }
        let characters: charactersSAXFunc = { context, bytes, count in
            guard let state = collector(context), !state.pointee.isStopped, let bytes, count > 0 else { return }
            do throws(FeedIssue) {
                try state.pointee.characters(UnsafeBufferPointer(start: bytes, count: Int(count)))
            } catch {
                state.pointee.stop(error)
            }
        }
        // The same function for both, so that libxml2 does not spend time telling them apart.
        handler.characters = characters
        handler.ignorableWhitespace = characters
        handler.comment = { context, _ in collector(context)?.pointee.otherNode() }
        handler.processingInstruction = { context, _, _ in collector(context)?.pointee.otherNode() }
        handler.reference = { context, name in
            guard let state = collector(context), !state.pointee.isStopped else { return }
            let text = name.map { String(cString: $0) } ?? "?"
            state.pointee.stop(FeedIssue(.malformed("entity reference &\(text); refused: only &amp; &lt; &gt; "
                + "&quot; &apos; and character references are allowed"), at: state.pointee.location))
        }
        handler.entityDecl = { context, _, _, _, _, _ in collector(context)?.pointee.refuseEntityDeclaration() }
        handler.unparsedEntityDecl = { context, _, _, _, _ in collector(context)?.pointee.refuseEntityDeclaration() }
        handler.internalSubset = { context, name, externalID, systemID in
            guard let parser = collector(context)?.pointee.parser else { return }
            xmlSAX2InternalSubset(parser, name, externalID, systemID)
        }
        handler.elementDecl = { context, name, type, content in
            guard let parser = collector(context)?.pointee.parser else { return }
            xmlSAX2ElementDecl(parser, name, type, content)
        }
        handler.attributeDecl = { context, element, name, type, defaults, value, tree in
            guard let parser = collector(context)?.pointee.parser else {
                xmlFreeEnumeration(tree)
                return
            }
            xmlSAX2AttributeDecl(parser, element, name, type, defaults, value, tree)
        }
        handler.notationDecl = { context, name, publicID, systemID in
            guard let parser = collector(context)?.pointee.parser else { return }
            xmlSAX2NotationDecl(parser, name, publicID, systemID)
        }
        handler.serror = { data, error in
            guard let error, let problem = XMLParserError(error.pointee) else { return }
            // Most errors come with the parser's user data, but the tree builder's (DTD checks) come
            // with the parser itself: find the collector through the parser's _private.
            let parser = error.pointee.ctxt?.assumingMemoryBound(to: xmlParserCtxt.self)
            let target = parser?.pointee._private ?? (data != UnsafeMutableRawPointer(parser) ? data : nil)
            collector(target)?.pointee.record(problem)
        }
        return handler
    }

    /// Keeps our issue as the first problem and stops the parser (no point parsing on).
    mutating func stop(_ issue: FeedIssue) {
        record(.issue(issue))
        if let parser { xmlStopParser(parser) }
    }

    /// A DOCTYPE that declares entities is refused before any entity can be expanded or loaded.
    mutating func refuseEntityDeclaration() {
        guard !isStopped else { return }
        stop(FeedIssue(.malformed("the DOCTYPE declares entities; XML feeds with entity declarations are "
            + "refused (no entity expansion, no external entities)"), at: location))
    }
}

private func collector(_ context: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<XMLItemCollector>? {
    context?.assumingMemoryBound(to: XMLItemCollector.self)
}
