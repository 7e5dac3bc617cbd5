import CLibXML2
public import Catalog

/// `XMLFeedReader` as a `RawRecordSource`: items are found in the bytes by `XMLItemSplitter` and hashed before
/// libxml2 reads them, so an item that is byte for byte what it was (in the same context) is never parsed.
///
/// libxml2 still reads everything else, in order: the bytes between items as they are, each decoded item whole,
/// and for a skipped item a stand-in with as many line ends (`<!---->` after them, so that the line ends of many
/// skipped items do not join into one text node), so that its line numbers and checks stay those of the document.
/// Skipping is sound because an item's bytes only read differently in another context (namespace bindings,
/// encoding, format), and the context is part of its hash; and because an item's hash is only given once libxml2
/// has read an item with the same context and start tag as exactly one record on the line the splitter counted.
/// Anything the splitter does not follow (a DOCTYPE, an encoding that is not ASCII-compatible, an item over
/// `maxWindowSize`, a record libxml2 finds where the splitter saw none) makes libxml2 read the rest of the
/// document as it would without the splitter.
extension XMLFeedReader {
    /// An item the splitter found: `window[start..<end]`, its start tag ending at `tagEnd` on `line`.
    struct FoundItem {
        var start: Int
        var tagEnd: Int
        var end: Int
        var line: Int
        /// The item as libxml2 read it, once it has.
        var record: FeedRecord?
    }

    public func moveToNextRecord() throws(FeedIssue) -> Bool {
        try endingOnIssue { () throws(FeedIssue) -> Bool in
            guard !isFinished else { return false }
            if findsItems, let item = nextItem() {
                current = item
                currentDigestHolds = true
                return true
            }
            current = nil
            currentPlain = try nextParsedRecord()
            return currentPlain != nil
        }
    }

    public func currentRecord() throws(FeedIssue) -> FeedRecord {
        try endingOnIssue { () throws(FeedIssue) -> FeedRecord in
            guard let item = current else {
                guard let record = currentPlain else {
                    preconditionFailure("currentRecord() before moveToNextRecord()")
                }
                return record
            }
            if let record = item.record { return record }
            if let record = read(item) {
                current?.record = record
                return record
            }
            // Not one record as the splitter expected (a libxml2 error, most likely): libxml2 reads on, and the
            // digest given for the item does not hold.
            findsItems = false
            current = nil
            currentDigestHolds = false
            guard let record = try nextParsedRecord() else {
                throw FeedIssue(.malformed("libxml2 read no item where one starts"),
                                at: SourceLocation(feed: feed, line: item.line))
            }
            currentPlain = record
            return record
        }
    }

