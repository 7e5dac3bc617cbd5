#if canImport(Glibc)
import Glibc
#endif
public import Foundation

/// The one-writer lock: an exclusive `flock` on `catalogsync.lock` in the state directory.
///
/// Released when the process exits, however it exits, so a killed run never leaves a stale lock.
public final class StateLock {
    private let descriptor: Int32

    /// Takes the lock without waiting.
    /// - Throws: `StateLockError` naming the lock file when another process holds it.
    public init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("catalogsync.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateLockError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StateLockError(message: "the state in \(directory.path) is locked by another catalogsync process "
                                 + "(\(path)); stop it or wait for it to finish")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}

public struct StateLockError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
