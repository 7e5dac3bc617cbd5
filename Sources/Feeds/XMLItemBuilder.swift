import CLibXML2
import Catalog

/// Collects the fields of one `<item>` or `<entry>` from libxml2's SAX events.
///
/// Naming rules are documented on `XMLFeedReader`. A field is added when its element ends, and
/// only when it has no child elements, so fields come in document order of their leaves. Text is
/// kept as bytes and becomes a `String` once per field; names come from `XMLFieldNames`, so a
/// field name is built once per document, not once per element.
///
/// One builder serves every item of a document: its buffers are reused.
struct XMLItemBuilder {
    /// An element inside the item, while it is open (plain values: frames are pushed and popped per element).
    private struct Frame {
        var name: XMLFieldNames.ID
        var hasChildElements = false
        var isSkipped = false
        /// Atom `<link>`: the index of its `href` in `fixedValues`, which is its value; -1 for none.
        var fixedValue: Int32 = -1
    }

    let feed: String
    /// Whether an item is open.
    private(set) var isOpen = false
    /// Whether text now belongs to a field: the innermost open element is inside the item, has no child
    /// elements, is not a skipped Atom link and has no fixed value.
    private(set) var isTakingText = false
    private(set) var line = 0
    private var isAtom = false
    private var fields: [FeedRecord.Field] = []
    /// The item itself, then one frame per open element inside it.
    private var frames: [Frame] = []
    private var fixedValues: [String] = []
    /// The text of the innermost open element (text beside child elements is dropped).
    private var text = ScratchBytes()
    /// The parser's line when the current text node began (libxml2 reports text when its first run
    /// ends, and its tree builder gave text nodes that line), for issues about the text.
    private var textLine = 0
    private var itemBytes = 0
    private var names = XMLFieldNames()

    init(feed: String) {
        self.feed = feed
    }

    /// Opens an item whose start tag is on `line`.
    mutating func begin(line: Int, isAtom: Bool) {
        isOpen = true
        isTakingText = false
        self.line = line
        self.isAtom = isAtom
        fields.reserveCapacity(16)
        frames.removeAll(keepingCapacity: true)
        frames.append(Frame(name: XMLFieldNames.item))
        if !fixedValues.isEmpty { fixedValues.removeAll() }
        text.truncate(to: 0)
        itemBytes = 0
        names.beginItem()
    }

    /// Opens an element inside the item.
    ///
    /// - Parameters:
    ///   - attributes: libxml2's attribute array (localname, prefix, URI, value, end per attribute), read
    ///     for Atom's `<link>` only.
    ///   - dictionary: the parser's dictionary, which owns the name pointers that may be cached.
    mutating func start(
        localName: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?, namespace: UnsafePointer<xmlChar>?,
        attributeCount: Int, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, dictionary: xmlDictPtr?,
        limits: XMLFeedReader.Limits, line elementLine: Int
    ) throws(FeedIssue) {
        guard frames.count <= limits.maxDepth else {
            throw FeedIssue(.malformed("elements nested too deep: more than \(limits.maxDepth) levels inside an item"),
                            at: SourceLocation(feed: feed, line: elementLine))
        }
        let parent = frames.count - 1
        frames[parent].hasChildElements = true
        text.truncate(to: 0)  // mixed content: text beside child elements is dropped
        let name = names.child(of: frames[parent].name, localName: localName, prefix: prefix, namespace: namespace,
                               isAtom: isAtom, dictionary: dictionary)
        var frame = Frame(name: name)
        frame.isSkipped = frames[parent].isSkipped
        if names.isAtomLink(name) {
            // Only `<link>` with no `rel` or `rel="alternate"` is the product's link; its value is `href`.
            let rel = XMLAttributes.value(of: "rel", count: attributeCount, in: attributes)
            frame.isSkipped = frame.isSkipped || !(rel == nil || rel == "alternate")
            if let href = XMLAttributes.value(of: "href", count: attributeCount, in: attributes) {
                fixedValues.append(href)
                frame.fixedValue = Int32(fixedValues.count - 1)
            }
        }
        frames.append(frame)
        isTakingText = !frame.isSkipped && frame.fixedValue < 0
    }

