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

    private init(descriptor: Int32, memory: [UInt8]?, chunkSize: Int, offset: Int) {
        self.descriptor = descriptor
        self.memory = memory
        self.chunkSize = chunkSize
        self.offset = offset
    }

    /// Another reader of the same bytes, from `offset`: for a file, a second open file description of the same
    /// file (through `/proc/self/fd`), so that each reader has its own read-ahead, and a feed renamed over the path
    /// meanwhile is not read instead.
    public func reopened(at offset: Int) throws(FeedIssue) -> ByteSource {
        guard descriptor >= 0 else {
            return ByteSource(descriptor: -1, memory: memory, chunkSize: chunkSize, offset: offset)
        }
        let fd = open("/proc/self/fd/\(descriptor)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw FeedIssue(.unreadable("cannot open the feed again: \(why)"), at: SourceLocation(feed: "", line: 0))
        }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        return ByteSource(descriptor: fd, memory: nil, chunkSize: chunkSize, offset: offset)
    }

    /// The number of bytes in the source (for a file, as it is now).
    public var size: Int {
        if let memory { return memory.count }
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Reads on from `offset`; the caller drops whatever it buffered.
    public func seek(to offset: Int) {
        self.offset = offset
    }

    /// The first offset at or after `nominal` that follows a line end (LF) and holds neither CR nor LF: where a
    /// line with something on it starts. `nil` when the next 64 KiB have none.
    public func lineStartGuess(near nominal: Int) throws(FeedIssue) -> Int? {
        let from = max(0, nominal - 1)
        let window = try bytes(at: from, count: 64 << 10)
        let (lf, cr) = (UInt8(ascii: "\n"), UInt8(ascii: "\r"))
        var index = 0
        while index + 1 < window.count {
            let next = window[index + 1]
            if window[index] == lf && next != lf && next != cr { return from + index + 1 }
            index += 1
        }
        return nil
    }

    /// Up to `count` bytes from `start`, without moving `offset`.
    public func bytes(at start: Int, count: Int) throws(FeedIssue) -> [UInt8] {
        if let memory {
            let start = min(max(0, start), memory.count)
            return Array(memory[start..<min(memory.count, start + count)])
        }
        var result = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = result.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + got, count - got, off_t(start + got))
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw FeedIssue(.unreadable(String(cString: strerror(errno))), at: SourceLocation(feed: "", line: 0))
            }
            if n == 0 { break }
            got += n
        }
        result.removeLast(count - got)
        return result
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
                let n = pread(descriptor, scratch.baseAddress, chunkSize, off_t(offset))
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
