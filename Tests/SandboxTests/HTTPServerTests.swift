import Foundation
import Testing

@testable import Sandbox

@Suite struct HTTPServerTests {
    @Test func twoRequestsShareOneKeptAliveConnection() async throws {
        try await withSandbox { sandbox in
            let connection = try RawConnection(port: sandbox.port)
            connection.write("GET /_sandbox/faults HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(connection.readResponse()?.status == 200)
            connection.write("GET /_sandbox/requests HTTP/1.1\r\nHost: x\r\n\r\n")
            let second = try #require(connection.readResponse())
            #expect(second.status == 200)
            #expect(second.body.contains("\"total\":0"))
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withSandbox { sandbox in
            let connection = try RawConnection(port: sandbox.port)
            connection.write(
                "POST /_sandbox/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(connection.readResponse()?.status == 200)
            #expect(connection.readResponse()?.status == 404)
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withSandbox { sandbox in
            let connection = try RawConnection(port: sandbox.port)
            connection.write("GET /_sandbox/faults HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let reply = try #require(connection.readResponse())
            #expect(reply.headers["connection"] == "close")
            #expect(connection.isClosedByServer)
        }
    }

    @Test(arguments: [
        "NOT A REQUEST\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "GET /x HTTP/1.1\r\n\r\n",
        "\u{1}\u{2}\u{3}\r\n\r\n",
    ])
    func malformedRequestIsA400AndTheServerKeepsServing(_ raw: String) async throws {
        try await withSandbox { sandbox in
            let connection = try RawConnection(port: sandbox.port)
            connection.write(raw)
            #expect(connection.readResponse()?.status == 400)
            #expect(connection.isClosedByServer)
            #expect(try await sandbox.get("/_sandbox/faults", token: nil).status == 200)
        }
    }

    @Test func oversizedBodyIsA413WithoutReadingIt() async throws {
        try await withSandbox(maxRequestBytes: 1024) { sandbox in
            let connection = try RawConnection(port: sandbox.port)
            connection.write("POST /webhook/shop HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n[")
            let reply = try #require(connection.readResponse())
            #expect(reply.status == 413)
            #expect(reply.body.contains("999999999"))
            let small = try await sandbox.send("POST", "/webhook/shop", body: Data("[]".utf8))
            #expect(small.status == 200)
        }
    }

    @Test func oversizedHeadIsA431() async throws {
        try await withSandbox { sandbox in
            let connection = try RawConnection(port: sandbox.port)
            connection.write(
                "GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n")
            #expect(connection.readResponse()?.status == 431)
        }
    }

    @Test func chunkedUploadIsRefusedWith411() async throws {
        try await withSandbox { sandbox in
            let connection = try RawConnection(port: sandbox.port)
            connection.write(
                "POST /webhook/shop HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n")
            #expect(connection.readResponse()?.status == 411)
        }
    }

    @Test func expectContinueGetsA100BeforeTheBody() async throws {
        try await withSandbox { sandbox in
            let connection = try RawConnection(port: sandbox.port)
            connection.write(
                "POST /_sandbox/reset HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
            #expect(connection.readResponse()?.status == 100)
            connection.write("{}")
            #expect(connection.readResponse()?.status == 200)
        }
    }

    @Test func aClientThatLeavesMidBodyDoesNotStopTheServer() async throws {
        try await withSandbox { sandbox in
            do {
                let connection = try RawConnection(port: sandbox.port)
                connection.write("POST /webhook/shop HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[{")
            }
            #expect(try await sandbox.get("/_sandbox/faults", token: nil).status == 200)
        }
    }

    @Test func platformRequestsWithoutAKnownTokenAre401InThePlatformsShape() async throws {
        try await withSandbox { sandbox in
            let meta = try await sandbox.get("/meta/v21.0/1/products", token: nil)
            #expect(meta.status == 401)
            #expect(meta.json["error"]?["type"] == "OAuthException")
            let google = try await sandbox.get("/google/products/v1/accounts/1/products", token: "wrong")
            #expect(google.status == 401)
            #expect(google.json["error"]?["status"] == "UNAUTHENTICATED")
            let pinterest = try await sandbox.get(
                "/pinterest/v5/catalogs/items?country=SE&language=SV&item_ids=a",
                token: nil)
            #expect(pinterest.status == 401)
            #expect(pinterest.json["code"] == 2)
            #expect(try await sandbox.post("/webhook/shop", [], token: nil).status == 401)
        }
    }

    @Test func serverBindsLoopbackAndRefusesAPortInUse() throws {
        let first = SandboxServer()
        let port = try first.start()
        defer { first.stop() }
        let second = SandboxServer(port: port)
        let error = #expect(throws: SandboxServerError.self) { try second.start() }
        #expect(error?.port == port)
        #expect(error?.description.contains("\(port)") == true)
    }

    @Test func stopIsIdempotentAndFreesThePort() throws {
        let server = SandboxServer()
        let port = try server.start()
        server.stop()
        server.stop()
        let again = SandboxServer(port: port)
        #expect(try again.start() == port)
        again.stop()
    }
}
