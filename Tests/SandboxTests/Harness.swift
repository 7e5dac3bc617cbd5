import Foundation
import FoundationNetworking
import Glibc
import Testing

@testable import Sandbox

/// A sandbox on a free loopback port plus a URLSession to talk to it. Always `stop()` it (or use `withSandbox`).
final class Harness: Sendable {
    let server: SandboxServer
    let port: UInt16
    let session: URLSession

    init(maxRequestBytes: Int = 64 << 20, faults: SandboxFaults? = nil, record: URL? = nil) throws {
        server = SandboxServer(maxRequestBytes: maxRequestBytes, faults: faults, record: record)
        port = try server.start()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        session = URLSession(configuration: configuration)
    }

    func stop() {
        session.invalidateAndCancel()
        server.stop()
    }

    var base: String { "http://127.0.0.1:\(port)" }

    struct Reply {
        var status: Int
        var response: HTTPURLResponse
        var data: Data
        var json: JSON { JSON.parse(data) ?? .null }
        var text: String { String(decoding: data, as: UTF8.self) }
        func header(_ name: String) -> String? { response.value(forHTTPHeaderField: name) }
    }

    /// Sends one request. `freshConnection` uses a session of its own, so the request goes out on a
    /// new connection: a client may silently resend a request whose reused keep-alive connection was
    /// closed without an answer, which would hide a `drop` fault.
    func send(
        _ method: String, _ path: String, json: JSON? = nil, body: Data? = nil,
        token: String? = "sandbox-token", headers: [String: String] = [:], timeout: TimeInterval = 10,
        freshConnection: Bool = false
    ) async throws
        -> Reply
    {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = json.data
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        var session = self.session
        if freshConnection {
            session = URLSession(configuration: .ephemeral)
        }
        defer { if freshConnection { session.finishTasksAndInvalidate() } }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return Reply(status: http.statusCode, response: http, data: data)
    }

    func get(_ path: String, token: String? = "sandbox-token") async throws -> Reply {
        try await send("GET", path, token: token)
    }

    func post(_ path: String, _ json: JSON, token: String? = "sandbox-token") async throws -> Reply {
        try await send("POST", path, json: json, token: token)
    }

    /// Posts a fault to the control API and checks it was taken.
    func fault(_ json: JSON) async throws {
        let reply = try await post("/_sandbox/faults", json, token: nil)
        #expect(reply.status == 200, "\(reply.text)")
    }

    func history(_ platform: String, sku: String? = nil) async throws -> [JSON] {
        let reply = try await get(
            "/_sandbox/history?platform=\(platform)" + (sku.map { "&sku=\($0)" } ?? ""), token: nil)
        return reply.json["writes"]?.array ?? []
    }

    func items(_ platform: String) async throws -> [String: JSON] {
        try await get("/_sandbox/items?platform=\(platform)", token: nil).json["items"]?.object ?? [:]
    }
}

/// Runs `body` against a fresh sandbox and stops it afterwards, whatever happens.
func withSandbox(
    maxRequestBytes: Int = 64 << 20, faults: SandboxFaults? = nil, record: URL? = nil,
    _ body: (Harness) async throws -> Void
) async throws {
    let harness = try Harness(maxRequestBytes: maxRequestBytes, faults: faults, record: record)
    do {
        try await body(harness)
    } catch {
        harness.stop()
        throw error
    }
    harness.stop()
}

/// A bare TCP client for what URLSession will not send: malformed heads, pipelining, huge lengths.
final class RawConnection {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(result == 0)
    }

    deinit { close(fd) }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[0..<count]
        return true
    }

    /// The next response: status, headers (names lowercased) and body; `nil` if the server closed first.
    func readResponse() -> (status: Int, headers: [String: String], body: String)? {
        while true {
            if let end = HTTPParser.headEnd(in: buffer, from: 0) {
                let head = String(decoding: buffer[0..<(end - 4)], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    headers[parts[0].lowercased()] =
                        parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                while buffer.count < end + length { guard fill() else { return nil } }
                let body = String(decoding: buffer[end..<(end + length)], as: UTF8.self)
                buffer.removeFirst(end + length)
                let status = Int(head[0].split(separator: " ")[1]) ?? 0
                return (status, headers, body)
            }
            guard fill() else { return nil }
        }
    }

    /// Whether the server closed the connection (end of stream before any more bytes).
    var isClosedByServer: Bool { buffer.isEmpty && !fill() }
}
