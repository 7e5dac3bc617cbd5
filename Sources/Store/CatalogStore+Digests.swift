import Foundation

/// The digests a generation of a feed starts from, and where they were read.
public struct LoadedDigests {
    public let digests: ItemDigests
    /// Where the feed's digest file ends, when the digests were read from it.
    let position: DigestFile.Position?

    /// Read from the feed's digest file (`DigestFile`) rather than from the `items` table.
    public var isFromFile: Bool { position != nil }
}

extension CatalogStore {
    /// Change segments a digest file takes before a snapshot replaces them: each is read every generation.
    static let maxChangeSegments = 64

    /// The digests of every item `feed` has now: from the feed's digest file when it has the database's
    /// stamp, else from the `items` table (slower: it reads every item's page).
    /// - Parameter expectedCount: about how many items there are (room is made for them up front).
    public func loadItemDigests(feed: String, expectedCount: Int = 0) throws -> LoadedDigests {
        if let directory = digestDirectory, let stamp = try digestStamp(feed: feed),
           let (builder, position) = DigestFile(directory: directory, feed: feed)
            .load(stamp: stamp, expectedCount: expectedCount) {
            return LoadedDigests(digests: ItemDigests(builder), position: position)
        }
        return LoadedDigests(digests: try itemDigests(feed: feed, expectedCount: expectedCount), position: nil)
    }

    /// Removes the digest files of feeds other than `feeds` (renamed, or taken out of the configuration), and any
    /// snapshot a crash left half written.
    public func removeDigestFiles(keeping feeds: [String]) {
        guard let directory = digestDirectory else { return }
        let kept = Set(feeds.map { DigestFile(directory: directory, feed: $0).path })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix("digests-") && (name.hasSuffix(".bin") || name.hasSuffix(".bin.tmp")) {
            let path = directory + "/" + name
            if !kept.contains(path) { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    /// Writes every item this generation leaves, in the order it read them: the table the next generation loads
    /// keeps the snapshot's order, and its readers then walk the table's arrays in step with a feed that keeps its
    /// order, whatever it is (by SKU, by date, by category). In SKU order, a feed in another order cost each row's
    /// lookup its own cache misses (a 1M incremental cycle on a shuffled feed: 1.67–2.15 s, in its order
    /// 1.24–1.49 s). Items not seen (kept when deletions were skipped) go last.
    private static func writeInFeedOrder(_ known: ItemDigests, _ changes: ItemDigests.Changes, deletesUnseen: Bool,
                                         to writer: inout DigestFile.SegmentWriter) throws {
        // Each item's key: the line it was seen on above its position, known entries first, then the created.
        let created = changes.created.count
        precondition(known.count + created < Int(UInt32.max), "a key holds the position in 32 bits")
        let key = { (line: UInt32, position: Int) in UInt64(line == 0 ? UInt32.max : line) << 32 | UInt64(position) }
        var order: [UInt64] = []
        order.reserveCapacity(known.count + created)
        for entry in 0..<known.count where !deletesUnseen || known.isSeen(entry) {
            order.append(key(known.seenMark(entry), entry))
        }
        for index in 0..<created { order.append(key(changes.createdLines[index], known.count + index)) }
        order.sort()
        // The updates in the same order, to be merged as they come.
        let updated = changes.updated.map { (key: key(known.seenMark(Int($0.entry)), Int($0.entry)), update: $0) }
            .sorted { $0.key < $1.key }
        var next = updated.startIndex
        for item in order {
            let position = Int(truncatingIfNeeded: item & 0xffff_ffff)
            guard position < known.count else {
                try changes.created.withEntry(position - known.count) {
                    try writer.add(sku: $0, rawHash: $1, fingerprint: $2)
                }
                continue
            }
            var values = (known.rawHash(position), known.fingerprint(position))
            if next < updated.endIndex, updated[next].key == item {
                values = (updated[next].update.rawHash, updated[next].update.fingerprint)
                next += 1
            }
            try known.withSKU(position) { try writer.add(sku: $0, rawHash: values.0, fingerprint: values.1) }
        }
    }

    /// The stamp the last generation that changed the feed's items set; `nil` before the first one.
    func digestStamp(feed: String) throws -> Int64? {
        try connection.statement("SELECT digest_stamp FROM feeds WHERE name = ?").bind(.text(feed))
            .firstRow { $0.optionalInt(0) } ?? nil
    }

    /// After a generation of `feed` was written (its items, then `recordFeed`): gives the feed a new digest stamp
    /// in the caller's transaction, and brings the feed's digest file to it. `changes`, and the deletion of every
    /// SKU not seen when `deletesUnseen`, are appended to the file as `loaded` read it; a new snapshot is written
    /// instead when the file was not read, or when its changes would come to more than an eighth of its snapshot
    /// or to more than `maxChangeSegments` segments. A generation that changed nothing keeps the stamp and the
    /// file as they are. A file that cannot be written is removed: the next generation reads the table.
    /// - Returns: why the file could not be written, for the log; `nil` when it was.
    @discardableResult
    public func saveItemDigests(feed: String, _ loaded: LoadedDigests, changes: ItemDigests.Changes,
                                deletesUnseen: Bool) throws -> String? {
        let known = loaded.digests
        let deletions = deletesUnseen ? known.count - known.seenCount : 0
        if loaded.isFromFile && changes.isComplete && changes.count == 0 && deletions == 0 { return nil }
        let stamp = Int64.random(in: 1...Int64.max)
        try connection.statement("UPDATE feeds SET digest_stamp = ? WHERE name = ?")
            .bind(.integer(stamp), .text(feed)).run()
        guard let directory = digestDirectory else { return nil }
        let file = DigestFile(directory: directory, feed: feed)
        do {
            if !changes.isComplete {
                // Too many to have kept (a first sync, an upgrade): what the transaction has now, from the table.
                try file.writeSnapshot(stamp: stamp) { writer in
                    try forEachItemDigest(feed: feed, inFeedOrder: true) {
                        try writer.add(sku: $0, rawHash: $1, fingerprint: $2)
                    }
                }
            } else if let position = loaded.position, position.changeSegments < Self.maxChangeSegments,
                      position.changeCount + changes.count + deletions <= position.snapshotCount / 8 {
                try file.appendChanges(at: position.length, stamp: stamp) { writer in
                    for update in changes.updated.sorted(by: { $0.entry < $1.entry }) {
                        try known.withSKU(Int(update.entry)) {
                            try writer.add(sku: $0, rawHash: update.rawHash, fingerprint: update.fingerprint)
                        }
                    }
                    try changes.created.forEach { try writer.add(sku: $0, rawHash: $1, fingerprint: $2) }
                    for entry in 0..<known.count where deletesUnseen && !known.isSeen(entry) {
                        try known.withSKU(entry) { try writer.add(sku: $0, rawHash: 0, fingerprint: 0, deleted: true) }
                    }
                }
            } else {
                try file.writeSnapshot(stamp: stamp) { writer in
                    try Self.writeInFeedOrder(known, changes, deletesUnseen: deletesUnseen, to: &writer)
                }
            }
        } catch {
            file.remove()
            return "\(error)"
        }
        return nil
    }
}
