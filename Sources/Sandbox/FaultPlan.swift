import Foundation

/// One injected fault, as posted to `/_sandbox/faults` (WIRE.md "Sandbox control API").
///
/// A fault matches requests by platform (all when omitted), `path_contains` (a substring of the request
/// target, query included) and `method`. It fires on `count` matching requests, or forever when `count`
/// is omitted. A request-level fault combines `latency_ms` with either `status` (plus `retry_after`,
/// `message`) or `hang`; a rejection fault (`reject_skus`, `message`) stands alone and counts the
/// write requests in which it rejected at least one item.
struct Fault: Sendable, Equatable {
    var id: Int
    var platform: SandboxPlatform?
    var pathContains: String?
    var method: String?
    var status: Int?
    var retryAfter: String?
    var latencyMs: Int?
    var rejectSKUs: Set<String> = []
    var message: String?
    var hang = false
    /// Requests left to fire on; `nil` is forever.
    var remaining: Int?

    var isRejection: Bool { !rejectSKUs.isEmpty }

    /// Reads a fault from the control API's JSON, naming the first key that is wrong.
    init(_ json: JSON, id: Int) throws(ControlError) {
        guard let members = json.object else { throw ControlError("the fault must be a JSON object") }
        let known: Set<String> = [
            "platform", "path_contains", "method", "status", "retry_after", "latency_ms",
            "reject_skus", "message", "hang", "count",
        ]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw ControlError("unknown key \"\(unknown)\"")
        }
        self.id = id
        if let value = members["platform"] {
            guard let name = value.string, let platform = SandboxPlatform(rawValue: name) else {
                throw ControlError("platform must be one of meta, google, pinterest, webhook")
            }
            self.platform = platform
        }
        pathContains = try Self.text(members, "path_contains")
        method = try Self.text(members, "method")?.uppercased()
        message = try Self.text(members, "message")
        if let value = members["status"] {
            guard let status = value.integer, (400...599).contains(status) else {
                throw ControlError("status must be an integer from 400 to 599")
            }
            self.status = Int(status)
        }
        if let value = members["retry_after"] {
            switch value {
            case .string(let text): retryAfter = text
            case .int(let seconds): retryAfter = String(seconds)
            default: throw ControlError("retry_after must be a string or an integer")
            }
        }
        if let value = members["latency_ms"] {
            guard let latency = value.integer, (0...600_000).contains(latency) else {
                throw ControlError("latency_ms must be an integer from 0 to 600000")
            }
            latencyMs = Int(latency)
        }
        if let value = members["hang"] {
            guard let hang = value.bool else { throw ControlError("hang must be true or false") }
            self.hang = hang
        }
        if let value = members["reject_skus"] {
            guard let list = value.array, !list.isEmpty, list.allSatisfy({ $0.string != nil }) else {
                throw ControlError("reject_skus must be a non-empty array of strings")
            }
            rejectSKUs = Set(list.compactMap(\.string))
        }
        if let value = members["count"] {
            guard let count = value.integer, count > 0 else { throw ControlError("count must be a positive integer") }
            remaining = Int(count)
        }
        if isRejection && (status != nil || hang || latencyMs != nil) {
            throw ControlError("reject_skus cannot be combined with status, hang or latency_ms: post two faults")
        }
        if !isRejection && status == nil && !hang && latencyMs == nil {
            throw ControlError("a fault needs status, latency_ms, hang or reject_skus")
        }
    }

    func matches(_ platform: SandboxPlatform, method: String, target: String) -> Bool {
        (self.platform == nil || self.platform == platform) && (self.method == nil || self.method == method)
            && (pathContains.map { target.contains($0) } ?? true)
    }

    var json: JSON {
        var members: [String: JSON] = ["id": .int(Int64(id))]
        if let platform { members["platform"] = .string(platform.rawValue) }
        if let pathContains { members["path_contains"] = .string(pathContains) }
        if let method { members["method"] = .string(method) }
        if let status { members["status"] = .int(Int64(status)) }
        if let retryAfter { members["retry_after"] = .string(retryAfter) }
        if let latencyMs { members["latency_ms"] = .int(Int64(latencyMs)) }
        if isRejection { members["reject_skus"] = .array(rejectSKUs.sorted().map(JSON.string)) }
        if let message { members["message"] = .string(message) }
        if hang { members["hang"] = true }
        if let remaining { members["count"] = .int(Int64(remaining)) }
        return .object(members)
    }

    private static func text(_ members: [String: JSON], _ key: String) throws(ControlError) -> String? {
        guard let value = members[key] else { return nil }
        guard let text = value.string else { throw ControlError("\(key) must be a string") }
        return text
    }
}

/// What the request-level faults do to one request, in order: wait, then hang or answer with a status.
struct FaultEffects: Equatable {
    var latencyMs = 0
    var hang = false
    var status: Int?
    var retryAfter: String?
    var message: String?
}

/// The active faults, in the order they were posted.
struct FaultPlan {
    private(set) var faults: [Fault] = []
    private var nextID = 1

    mutating func add(_ json: JSON) throws(ControlError) -> Fault {
        let fault = try Fault(json, id: nextID)
        nextID += 1
        faults.append(fault)
        return fault
    }

    mutating func removeAll() {
        faults.removeAll()
    }

    /// The request-level effects for one request; each fault that fires uses up one of its `count`.
    mutating func effects(for platform: SandboxPlatform, method: String, target: String) -> FaultEffects {
        var effects = FaultEffects()
        var fired: Set<Int> = []
        for fault in faults where !fault.isRejection && fault.matches(platform, method: method, target: target) {
            fired.insert(fault.id)
            effects.latencyMs += fault.latencyMs ?? 0
            if effects.hang || effects.status != nil { continue }  // the first hang or status wins
            if fault.hang {
                effects.hang = true
            } else if let status = fault.status {
                effects.status = status
                effects.retryAfter = fault.retryAfter
                effects.message = fault.message
            }
        }
        consume(fired)
        return effects
    }

    /// The active rejection fault naming `sku` for this request, if any: its id and message.
    func rejection(of sku: String, platform: SandboxPlatform, method: String, target: String) -> (
        id: Int, message: String
    )? {
        for fault in faults
        where fault.isRejection && fault.rejectSKUs.contains(sku)
            && fault.matches(platform, method: method, target: target)
        {
            return (fault.id, fault.message ?? "rejected by the sandbox (fault \(fault.id))")
        }
        return nil
    }

    /// Uses up one request of each fault in `ids`; faults that reach zero are removed.
    mutating func consume(_ ids: Set<Int>) {
        guard !ids.isEmpty else { return }
        for index in faults.indices where ids.contains(faults[index].id) {
            if let remaining = faults[index].remaining { faults[index].remaining = remaining - 1 }
        }
        faults.removeAll { ($0.remaining ?? 1) <= 0 }
    }
}

/// A bad control API request: 400 with `{"error":"…"}`.
struct ControlError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
