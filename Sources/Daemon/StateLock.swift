#if canImport(Glibc)
import Glibc
#endif
public import Foundation

/// The one-writer lock: an exclusive `flock` on `catalogsync.lock` in the state directory.
///
/// Released when the process exits, however it exits, so a killed run never leaves a stale lock.
public final class StateLock {
    private let descriptor: Int32

    /// Takes the lock without waiting, and writes `owner` (and the pid) into the lock file.
    /// - Throws: `StateLockError` naming the lock file and its owner when another process holds it.
    public init(directory: URL, owner: String = "sync") throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("catalogsync.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateLockError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            let holder = StateLock.owner(of: directory) ?? "another catalogsync process"
            throw StateLockError(message: "the state in \(directory.path) is locked by \(holder) (\(path)); "
                                 + "stop it or wait for it to finish")
        }
        descriptor = fd
        let text = Array("\(owner) pid \(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, text.count, 0) }
    }

    /// Who holds (or last held) the lock: `daemon pid 1234`, or `nil` when unknown.
    public static func owner(of directory: URL) -> String? {
        let file = directory.appendingPathComponent("catalogsync.lock")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.isEmpty ? nil : line
    }

    /// Whether a running daemon holds the lock (so commands hand their work to it).
    public static func isHeldByDaemon(_ directory: URL) -> Bool {
        let path = directory.appendingPathComponent("catalogsync.lock").path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) != 0 else {
            flock(fd, LOCK_UN)
            return false  // nobody holds it
        }
        return owner(of: directory)?.hasPrefix("daemon") == true
    }

    deinit { close(descriptor) }
}

public struct StateLockError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
