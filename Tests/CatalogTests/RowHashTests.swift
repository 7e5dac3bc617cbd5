import Testing
@testable import Catalog

/// `RowHash` decides whether a row is skipped as unchanged: a byte it leaves out, or two inputs it cannot tell
/// apart by length, position or seed, would let a changed row through as unchanged.
@Suite struct RowHashTests {
    /// Random bytes from a fixed seed.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { RowHash.hash($0, seed: seed) }
    }

    /// Every length through the short, the one-lane and the four-lane paths and their tails: flipping any bit of
    /// any byte changes the hash.
    @Test func everyByteCounts() {
        var failures: [String] = []
        for count in Array(0...200) + [255, 256, 257, 1_000, 1_023] {
            let base = Self.bytes(count, seed: UInt64(count))
            let expected = Self.hash(base)
            for position in 0..<count {
                var changed = base
                changed[position] ^= 1 << UInt8(position % 8)
                if Self.hash(changed) == expected { failures.append("length \(count), byte \(position)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func lengthsSeedsAndTextsDiffer() {
        let zeros = (0...300).map { Self.hash([UInt8](repeating: 0, count: $0)) }
        #expect(Set(zeros).count == zeros.count)
        for count in [0, 1, 3, 4, 8, 15, 16, 17, 64, 65, 200] {
            let bytes = Self.bytes(count, seed: 7)
            #expect(Self.hash(bytes, seed: 1) != Self.hash(bytes, seed: 2), "length \(count)")
        }
        #expect(RowHash.hash("ab") != RowHash.hash("ab\0"))
        #expect(RowHash.hash(["ab", "c"]) != RowHash.hash(["a", "bc"]))
        let long = String(repeating: "0123456789", count: 50)
        #expect(RowHash.hash(long) == RowHash.hash(String(long)))
    }

    /// The four lanes are not interchangeable: the same 16-byte blocks in another order hash differently, also
    /// when two lanes trade their blocks in every round (192 bytes: two rounds of 64, then the last 64).
    @Test func blocksInAnotherOrderDiffer() {
        let base = Self.bytes(192, seed: 3)
        let expected = Self.hash(base)
        for (first, second) in [(0, 1), (1, 2), (2, 3), (1, 3), (0, 3)] {
            var once = base, everyRound = base
            for offset in 0..<16 {
                once.swapAt(first * 16 + offset, second * 16 + offset)
                for round in [0, 64] { everyRound.swapAt(round + first * 16 + offset, round + second * 16 + offset) }
            }
            #expect(Self.hash(once) != expected, "blocks \(first) and \(second)")
            #expect(Self.hash(everyRound) != expected, "lanes \(first) and \(second)")
        }
    }

    /// Where the bytes lie in memory does not matter (the loads are unaligned).
    @Test func sameBytesAtAnyAlignmentHashAlike() {
        let bytes = Self.bytes(150, seed: 11)
        for count in [0, 2, 5, 12, 16, 31, 64, 65, 150] {
            let expected = Self.hash(Array(bytes.prefix(count)))
            for shift in 1..<8 {
                let padded = [UInt8](repeating: 0xAA, count: shift) + bytes.prefix(count)
                let hash = padded.withUnsafeBytes { RowHash.hash(UnsafeRawBufferPointer(rebasing: $0[shift...])) }
                #expect(hash == expected, "length \(count), shift \(shift)")
            }
        }
    }
}
