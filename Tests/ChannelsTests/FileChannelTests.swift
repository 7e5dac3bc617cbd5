import Catalog
import Foundation
import Testing
@testable import Channels

@Suite struct FileChannelTests {
    /// A folder of its own under the temporary directory, removed by `defer` in each test.
    func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("catalogsync-file-\(UUID().uuidString)")
    }

    /// The batch files of `folder`, in name order, as text.
    func batches(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }
    }

    /// Listings with what escaping and ordering have to get right.
    static let awkward: [Delta] = {
        var values = Listing()
        values.set("id", "A\"1")
        values.set("title", "Väska \"Harbour\" 50\\50\ttab\nline \u{1}")
        values.set("brand", "Ångström 北")
        values.set("price", "199.00 SEK")
        values["quantity"] = .integer(-3)
        values.set("zz_custom", "last")
        values.set("custom_label_0", "first of the labels")
        return [
            Fixture.delta(.update, sku: "A\"1", version: 12, changed: ["title", "quantity"], values: values),
            Fixture.delta(.create, sku: "B 2", version: 1, changed: ["id"]),
            Fixture.delta(.delete, sku: "C\\3", version: 9_000_000_001),
        ]
    }()

    @Test func lineHasTheDocumentedShape() {
        var values = Listing()
        values.set("id", "A1")
        values["quantity"] = .integer(3)
        let delta = Fixture.delta(.update, sku: "A1", version: 2, changed: ["quantity"], values: values)
        #expect(FileChannel.line(for: delta)
            == #"{"op":"update","id":"A1","version":2,"changed":["quantity"],"values":{"id":"A1","quantity":3}}"#)
        #expect(FileChannel.line(for: Fixture.delta(.delete, sku: "B", version: 4))
            == #"{"op":"delete","id":"B","version":4,"changed":[],"values":{}}"#)
    }

    @Test func copyingTheStoredTextWritesTheSameBytesAsEncoding() async throws {
        let encoded = folder(), copied = folder()
        defer {
            try? FileManager.default.removeItem(at: encoded)
            try? FileManager.default.removeItem(at: copied)
        }
        let deltas = Self.awkward
        _ = try await FileChannel(name: "f", folder: encoded).push(deltas)
        // As the outbox hands it over: the text stored when it was enqueued, decoded by no one.
        let stored = deltas.map(\.values.jsonText)
        let result = try await FileChannel(name: "f", folder: copied).push(deltas, valuesText: stored)
        #expect(result.acknowledged == deltas)
        let written = try batches(in: copied)
        #expect(written == (try batches(in: encoded)))
        #expect(written == [deltas.map { FileChannel.line(for: $0) + "\n" }.joined()])
    }

    @Test func storedTextDecodedAndEncodedAgainIsUnchanged() throws {
        // What makes copying safe: the outbox used to decode its text and encode the listing again.
        for delta in Self.awkward {
            let text = delta.values.jsonText
            #expect(Listing(jsonText: text)?.jsonText == text)
        }
    }

    @Test func eachPushIsOneCompleteBatchFileAndNoTemporaryFileStays() async throws {
        let out = folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let channel = FileChannel(name: "f", folder: out)
        let first = Array(Self.awkward.prefix(2)), second = Array(Self.awkward.suffix(1))
        _ = try await channel.push(first, valuesText: first.map(\.values.jsonText))
        _ = try await channel.push(second, valuesText: second.map(\.values.jsonText))
        _ = try await channel.push([], valuesText: [])
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names.count == 2)
        #expect(names.allSatisfy { $0.hasPrefix("batch-") && $0.hasSuffix(".jsonl") })
        #expect(try batches(in: out) == [first, second].map { $0.map { FileChannel.line(for: $0) + "\n" }.joined() })
    }

    @Test func aFolderThatCannotBeWrittenIsARetryableChannelError() async throws {
        let out = folder()
        try Data("a file, not a folder".utf8).write(to: out)
        defer { try? FileManager.default.removeItem(at: out) }
        let deltas = Array(Self.awkward.prefix(1))
        let error = await #expect(throws: ChannelError.self) {
            try await FileChannel(name: "f", folder: out).push(deltas, valuesText: deltas.map(\.values.jsonText))
        }
        #expect(error?.disposition == .retry(afterSeconds: nil))
    }
}
