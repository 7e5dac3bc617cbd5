/// A fast 64-bit hash of bytes, for change detection (is this row byte for byte what it was?) and hash tables.
/// Not a security hash: feeds are the merchant's own data.
///
/// 16 bytes a step through a 64×64→128-bit multiply folded to 64 bits (the wyhash construction), so a
/// 500-byte feed row costs a few dozen multiplies rather than FNV's one per byte.
public enum RowHash {
    static let k0: UInt64 = 0xa076_1d64_78bd_642f
    static let k1: UInt64 = 0xe703_7ed1_a0b4_28db
    static let k2: UInt64 = 0x8ebc_6af0_9c88_c6e3

    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// The hash of `bytes`; a different `seed` gives an independent hash.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = bytes.count
        var state = seed ^ mix(seed ^ k0, k1)
        var offset = 0
        while offset + 16 <= count {
            let a = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let b = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            state = mix(a ^ k1, b ^ state) ^ state
            offset += 16
        }
        // The last 0–15 bytes, zero-padded; the length below tells "ab" from "ab\0".
        var a: UInt64 = 0, b: UInt64 = 0
        var shift: UInt64 = 0
        while offset < count {
            if shift < 64 { a |= UInt64(bytes[offset]) << shift } else { b |= UInt64(bytes[offset]) << (shift - 64) }
            shift += 8
            offset += 1
        }
        state = mix(a ^ k1, b ^ state) ^ state
        return mix(state ^ k2, UInt64(count) ^ k0)
    }

    /// The hash of `text`'s UTF-8 bytes.
    public static func hash(_ text: String, seed: UInt64 = 0) -> UInt64 {
        var text = text
        return text.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// Several texts in order, each length-prefixed so that ("ab", "c") and ("a", "bc") differ.
    public static func hash(_ texts: [String], seed: UInt64 = 0) -> UInt64 {
        var state = seed
        for text in texts { state = hash(text, seed: state &+ UInt64(text.utf8.count)) }
        return state
    }
}
