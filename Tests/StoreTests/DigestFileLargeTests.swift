import Catalog
import Foundation
import Testing
@testable import Store

/// Digest files and tables past the sizes the other tests reach: records that cross the reader's 1 MiB blocks, a
/// change segment applied to hundreds of thousands of entries, and slots in memory of their own (`HugePages`).
@Suite struct DigestFileLargeTests {
    /// SKUs of 6 to 47 bytes, so that records end at every offset of a block.
    static func sku(_ index: Int) -> String { "SKU-\(index)-" + String(repeating: "é", count: index % 19) }

    @Test func aLargeFileReadsBackWithItsChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cs-large-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = DigestFile(directory: folder.path, feed: "f")
        let count = 200_000
        var expected: [String: (UInt64, Int64)] = [:]
        try file.writeSnapshot(stamp: 1) { writer in
            for index in 0..<count {
                var sku = Self.sku(index)
                let values = (UInt64(index) &* 0x9e37_79b9, Int64(index) - 7)
                expected[sku] = values
                try sku.withUTF8 { try writer.add(sku: UnsafeRawBufferPointer($0), rawHash: values.0,
                                                  fingerprint: values.1) }
            }
        }
        let (_, position) = try #require(file.load(stamp: 1, expectedCount: count))
        #expect(position.snapshotCount == count && position.length > 4 << 20)
        // One generation's changes: updates, deletions and new SKUs.
        try file.appendChanges(at: position.length, stamp: 2) { writer in
            for index in stride(from: 3, to: count, by: 97) {
                var sku = Self.sku(index)
                let deleted = index % 2 == 0
                expected[sku] = deleted ? nil : (1, 2)
                try sku.withUTF8 { try writer.add(sku: UnsafeRawBufferPointer($0), rawHash: deleted ? 0 : 1,
                                                  fingerprint: deleted ? 0 : 2, deleted: deleted) }
            }
            for index in count..<count + 1_000 {
                var sku = Self.sku(index)
                expected[sku] = (3, 4)
                try sku.withUTF8 { try writer.add(sku: UnsafeRawBufferPointer($0), rawHash: 3, fingerprint: 4) }
            }
        }
        let (builder, _) = try #require(file.load(stamp: 2, expectedCount: count))
        let digests = ItemDigests(builder)
        #expect(digests.count == expected.count)
        let wrong = expected.filter { sku, values in
            guard let entry = digests.entry(for: sku) else { return true }
            return digests.rawHash(entry) != values.0 || digests.fingerprint(entry) != values.1
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong, such as \(wrong.first?.key ?? "")")
        for index in stride(from: 100, to: count, by: 194) {  // deleted: 3 + 97 × an odd number
            #expect(digests.entry(for: Self.sku(index)) == nil)
        }
        #expect(digests.entry(for: Self.sku(count + 1_000)) == nil)
    }

    @Test func hugePagesAreZeroedAndAligned() {
        for count in [0, 1, 1_000, 1 << 18, (1 << 18) + 3, 1 << 21] {
            let buffer = HugePages.zeroed(UInt64.self, count: count)
            #expect(buffer.count == count && buffer.allSatisfy { $0 == 0 })
            if count * 8 >= HugePages.size {
                #expect(Int(bitPattern: buffer.baseAddress!) % HugePages.size == 0)
            }
            for index in stride(from: 0, to: count, by: 4_099) { buffer[index] = UInt64(index) }
            #expect(stride(from: 0, to: count, by: 4_099).allSatisfy { buffer[$0] == UInt64($0) })
            HugePages.free(buffer)
        }
    }
}
