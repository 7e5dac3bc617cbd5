import Catalog
import Testing

@testable import Feeds

/// `CSVScanner.skipPlainWords` against the byte loop it shortens, on random bytes where stops are common.
@Suite struct CSVScannerWordSkipTests {
    /// Bytes drawn mostly from the ones the scanner stops at, plus plain ASCII and bytes with bit 7 set.
    static func randomBytes(_ random: inout SplitMix64, count: Int) -> [UInt8] {
        let palette: [UInt8] = [0x22, 0x2C, 0x3B, 0x0D, 0x0A, 0x61, 0x7A, 0x20, 0xC3, 0xA5, 0x80, 0xFF, 0x00]
        return (0..<count).map { _ in
            random.next() % 3 == 0 ? palette[Int(random.next() % UInt64(palette.count))] : 0x61
        }
    }

    @Test func stopsAtTheFirstStopByteAndReportsOnlyTheBytesBeforeIt() {
        var random = SplitMix64(seed: 0x5CA7)
        for _ in 0..<20_000 {
            let bytes = Self.randomBytes(&random, count: Int(random.next() % 40))
            let start = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count + 1))
            let stop: UInt8 = random.next() % 2 == 0 ? 0x22 : 0x2C
            var high: UInt8 = 0
            let end = bytes.withUnsafeBufferPointer {
                CSVScanner.skipPlainWords($0, from: start, stoppingAt: stop, high: &high)
            }
            let isStop = { (byte: UInt8) in byte == stop || byte == 0x0D || byte == 0x0A }
            let firstStop = bytes[start...].firstIndex(where: isStop) ?? bytes.count
            // Never past the first stop; short of it only within the last 7 bytes, which the byte loop takes.
            #expect(end <= firstStop, "bytes \(bytes) from \(start): \(end), first stop \(firstStop)")
            #expect(end == firstStop || end + 8 > bytes.count, "bytes \(bytes) from \(start): stopped at \(end)")
            let skippedHigh = bytes[start..<max(start, end)].reduce(0, |) & 0x80
            #expect(high & 0x80 == skippedHigh, "bytes \(bytes) from \(start) to \(end): high \(high)")
        }
    }
}
