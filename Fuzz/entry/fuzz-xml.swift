// libFuzzer entry point for XMLFeedReader (libxml2's SAX2 push parser underneath).
//
// The whole input is the document. Every issue is fatal for XML, so reading stops at the first one;
// after it the reader must return nil. The document is then read again as ingest reads it (moveToNextRecord,
// currentDigest, and currentRecord unless the digest's low bit says to skip the item), which must end the
// same way: no crash or hang, lines that never go back, and nil after a fatal issue. (Whether a skip is
// right depends on an earlier read of the same bytes, which XMLFeedReaderItemsTests checks.)
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
    walk(bytes)
    return 0
}

private func walk(_ bytes: [UInt8]) {
    guard let reader = try? XMLFeedReader(bytes: bytes, feed: "fuzz.xml") else { return }
    var line = 0
    while true {
        do {
            guard try reader.moveToNextRecord() else { break }
            precondition(reader.currentLine >= line, "items come in document order")
            line = reader.currentLine
            if let digest = reader.currentDigest(seed: 1, attribute: "id"), digest.hash & 1 == 0 { continue }
            let record = try reader.currentRecord()
            precondition(record.line >= 0, "record lines are never negative")
        } catch {
            precondition(error.isFatal, "every XML issue is fatal")
            precondition((try? reader.moveToNextRecord()) == false, "a fatal issue must end the feed")
            break
        }
    }
}
