// libFuzzer entry point for XMLFeedReader (libxml2's SAX2 push parser underneath).
//
// The whole input is the document. Every issue is fatal for XML, so reading stops at the first one;
// after it the reader must return nil.
import Catalog
import Feeds

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let reader: XMLFeedReader
    do {
        reader = try XMLFeedReader(bytes: bytes, feed: "fuzz.xml")
    } catch {
        return 0
    }
    while true {
        do {
            guard let record = try reader.nextRecord() else { break }
            precondition(record.line >= 0, "record lines are never negative")
        } catch {
            _ = error.description
            precondition(error.isFatal, "every XML issue is fatal")
            let after = try? reader.nextRecord()
            precondition(after == nil, "a fatal issue must end the feed")
            break
        }
    }
    return 0
}
