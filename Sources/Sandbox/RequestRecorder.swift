import Foundation
import Glibc

/// Why the sandbox could not open its record file.
public struct SandboxRecordError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var errno: Int32

    public var description: String {
        "cannot open the record file \(path): \(String(cString: strerror(errno)))"
    }
}

/// `--record FILE`: appends every platform request the sandbox answered (or dropped, or held) to a file,
/// one JSON object a line, each line written with one `write(2)` on an `O_APPEND` descriptor, so a
/// reader sees whole lines while the sandbox runs:
///
///     {"at":"2026-11-22T10:04:05.123Z","body":{…},"method":"POST","path":"/meta/v21.0/1/items_batch",
///      "platform":"meta","query":{},"status":200}
///
/// `body` is the parsed JSON, else the raw text, `null` when empty; `status` is 0 when no answer was
/// sent (hang, drop, drop_after_apply); `at` is when the request had been read, UTC with milliseconds.
/// Lines follow the order the answers were decided in.
final class RequestRecorder: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var fd: Int32 = -1

    init(path: String) {
        self.path = path
    }

    /// Opens (creating) the file for appending. Idempotent.
    func open() throws(SandboxRecordError) {
        lock.lock()
        defer { lock.unlock() }
        guard fd < 0 else { return }
        let opened = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard opened >= 0 else { throw SandboxRecordError(path: path, errno: errno) }
        fd = opened
    }

    /// Closes the file; later requests are not recorded.
    func close() {
        lock.withLock {
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }

    deinit { close() }

    func append(_ request: HTTPRequest, platform: String, status: Int, at: Date) {
        var line = Self.line(request, platform: platform, status: status, at: at).data
        line.append(UInt8(ascii: "\n"))
        lock.withLock {
            guard fd >= 0 else { return }
            line.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    static func line(_ request: HTTPRequest, platform: String, status: Int, at: Date) -> JSON {
        var body = JSON.null
        if !request.body.isEmpty {
            body = JSON.parse(request.body) ?? .string(String(decoding: request.body, as: UTF8.self))
        }
        return [
            "method": .string(request.method), "path": .string(request.rawPath),
            "query": .object(request.query.mapValues(JSON.string)), "body": body, "status": .int(Int64(status)),
            "platform": .string(platform), "at": .string(timestamp(at)),
        ]
    }

    /// `2026-11-22T10:04:05.123Z`.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
    }
}
