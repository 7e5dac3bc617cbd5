// libFuzzer entry point for CSVReader (through CSVRecordSource, as the daemon reads a CSV feed).
//
// The first byte picks the chunk size (1…64, so tokens straddle chunk boundaries) and the encoding;
// the rest is the feed. Every record must have as many fields as the header; issues are caught and
// reading goes on, as the daemon does, until the reader returns nil.
import Catalog
import Feeds

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let chunkSize = Int(control & 0x3F) + 1
    let encoding: FeedEncoding = [.auto, .utf8, .windows1252, .latin1][Int(control >> 6)]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var reader = CSVReader(bytes: bytes, feed: "fuzz.csv", encoding: encoding, chunkSize: chunkSize)
    var header: [String]?
    while true {
        do {
            if header == nil { header = try reader.readHeader() }
            guard let record = try reader.nextRecord() else { break }
            precondition(record.fields.count == header!.count, "a record's field count differs from the header's")
            precondition(record.line >= 1, "record lines are 1-based")
        } catch {
            precondition(error.location.line >= 0, "issue lines are never negative")
            _ = error.description
            if header == nil { break }  // a bad header ends the feed
        }
    }
    // The same bytes through the record source, as the profiles read them.
    let source = CSVRecordSource(CSVReader(bytes: bytes, feed: "fuzz.csv", encoding: encoding, chunkSize: 1 << 18))
    while true {
        do {
            guard try source.nextRecord() != nil else { break }
        } catch {
            if error.isFatal { break }
        }
    }
    return 0
}
