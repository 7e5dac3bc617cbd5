import Foundation

/// Faults to start a sandbox with, from `catalogsync sandbox --faults SPEC`; each becomes a fault of the
/// control API, as if posted to `/_sandbox/faults` in order (so `POST /_sandbox/reset` clears them too).
///
/// `SPEC` is a comma-separated list of items. An item is either `@FILE`, a JSON file holding one fault
/// object or an array of them (the control API's bodies), or a compact fault:
///
///     FAULT   = TARGET *( ":" PART )
///     TARGET  = "meta" / "google" / "pinterest" / "webhook" / "*"        ; "*": every platform
///     PART    = STATUS / "drop" / "drop_after_apply" / "hang" / KEY "=" VALUE
///     STATUS  = 400…599
///     KEY     = "rate" (0 < r ≤ 1) / "seed" (integer) / "after" (requests let through) / "count"
///             / "retry_after" / "latency" (200ms, 1.5s; a bare number is ms) / "path" (a substring of
///             the request target) / "method" / "message" / "reject" (SKUs joined by "|")
///
/// e.g. `meta:429:rate=0.3:retry_after=1,google:503:count=5,pinterest:drop:after=10,google:latency=200ms`.
/// A value cannot hold `,` or `:`; use a JSON file for those.
public struct SandboxFaults: Sendable, Equatable {
    /// Each fault as its control API body, already checked.
    let bodies: [JSON]

    /// How many faults the spec holds.
    public var count: Int { bodies.count }

    /// Each fault as its compact control API JSON (for a log line).
    public var descriptions: [String] { bodies.map { String(decoding: $0.data, as: UTF8.self) } }

    /// Parses a `--faults` spec, reading `@FILE` items relative to the current folder.
    ///
    /// - Throws: `SandboxFaultSpecError` naming the first bad item or part.
    public init(_ spec: String) throws(SandboxFaultSpecError) {
        let items = spec.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard items.contains(where: { !$0.isEmpty }) else {
            throw SandboxFaultSpecError(fault: spec, part: spec, message: "the spec names no fault")
        }
        var bodies: [JSON] = []
        for item in items {
            guard !item.isEmpty else {
                throw SandboxFaultSpecError(fault: spec, part: item, message: "an empty fault (a comma too many?)")
            }
            if item.hasPrefix("@") {
                bodies += try Self.file(item)
            } else {
                bodies.append(try Self.compact(item))
            }
        }
        self.bodies = bodies
    }

    private static let keys = [
        "rate", "seed", "after", "count", "retry_after", "latency", "path", "method", "message", "reject",
    ]

    /// One compact fault: `TARGET:PART:PART…`.
    static func compact(_ item: String) throws(SandboxFaultSpecError) -> JSON {
        func failure(_ part: String, _ message: String) -> SandboxFaultSpecError {
            SandboxFaultSpecError(fault: item, part: part, message: message)
        }
        let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var members: [String: JSON] = [:]
        var partOfKey: [String: String] = [:]  // which part set each control API key, to name it on error
        func set(_ key: String, _ value: JSON, from part: String) throws(SandboxFaultSpecError) {
            if let earlier = partOfKey[key] { throw failure(part, "repeats \"\(earlier)\"") }
            members[key] = value
            partOfKey[key] = part
        }
        switch parts[0] {
        case "*": break
        case let name where SandboxPlatform(rawValue: name) != nil: try set("platform", .string(name), from: name)
        default:
            throw failure(parts[0], "not a platform: a fault starts with meta, google, pinterest, webhook or *")
        }
        for part in parts.dropFirst() {
            if part.isEmpty { throw failure(item, "an empty part (a colon too many?)") }
            if part.allSatisfy({ $0.isASCII && $0.isNumber }) {
                try set("status", .int(Int64(part) ?? 0), from: part)
                continue
            }
            if ["drop", "drop_after_apply", "hang"].contains(part) {
                try set(part, true, from: part)
                continue
            }
            guard let equals = part.firstIndex(of: "=") else {
                throw failure(part, "not a status (400-599), drop, drop_after_apply, hang or KEY=VALUE")
            }
            let key = String(part[..<equals])
            let value = String(part[part.index(after: equals)...])
            switch key {
            case "rate":
                guard let rate = Double(value), rate.isFinite else {
                    throw failure(part, "rate must be a number above 0 and at most 1")
                }
                try set("rate", .double(rate), from: part)
            case "seed", "after", "count":
                guard let number = Int64(value) else { throw failure(part, "\(key) must be a whole number") }
                try set(key, .int(number), from: part)
            case "latency":
                guard let milliseconds = duration(value) else {
                    throw failure(part, "latency must be a duration such as 200ms or 1.5s")
                }
                try set("latency_ms", .int(milliseconds), from: part)
            case "retry_after", "method", "message":
                guard !value.isEmpty else { throw failure(part, "\(key) needs a value") }
                try set(key, .string(value), from: part)
            case "path":
                guard !value.isEmpty else { throw failure(part, "path needs a value") }
                try set("path_contains", .string(value), from: part)
            case "reject":
                let skus = value.split(separator: "|").map { JSON.string(String($0)) }
                guard !skus.isEmpty else { throw failure(part, "reject needs SKUs, joined by |") }
                try set("reject_skus", .array(skus), from: part)
            default:
                throw failure(part, "unknown key \"\(key)\": the keys are \(keys.joined(separator: ", "))")
            }
        }
        let body = JSON.object(members)
        do {
            _ = try Fault(body, id: 0)
        } catch {
            throw failure(error.key.flatMap { partOfKey[$0] } ?? item, error.message)
        }
        return body
    }

    /// `200ms`, `1.5s`, `2s` or a bare number of milliseconds, in whole milliseconds.
    static func duration(_ text: String) -> Int64? {
        var number = Substring(text)
        var scale = 1.0
        if number.hasSuffix("ms") {
            number = number.dropLast(2)
        } else if number.hasSuffix("s") {
            number = number.dropLast()
            scale = 1000
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale <= 1e9 else { return nil }
        return Int64((value * scale).rounded())
    }

    /// `@FILE`: a JSON file holding one fault object or an array of them.
    static func file(_ item: String) throws(SandboxFaultSpecError) -> [JSON] {
        let path = String(item.dropFirst())
        func failure(_ message: String) -> SandboxFaultSpecError {
            SandboxFaultSpecError(fault: item, part: item, message: message)
        }
        guard !path.isEmpty else { throw failure("@ needs a file name") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("cannot read the file \(path)")
        }
        guard let json = JSON.parse(data) else { throw failure("\(path) is not JSON") }
        let faults = json.array ?? [json]
        guard !faults.isEmpty else { throw failure("\(path) holds no fault") }
        for (index, fault) in faults.enumerated() {
            do {
                _ = try Fault(fault, id: 0)
            } catch {
                throw failure("fault \(index + 1) of \(faults.count): \(error.message)")
            }
        }
        return faults
    }
}

/// A bad `--faults` spec: names the fault item and the part of it that is wrong.
public struct SandboxFaultSpecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The comma-separated item (the whole spec when it names no fault).
    public var fault: String
    /// The part of `fault` that is wrong (`rate=2`), or `fault` itself.
    public var part: String
    public var message: String

    public var description: String {
        part == fault ? "\"\(fault)\": \(message)" : "\"\(part)\" in \"\(fault)\": \(message)"
    }
}