    /// Adds text (a text, CDATA or white-space run) to the innermost open element.
    ///
    /// - Parameter isNewTextNode: whether this run starts a text node (libxml2 would create one),
    ///   which sets the line given to issues about the element's text.
    mutating func appendText(
        _ bytes: UnsafeBufferPointer<UInt8>, isNewTextNode: Bool, limits: XMLFeedReader.Limits, line parserLine: Int
    ) throws(FeedIssue) {
        guard isTakingText else { return }
        let frame = frames[frames.count - 1]
        if isNewTextNode { textLine = parserLine }
        itemBytes += bytes.count
        guard text.count + bytes.count <= limits.maxFieldBytes else {
            throw FeedIssue(.tooLarge("field \(names[frame.name]) is over \(limits.maxFieldBytes) bytes"),
                            at: SourceLocation(feed: feed, line: textLine, field: names[frame.name]))
        }
        guard itemBytes <= limits.maxItemBytes else {
            throw FeedIssue(.tooLarge("item starting on line \(line) has over \(limits.maxItemBytes) bytes of text"),
                            at: SourceLocation(feed: feed, line: textLine, field: names[frame.name]))
        }
        text.append(contentsOf: bytes)
    }

    /// Closes the innermost open element.
    ///
    /// - Returns: The finished record when that was the item itself.
    mutating func end() -> FeedRecord? {
        let frame = frames.removeLast()
        isTakingText = false  // the parent has a child element now
        guard !frames.isEmpty else { return record() }
        if !frame.hasChildElements && !frame.isSkipped {
            let value = frame.fixedValue >= 0
                ? fixedValues[Int(frame.fixedValue)]
                : text.withBytes { String(decoding: trimmingXMLSpace($0), as: UTF8.self) }
            fields.append(FeedRecord.Field(names[frame.name], value))
        }
        text.truncate(to: 0)
        return nil
    }

    /// The finished record, with Atom's fallbacks applied; the builder is closed and ready for the next item.
    private mutating func record() -> FeedRecord {
        isOpen = false
        isTakingText = false
        var finished: [FeedRecord.Field] = []
        swap(&finished, &fields)
        if isAtom {
            if !finished.contains(where: { $0.name == "description" }),
                let index = finished.firstIndex(where: { $0.name == "summary" })
                    ?? finished.firstIndex(where: { $0.name == "content" }) {
                finished[index].name = "description"
            }
            if !finished.contains(where: { $0.name == "id" }),
                let index = finished.firstIndex(where: { $0.name == "atom:id" }) {
                finished[index].name = "id"
            }
        }
        fields.reserveCapacity(finished.count)
        return FeedRecord(line: line, fields: finished)
    }
}

/// Field names of nested elements (`shipping.price`), built once per document and then found by the
/// parser's interned name pointers.
///
/// libxml2 interns element names, prefixes and namespace URIs in the parser's dictionary, so the
/// same element always comes with the same three pointers. Items repeat their elements in the same
/// order, so the sibling after the last one found is tried first, and hashing is the exception. A
/// name whose pointers the dictionary does not own, or past `maxCached` names (a hostile document
/// may have millions), is built each time and forgotten with its item.
struct XMLFieldNames {
    /// A cached name (0...), or an uncached one of the current item (-1, -2, ...).
    typealias ID = Int32
    /// The item itself: the parent of its children, with the empty name.
    static let item: ID = 0
    static let maxCached = 10_000

    private struct Key: Hashable {
        var parent: ID
        var localName: UnsafeRawPointer
        var prefix: UnsafeRawPointer?
        var namespace: UnsafeRawPointer?
    }

