import Foundation

/// One applied write, as `/_sandbox/history` lists it.
struct HistoryEntry: Sendable, Equatable {
    var platform: SandboxPlatform
    var sku: String
    /// The platform's own verb, lowercased: meta create|update|delete, google insert|delete,
    /// pinterest upsert|create|update|delete, webhook create|update|delete.
    var op: String
    /// Google's `versionNumber`, the webhook delta's `version`; `nil` where the platform has none.
    var version: Int64?
    /// What the write carried (Meta `data`, Google `productAttributes`, Pinterest `attributes`,
    /// webhook `values`); for an UPDATE only the fields it touched, a removed one as `null`.
    var fields: JSON
    var at: Date

    var json: JSON {
        var members: [String: JSON] = [
            "platform": .string(platform.rawValue), "sku": .string(sku),
            "op": .string(op), "fields": fields, "at": .string(Timestamp.string(at)),
        ]
        if let version { members["version"] = .int(version) }
        return .object(members)
    }
}

/// A Meta `items_batch` call, for `check_batch_request_status`.
struct MetaBatch: Sendable {
    var errors: [JSON]
    var polls = 0
}

/// A Pinterest item batch, for `GET catalogs/items/batch/{id}`.
struct PinterestBatch: Sendable {
    var items: [JSON]
    var created: Date
    var polls = 0
}

/// Where a write request came from, to match rejection faults against it.
struct WriteOrigin {
    var platform: SandboxPlatform
    var method: String
    var target: String
    /// The rejection faults whose selectors picked this request (`FaultEffects.armedRejections`).
    var armed: Set<Int>
}

/// Everything the sandbox remembers; reset by `POST /_sandbox/reset`.
struct SandboxStore {
    /// Each platform's catalogue, keyed by SKU, holding the item as the platform stores it.
    var catalogues: [SandboxPlatform: [String: JSON]] = [:]
    var history: [HistoryEntry] = []
    /// Requests received per platform and path (query left out), counted before auth and faults.
    var requestCounts: [SandboxPlatform: [String: Int]] = [:]
    var faults = FaultPlan()
    var metaBatches: [String: MetaBatch] = [:]
    /// Meta's own item ids (`"id"` in listings) by retailer id; a re-created item gets a new one.
    var metaIDs: [String: String] = [:]
    var pinterestBatches: [String: PinterestBatch] = [:]
    /// Webhook answers by `Idempotency-Key`, so a replayed delivery is answered, not applied twice.
    var webhookReplies: [String: HTTPResponse] = [:]
    private var serial = 0

    /// A number unique within this run, for handles, batch ids and Meta item ids.
    mutating func nextSerial() -> Int {
        serial += 1
        return serial
    }

    subscript(platform: SandboxPlatform, sku: String) -> JSON? {
        get { catalogues[platform]?[sku] }
        set { catalogues[platform, default: [:]][sku] = newValue }
    }

    mutating func record(_ platform: SandboxPlatform, sku: String, op: String, version: Int64? = nil, fields: JSON) {
        history.append(HistoryEntry(platform: platform, sku: sku, op: op, version: version, fields: fields, at: Date()))
    }

    /// The message of a rejection fault naming `sku` for this request; remembers the fault in `fired`.
    func rejection(of sku: String, for origin: WriteOrigin, fired: inout Set<Int>) -> String? {
        guard let hit = faults.rejection(of: sku, armed: origin.armed) else { return nil }
        fired.insert(hit.id)
        return hit.message
    }
}

/// The sandbox's memory behind one lock: every platform handler mutates it in one critical section.
final class SandboxState: @unchecked Sendable {
    private let lock = NSLock()
    private var store = SandboxStore()

    func mutate<T>(_ body: (inout SandboxStore) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&store)
    }

    func reset() {
        mutate { $0 = SandboxStore() }
    }
}

/// RFC 3339 timestamps in UTC with milliseconds, as the sandbox writes them.
enum Timestamp {
    static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }
}
