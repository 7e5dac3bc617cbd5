import Foundation
import FoundationNetworking
import Testing

@testable import Sandbox

/// `--record FILE`: one JSON object a line per platform request.
@Suite struct RecordTests {
    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).jsonl")
    }

    /// The record's lines, each parsed (a line that is not a JSON object fails the test).
    static func lines(_ file: URL) throws -> [JSON] {
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.isEmpty || text.hasSuffix("\n"))
        return try text.split(separator: "\n").map { line in
            try #require(JSON.parse(Data(line.utf8))?.object.map(JSON.object), "not a JSON object: \(line)")
        }
    }

    @Test func everyPlatformRequestIsOneLineInOrder() async throws {
        let file = Self.temporaryFile("record")
        defer { try? FileManager.default.removeItem(at: file) }
        try await withSandbox(record: file) { sandbox in
            let delta = WebhookPlatformTests.delta("create", "A1", version: 1)
            #expect(try await sandbox.post("/webhook/shop", [delta]).status == 200)
            let listing = "/pinterest/v5/catalogs/items?country=SE&language=SV&item_ids=A1,B%202"
            #expect(try await sandbox.get(listing).status == 200)
            let text = try await sandbox.send("POST", "/webhook/shop", body: Data("not json".utf8))
            #expect(text.status == 400)
            #expect(try await sandbox.items("webhook").count == 1)  // the control API is left out
            try await sandbox.fault(["platform": "google", "drop": true, "count": 1])
            let connection = try RawConnection(port: sandbox.port)
            connection.write(
                "GET /google/products/v1/accounts/42/products HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer sandbox-token\r\n\r\n")
            #expect(connection.readResponse() == nil)
            #expect(try await sandbox.get("/meta/v21.0/1/products", token: "wrong").status == 401)
            // Readable while the sandbox runs.
            #expect(try Self.lines(file).count == 5)
        }
        let lines = try Self.lines(file)
        #expect(lines.map { $0["method"] } == ["POST", "GET", "POST", "GET", "GET"])
        #expect(
            lines.map { $0["path"] } == [
                "/webhook/shop", "/pinterest/v5/catalogs/items", "/webhook/shop",
                "/google/products/v1/accounts/42/products", "/meta/v21.0/1/products",
            ])
        #expect(lines.map { $0["platform"] } == ["webhook", "pinterest", "webhook", "google", "meta"])
        #expect(lines.map { $0["status"] } == [200, 200, 400, 0, 401])
        #expect(lines[0]["body"] == [WebhookPlatformTests.delta("create", "A1", version: 1)])
        #expect(lines[0]["query"] == [:])
        #expect(lines[1]["query"] == ["country": "SE", "language": "SV", "item_ids": "A1,B 2"])
        #expect(lines[1]["body"] == .null)
        #expect(lines[2]["body"] == "not json")
        let times = lines.compactMap { $0["at"]?.string }
        #expect(times.count == 5)
        #expect(times.allSatisfy { $0.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil }, "\(times)")
        #expect(times == times.sorted())
    }

    @Test func recordAppendsToAnExistingFile() async throws {
        let file = Self.temporaryFile("record")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("{\"earlier\":true}\n".utf8).write(to: file)
        try await withSandbox(record: file) { sandbox in
            _ = try await sandbox.get("/pinterest/v5/catalogs/items/batch/x")
        }
        let lines = try Self.lines(file)
        #expect(lines.count == 2)
        #expect(lines[0]["earlier"] == true)
        #expect(lines[1]["status"] == 404)
    }

    @Test func anUnopenableRecordFileFailsStart() {
        let server = SandboxServer(record: URL(fileURLWithPath: "/nonexistent/folder/record.jsonl"))
        #expect(throws: SandboxRecordError.self) { _ = try server.start() }
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(RequestRecorder.timestamp(Date(timeIntervalSince1970: 1_795_000_000.1234)) == "2026-11-18T11:06:40.123Z")
    }
}
