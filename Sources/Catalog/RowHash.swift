/// A fast 64-bit hash of bytes, for change detection (is this row byte for byte what it was?) and hash tables.
/// Not a security hash: feeds are the merchant's own data. Nothing persisted relies on its values staying the
/// same from one build to the next (the digests it makes are seeded with the build).
///
/// 16 bytes a step through a 64×64→128-bit multiply folded to 64 bits (the wyhash construction), so a
/// 500-byte feed row costs a few dozen multiplies rather than FNV's one per byte. Past 64 bytes, four lanes
/// take 16 bytes each per round: each step waits for the multiply before it in its own lane only.
public enum RowHash {
    static let k0: UInt64 = 0xa076_1d64_78bd_642f
    static let k1: UInt64 = 0xe703_7ed1_a0b4_28db
    static let k2: UInt64 = 0x8ebc_6af0_9c88_c6e3
    static let k3: UInt64 = 0x5899_65cc_7537_4cc3

    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// The hash of `bytes`; a different `seed` gives an independent hash.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = bytes.count
        var state = seed ^ mix(seed ^ k0, k1)
        @inline(__always) func word(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        @inline(__always) func half(_ offset: Int) -> UInt64 {
            UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
        // The last 16 bytes (or all of them) go into `a` and `b`; the length below tells "ab" from "ab\0".
        var a: UInt64 = 0, b: UInt64 = 0
        if count <= 16 {
            if count >= 4 {
                // Two pairs of 4-byte loads that overlap as much as they must to cover 4 to 16 bytes.
                let middle = (count >> 3) << 2
                a = half(0) << 32 | half(middle)
                b = half(count - 4) << 32 | half(count - 4 - middle)
            } else if count > 0 {
                a = UInt64(bytes[0]) << 16 | UInt64(bytes[count >> 1]) << 8 | UInt64(bytes[count - 1])
            }
        } else {
            var offset = 0
            if count > 64 {
                var lanes = (state, state, state)
                while count - offset > 64 {
                    state = mix(word(offset) ^ k1, word(offset + 8) ^ state) ^ state
                    lanes.0 = mix(word(offset + 16) ^ k2, word(offset + 24) ^ lanes.0) ^ lanes.0
                    lanes.1 = mix(word(offset + 32) ^ k3, word(offset + 40) ^ lanes.1) ^ lanes.1
                    lanes.2 = mix(word(offset + 48) ^ k0, word(offset + 56) ^ lanes.2) ^ lanes.2
                    offset += 64
                }
                state ^= lanes.0 ^ lanes.1 ^ lanes.2
            }
            while count - offset > 16 {
                state = mix(word(offset) ^ k1, word(offset + 8) ^ state) ^ state
                offset += 16
            }
            // The last 16 bytes, which may overlap the step before.
            a = word(count - 16)
            b = word(count - 8)
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
