#if canImport(Glibc)
import Glibc
#endif
public import Foundation
public import Catalog

/// Reads a file (or a string, in tests) in fixed-size chunks, so a reader never holds a whole feed.
///
/// One owner: not `Sendable`. The file descriptor is closed in `deinit`.
public final class ByteSource {
    private let descriptor: Int32
    private var memory: [UInt8]?
    private let chunkSize: Int
    /// Bytes read from the source so far.
    public private(set) var offset: Int = 0

    /// Opens `url` for reading.
    /// - Throws: `FeedIssue.Reason.unreadable` with the system's reason.
    public init(url: URL, chunkSize: Int = 1 << 18) throws(FeedIssue) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw FeedIssue(.unreadable("\(url.path): \(why)"), at: SourceLocation(feed: url.lastPathComponent, line: 0))
        }
        // Read front to back: the kernel may read further ahead (a feed not in the page cache comes off the disk
        // while the chunk before it is parsed).
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        descriptor = fd
        self.chunkSize = chunkSize
    }

    /// Serves `bytes` from memory, `chunkSize` at a time (small sizes exercise chunk boundaries in tests).
    public init(bytes: [UInt8], chunkSize: Int = 1 << 18) {
        descriptor = -1
        memory = bytes
        self.chunkSize = max(1, chunkSize)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends the next chunk to `buffer`.
    /// - Returns: the number of bytes appended; 0 at end of input.
    public func read(into buffer: inout [UInt8]) throws(FeedIssue) -> Int {
        if let memory {
            let count = min(chunkSize, memory.count - offset)
            guard count > 0 else { return 0 }
            buffer.append(contentsOf: memory[offset..<(offset + count)])
            offset += count
            return count
        }
        let start = buffer.count
        buffer.reserveCapacity(start + chunkSize)
        var got = 0
        while true {
            let n = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunkSize) { scratch -> Int in
                let n = Glibc.read(descriptor, scratch.baseAddress, chunkSize)
                if n > 0 { buffer.append(contentsOf: scratch[0..<n]) }
                return n
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                let why = String(cString: strerror(errno))
                throw FeedIssue(.unreadable(why), at: SourceLocation(feed: "", line: 0))
            }
            got = n
            break
        }
        offset += got
        return got
    }
}
