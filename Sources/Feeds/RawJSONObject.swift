import Catalog

/// A JSON object's source text, read without building its record: enough to find one attribute's value.
///
/// For an object that is valid JSON, `value(ofAttribute:names:)` gives exactly what `FeedRecord.value(ofAttribute:)`
/// gives for the record `JSONFeedReader` makes of it, or nil where that is not certain without decoding. Only a
/// top-level member can name an attribute: a nested value's field name has a `.` or `[` in it (`shipping.price`),
/// except under the empty key (`{"": {"id": 1}}` reads as `id`), which is therefore left to decoding.
/// The text is read only up to the member found. For an object that is not valid JSON the value means nothing,
/// but no harm comes of it: the ingest skips a record only when its digest is one stored for an offer, and
/// bytes that once decoded into an offer decode the same again.
struct RawJSONObject {
    /// From the `{` to the end of the object or further (a JSON Lines line).
    let bytes: UnsafeBufferPointer<UInt8>

    /// The first non-empty value, trimmed, of the members `RowFields.key` reads as `attribute`; nil when none
    /// is found before one whose value is not a string or a number, or before anything unusual.
    func value(ofAttribute attribute: String, names: inout JSONAttributeNames) -> String? {
        guard !attribute.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "[") }) else {
            return nil
        }
        var i = 0
        guard token(&i) == UInt8(ascii: "{") else { return nil }
        i += 1
        var position = 0
        while true {
            guard token(&i) == UInt8(ascii: "\""), let key = stringEnd(from: i) else { return nil }
            let name = UnsafeBufferPointer(rebasing: bytes[(i + 1)..<key.end])
            i = key.end + 1
            guard token(&i) == UInt8(ascii: ":") else { return nil }
            i += 1
            guard let first = token(&i), !(name.isEmpty && first == UInt8(ascii: "{")) else { return nil }
            guard let isAttribute = names.isAttribute(name, hasEscapes: key.hasEscapes, at: position,
                                                      attribute: attribute) else { return nil }
            if !isAttribute {
                guard skipValue(&i) else { return nil }
            } else if first == UInt8(ascii: "\"") {
                guard let end = stringEnd(from: i),
                      let value = Self.trimmed(UnsafeBufferPointer(rebasing: bytes[(i + 1)..<end.end]),
                                               hasEscapes: end.hasEscapes) else { return nil }
                if !value.isEmpty { return value }
                i = end.end + 1
            } else {
                return number(at: i)
            }
            position += 1
            guard token(&i) == UInt8(ascii: ",") else { return nil }  // `}`: no such member
            i += 1
        }
    }

    /// Skips JSON white space; the next byte, or nil at the end.
    private func token(_ i: inout Int) -> UInt8? {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D, 0x0A: i += 1
            default: return bytes[i]
            }
        }
        return nil
    }

    /// The closing quote of the string whose opening quote is at `start`, and whether it has escapes; nil for
    /// a string that is not closed, holds a control character or invalid UTF-8.
    private func stringEnd(from start: Int) -> (end: Int, hasEscapes: Bool)? {
        var i = start + 1
        var hasEscapes = false
        while i <= bytes.count {
            let (end, stop) = JSONScanner.scanRun(bytes, from: i)
            switch stop {
            case .quote: return (end, hasEscapes)
            case .backslash:
                hasEscapes = true
                i = end + 2  // past the escaped byte, which may be a quote; `\uXXXX`'s digits are plain bytes
            default: return nil
            }
        }
        return nil
    }

    /// Skips the value at `i`, without checking more than where it ends.
    private func skipValue(_ i: inout Int) -> Bool {
        let start = i
        switch bytes[i] {
        case UInt8(ascii: "\""):
            guard let string = stringEnd(from: i) else { return false }
            i = string.end + 1
            return true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let string = stringEnd(from: i) else { return false }
                    i = string.end
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return true
                    }
                default:
                    break
                }
                i += 1
            }
            return false
        default:  // a number or a literal
            while i < bytes.count, !Self.endsScalar(bytes[i]) { i += 1 }
            return i > start
        }
    }

    /// The number at `start`, as its source text, when it is one (RFC 8259 §6) and a member ends after it.
    private func number(at start: Int) -> String? {
        var i = start
        func digits() -> Bool {
            let first = i
            while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            return i > first
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if !digits() {
            return nil
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() else { return nil }
        }
        if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() else { return nil }
        }
        guard i < bytes.count, Self.endsScalar(bytes[i]), bytes[i] != UInt8(ascii: "]") else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }

    /// White space or a byte that ends a member or an element.
    private static func endsScalar(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"): return true
        default: return false
        }
    }

    /// A string's value trimmed as `FeedRecord.value(ofAttribute:)` trims it (maybe empty); nil for text that
    /// does not decode.
    static func trimmed(_ raw: UnsafeBufferPointer<UInt8>, hasEscapes: Bool) -> String? {
        // Printable ASCII at both ends cannot be (or end) a white-space Character: nothing to trim.
        if !hasEscapes, let first = raw.first, let last = raw.last, first &- 0x21 < 0x5E, last &- 0x21 < 0x5E {
            return String(decoding: raw, as: UTF8.self)
        }
        return text(raw, hasEscapes: hasEscapes).map { String(Substring($0).trimmingSpaces()) }
    }

    /// A string's text from its bytes between the quotes (checked by `JSONScanner.scanRun`), unescaped as
    /// `JSONScanner.readString` unescapes it; nil for an invalid escape or a lone surrogate.
    static func text(_ raw: UnsafeBufferPointer<UInt8>, hasEscapes: Bool) -> String? {
        guard hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        var out = ScratchBytes()
        var high: UInt32?
        var i = 0
        while i < raw.count {
            guard raw[i] == UInt8(ascii: "\\") else {
                guard high == nil else { return nil }
                out.append(raw[i])
                i += 1
                continue
            }
            guard i + 1 < raw.count else { return nil }
            var unit: UInt32 = 0
            if raw[i + 1] == UInt8(ascii: "u") {
                guard i + 6 <= raw.count else { return nil }
                for h in raw[(i + 2)..<(i + 6)] {
                    guard let digit = JSONScanner.hexValue(h) else { return nil }
                    unit = unit << 4 | digit
                }
                i += 6
            } else {
                guard let escaped = JSONScanner.escapedUnit(raw[i + 1]) else { return nil }
                unit = escaped
                i += 2
            }
            switch unit & 0xFC00 {
            case 0xD800:
                guard high == nil else { return nil }
                high = unit
            case 0xDC00:
                guard let pending = high else { return nil }
                JSONScanner.appendUTF8(0x10000 + ((pending - 0xD800) << 10) + (unit - 0xDC00), to: &out)
                high = nil
            default:
                guard high == nil else { return nil }
                JSONScanner.appendUTF8(unit, to: &out)
            }
        }
        return high == nil ? out.string() : nil
    }
}

/// Which raw keys `RowFields.key` reads as an attribute, remembered by position: a feed's records mostly have
/// the same keys in the same order, so the answer is usually a comparison of a few bytes.
struct JSONAttributeNames {
    private var attribute = ""
    private var keys: [[UInt8]] = []
    private var answers: [Bool?] = []
    private static let maxPositions = 64

    /// Whether the key whose raw bytes (between its quotes) are `raw` names `attribute`; nil when the key does
    /// not decode.
    mutating func isAttribute(_ raw: UnsafeBufferPointer<UInt8>, hasEscapes: Bool, at position: Int,
                              attribute: String) -> Bool? {
        if attribute != self.attribute {
            self.attribute = attribute
            keys.removeAll()
            answers.removeAll()
        }
        if position < keys.count && keys[position].elementsEqual(raw) { return answers[position] }
        let answer = RawJSONObject.text(raw, hasEscapes: hasEscapes).map { RowFields.key($0) == attribute }
        if position < keys.count {
            keys[position] = Array(raw)
            answers[position] = answer
        } else if position == keys.count && position < Self.maxPositions {
            keys.append(Array(raw))
            answers.append(answer)
        }
        return answer
    }
}
