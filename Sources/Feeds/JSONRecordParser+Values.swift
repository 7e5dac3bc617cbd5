import Catalog

#if canImport(Glibc)
import Glibc
#endif

/// Parsing one value and flattening it into the current record's fields.
extension JSONRecordParser {
    /// Whether values are being turned into fields: inside a record that has no issue so far.
    var isKeeping: Bool { isEmitting && scanner.isRecordClean }

    /// The next byte after white space, which must exist inside `what` ("an object").
    mutating func token(inside what: String) throws(FeedIssue) -> UInt8 {
        // Compact JSON has no white space between tokens: look at the next byte first.
        if scanner.pos < scanner.buffer.count, case let b = scanner.buffer[scanner.pos], b > 0x20 { return b }
        guard let b = try scanner.skipWhitespace() else {
            throw scanner.issue(.malformed("truncated feed: the input ends inside \(what)"))
        }
        // skipWhitespace stops at a newline only in JSON Lines, where a record cannot span lines.
        if b == 0x0A { throw scanner.issue(.malformed("truncated line: it ends inside \(what)")) }
        return b
    }

    /// What a value starting with `b` is, for messages ("a number").
    func kind(of b: UInt8) -> String {
        switch b {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        default: return scanner.describe(b)
        }
    }

    /// Reads one value inside a container at nesting level `depth`.
    mutating func parseValue(depth: Int, inside what: String) throws(FeedIssue) {
        let b = try token(inside: what)
        switch b {
        case UInt8(ascii: "{"):
            try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            let keep = isKeeping
            if keep, let simple = scanner.readSimpleString() {
                emit(simple)
                return
            }
            if keep { value.truncate(to: 0) }
            try scanner.readString(into: &value, keep: keep)
            if keep { emitValue() }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let keep = isKeeping
            if keep { value.truncate(to: 0) }
            try scanner.readNumber(into: &value, keep: keep)
            if keep { emitValue() }
        case UInt8(ascii: "t"):
            try scanner.expectLiteral("true")
            emit("true")
        case UInt8(ascii: "f"):
            try scanner.expectLiteral("false")
            emit("false")
        case UInt8(ascii: "n"):
            try scanner.expectLiteral("null")
        case UInt8(ascii: "N"):
            throw scanner.issue(.malformed("NaN is not valid JSON"))
        case UInt8(ascii: "I"):
            throw scanner.issue(.malformed("Infinity is not valid JSON"))
        default:
            throw scanner.issue(.malformed("expected a value, found \(scanner.describe(b))"))
        }
    }

    private mutating func emitValue() {
        guard isKeeping else { return }
        emit(value.string())
    }

    private mutating func emit(_ text: String) {
        guard isKeeping else { return }
        fields.append(FeedRecord.Field(names.name(path, at: fields.count), text))
    }

    private func checkDepth(_ depth: Int) throws(FeedIssue) {
        if depth > scanner.limits.maxDepth {
            throw scanner.issue(.malformed("nested too deep (more than \(scanner.limits.maxDepth) levels)"))
        }
    }

    /// Reads the object whose `{` is at the current position; its members become `path.key` fields.
    mutating func parseObject(depth: Int) throws(FeedIssue) {
        try checkDepth(depth)
        scanner.pos += 1
        let prefix = path.count
        let object = keys.openObject()
        var b = try token(inside: "an object")
        if b == UInt8(ascii: "}") {
            scanner.pos += 1
            return
        }
        while true {
            guard b == UInt8(ascii: "\"") else {
                throw scanner.issue(.malformed("expected a key string, found \(scanner.describe(b))"))
            }
            if isKeeping {
                let at = scanner.mark()
                if prefix > 0 { path.append(UInt8(ascii: ".")) }
                let keyStart = path.count
                if !scanner.appendSimpleString(to: &path) { try scanner.readString(into: &path, keep: true) }
                if isKeeping && !path.withBytes(from: keyStart, { keys.insert($0, in: object) }) {
                    scanner.record(.malformed("duplicate key \"\(path.string(from: keyStart))\""), at: at,
                                   field: path.string())
                }
            } else {
                try scanner.readString(into: &value, keep: false)
            }
            b = try token(inside: "an object")
            guard b == UInt8(ascii: ":") else {
                throw scanner.issue(.malformed("expected ':' after a key, found \(scanner.describe(b))"))
            }
            scanner.pos += 1
            try parseValue(depth: depth, inside: "an object")
            path.truncate(to: prefix)
            b = try token(inside: "an object")
            if b == UInt8(ascii: "}") { break }
            guard b == UInt8(ascii: ",") else {
                throw scanner.issue(.malformed("expected ',' or '}' after a member, found \(scanner.describe(b))"))
            }
            scanner.pos += 1
            b = try token(inside: "an object")
        }
        scanner.pos += 1
        keys.close(object)
    }

