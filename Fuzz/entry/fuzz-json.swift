// libFuzzer entry point for JSONFeedReader.
//
// The first byte picks the chunk size (1…32, so tokens straddle chunk boundaries), the layout and whether
// a record path (`products`) is given; the rest is the feed. Issues are caught and reading goes on, as the
// daemon does, until the reader returns nil; a fatal issue must be followed by nil. The feed is then read
// again as ingest reads it (moveToNextRecord, currentDigest, and currentRecord unless the digest's low bit
// says to skip the record), which must give the same records and issues, on the same lines, and ids that
// are the decoded records' ids.
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
    func makeReader() -> JSONFeedReader {
        JSONFeedReader(bytes: bytes, feed: "fuzz.json", layout: layout, recordPath: recordPath, chunkSize: chunkSize)
    }
    let reader = makeReader()
    var outcomes: [Result<FeedRecord, FeedIssue>] = []
    while true {
        do {
            guard let record = try reader.nextRecord() else { break }
            precondition(record.line >= 1, "record lines are 1-based")
            outcomes.append(.success(record))
        } catch {
            _ = error.description
            outcomes.append(.failure(error))
            if error.isFatal {
                let after = try? reader.nextRecord()
                precondition(after == nil, "a fatal issue must end the feed")
                break
            }
        }
    }

    let raw = makeReader()
    for expected in outcomes {
        let outcome: Result<FeedRecord, FeedIssue>
        do {
            let found = try raw.moveToNextRecord()
            precondition(found, "the raw walk ended early")
            let digest = raw.currentDigest(seed: 1, attribute: "id")
            if case .success(let record) = expected {
                precondition(raw.currentLine == record.line, "the raw walk is on another line")
                if let digest { precondition(digest.key == record.value(ofAttribute: "id"), "a wrong id") }
            }
            if let digest, digest.hash & 1 == 0 { continue }
            outcome = .success(try raw.currentRecord())
        } catch {
            outcome = .failure(error)
        }
        precondition(outcome == expected, "the raw walk read another record or issue")
    }
    precondition((try? raw.moveToNextRecord()) != true, "the raw walk found more records")
    return 0
}
