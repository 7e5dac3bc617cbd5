#if canImport(Glibc)
import Glibc
#endif

/// A growable byte string that the readers reuse for keys, paths, values and text: `storage[0..<count]`.
///
/// `[UInt8]` would do, but its `append(contentsOf:)`, `removeLast(_:)` and growth go through generic paths
/// that cost more than the few bytes they move (and, in debug builds, loop over every byte of a 10 MB
/// field), while the readers append and truncate once per key, value and text run. Moves are `memcpy`;
/// the storage only grows, and truncating keeps it.
struct ScratchBytes {
    private var storage: [UInt8] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ byte: UInt8) {
        if count == storage.count { grow(toHold: count + 1) }
        storage[count] = byte
        count += 1
    }

    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > storage.count { grow(toHold: count + bytes.count) }
        let start = count
        storage.withUnsafeMutableBufferPointer { _ = memcpy($0.baseAddress! + start, source, bytes.count) }
        count += bytes.count
    }

    mutating func append<S: Sequence<UInt8>>(contentsOf bytes: S) {
        for byte in bytes { append(byte) }
    }

    mutating func append(repeating byte: UInt8, count repeats: Int) {
        guard repeats > 0 else { return }
        if count + repeats > storage.count { grow(toHold: count + repeats) }
        let start = count
        storage.withUnsafeMutableBufferPointer { _ = memset($0.baseAddress! + start, Int32(byte), repeats) }
        count += repeats
    }

    /// Keeps the first `newCount` bytes.
    mutating func truncate(to newCount: Int) {
        count = min(count, newCount)
    }

    /// Calls `body` with `self[start...]`.
    func withBytes<R>(from start: Int = 0, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<count])) }
    }

    func string(from start: Int = 0) -> String {
        withBytes(from: start) { String(decoding: $0, as: UTF8.self) }
    }

    var array: [UInt8] { withBytes { Array($0) } }

    /// Doubles the storage (at least), copying the bytes in use with `memcpy`.
    private mutating func grow(toHold needed: Int) {
        let capacity = max(needed, storage.count * 2, 64)
        let count = self.count
        storage = storage.withUnsafeBufferPointer { old in
            [UInt8](unsafeUninitializedCapacity: capacity) { new, initialized in
                if count > 0 { _ = memcpy(new.baseAddress!, old.baseAddress!, count) }
                _ = memset(new.baseAddress! + count, 0, capacity - count)
                initialized = capacity
            }
        }
    }
}
