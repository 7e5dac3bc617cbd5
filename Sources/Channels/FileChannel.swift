#if canImport(Glibc)
import Glibc
#endif
public import Catalog
import Dispatch
public import Foundation

/// A channel that writes each batch of deltas to a new JSON Lines file in a folder.
///
/// One JSON object per delta per line:
/// `{"op":"update","id":"SKU","version":2,"changed":["quantity"],"values":{…}}`. A batch file is written
/// under a temporary name, fsync'd, renamed into place and the folder fsync'd: only then is the batch
/// acknowledged, so a crash never acknowledges what is not on disk, and a reader never sees half a file.
public struct FileChannel: ListingTextWriting {
    public let name: String
    public let folder: URL
    public let maxBatchSize: Int

    public init(name: String, folder: URL, maxBatchSize: Int = 5_000) {
        self.name = name
        self.folder = folder
        self.maxBatchSize = maxBatchSize
    }

    public func push(_ deltas: [Delta]) async throws -> PushResult {
        try await push(deltas, valuesText: deltas.map(\.values.jsonText))
    }

    /// Writes `deltas` as `push(_:)` does, copying each listing's JSON from `valuesText` instead of encoding it.
    ///
    /// `valuesText[i]` must be `deltas[i].values.jsonText`, as the outbox stores it; the file is then the same,
    /// byte for byte.
    public func push(_ deltas: [Delta], valuesText: [String]) async throws -> PushResult {
        precondition(valuesText.count == deltas.count, "one listing text per delta")
        guard !deltas.isEmpty else { return PushResult(acknowledged: []) }
        // The write and its fsyncs block: they run on a thread of their own, not on one of the few that run tasks.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Self.writing.async {
                continuation.resume(with: Result { try writeBatch(deltas, valuesText: valuesText) })
            }
        }
        return PushResult(acknowledged: deltas)
    }

    private static let writing = DispatchQueue(label: "catalogsync.file-channel")

    private func writeBatch(_ deltas: [Delta], valuesText: [String]) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(valuesText.reduce(deltas.count * 160) { $0 + $1.utf8.count })
        for (delta, values) in zip(deltas, valuesText) {
            Self.appendLine(for: delta, valuesText: values, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try bytes.withUnsafeBytes { try writeDurably($0) }
        } catch {
            throw ChannelError(channel: name, operation: "write batch", message: "\(folder.path): \(error)",
                               disposition: .retry(afterSeconds: nil))
        }
    }

    /// The JSON line for one delta.
    public static func line(for delta: Delta) -> String {
        var bytes: [UInt8] = []
        appendLine(for: delta, valuesText: delta.values.jsonText, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the JSON line for `delta` (no newline), with `valuesText` (`delta.values.jsonText`) as its values.
    static func appendLine(for delta: Delta, valuesText: String, to out: inout [UInt8]) {
        out += #"{"op":"#.utf8
        JSONText.appendString(delta.operation.rawValue, to: &out)
        out += #","id":"#.utf8
        JSONText.appendString(delta.sku, to: &out)
        out += #","version":"#.utf8
        out += String(delta.version).utf8
        out += #","changed":"#.utf8
        JSONText.appendArray(delta.changed, to: &out)
        out += #","values":"#.utf8
        out += valuesText.utf8
        out.append(UInt8(ascii: "}"))
    }

    private func writeDurably(_ bytes: UnsafeRawBufferPointer) throws {
        let stamp = Date().formatted(.iso8601.year().month().day().dateSeparator(.omitted)
            .time(includingFractionalSeconds: true).timeSeparator(.omitted).timeZone(separator: .omitted))
        // A zero-padded counter keeps names in write order for batches within one millisecond.
        var counter = 1
        var final = folder.appendingPathComponent("batch-\(stamp)-001.jsonl")
        while FileManager.default.fileExists(atPath: final.path) {
            counter += 1
            final = folder.appendingPathComponent("batch-\(stamp)-\(String(format: "%03d", counter)).jsonl")
        }
        let temporary = folder.appendingPathComponent(".\(final.lastPathComponent).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure(operation: "open", path: temporary.path) }
        var written = 0
        while written < bytes.count {
            let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                throw POSIXFailure(operation: "write", path: temporary.path)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            close(fd)
            throw POSIXFailure(operation: "fsync", path: temporary.path)
        }
        close(fd)
        guard rename(temporary.path, final.path) == 0 else { throw POSIXFailure(operation: "rename", path: final.path) }
        let dir = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            defer { close(dir) }
            guard fsync(dir) == 0 else { throw POSIXFailure(operation: "fsync", path: folder.path) }
        }
    }
}

/// A channel that writes each delta's listing as its canonical JSON text (`Listing.jsonText`).
///
/// The outbox already holds that text: handing it over saves decoding and encoding every listing again.
public protocol ListingTextWriting: ChannelAdapter {
    /// Sends `deltas` as `push(_:)` does; `valuesText[i]` is `deltas[i].values.jsonText`.
    func push(_ deltas: [Delta], valuesText: [String]) async throws -> PushResult
}

/// A failed system call, with the system's reason.
struct POSIXFailure: Error, CustomStringConvertible {
    let operation: String
    let path: String
    let reason: String

    init(operation: String, path: String) {
        self.operation = operation
        self.path = path
        reason = String(cString: strerror(errno))
    }

    var description: String { "\(operation) \(path): \(reason)" }
}
