import Foundation
import FoundationNetworking
import Glibc
import Testing

@testable import Sandbox

/// The real `catalogsync sandbox` binary with `--faults` and `--record`.
@Suite struct SandboxCommandTests {
    /// The built `catalogsync` executable, beside the test bundle in the build folder.
    static var binary: URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !folder.path.isEmpty, folder.path != "/" {
            let candidate = folder.appendingPathComponent("catalogsync")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/catalogsync")
    }

    @Test func theBinaryStartsWithFaultsAndRecordsEveryRequest() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build catalogsync first")
        let record = RecordTests.temporaryFile("record-binary")
        defer { try? FileManager.default.removeItem(at: record) }
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = [
            "sandbox", "--port", "0", "--faults", "webhook:503:count=1:retry_after=1,meta:drop:after=1:count=1",
            "--record", record.path,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        // "sandbox listening on http://127.0.0.1:PORT (…)"
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += chunk
        }
        let line = String(decoding: printed, as: UTF8.self)
        let match = try #require(line.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/), "\(line)")
        let base = "http://127.0.0.1:\(match.1)"

        let session = URLSession(configuration: .ephemeral)
        defer { session.invalidateAndCancel() }
        func send(_ method: String, _ path: String, _ body: JSON? = nil, session: URLSession) async throws -> Int {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            request.timeoutInterval = 5
            request.setValue("Bearer sandbox-token", forHTTPHeaderField: "Authorization")
            if let body { request.httpBody = body.data }
            let (_, response) = try await session.data(for: request)
            return (response as? HTTPURLResponse)?.statusCode ?? -1
        }
        let deltas: JSON = [WebhookPlatformTests.delta("create", "A1", version: 1)]
        #expect(try await send("POST", "/webhook/shop", deltas, session: session) == 503)
        #expect(try await send("POST", "/webhook/shop", deltas, session: session) == 200)
        #expect(try await send("GET", "/meta/v21.0/1/products?limit=2", session: session) == 200)
        let fresh = URLSession(configuration: .ephemeral)
        defer { fresh.invalidateAndCancel() }
        await #expect(throws: URLError.self) { _ = try await send("GET", "/meta/v21.0/1/products", session: fresh) }
        #expect(try await send("GET", "/meta/v21.0/1/products", session: session) == 200)

        let lines = try RecordTests.lines(record)  // read while the sandbox runs
        #expect(lines.map { $0["status"] } == [503, 200, 200, 0, 200])
        #expect(lines.map { $0["platform"] } == ["webhook", "webhook", "meta", "meta", "meta"])
        #expect(lines[1]["body"] == deltas)
        #expect(lines[2]["query"] == ["limit": "2"])

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test(arguments: [("meta:429:rate=2", "rate=2"), ("tiktok:500", "tiktok"), ("google:503,meta:slow", "slow")])
    func aBadSpecExitsWithStatus2NamingThePart(_ spec: String, _ part: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build catalogsync first")
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["sandbox", "--port", "0", "--faults", spec]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(stderr.contains("--faults: \"\(part)\""), "\(stderr)")
    }
}
