import Catalog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Channels

@Suite struct WebhookChannelTests {
    func channel(_ transport: FakeTransport, secret: String? = nil) -> WebhookChannel {
        var settings = Fixture.settings("webhook")
        settings.signingSecret = secret.map(Secret.init)
        return WebhookChannel(settings: settings, transport: transport, retry: Fixture.retry(ManualTime()))
    }

    @Test func postsTheFileChannelLinesAsOneArray() async throws {
        let transport = FakeTransport(sequence: [.json(200, "")])
        let deltas = [Fixture.delta(.update, changed: ["quantity"]), Fixture.delta(.delete, sku: "B")]
        let result = try await channel(transport).push(deltas)
        #expect(result.acknowledged == deltas)
        let request = transport.requests[0]
        #expect(request.url?.absoluteString == "http://127.0.0.1:8787/webhook")
        #expect(request.value(forHTTPHeaderField: "Content-Type") == "application/json")
        let lines = try deltas.map { try JSONValue(parsing: Data(FileChannel.line(for: $0).utf8)) }
        #expect(request.json == .array(lines))
        #expect(request.json?[1] == ["op": "delete", "id": "B", "version": 7, "changed": [], "values": [:]])
        #expect(request.value(forHTTPHeaderField: "Idempotency-Key") == SHA256.hex(SHA256.hash(request.httpBody!)))
        #expect(request.value(forHTTPHeaderField: "X-Catalogsync-Signature") == nil)
    }

    @Test func theSameBatchCarriesTheSameIdempotencyKey() async throws {
        let transport = FakeTransport(sequence: [.json(200, "{}")])
        let deltas = [Fixture.delta(.create)]
        _ = try await channel(transport).push(deltas)
        _ = try await channel(transport).push(deltas)
        let keys = transport.requests.map { $0.value(forHTTPHeaderField: "Idempotency-Key") }
        #expect(keys[0] != nil && keys[0] == keys[1])
    }

    @Test func aSecretSignsTheBody() async throws {
        let transport = FakeTransport(sequence: [.json(200, "{}")])
        _ = try await channel(transport, secret: "key").push([Fixture.delta(.create)])
        let request = transport.requests[0]
        let expected = "sha256=" + SHA256.hex(SHA256.hmac(key: Array("key".utf8), message: request.httpBody!))
        #expect(request.value(forHTTPHeaderField: "X-Catalogsync-Signature") == expected)
    }

    @Test func listedItemsAreRejected() async throws {
        let transport = FakeTransport(sequence: [.json(200, #"{"rejected":[{"id":"B","message":"unknown sku"}]}"#)])
        let result = try await channel(transport).push([Fixture.delta(.create), Fixture.delta(.create, sku: "B")])
        #expect(result.acknowledged.map(\.sku) == ["A1"])
        #expect(result.rejected == [.init(delta: Fixture.delta(.create, sku: "B"), message: "unknown sku")])
    }

    @Test func aServerErrorIsRetriedThenReported() async throws {
        let transport = FakeTransport(sequence: [.json(502, "bad gateway")])
        let error = await #expect(throws: ChannelError.self) { try await channel(transport).push([Fixture.delta(.create)]) }
        #expect(transport.requests.count == 3)
        #expect(error?.status == 502)
        #expect(error?.responseBody == "bad gateway")
        #expect(error?.disposition == .retry(afterSeconds: nil))
    }
}

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func fipsExamples(_ message: String, _ digest: String) {
        #expect(SHA256.hex(SHA256.hash(Array(message.utf8))) == digest)
    }

    @Test func rfc4231HMACVectors() {
        // Test case 1: 20 × 0x0b, "Hi There".
        #expect(SHA256.hex(SHA256.hmac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // Test case 2: "Jefe", "what do ya want for nothing?".
        #expect(SHA256.hex(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Test case 6: a 131-byte key, longer than the block.
        #expect(SHA256.hex(SHA256.hmac(key: [UInt8](repeating: 0xaa, count: 131),
                                       message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}
