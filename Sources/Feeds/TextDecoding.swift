/// Byte-level text checks and decoders for feed bytes: UTF-8 validation, Windows-1252 and ISO-8859-1.
///
/// Works on raw buffers so that readers create a `String` only per field. Nothing here replaces or drops a
/// byte: a caller learns the offset of the first byte that cannot be decoded and reports it.
enum TextDecoding {
    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence, or `nil`.
    ///
    /// Follows RFC 3629's table (no overlong forms, no surrogates, nothing above U+10FFFF).
    /// - Parameter allowsTruncatedEnd: when `true`, a sequence cut off by the end of `bytes` is not an error,
    ///   because the rest may be in the next chunk.
    /// - Returns: the offset of the lead byte of the bad sequence (or of a stray continuation byte).
    static func firstInvalidUTF8(in bytes: UnsafeBufferPointer<UInt8>, allowsTruncatedEnd: Bool = false) -> Int? {
        let count = bytes.count
        var index = 0
        while index < count {
            // ASCII runs go 8 bytes at a time.
            if let base = bytes.baseAddress {
                while index &+ 8 <= count
                    && UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    index &+= 8
                }
                guard index < count else { break }
            }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                high = 0x9F  // U+D800...U+DFFF are surrogates
            case 0xF0:
                length = 4
                low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F  // nothing above U+10FFFF
            default: return index
            }
            for offset in 1..<length {
                guard index + offset < count else { return allowsTruncatedEnd ? nil : index }
                let byte = bytes[index + offset]
                if offset == 1 {
                    guard byte >= low && byte <= high else { return index }
                } else {
                    guard byte & 0xC0 == 0x80 else { return index }
                }
            }
            index += length
        }
        return nil
    }

    /// The offset of the first byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), or `nil`.
    static func firstUndefinedWindows1252(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        for index in bytes.indices where bytes[index] & 0xE0 == 0x80 && windows1252C1[Int(bytes[index] - 0x80)] == 0 {
            return index
        }
        return nil
    }

    /// Decodes single-byte text (Windows-1252 or ISO-8859-1) into a `String`.
    ///
    /// Undefined Windows-1252 bytes must have been rejected before (`firstUndefinedWindows1252`); here they
    /// would decode as the C1 control of the same value, as ISO-8859-1 does.
    /// - Parameter scratch: reused storage for the UTF-8 bytes, so that a record does not allocate per field.
    static func decodeSingleByte(
        _ bytes: UnsafeBufferPointer<UInt8>, isWindows1252: Bool, scratch: inout [UInt8]
    ) -> String {
        var firstHigh = bytes.count
        for index in bytes.indices where bytes[index] >= 0x80 {
            firstHigh = index
            break
        }
        if firstHigh == bytes.count { return String(decoding: bytes, as: UTF8.self) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[0..<firstHigh])
        for byte in bytes[firstHigh...] {
            var scalar = UInt32(byte)
            if isWindows1252 && byte >= 0x80 && byte < 0xA0 {
                let mapped = windows1252C1[Int(byte - 0x80)]
                if mapped != 0 { scalar = UInt32(mapped) }
            }
            appendUTF8(scalar, to: &scratch)
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Appends the UTF-8 form of a scalar from the Basic Multilingual Plane.
    @inline(__always)
    static func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
        if scalar < 0x80 {
            bytes.append(UInt8(scalar))
        } else if scalar < 0x800 {
            bytes.append(UInt8(0xC0 | (scalar >> 6)))
            bytes.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            bytes.append(UInt8(0xE0 | (scalar >> 12)))
            bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Windows-1252's 0x80...0x9F, as Unicode scalars; 0 marks the five bytes the code page leaves undefined.
    /// Source: https://www.unicode.org/Public/MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT
    static let windows1252C1: [UInt16] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 0x80
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,  // 0x88
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 0x90
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,  // 0x98
    ]
}
