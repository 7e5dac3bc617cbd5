import Catalog

extension JSONScanner {
    /// Why `scanRun` stopped.
    enum RunStop {
        case endOfBuffer, quote, backslash, control, splitSequence, invalidUTF8
    }

    /// Reads a string whose opening quote is at `pos`, appending its unescaped UTF-8 to `out` while `keep`.
    ///
    /// Unescaping follows RFC 8259 §7; `\uXXXX` surrogate pairs are joined, and a lone surrogate is a record
    /// issue (it cannot be UTF-8). Raw bytes are validated as UTF-8 (Unicode Table 3-7) as they are copied.
    mutating func readString(into out: inout ScratchBytes, keep keepAtStart: Bool) throws(FeedIssue) {
        let start = mark()
        let startCount = out.count
        var keep = keepAtStart
        var pendingHigh: (unit: UInt32, at: Mark)?
        pos += 1
        while true {
            let runStart = pos
            let (end, stop) = buffer.withUnsafeBufferPointer { Self.scanRun($0, from: runStart) }
            if end > runStart {
                if let high = pendingHigh {
                    loneSurrogate(at: high.at)
                    pendingHigh = nil
                }
                if keep {
                    buffer.withUnsafeBufferPointer {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[runStart..<end]))
                    }
                    keep = checkLength(out.count - startCount, start: start)
                }
                pos = end
            }
            switch stop {
            case .endOfBuffer:
                if try !refill() { throw issue(.malformed("truncated feed: the input ends inside a string")) }
            case .quote:
                if let high = pendingHigh { loneSurrogate(at: high.at) }
                pos += 1
                return
            case .control:
                let b = buffer[pos]
                if b == 0x0A && newlineEndsRecord {
                    throw issue(.malformed("truncated line: it ends inside a string"))
                }
                let hex = (b < 0x10 ? "0" : "") + String(b, radix: 16, uppercase: true)
                throw issue(.malformed("unescaped control character U+00\(hex) in a string"))
            case .splitSequence:
                if let high = pendingHigh {
                    loneSurrogate(at: high.at)
                    pendingHigh = nil
                }
                try readSplitSequence(into: &out, keep: &keep)
                if keep { keep = checkLength(out.count - startCount, start: start) }
            case .invalidUTF8:
                record(.invalidEncoding("invalid UTF-8 byte 0x\(String(buffer[pos], radix: 16, uppercase: true)) in a string"),
                       at: mark())
                keep = false
                pos += 1
            case .backslash:
                let escape = mark()
                let unit = try readEscape()
                if unit & 0xFC00 == 0xDC00, let high = pendingHigh {
                    pendingHigh = nil
                    if keep { Self.appendUTF8(0x10000 + ((high.unit - 0xD800) << 10) + (unit - 0xDC00), to: &out) }
                } else {
                    if let high = pendingHigh {
                        loneSurrogate(at: high.at)
                        pendingHigh = nil
                    }
                    if unit & 0xFC00 == 0xD800 {
                        pendingHigh = (unit, escape)
                    } else if unit & 0xFC00 == 0xDC00 {
                        loneSurrogate(at: escape)
                    } else if keep {
                        Self.appendUTF8(unit, to: &out)
                    }
                }
                if keep { keep = checkLength(out.count - startCount, start: start) }
            }
        }
    }

    /// - Returns: whether the string is still within the limit (and so still worth keeping).
    private mutating func checkLength(_ length: Int, start: Mark) -> Bool {
        if length <= limits.maxStringBytes { return true }
        record(.tooLarge("a string longer than \(limits.maxStringBytes) bytes"), at: start)
        return false
    }

    private mutating func loneSurrogate(at mark: Mark) {
        record(.malformed("lone UTF-16 surrogate in a \\u escape"), at: mark)
    }

    /// Reads the escape whose backslash is at `pos`.
    /// - Returns: the UTF-16 code unit it stands for.
    private mutating func readEscape() throws(FeedIssue) -> UInt32 {
        let start = mark()
        pos += 1
        guard let e = try peek() else { throw issue(.malformed("truncated feed: the input ends inside a string")) }
        if e == UInt8(ascii: "u") {
            pos += 1
            var unit: UInt32 = 0
            for _ in 0..<4 {
                guard let h = try peek(), let digit = Self.hexValue(h) else {
                    throw issue(.malformed("invalid \\u escape: expected 4 hex digits"), at: start)
                }
                unit = unit << 4 | digit
                pos += 1
            }
            return unit
        }
        // An invalid escape's second byte stays unread: it may be the `\n` that ends a JSON Lines record.
        guard let unit = Self.escapedUnit(e) else {
            let shown = e >= 0x21 && e < 0x7F ? "'\\\(Character(Unicode.Scalar(e)))'" : "'\\' then \(describe(e))"
            throw issue(.malformed("invalid escape \(shown) in a string"), at: start)
        }
        pos += 1
        return unit
    }

    /// What a backslash and `e` stand for (`n`: U+000A), for every escape but `\u`; nil for an invalid escape.
    static func escapedUnit(_ e: UInt8) -> UInt32? {
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return UInt32(e)
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }

    /// Reads a UTF-8 sequence that the end of the buffer cuts in two, one byte at a time.
    private mutating func readSplitSequence(into out: inout ScratchBytes, keep: inout Bool) throws(FeedIssue) {
        let start = mark()
        let lead = buffer[pos]
        guard let shape = Self.sequenceShape(lead) else { preconditionFailure("scanRun stops only at valid leads") }
        if keep { out.append(lead) }
        pos += 1
        for k in 1..<shape.length {
            guard let b = try peek() else { throw issue(.malformed("truncated feed: the input ends inside a string")) }
            let valid = k == 1 ? (b >= shape.low && b <= shape.high) : (b & 0xC0 == 0x80)
            guard valid else {
                record(.invalidEncoding("invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true)) in a string"),
                       at: start)
                keep = false
                return
            }
            if keep { out.append(b) }
            pos += 1
        }
    }

    /// Reads a string whose opening quote is at `pos` when it is simple: no escape, no control character,
    /// valid UTF-8, within `limits.maxStringBytes`, and closed in the current chunk. The common case, made
    /// into a `String` straight from the input.
    /// - Returns: nil, with nothing consumed, for any other string (`readString` then reads it).
    mutating func readSimpleString() -> String? {
        let start = pos + 1
        return buffer.withUnsafeBufferPointer { bytes -> String? in
            let (end, stop) = Self.scanRun(bytes, from: start)
            guard stop == .quote, end - start <= limits.maxStringBytes else { return nil }
            pos = end + 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }

    /// Like `readSimpleString()`, appending the string's bytes to `out` instead (keys, onto the path).
    /// - Returns: false, with nothing consumed, for a string that is not simple.
    mutating func appendSimpleString(to out: inout ScratchBytes) -> Bool {
        let start = pos + 1
        return buffer.withUnsafeBufferPointer { bytes -> Bool in
            let (end, stop) = Self.scanRun(bytes, from: start)
            guard stop == .quote, end - start <= limits.maxStringBytes else { return false }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            pos = end + 1
            return true
        }
    }

    /// Scans the bytes that are copied unchanged: ASCII other than `"`, `\` and controls, and complete,
    /// valid UTF-8 sequences. This is the hot loop of the reader: plain ASCII goes 8 bytes at a time.
    /// (Little-endian loads: the first byte in memory is the lowest of the word.)
    @inline(__always)
    static func scanRun(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, RunStop) {
        var i = start
        let n = p.count
        guard let base = p.baseAddress else { return (n, .endOfBuffer) }
        while i < n {
            while i &+ 8 <= n {
                let found = attention(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                if found != 0 {
                    i &+= found.trailingZeroBitCount &>> 3  // the first byte that needs a look
                    break
                }
                i &+= 8
            }
            guard i < n else { break }
            let b = p[i]
            if b < 0x80 {
                if b == 0x22 { return (i, .quote) }
                if b == 0x5C { return (i, .backslash) }
                if b < 0x20 { return (i, .control) }
                i += 1
                continue
            }
            guard let shape = sequenceShape(b) else { return (i, .invalidUTF8) }
            if i + shape.length > n { return (i, .splitSequence) }
            let b1 = p[i + 1]
            guard b1 >= shape.low && b1 <= shape.high else { return (i, .invalidUTF8) }
            if shape.length > 2 {
                guard p[i + 2] & 0xC0 == 0x80 else { return (i, .invalidUTF8) }
                if shape.length > 3 {
                    guard p[i + 3] & 0xC0 == 0x80 else { return (i, .invalidUTF8) }
                }
            }
            i += shape.length
        }
        return (n, .endOfBuffer)
    }

    /// The high bit of each of 8 bytes (loaded little-endian) that may be a `"`, a `\\`, a control character
    /// or a non-ASCII byte; 0 when none is. The lowest bit set is exact: borrows only carry upwards.
    @inline(__always)
    static func attention(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        // (x - 0x01…) & ~x & 0x80… marks the zero bytes of x; with 0x20… it marks the bytes below 0x20.
        let found = ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
            | ((word &- ones &* 0x20) & ~word) | word
        return found & highs
    }

    /// A UTF-8 lead byte's sequence length and the range allowed for its second byte (Unicode Table 3-7,
    /// which rules out overlong forms, surrogates and code points above U+10FFFF); nil for a byte that
    /// cannot start a sequence.
    @inline(__always)
    static func sequenceShape(_ lead: UInt8) -> (length: Int, low: UInt8, high: UInt8)? {
        switch lead {
        case 0xC2...0xDF: return (2, 0x80, 0xBF)
        case 0xE0: return (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE, 0xEF: return (3, 0x80, 0xBF)
        case 0xED: return (3, 0x80, 0x9F)
        case 0xF0: return (4, 0x90, 0xBF)
        case 0xF1...0xF3: return (4, 0x80, 0xBF)
        case 0xF4: return (4, 0x80, 0x8F)
        default: return nil
        }
    }

    static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// Appends a scalar value (never a surrogate) as UTF-8.
    static func appendUTF8(_ scalar: UInt32, to out: inout ScratchBytes) {
        switch scalar {
        case ..<0x80:
            out.append(UInt8(scalar))
        case ..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
