public import Catalog
public import Foundation

/// A generic JSON webhook: each batch is one `POST` of a JSON array of delta objects.
///
/// Each object is exactly the file channel's line (`FileChannel.line(for:)`):
/// `{"op":"update","id":"SKU","version":2,"changed":["quantity"],"values":{…}}`. Headers:
/// `Idempotency-Key` (hex SHA-256 of the body, so a re-sent batch carries the same key), and
/// `X-Catalogsync-Signature: sha256=<hex HMAC-SHA256 of the body>` when a signing secret is configured.
/// A 2xx acknowledges every delta except those in an optional `{"rejected":[{"id":"SKU","message":"…"}]}`.
public struct WebhookChannel: ChannelAdapter {
    public var name: String { connection.channel }
    public let maxBatchSize: Int
    let connection: PlatformConnection

    public init(settings: PlatformSettings, transport: any HTTPTransport, retry: RetryPolicy = RetryPolicy()) {
        maxBatchSize = max(1, settings.batchSize ?? 500)
        connection = PlatformConnection(settings: settings, transport: transport, retry: retry)
    }

    /// The request body for `deltas`.
    public static func body(for deltas: [Delta]) -> Data {
        Data(("[" + deltas.map(FileChannel.line(for:)).joined(separator: ",") + "]").utf8)
    }

    public func push(_ deltas: [Delta]) async throws -> PushResult {
        guard !deltas.isEmpty else { return PushResult(acknowledged: []) }
        let body = Self.body(for: deltas)
        var request = connection.request("POST", connection.settings.baseURL, body: body)
        request.setValue(SHA256.hex(SHA256.hash(body)), forHTTPHeaderField: "Idempotency-Key")
        if let secret = connection.settings.signingSecret {
            let signature = SHA256.hmac(key: Array(secret.value.utf8), message: body)
            request.setValue("sha256=" + SHA256.hex(signature), forHTTPHeaderField: "X-Catalogsync-Signature")
        }
        let reply = try await connection.sendExpectingSuccess(request, operation: "post batch")
        var messages: [String: String] = [:]
        for entry in reply.json?["rejected"]?.array ?? [] {
            if let id = entry["id"]?.string { messages[id] = entry["message"]?.string ?? "rejected by the webhook" }
        }
        var result = PushResult(acknowledged: [])
        for delta in deltas {
            if let message = messages[delta.sku] {
                result.rejected.append(.init(delta: delta, message: message))
            } else {
                result.acknowledged.append(delta)
            }
        }
        return result
    }
}
