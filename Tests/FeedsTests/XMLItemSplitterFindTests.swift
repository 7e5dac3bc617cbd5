import Catalog
import Testing

@testable import Feeds

/// `XMLItemSplitter.find`, which looks 8 bytes at a time near its start and hands longer searches to memchr,
/// against `firstIndex(of:)` on random bytes: the byte near, far, absent, and at every offset.
@Suite struct XMLItemSplitterFindTests {
    @Test func findsTheFirstByteFromThePositionOn() {
        var random = SplitMix64(seed: 0x3C3E)
        for _ in 0..<20_000 {
            let count = Int(random.next() % 200)
            // Sparse or dense: the byte is found within the first words, after the inline part, or not at all.
            let density = [2, 16, 90, 1_000][Int(random.next() % 4)]
            let bytes: [UInt8] = (0..<count).map { _ in
                random.next() % UInt64(density) == 0 ? 0x3C : UInt8(truncatingIfNeeded: random.next())
            }
            let from = Int(random.next() % UInt64(count + 2))
            let found = bytes.withUnsafeBufferPointer { XMLItemSplitter.find(0x3C, in: $0, from: from) }
            let expected = from < count ? bytes[from...].firstIndex(of: 0x3C) : nil
            #expect(found == expected, "\(count) bytes from \(from), density \(density)")
        }
    }
}
