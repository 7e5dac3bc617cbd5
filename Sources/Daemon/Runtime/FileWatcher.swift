#if canImport(Glibc)
import Glibc
#endif
public import Foundation

/// Watches folders with inotify and reports which watched files were completely written.
///
/// Watches the folder, not the file, and reacts to `IN_CLOSE_WRITE` and `IN_MOVED_TO` only, so both
/// rename-into-place and plain writes work and a half-written file is never reported.
public final class FileWatcher: @unchecked Sendable {
    private let descriptor: Int32
    private var folders: [Int32: URL] = [:]
    private let lock = NSLock()
    private var thread: Thread?
    private var stopped = false
    public let changes: AsyncStream<URL>
    private let continuation: AsyncStream<URL>.Continuation

    public init() throws {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw StateLockError(message: "inotify_init1: \(String(cString: strerror(errno)))") }
        descriptor = fd
        (changes, continuation) = AsyncStream.makeStream(of: URL.self)
    }

    deinit {
        stop()
        close(descriptor)
    }

    /// Watches `folder` for files written completely or moved into it.
    public func watch(folder: URL) throws {
        let mask = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)
        let wd = inotify_add_watch(descriptor, folder.path, mask)
        guard wd >= 0 else {
            throw StateLockError(message: "cannot watch \(folder.path): \(String(cString: strerror(errno)))")
        }
        lock.withLock { folders[wd] = folder }
    }

    /// Starts reading events on a thread of its own.
    public func start() {
        let thread = Thread { [weak self] in self?.readLoop() }
        thread.name = "catalogsync.inotify"
        self.thread = thread
        thread.start()
    }

    public func stop() {
        lock.withLock { stopped = true }
        continuation.finish()
    }

    private func readLoop() {
        let bufferSize = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        while !lock.withLock({ stopped }) {
            var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 250) > 0 else { continue }
            let count = read(descriptor, buffer, bufferSize)
            guard count > 0 else { continue }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameLength = Int(event.len)
                let namePointer = buffer.advanced(by: offset + MemoryLayout<inotify_event>.size)
                let name = nameLength > 0 ? String(cString: namePointer.assumingMemoryBound(to: CChar.self)) : ""
                if let folder = lock.withLock({ folders[event.wd] }), !name.isEmpty {
                    continuation.yield(folder.appendingPathComponent(name))
                }
                offset += MemoryLayout<inotify_event>.size + nameLength
            }
        }
    }
}
