#if canImport(Glibc)
import Glibc
#endif

/// Finds where each item of an XML feed lies in its bytes, without parsing it, so that `XMLFeedReader` can hash an
/// item's bytes and hand libxml2 only the items that changed.
///
/// It looks at markup only: every `<` in a well-formed document starts a tag, a comment, a CDATA section or a
/// processing instruction (`<` cannot stand in text or in an attribute value), so one `memchr` per tag finds them.
/// Outside items it keeps the open elements' start tags (`context`), which decide how an item reads: its namespace
/// bindings and, through the root element, the format. An item is an element named like the format's item (`item`
/// under `<rss>`, `entry` under `<feed>` with the same prefix) and ends at the end tag that balances it.
///
/// It never judges well-formedness: libxml2 still reads every byte that is not a known item, and an item is only
/// skipped when its bytes, in the same context, are what libxml2 read before. It gives up (`.unsupported`) on what
/// it does not follow: a DOCTYPE (entities could change what bytes mean), an encoding that is not ASCII-compatible.
struct XMLItemSplitter {
    enum Step: Equatable {
        /// An item's bytes are `start..<end`; the `>` of its start tag is at `tagEnd`.
        case item(start: Int, tagEnd: Int, end: Int)
        /// Everything before `upTo` is read; what follows needs more bytes (or is the document's end).
        case needsMore(upTo: Int)
        /// The document has something the splitter does not follow: let libxml2 read the rest.
        case unsupported
    }

    /// The XML declaration (after a byte order mark, if any), then the start tag of each open element from the root
    /// on: what, beside an item's bytes, decides how libxml2 reads it. Changes only when an element outside the
    /// items opens or closes.
    private(set) var context: [UInt8] = []
    /// Bumped whenever `context` changes.
    private(set) var contextVersion = 0
    /// Where each open element's start tag begins in `context`.
    private var openTags: [Int] = []
    /// `item` or `entry` (with the root's prefix), once the root element is known.
    private(set) var itemName: [UInt8] = []
    private var hasRoot = false

    /// The next step from `position` (a window offset where the last step ended) in `bytes`.
    mutating func next(in bytes: UnsafeBufferPointer<UInt8>, from position: Int) -> Step {
        var at = position
        while true {
            guard let open = Self.find(UInt8(ascii: "<"), in: bytes, from: at) else {
                return .needsMore(upTo: bytes.count)
            }
            guard open + 1 < bytes.count else { return .needsMore(upTo: open) }
            switch bytes[open + 1] {
            case UInt8(ascii: "?"):
                guard let close = Self.find("?>", in: bytes, from: open + 2) else { return .needsMore(upTo: open) }
                if !hasRoot && open == Self.declarationStart(bytes) {
                    guard Self.isASCIICompatible(declaration: bytes[open..<close]) else { return .unsupported }
                    context.append(contentsOf: bytes[0..<(close + 2)])
                    contextVersion += 1
                }
                at = close + 2
            case UInt8(ascii: "!"):
                guard let after = Self.skipCommentOrCDATA(in: bytes, at: open) else { return .needsMore(upTo: open) }
                guard after >= 0 else { return .unsupported }
                at = after
            case UInt8(ascii: "/"):
                guard let close = Self.find(UInt8(ascii: ">"), in: bytes, from: open + 2) else {
                    return .needsMore(upTo: open)
                }
                if let last = openTags.popLast() {
                    context.removeSubrange(last...)
                    contextVersion += 1
                }
                at = close + 1
            default:
                guard let close = Self.tagEnd(in: bytes, from: open + 1) else { return .needsMore(upTo: open) }
                let isEmpty = bytes[close - 1] == UInt8(ascii: "/")
                if !hasRoot {
                    let name = bytes[Self.name(in: bytes, at: open + 1)]
                    guard beginRoot(name: name, in: bytes) else { return .unsupported }
                } else if isItemName(in: bytes, at: open + 1) {
                    if isEmpty { return .item(start: open, tagEnd: close, end: close + 1) }
                    guard let end = itemEnd(in: bytes, from: close + 1) else { return .needsMore(upTo: open) }
                    return .item(start: open, tagEnd: close, end: end)
                }
                if !isEmpty {
                    openTags.append(context.count)
                    context.append(contentsOf: bytes[open...close])
                    contextVersion += 1
                }
                at = close + 1
            }
        }
    }

    /// The item name for a root element, or `false` for a document that is neither RSS nor Atom, or that does not
    /// start as UTF-8 or another ASCII-compatible encoding.
    private mutating func beginRoot(name: Slice<UnsafeBufferPointer<UInt8>>, in bytes: UnsafeBufferPointer<UInt8>)
        -> Bool {
        hasRoot = true
        guard bytes.count >= 1, bytes[0] != 0, bytes[0] != 0xFE, bytes[0] != 0xFF else { return false }
        if name.elementsEqual("rss".utf8) {
            itemName = Array("item".utf8)
        } else if name.elementsEqual("feed".utf8) {
            itemName = Array("entry".utf8)
        } else if let colon = name.firstIndex(of: UInt8(ascii: ":")), name[(colon + 1)...].elementsEqual("feed".utf8) {
            itemName = Array(name[...colon]) + Array("entry".utf8)
        } else {
            return false
        }
        return true
    }

