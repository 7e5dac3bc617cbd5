// libFuzzer entry point for JSONFeedReader.
//
// The first byte picks the chunk size (1…32, so tokens straddle chunk boundaries), the layout and whether
// a record path (`products`) is given; the rest is the feed. Issues are caught and reading goes on, as the
// daemon does, until the reader returns nil; a fatal issue must be followed by nil.
import Catalog
import Feeds

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let chunkSize = Int(control & 0x1F) + 1
    let layout: JSONFeedLayout = [.auto, .array, .lines, .auto][Int((control >> 5) & 0x3)]
    let recordPath: String? = control & 0x80 != 0 ? "products" : nil
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let reader = JSONFeedReader(bytes: bytes, feed: "fuzz.json", layout: layout, recordPath: recordPath,
                                chunkSize: chunkSize)
    while true {
        do {
            guard let record = try reader.nextRecord() else { break }
            precondition(record.line >= 1, "record lines are 1-based")
        } catch {
            _ = error.description
            if error.isFatal {
                let after = try? reader.nextRecord()
                precondition(after == nil, "a fatal issue must end the feed")
                break
            }
        }
    }
    return 0
}
