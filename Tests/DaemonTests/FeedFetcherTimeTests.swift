import Foundation
import Testing
@testable import Daemon

/// A download is dated when the server's copy was last modified, by this machine's clock (`FeedFetcher`).
@Suite struct FeedFetcherTimeTests {
    let requestedAt = Date(timeIntervalSince1970: 1_796_000_000)  // Mon, 30 Nov 2026 00:53:20 GMT

    @Test func theCopysAgeByTheServersClockIsTakenFromTheRequestTime() {
        // The server's clock is an hour ahead; its copy is 2 minutes old by it.
        let time = FeedFetcher.modificationTime(lastModified: "Mon, 30 Nov 2026 01:51:20 GMT",
                                                date: "Mon, 30 Nov 2026 01:53:20 GMT", requestedAt: requestedAt)
        #expect(time == requestedAt.addingTimeInterval(-120))
    }

    @Test func aCopyNewerThanTheServersClockIsDatedAtTheRequest() {
        let time = FeedFetcher.modificationTime(lastModified: "Mon, 30 Nov 2026 02:00:00 GMT",
                                                date: "Mon, 30 Nov 2026 01:53:20 GMT", requestedAt: requestedAt)
        #expect(time == requestedAt)
    }

    @Test func withoutDateLastModifiedIsTakenButNeverLaterThanTheRequest() {
        #expect(FeedFetcher.modificationTime(lastModified: "Mon, 30 Nov 2026 00:50:00 GMT", date: nil,
                                             requestedAt: requestedAt) == requestedAt.addingTimeInterval(-200))
        #expect(FeedFetcher.modificationTime(lastModified: "Mon, 30 Nov 2026 02:00:00 GMT", date: nil,
                                             requestedAt: requestedAt) == requestedAt)
    }

    @Test func withoutAReadableLastModifiedTheDownloadKeepsItsOwnTime() {
        #expect(FeedFetcher.modificationTime(lastModified: nil, date: "Mon, 30 Nov 2026 01:53:20 GMT",
                                             requestedAt: requestedAt) == nil)
        #expect(FeedFetcher.modificationTime(lastModified: "yesterday", date: nil, requestedAt: requestedAt) == nil)
    }

    @Test func theObsoleteDateFormsAreReadToo() {
        // RFC 9110 §5.6.7: servers send IMF-fixdate, recipients accept RFC 850 and asctime dates as well.
        let expected = requestedAt.addingTimeInterval(-12_200)  // Sun, 29 Nov 2026 21:30:00 GMT
        for text in ["Sunday, 29-Nov-26 21:30:00 GMT", "Sun Nov 29 21:30:00 2026"] {
            #expect(FeedFetcher.modificationTime(lastModified: text, date: nil, requestedAt: requestedAt) == expected,
                    "\(text)")
        }
    }

    /// What `FeedFetcher` relies on to tell the same copy downloaded again from a changed one.
    @Test func contentsEqualReadsToTheEndOrTheFirstDifference() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cs-bytes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func file(_ name: String, _ data: Data) throws -> URL {
            let url = folder.appendingPathComponent(name)
            try data.write(to: url)
            return url
        }
        func same(_ x: URL, _ y: URL) -> Bool { FileManager.default.contentsEqual(atPath: x.path, andPath: y.path) }
        let big = Data((0..<((3 << 20) + 5)).map { UInt8(truncatingIfNeeded: $0 &* 31) })  // over 3 MiB
        var late = big
        late[late.count - 1] ^= 1
        let a = try file("a", big), b = try file("b", big), c = try file("c", late), d = try file("d", big.dropLast())
        #expect(same(a, b))
        #expect(!same(a, c))
        #expect(!same(a, d))
        #expect(!same(a, folder.appendingPathComponent("missing")))
        #expect(same(try file("e", Data()), try file("f", Data())))
    }
}