    private struct Name {
        var path: String
        var isAtomLink = false
    }

    private var cached = [Name(path: "")]
    /// Per cached name: its children so far, in the order first seen.
    private var children: [[(key: Key, id: ID)]] = [[]]
    /// Per cached name: where in `children` its next child is looked for first.
    private var nextChild = [0]
    private var ids: [Key: (id: ID, position: Int)] = [:]
    private var uncached: [Name] = []

    subscript(id: ID) -> String { id >= 0 ? cached[Int(id)].path : uncached[Int(-1 - id)].path }

    func isAtomLink(_ id: ID) -> Bool { id >= 0 ? cached[Int(id)].isAtomLink : uncached[Int(-1 - id)].isAtomLink }

    mutating func beginItem() {
        nextChild[0] = 0
        if !uncached.isEmpty { uncached.removeAll(keepingCapacity: true) }
    }

    /// The name of an element whose parent is `parent`.
    mutating func child(
        of parent: ID, localName: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?,
        namespace: UnsafePointer<xmlChar>?, isAtom: Bool, dictionary: xmlDictPtr?
    ) -> ID {
        let key = Key(parent: parent, localName: UnsafeRawPointer(localName), prefix: prefix.map(UnsafeRawPointer.init),
                      namespace: namespace.map(UnsafeRawPointer.init))
        if parent >= 0, let id = cachedChild(key) {
            nextChild[Int(id)] = 0
            return id
        }
        let local = String(cString: localName)
        let name = Self.fieldName(local: local, prefix: prefix, namespace: namespace, isAtom: isAtom,
                                  isItemChild: parent == Self.item)
        var entry = Name(path: parent == Self.item ? name : self[parent] + "." + name)
        entry.isAtomLink = namespace.map { xmlEqual($0, XMLNamespace.atomC) } == true && local == "link"
        let isInterned = [localName, prefix, namespace].allSatisfy { (pointer: UnsafePointer<xmlChar>?) in
            guard let pointer else { return true }
            return dictionary.map { xmlDictOwns($0, pointer) == 1 } ?? false
        }
        guard parent >= 0, isInterned, cached.count <= Self.maxCached else {
            uncached.append(entry)
            return ID(-uncached.count)
        }
        cached.append(entry)
        children.append([])
        nextChild.append(0)
        let id = ID(cached.count - 1)
        ids[key] = (id, children[Int(parent)].count)
        children[Int(parent)].append((key, id))
        nextChild[Int(parent)] = children[Int(parent)].count
        return id
    }

    private mutating func cachedChild(_ key: Key) -> ID? {
        let parent = Int(key.parent)
        let next = nextChild[parent]
        if next < children[parent].count && children[parent][next].key == key {
            nextChild[parent] = next + 1
            return children[parent][next].id
        }
        guard let (id, position) = ids[key] else { return nil }
        nextChild[parent] = position + 1
        return id
    }

    static func fieldName(
        local: String, prefix: UnsafePointer<xmlChar>?, namespace: UnsafePointer<xmlChar>?, isAtom: Bool,
        isItemChild: Bool
    ) -> String {
        guard let namespace else { return local }
        if xmlEqual(namespace, XMLNamespace.googleC) { return local }
        if xmlEqual(namespace, XMLNamespace.atomC) {
            // Provisional: becomes `id` in `record()` unless the entry has a `g:id`.
            return isAtom && isItemChild && local == "id" ? "atom:id" : local
        }
        return prefix.map { "\(String(cString: $0)):\(local)" } ?? local
    }
}

/// Trims the white space of XML (space, tab, CR, LF), and nothing else: a no-break space is data.
func trimmingXMLSpace(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    var start = 0
    var end = bytes.count
    while start < end && isSpace(bytes[start]) { start += 1 }
    while end > start && isSpace(bytes[end - 1]) { end -= 1 }
    return UnsafeBufferPointer(rebasing: bytes[start..<end])
}