    public func currentDigest(seed: UInt64, attribute: String) -> (hash: UInt64, key: String)? {
        guard let item = current else {
            guard let record = currentPlain, let key = record.value(ofAttribute: attribute) else { return nil }
            return (record.digest(seed: seed), key)
        }
        guard let key = item.record?.value(ofAttribute: attribute) ?? rawKey(of: item, attribute: attribute) else {
            return nil
        }
        keyObserver?(key)
        let bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(window)[item.start..<item.end])
        return (RowHash.hash(bytes, seed: seedOfItems(seed)), key)
    }

    public var currentLine: Int { current?.line ?? currentPlain?.line ?? 0 }

    public var layout: [String] { ["xml-items-1"] }

    // MARK: - Finding items

    /// The next item, after skipping the current one if it was not read; `nil` once the splitter stops (the end of
    /// the document, or something it does not follow).
    private func nextItem() -> FoundItem? {
        if let item = current, item.record == nil {
            skip(item)
            guard readsAsExpected(records: 0) else { return stopFindingItems() }
        }
        current = nil
        while true {
            switch splitter.next(in: UnsafeBufferPointer(rebasing: window[0..<end]), from: scanned) {
            // Before `fed` are the 4 bytes the parser started with: what begins there is never an item, and the
            // splitter only stops there on a construct it cannot finish (an unterminated declaration).
            case .item(let start, _, _) where start < fed:
                return stopFindingItems()
            case .needsMore(let upTo) where upTo < fed:
                return stopFindingItems()
            case .item(let start, let tagEnd, let itemEnd):
                scanned = itemEnd
                var item = FoundItem(start: start, tagEnd: tagEnd, end: itemEnd,
                                     line: line + newlines(in: fed..<tagEnd))
                let startTag = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(window)[start...tagEnd])
                let kind = RowHash.hash(startTag, seed: UInt64(splitter.contextVersion))
                guard !checkedKinds.contains(kind) else { return item }
                // The first item of its kind is read at once, to check that libxml2 reads it as the splitter does.
                guard let record = read(item) else { return stopFindingItems() }
                checkedKinds.insert(kind)
                item.record = record
                return item
            case .needsMore(let upTo):
                feed(fed..<upTo)
                scanned = upTo
                guard readsAsExpected(records: 0), !isEOF, refill() else { return stopFindingItems() }
            case .unsupported:
                return stopFindingItems()
            }
        }
    }

    private func stopFindingItems() -> FoundItem? {
        findsItems = false
        return nil
    }

    /// Hands libxml2 the bytes up to the item and the item, and takes the one record that should come out.
    private func read(_ item: FoundItem) -> FeedRecord? {
        feed(fed..<item.end)
        guard readsAsExpected(records: 1), state.pointee.nextFinishedLine == item.line else { return nil }
        return state.pointee.nextFinishedRecord()
    }

    /// Hands libxml2 the bytes up to the item, and in the item's place its line ends and an empty comment.
    private func skip(_ item: FoundItem) {
        let itemLines = newlines(in: item.start..<item.end)
        line += newlines(in: fed..<item.start) + itemLines
        standIn.truncate(to: 0)
        standIn.append(contentsOf: UnsafeBufferPointer(rebasing: window[fed..<item.start]))
        standIn.append(repeating: UInt8(ascii: "\n"), count: itemLines)
        let comment: StaticString = "<!---->"
        standIn.append(contentsOf: UnsafeBufferPointer(start: comment.utf8Start, count: comment.utf8CodeUnitCount))
        fed = item.end
        standIn.withBytes { parse($0, isLast: false) }
    }

    private func feed(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        line += newlines(in: range)
        parse(UnsafeBufferPointer(rebasing: window[range]), isLast: false)
        fed = range.upperBound
    }

    /// Whether libxml2 has finished exactly `records` records, is outside any item and found no problem.
    private func readsAsExpected(records: Int) -> Bool {
        state.pointee.finishedCount == records && !state.pointee.isInsideItem && !state.pointee.isStopped
    }

    private func newlines(in range: Range<Int>) -> Int {
        Self.lineFeeds(in: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(window)[range]))
    }

    /// The line feeds in `bytes`, 32 bytes at a time: each lane of `counters` adds one (0 minus the all-ones
    /// lane of a match) per line feed, for at most 255 blocks before they are summed, so no lane overflows.
    static func lineFeeds(in bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let lineFeed = SIMD32<UInt8>(repeating: 0x0A)
        var count = 0
        var index = 0
        while index + 32 <= bytes.count {
            var counters = SIMD32<UInt8>()
            let last = min(bytes.count - 32, index + 254 * 32)
            while index <= last {
                let block = base.loadUnaligned(fromByteOffset: index, as: SIMD32<UInt8>.self)
                counters &-= unsafeBitCast(block .== lineFeed, to: SIMD32<UInt8>.self)
                index += 32
            }
            count += Int(SIMD32<UInt16>(truncatingIfNeeded: counters).wrappedSum())
        }
        while index < bytes.count {
            if bytes[index] == 0x0A { count += 1 }
            index += 1
        }
        return count
    }

    /// The seed of the current context's items: `seed` and the context's bytes.
    private func seedOfItems(_ seed: UInt64) -> UInt64 {
        if let cached = itemSeed, cached.seed == seed, cached.contextVersion == splitter.contextVersion {
            return cached.value
        }
        let value = splitter.context.withUnsafeBytes { RowHash.hash($0, seed: seed) }
        itemSeed = (seed, splitter.contextVersion, value)
        return value
    }

    /// The text of the item's first `<g:id>` when `attribute` is `id` and the text is plain ASCII without
    /// references; `nil` otherwise (the item is then read to be judged). A key that is not the item's id only
    /// costs a skip: an item is skipped only when its hash matches what the key's item was read from.
    private func rawKey(of item: FoundItem, attribute: String) -> String? {
        guard attribute == "id" else { return nil }
        let bytes = UnsafeBufferPointer(rebasing: window[item.start..<item.end])
        let tag: StaticString = "<g:id>"
        var at = 0
        while let open = XMLItemSplitter.find(UInt8(ascii: "<"), in: bytes, from: at) {
            at = open + 1
            guard XMLItemSplitter.starts(bytes, at: open, with: tag) else { continue }
            let textStart = open + tag.utf8CodeUnitCount
            guard let close = XMLItemSplitter.find(UInt8(ascii: "<"), in: bytes, from: textStart),
                  close + 1 < bytes.count, bytes[close + 1] == UInt8(ascii: "/") else { return nil }
            let text = trimmingXMLSpace(UnsafeBufferPointer(rebasing: bytes[textStart..<close]))
            guard !text.isEmpty, text.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "&") }) else { return nil }
            return String(decoding: text, as: UTF8.self)
        }
        return nil
    }
}
