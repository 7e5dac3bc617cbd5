import CLibXML2
import Catalog
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Collects the fields of one `<item>` or `<entry>` as `XMLFeedReader` walks its elements.
///
/// Naming rules are documented on `XMLFeedReader`. A field is added when its element ends, and
/// only when it has no child elements, so fields come in document order of their leaves.
struct XMLItemBuilder {
    /// An element as the reader sees its start tag.
    struct Element {
        var localName: String
        var namespace: String?
        var prefix: String?
        /// Atom `<link>`: its `href`, which is its value.
        var fixedValue: String?
        /// Atom `<link>` with no `rel` or `rel="alternate"`; other links are not product links.
        var isAlternateLink = true
    }

    private struct Frame {
        var path: String
        var text = ""
        var fixedValue: String?
        var hasChildElements = false
        var isSkipped = false
    }

    let line: Int
    let isAtom: Bool
    private var fields: [FeedRecord.Field] = []
    /// The item itself, then one frame per open element inside it.
    private var frames = [Frame(path: "")]
    private var itemBytes = 0

    init(line: Int, isAtom: Bool) {
        self.line = line
        self.isAtom = isAtom
    }

    mutating func start(_ element: Element, limits: XMLFeedReader.Limits,
                        at location: SourceLocation) throws(FeedIssue) {
        guard frames.count <= limits.maxDepth else {
            throw FeedIssue(.malformed("elements nested too deep: more than \(limits.maxDepth) levels inside an item"),
                            at: location)
        }
        let parent = frames[frames.count - 1]
        frames[frames.count - 1].hasChildElements = true
        frames[frames.count - 1].text = ""  // mixed content: text beside child elements is dropped
        let name = fieldName(element, isItemChild: frames.count == 1)
        var frame = Frame(path: parent.path.isEmpty ? name : parent.path + "." + name)
        frame.fixedValue = element.fixedValue
        frame.isSkipped = parent.isSkipped || !element.isAlternateLink
        frames.append(frame)
    }

    /// Adds text (a text, CDATA or white-space node) to the innermost open element.
    mutating func appendText(_ value: UnsafePointer<xmlChar>, limits: XMLFeedReader.Limits,
                             at location: SourceLocation) throws(FeedIssue) {
        let frame = frames[frames.count - 1]
        guard frames.count > 1, !frame.hasChildElements, !frame.isSkipped, frame.fixedValue == nil else { return }
        let count = strlen(value)
        itemBytes += count
        var at = location
        at.field = frame.path
        guard frame.text.utf8.count + count <= limits.maxFieldBytes else {
            throw FeedIssue(.tooLarge("field \(frame.path) is over \(limits.maxFieldBytes) bytes"), at: at)
        }
        guard itemBytes <= limits.maxItemBytes else {
            throw FeedIssue(.tooLarge("item starting on line \(line) has over \(limits.maxItemBytes) bytes of text"),
                            at: at)
        }
        frames[frames.count - 1].text += String(cString: value)
    }

    /// Closes the innermost open element.
    ///
    /// - Returns: `true` when that was the item itself.
    @discardableResult
    mutating func end() -> Bool {
        let frame = frames.removeLast()
        guard !frames.isEmpty else { return true }
        if !frame.hasChildElements && !frame.isSkipped {
            fields.append(FeedRecord.Field(frame.path, frame.fixedValue ?? trimmingXMLSpace(frame.text)))
        }
        return false
    }

    /// The finished record, with Atom's fallbacks applied.
    func record() -> FeedRecord {
        var fields = fields
        if isAtom {
            if !fields.contains(where: { $0.name == "description" }),
                let index = fields.firstIndex(where: { $0.name == "summary" })
                    ?? fields.firstIndex(where: { $0.name == "content" }) {
                fields[index].name = "description"
            }
            if !fields.contains(where: { $0.name == "id" }),
                let index = fields.firstIndex(where: { $0.name == "atom:id" }) {
                fields[index].name = "id"
            }
        }
        return FeedRecord(line: line, fields: fields)
    }

    private func fieldName(_ element: Element, isItemChild: Bool) -> String {
        switch element.namespace {
        case nil, XMLNamespace.google?:
            return element.localName
        case XMLNamespace.atom?:
            // Provisional: becomes `id` in `record()` unless the entry has a `g:id`.
            return isAtom && isItemChild && element.localName == "id" ? "atom:id" : element.localName
        default:
            return element.prefix.map { "\($0):\(element.localName)" } ?? element.localName
        }
    }
}

/// Trims the white space of XML (space, tab, CR, LF), and nothing else: a no-break space is data.
func trimmingXMLSpace(_ text: String) -> String {
    let bytes = text.utf8
    let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
    else { return "" }
    if first == bytes.startIndex && last == bytes.index(before: bytes.endIndex) { return text }
    return String(decoding: bytes[first...last], as: UTF8.self)
}

/// Keeps the first error libxml2 reports for one reader; its callback is C, so this is a class.
final class XMLErrorSink {
    struct Captured {
        var message: String
        var domain: Int32
        var code: Int32
        var line: Int
        var column: Int

        var isFatal: Bool

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

    private(set) var first: Captured?

    func record(_ error: xmlError) {
        // Warnings do not stop a feed; recoverable errors (namespace errors) do, as malformed input.
        guard first == nil, error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let text = error.message.map { String(cString: $0) } ?? "XML error \(error.code)"
        let message = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "; ")
        first = Captured(message: message, domain: error.domain, code: error.code, line: Int(error.line),
                         column: Int(error.int2), isFatal: error.level == XML_ERR_FATAL)
    }
}
