import Catalog
import Foundation
import Testing
@testable import Daemon

/// `ReadAhead` hands a producer thread's elements to one consumer in order, ends with the producer's error,
/// and stops the producer when asked.
@Suite struct ReadAheadTests {
    /// What the producer closure counts; read by the test only after `finish()` returned.
    final class Counter: @unchecked Sendable {
        var calls = 0
    }

    @Test func everyElementArrivesInOrder() throws {
        var random = SplitMix64(seed: 0x5EAD)
        for _ in 0..<200 {
            let count = Int(random.next() % 3_000)
            var produced = 0
            let ahead = ReadAhead(batchSize: Int(random.next() % 64) + 1, depth: Int(random.next() % 4) + 1) {
                () throws(FeedRejection) -> Int? in
                guard produced < count else { return nil }
                defer { produced += 1 }
                return produced
            }
            defer { ahead.finish() }
            var received: [Int] = []
            while let element = try ahead.next() { received.append(element) }
            #expect(received.count == count && received.elementsEqual(0..<count))
            #expect(try ahead.next() == nil)  // the end stays the end
        }
    }

    @Test func anErrorArrivesAfterEverythingProducedBeforeIt() throws {
        for count in [0, 1, 255, 256, 257, 1_000] {
            var produced = 0
            let ahead = ReadAhead(batchSize: 256, depth: 2) { () throws(FeedRejection) -> Int? in
                guard produced < count else { throw FeedRejection("cut off after \(count)") }
                defer { produced += 1 }
                return produced
            }
            defer { ahead.finish() }
            var received: [Int] = []
            let error = #expect(throws: FeedRejection.self) {
                while let element = try ahead.next() { received.append(element) }
            }
            #expect(error?.message == "cut off after \(count)")
            #expect(received.count == count && received.elementsEqual(0..<count))
        }
    }

    @Test func finishStopsAProducerThatWouldNeverEnd() throws {
        let counter = Counter()
        let ahead = ReadAhead(batchSize: 16, depth: 2) { () throws(FeedRejection) -> Int? in
            counter.calls += 1
            return counter.calls
        }
        for expected in 1...40 { #expect(try ahead.next() == expected) }
        ahead.finish()
        let calls = counter.calls
        // At most the batches read, the ones queued and the one being filled.
        #expect(calls >= 40 && calls <= 40 + 16 * 4)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(counter.calls == calls)  // the thread has ended: nothing calls the producer any more
        ahead.finish()  // again: returns at once
    }

    @Test func finishBeforeReadingAnything() {
        let counter = Counter()
        let ahead = ReadAhead(batchSize: 4, depth: 1) { () throws(FeedRejection) -> Int? in
            counter.calls += 1
            return 0
        }
        ahead.finish()
        #expect(counter.calls <= 4 * 3)
    }

    /// Through ingest: rows written before the feed turned out to be cut off are rolled back with it.
    @Test func aFeedCutOffAfterManyRowsChangesNothing() async throws {
        let folder = try IngestSkipTests.Folder()
        let header = "id,title,price,availability,quantity"
        let rows = (1...2_000).map { "S\($0),Sock,2.00 SEK,in_stock,\($0 % 7)" }
        let first = try await folder.sync([header] + rows)
        #expect(first.feeds[0].created == 2_000)
        // Every row changes, and the last one never closes its quote: the feed is rejected whole.
        let changed = (1...2_000).map { "S\($0),Sock,3.00 SEK,in_stock,\($0 % 7)" }
        let cut = try await folder.sync([header] + changed + ["S2001,\"Sock"])
        #expect(cut.feeds[0].outcome == .rejected)
        #expect(cut.feeds[0].rejection?.contains("unterminated") == true)
        #expect(cut.channels[0].enqueued.isEmpty)
        for sku in ["S1", "S1000", "S2000"] {
            #expect(try folder.store.itemData(feed: "f", sku: sku)?.contains("2.00 SEK") == true)
        }
        let again = try await folder.sync([header] + changed)
        #expect(again.feeds[0].updated == 2_000 && again.feeds[0].outcome == .applied)
    }

    /// The same when the rows before the cut are unchanged: they reach the writing thread as counts
    /// (`FeedScanner.takeUnchanged`), and the rejection met after them must still reject the feed whole — else the
    /// rows after the cut would be deleted.
    @Test func aFeedCutOffAfterUnchangedRowsChangesNothing() async throws {
        let folder = try IngestSkipTests.Folder()
        let header = "id,title,price,availability,quantity"
        let rows = (1...2_000).map { "S\($0),Sock,2.00 SEK,in_stock,\($0 % 7)" }
        #expect(try await folder.sync([header] + rows).feeds[0].created == 2_000)
        var kept = Array(rows.prefix(1_500))
        kept[4] = "S5,Sock,3.00 SEK,in_stock,5"
        let cut = try await folder.sync([header] + kept + ["S2001,\"Sock"])
        #expect(cut.feeds[0].outcome == .rejected)
        #expect(cut.feeds[0].rejection?.contains("unterminated") == true)
        #expect(cut.channels[0].enqueued.isEmpty)
        #expect(try folder.store.itemData(feed: "f", sku: "S5")?.contains("2.00 SEK") == true)
        #expect(try folder.store.itemData(feed: "f", sku: "S2000") != nil)
    }
}
