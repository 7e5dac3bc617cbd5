import Foundation

/// One injected fault, as posted to `/_sandbox/faults` (WIRE.md "Sandbox control API") or given to
/// `catalogsync sandbox --faults`.
///
/// A fault matches requests by platform (all when omitted), `path_contains` (a substring of the request
/// target, query included) and `method`. Two selectors then pick which matching requests it fires on:
/// `after` N lets the first N matching requests through (it starts with the (N+1)-th), and `rate` fires
/// on each remaining one with that probability, drawn from the fault's own random generator (seeded by
/// `seed`, or by a random seed that `GET /_sandbox/faults` shows, so a run can be replayed). It fires on
/// `count` requests, or forever when `count` is omitted.
///
/// A request-level fault combines `latency_ms` with at most one of `status` (plus `retry_after`,
/// `message`), `hang` (never answer), `drop` (close the connection without answering, the request not
/// applied) and `drop_after_apply` (apply the request, then close without answering). A rejection fault
/// (`reject_skus`, `message`) stands alone and counts the write requests in which it rejected at least
/// one item; its selectors pick the requests in which it is armed.
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
    var drop = false
    var dropAfterApply = false
    /// The probability of firing on an eligible request; `nil` is always.
    var rate: Double?
    /// The seed of `random`, when `rate` is set.
    var seed: UInt64?
    /// Matching requests let through before the fault starts.
    var after = 0
    /// Matching requests seen so far.
    var seen = 0
    /// Requests left to fire on; `nil` is forever.
    var remaining: Int?
    private var random: SplitMix64?

    var isRejection: Bool { !rejectSKUs.isEmpty }

    static let keys: Set<String> = [
        "platform", "path_contains", "method", "status", "retry_after", "latency_ms",
        "reject_skus", "message", "hang", "drop", "drop_after_apply", "rate", "seed", "after", "count",
    ]

    /// Reads a fault from the control API's JSON, naming the first key that is wrong.
    init(_ json: JSON, id: Int) throws(ControlError) {
        guard let members = json.object else { throw ControlError("the fault must be a JSON object") }
        if let unknown = members.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw ControlError("unknown key \"\(unknown)\"", key: unknown)
        }
        self.id = id
        if let value = members["platform"] {
            guard let name = value.string, let platform = SandboxPlatform(rawValue: name) else {
                throw ControlError("platform must be one of meta, google, pinterest, webhook", key: "platform")
            }
            self.platform = platform
        }
        pathContains = try Self.text(members, "path_contains")
        method = try Self.text(members, "method")?.uppercased()
        message = try Self.text(members, "message")
        if let value = members["status"] {
            guard let status = value.integer, (400...599).contains(status) else {
                throw ControlError("status must be an integer from 400 to 599", key: "status")
            }
            self.status = Int(status)
        }
        if let value = members["retry_after"] {
            switch value {
            case .string(let text): retryAfter = text
            case .int(let seconds): retryAfter = String(seconds)
            default: throw ControlError("retry_after must be a string or an integer", key: "retry_after")
            }
        }
        if let value = members["latency_ms"] {
            guard let latency = value.integer, (0...600_000).contains(latency) else {
                throw ControlError("latency_ms must be an integer from 0 to 600000", key: "latency_ms")
            }
            latencyMs = Int(latency)
        }
        hang = try Self.flag(members, "hang")
        drop = try Self.flag(members, "drop")
        dropAfterApply = try Self.flag(members, "drop_after_apply")
        if let value = members["reject_skus"] {
            guard let list = value.array, !list.isEmpty, list.allSatisfy({ $0.string != nil }) else {
                throw ControlError("reject_skus must be a non-empty array of strings", key: "reject_skus")
            }
            rejectSKUs = Set(list.compactMap(\.string))
        }
        if let value = members["count"] {
            guard let count = value.integer, count > 0 else {
                throw ControlError("count must be a positive integer", key: "count")
            }
            remaining = Int(count)
        }
        if let value = members["after"] {
            guard let after = value.integer, (0...Int64(Int32.max)).contains(after) else {
                throw ControlError("after must be an integer from 0 (a number of requests)", key: "after")
            }
            self.after = Int(after)
        }
        if let value = members["rate"] {
            let number: Double? =
                switch value {
                case .int(let whole): Double(whole)
                case .double(let fraction): fraction
                default: nil
                }
            guard let rate = number, rate > 0, rate <= 1 else {
                throw ControlError("rate must be a number above 0 and at most 1", key: "rate")
            }
            self.rate = rate
        }
        if let value = members["seed"] {
            guard rate != nil else { throw ControlError("seed needs rate", key: "seed") }
            guard case .int(let seed) = value, seed >= 0 else {
                throw ControlError("seed must be a non-negative integer", key: "seed")
            }
            self.seed = UInt64(seed)
        }
        if rate != nil {
            let seed = self.seed ?? UInt64.random(in: 0...UInt64(Int64.max))
            self.seed = seed
            random = SplitMix64(seed: seed)
        }
        let kinds = [status != nil, hang, drop, dropAfterApply].filter { $0 }.count
        if isRejection && (kinds > 0 || latencyMs != nil) {
            throw ControlError(
                "reject_skus cannot be combined with status, hang, drop, drop_after_apply or latency_ms: post two faults"
            )
        }
        if kinds > 1 {
            throw ControlError("status, hang, drop and drop_after_apply exclude each other: post two faults")
        }
        if !isRejection && kinds == 0 && latencyMs == nil {
            throw ControlError("a fault needs status, latency_ms, hang, drop, drop_after_apply or reject_skus")
        }
    }

    func matches(_ platform: SandboxPlatform, method: String, target: String) -> Bool {
        (self.platform == nil || self.platform == platform) && (self.method == nil || self.method == method)
            && (pathContains.map { target.contains($0) } ?? true)
    }

    /// Counts one matching request and tells whether the selectors pick it: past `after`, then `rate`.
    mutating func selects() -> Bool {
        seen += 1
        guard seen > after else { return false }
        guard let rate, var generator = random else { return true }
        let draw = generator.nextUnit()
        random = generator
        return draw < rate
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
        if drop { members["drop"] = true }
        if dropAfterApply { members["drop_after_apply"] = true }
        if let rate { members["rate"] = .double(rate) }
        if let seed { members["seed"] = .int(Int64(bitPattern: seed)) }
        if after > 0 { members["after"] = .int(Int64(after)) }
        members["seen"] = .int(Int64(seen))
        if let remaining { members["count"] = .int(Int64(remaining)) }
        return .object(members)
    }

    private static func text(_ members: [String: JSON], _ key: String) throws(ControlError) -> String? {
        guard let value = members[key] else { return nil }
        guard let text = value.string else { throw ControlError("\(key) must be a string", key: key) }
        return text
    }

    private static func flag(_ members: [String: JSON], _ key: String) throws(ControlError) -> Bool {
        guard let value = members[key] else { return false }
        guard let flag = value.bool else { throw ControlError("\(key) must be true or false", key: key) }
        return flag
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator, so a `rate` fault can be replayed. A copy
/// of `Catalog.SplitMix64`: the sandbox depends on none of the modules whose behaviour it tests.
struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in [0, 1).
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}

