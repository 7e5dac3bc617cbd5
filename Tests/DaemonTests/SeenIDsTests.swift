import Testing
@testable import Daemon

@Suite struct SeenIDsTests {
    @Test func aRepeatedIdReportsItsFirstLine() {
        var seen = SeenIDs(capacity: 2)
        #expect(seen.insert("A1", line: 2) == nil)
        #expect(seen.insert("A2", line: 3) == nil)
        #expect(seen.insert("A1", line: 9) == 2)
    }

    @Test func growingKeepsEveryIdAndItsLine() {
        var seen = SeenIDs(capacity: 1)
        for index in 0..<50_000 { #expect(seen.insert("SKU-\(index)-with-a-long-suffix", line: index + 2) == nil) }
        for index in stride(from: 0, to: 50_000, by: 997) {
            #expect(seen.insert("SKU-\(index)-with-a-long-suffix", line: 1) == index + 2)
        }
        #expect(seen.insert("é", line: 1) == nil)
        #expect(seen.insert("e\u{301}", line: 1) == nil)  // other bytes: another id, as the store sees it
    }
}
