#if canImport(Glibc)
import Glibc
#endif

/// Zeroed memory for a large table read at random (`ItemDigests`' slots), mapped on its own and offered to the
/// kernel for 2 MiB pages (`MADV_HUGEPAGE`; a kernel set to `madvise`, as this VM's is, gives them only where
/// asked). 64 MiB of slots (5M items) span 16,384 pages of 4 KiB but 32 huge ones, and each lookup lands on a
/// random one: in 4 KiB pages the readers' slot prefetches had 12.8% and 9.8% of their samples, in huge pages 5.4%
/// and 3.1% (`perf`, 5M CSV). Where the kernel has no huge page to give, the mapping keeps 4 KiB pages. Tables
/// under 2 MiB are allocated as usual.
enum HugePages {
    static let size = 2 << 20

    /// `count` zeroed elements; give them back with `free`. Traps when there is no memory, as `allocate` does.
    static func zeroed<T: FixedWidthInteger>(_: T.Type, count: Int) -> UnsafeMutableBufferPointer<T> {
        let bytes = count * MemoryLayout<T>.stride
        guard bytes >= size else {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
            buffer.initialize(repeating: 0)
            return buffer
        }
        guard let start = mapAligned(bytes: rounded(bytes)) else {
            fatalError("cannot map \(bytes) bytes: \(String(cString: strerror(errno)))")
        }
        return UnsafeMutableBufferPointer(start: start.bindMemory(to: T.self, capacity: count), count: count)
    }

    /// Gives back what `zeroed` returned.
    static func free<T: FixedWidthInteger>(_ buffer: UnsafeMutableBufferPointer<T>) {
        let bytes = buffer.count * MemoryLayout<T>.stride
        if bytes >= size {
            munmap(buffer.baseAddress!, rounded(bytes))
        } else {
            buffer.deallocate()
        }
    }

    private static func rounded(_ bytes: Int) -> Int { (bytes + size - 1) / size * size }

    /// `bytes` (a multiple of `size`) of anonymous memory starting at a multiple of `size`: a huge page can back
    /// only an aligned 2 MiB.
    private static func mapAligned(bytes: Int) -> UnsafeMutableRawPointer? {
        guard let mapped = mmap(nil, bytes + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else { return nil }
        let address = Int(bitPattern: mapped)
        let start = (address + size - 1) / size * size
        if start > address { munmap(mapped, start - address) }
        let end = start + bytes, mappedEnd = address + bytes + size
        if mappedEnd > end { munmap(UnsafeMutableRawPointer(bitPattern: end), mappedEnd - end) }
        let pointer = UnsafeMutableRawPointer(bitPattern: start)!
        _ = madvise(pointer, bytes, Int32(MADV_HUGEPAGE))
        return pointer
    }
}