    /// Reads the array whose `[` is at the current position; its elements become `path[i]` fields.
    mutating func parseArray(depth: Int) throws(FeedIssue) {
        try checkDepth(depth)
        scanner.pos += 1
        let prefix = path.count
        if try token(inside: "an array") == UInt8(ascii: "]") {
            scanner.pos += 1
            return
        }
        var index = 0
        while true {
            if isKeeping {
                path.append(UInt8(ascii: "["))
                if index < 10 {
                    path.append(UInt8(ascii: "0") + UInt8(index))
                } else {
                    path.append(contentsOf: String(index).utf8)
                }
                path.append(UInt8(ascii: "]"))
            }
            try parseValue(depth: depth, inside: "an array")
            path.truncate(to: prefix)
            index += 1
            let b = try token(inside: "an array")
            if b == UInt8(ascii: "]") { break }
            guard b == UInt8(ascii: ",") else {
                throw scanner.issue(.malformed("expected ',' or ']' after an array element, found \(scanner.describe(b))"))
            }
            scanner.pos += 1
        }
        scanner.pos += 1
    }
}

/// The keys of the objects open in the current record, to find a duplicate key in one object.
///
/// Small objects are searched linearly by hash; from 16 keys on, a set of (object, hash) takes over, so
/// an object with a million keys stays linear in time.
struct JSONKeyIndex {
    struct Object {
        var firstEntry: Int
        var firstByte: Int
        var serial: Int
    }
    private struct Entry {
        var start: Int
        var end: Int
        var hash: UInt64
    }
    private struct Stamp: Hashable {
        var object: Int
        var hash: UInt64
    }
    private static let setThreshold = 16

    private var bytes = ScratchBytes()
    private var entries: [Entry] = []
    private var stamps: Set<Stamp> = []
    private var serial = 0

    mutating func reset() {
        bytes.truncate(to: 0)
        entries.removeAll(keepingCapacity: true)
        if !stamps.isEmpty { stamps.removeAll(keepingCapacity: true) }
    }

    mutating func openObject() -> Object {
        serial += 1
        return Object(firstEntry: entries.count, firstByte: bytes.count, serial: serial)
    }

    /// Forgets the keys of `object`, which is the innermost open one.
    mutating func close(_ object: Object) {
        if entries.count > object.firstEntry {
            entries.removeSubrange(object.firstEntry...)
            bytes.truncate(to: object.firstByte)
        }
    }

    /// Adds `key` to `object`.
    /// - Returns: false when the object already has that key.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, in object: Object) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        let count = entries.count - object.firstEntry
        var mayRepeat = true
        if count >= Self.setThreshold {
            if count == Self.setThreshold {
                for entry in entries[object.firstEntry...] { stamps.insert(Stamp(object: object.serial, hash: entry.hash)) }
            }
            mayRepeat = !stamps.insert(Stamp(object: object.serial, hash: hash)).inserted
        }
        if mayRepeat {
            for entry in entries[object.firstEntry...] where entry.hash == hash {
                if bytes.withBytes(from: entry.start, { $0.prefix(entry.end - entry.start).elementsEqual(key) }) {
                    return false
                }
            }
        }
        let start = bytes.count
        bytes.append(contentsOf: key)
        entries.append(Entry(start: start, end: bytes.count, hash: hash))
        return true
    }
}

/// Field names (dot paths) as `String`s, made once per position for records that repeat their keys.
///
/// JSON Lines records usually have the same keys in the same order, so the name of the n-th field is
/// most likely the n-th name of the record before: compare the bytes and reuse its `String`.
struct JSONFieldNames {
    private var bytes: [[UInt8]] = []
    private var names: [String] = []
    /// Positions remembered; a record with more fields makes its further names each time.
    private static let maxPositions = 1024

    mutating func name(_ path: ScratchBytes, at position: Int) -> String {
        if position < names.count && Self.equal(bytes[position], path) { return names[position] }
        let name = path.string()
        if position < names.count {
            bytes[position] = path.array
            names[position] = name
        } else if position == names.count && position < Self.maxPositions {
            bytes.append(path.array)
            names.append(name)
        }
        return name
    }

    private static func equal(_ known: [UInt8], _ path: ScratchBytes) -> Bool {
        known.count == path.count && known.withUnsafeBufferPointer { known in
            path.withBytes { known.isEmpty || memcmp(known.baseAddress!, $0.baseAddress!, known.count) == 0 }
        }
    }
}