    /// The end (past its `>`) of the item whose start tag ends before `position`, or `nil` when `bytes` stops first.
    private func itemEnd(in bytes: UnsafeBufferPointer<UInt8>, from position: Int) -> Int? {
        var depth = 1
        var at = position
        while let open = Self.find(UInt8(ascii: "<"), in: bytes, from: at), open + 1 < bytes.count {
            switch bytes[open + 1] {
            case UInt8(ascii: "/"):
                // Another element's end tag holds no `<` before its `>`: the next search steps over it.
                guard isItemName(in: bytes, at: open + 2) else {
                    at = open + 2
                    continue
                }
                guard let close = Self.find(UInt8(ascii: ">"), in: bytes, from: open + 2) else { return nil }
                depth -= 1
                if depth == 0 { return close + 1 }
                at = close + 1
            case UInt8(ascii: "!"):
                // A DOCTYPE inside an item is malformed; libxml2 finds that when it reads the item.
                guard let after = Self.skipCommentOrCDATA(in: bytes, at: open) else { return nil }
                at = after >= 0 ? after : open + 2
            case UInt8(ascii: "?"):
                guard let close = Self.find("?>", in: bytes, from: open + 2) else { return nil }
                at = close + 2
            default:
                if isItemName(in: bytes, at: open + 1) {
                    guard let close = Self.tagEnd(in: bytes, from: open + 1) else { return nil }
                    if bytes[close - 1] != UInt8(ascii: "/") { depth += 1 }
                    at = close + 1
                } else {
                    at = open + 1
                }
            }
        }
        return nil
    }

    // MARK: - Bytes

    /// Whether the element name at `position` is `itemName` (as `name(in:at:)` would cut it).
    private func isItemName(in bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        let count = itemName.count
        // The first byte alone turns away most tags (an item's fields), without a call to memcmp.
        guard count > 0, position + count <= bytes.count, bytes[position] == itemName[0],
              itemName.withUnsafeBytes({ memcmp(bytes.baseAddress! + position, $0.baseAddress!, count) }) == 0
        else { return false }
        guard position + count < bytes.count else { return true }
        let after = bytes[position + count]
        return after == UInt8(ascii: ">") || after == UInt8(ascii: "/") || after <= 0x20
    }

    /// Where an XML declaration would start: 0, or 3 after a UTF-8 byte order mark.
    private static func declarationStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// Whether a declaration's `encoding` (none means UTF-8) keeps `<`, `>` and quotes as their ASCII bytes in every
    /// character: UTF-8, ASCII, ISO-8859-n, Windows-125n.
    private static func isASCIICompatible(declaration: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let text = String(decoding: declaration, as: UTF8.self).lowercased()
        guard let key = text.range(of: "encoding") else { return true }
        let rest = text[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" || $0 == "\"" || $0 == "'" }
        let encoding = rest.prefix { $0 != "\"" && $0 != "'" }
        return ["utf-8", "utf8", "us-ascii", "ascii", "latin1"].contains(encoding)
            || encoding.hasPrefix("iso-8859-") || encoding.hasPrefix("windows-125") || encoding.hasPrefix("cp125")
    }

    /// After a comment or CDATA section starting at `open` (`<!`): its end; -1 for any other `<!` (a DOCTYPE);
    /// `nil` when `bytes` stop before it can be told or before it ends.
    private static func skipCommentOrCDATA(in bytes: UnsafeBufferPointer<UInt8>, at open: Int) -> Int? {
        if starts(bytes, at: open, with: "<!--") {
            return find("-->", in: bytes, from: open + 4).map { $0 + 3 }
        }
        if starts(bytes, at: open, with: "<![CDATA[") {
            return find("]]>", in: bytes, from: open + 9).map { $0 + 3 }
        }
        return bytes.count - open < 9 ? nil : -1
    }

    /// The `>` that ends a start tag whose name begins at `position`, past quoted attribute values.
    private static func tagEnd(in bytes: UnsafeBufferPointer<UInt8>, from position: Int) -> Int? {
        var at = position
        while at < bytes.count {
            switch bytes[at] {
            case UInt8(ascii: ">"):
                return at
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard let close = find(bytes[at], in: bytes, from: at + 1) else { return nil }
                at = close + 1
            default:
                at += 1
            }
        }
        return nil
    }

    /// The element name starting at `position`: up to white space, `/` or `>`.
    private static func name(in bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Range<Int> {
        var end = position
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte <= 0x20 { break }
            end += 1
        }
        return position..<end
    }

    static func starts(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, with prefix: StaticString)
        -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        return memcmp(bytes.baseAddress! + position, prefix.utf8Start, count) == 0
    }

    static func find(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from position: Int) -> Int? {
        guard position < bytes.count, let base = bytes.baseAddress else { return nil }
        // Most searches end within a few dozen bytes (the next tag of an item): 8 bytes at a time inline first
        // (SWAR, as in `CSVScanner.skipPlainWords`), then memchr, which is faster over long text but costs a call.
        let ones: UInt64 = 0x0101_0101_0101_0101
        let pattern = ones &* UInt64(byte)
        var at = position
        let nearEnd = min(bytes.count, position + 64)
        while at + 8 <= nearEnd {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self)) ^ pattern
            let zeros = (word &- ones) & ~word & 0x8080_8080_8080_8080  // the lowest set bit is exact
            if zeros != 0 { return at + zeros.trailingZeroBitCount >> 3 }
            at += 8
        }
        guard let found = memchr(base + at, Int32(byte), bytes.count - at) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private static func find(_ text: StaticString, in bytes: UnsafeBufferPointer<UInt8>, from position: Int) -> Int? {
        let first = text.utf8Start.pointee
        var at = position
        while let candidate = find(first, in: bytes, from: at) {
            if starts(bytes, at: candidate, with: text) { return candidate }
            guard candidate + text.utf8CodeUnitCount <= bytes.count else { return nil }
            at = candidate + 1
        }
        return nil
    }
}