/// What the faults do to one request, in order: wait, then hang, drop or answer with a status, or apply
/// the request and drop; `armedRejections` are the rejection faults whose selectors picked this request.
struct FaultEffects: Equatable {
    var latencyMs = 0
    var hang = false
    var drop = false
    var dropAfterApply = false
    var status: Int?
    var retryAfter: String?
    var message: String?
    var armedRejections: Set<Int> = []

    var isDecided: Bool { hang || drop || dropAfterApply || status != nil }
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

    /// The effects for one request. Every matching fault counts the request (`after`); each one whose
    /// selectors pick it fires: a request-level fault uses up one of its `count` (latencies add up, the
    /// first status, hang, drop or drop_after_apply wins), a rejection fault is armed for this request.
    mutating func effects(for platform: SandboxPlatform, method: String, target: String) -> FaultEffects {
        var effects = FaultEffects()
        var fired: Set<Int> = []
        for index in faults.indices where faults[index].matches(platform, method: method, target: target) {
            guard faults[index].selects() else { continue }
            let fault = faults[index]
            if fault.isRejection {
                effects.armedRejections.insert(fault.id)
                continue
            }
            fired.insert(fault.id)
            effects.latencyMs += fault.latencyMs ?? 0
            if effects.isDecided { continue }
            if fault.hang {
                effects.hang = true
            } else if fault.drop {
                effects.drop = true
            } else if fault.dropAfterApply {
                effects.dropAfterApply = true
            } else if let status = fault.status {
                effects.status = status
                effects.retryAfter = fault.retryAfter
                effects.message = fault.message
            }
        }
        consume(fired)
        return effects
    }

    /// The rejection fault armed for this request (see `effects`) naming `sku`, if any: its id and message.
    func rejection(of sku: String, armed: Set<Int>) -> (id: Int, message: String)? {
        for fault in faults where fault.isRejection && armed.contains(fault.id) && fault.rejectSKUs.contains(sku) {
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

/// A bad control API request: 400 with `{"error":"…"}`. `key` is the fault's key it is about, if one.
struct ControlError: Error, Equatable {
    var message: String
    var key: String?
    init(_ message: String, key: String? = nil) {
        self.message = message
        self.key = key
    }
}
