public import Catalog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A Meta (Facebook/Instagram shops) catalog, written through the Catalog Batch API.
///
/// `push` sends `POST {base}/{catalog_id}/items_batch` in chunks of at most `batch_size` requests
/// (default 3000, at most 5000) and 28 MB, then polls `check_batch_request_status` for every handle until
/// it is `finished` or `error`. Items named in the status' `errors` (by `id`, else by `line`) are rejected;
/// the rest are acknowledged. A batch still processing after `unconfirmedAfterSeconds` leaves its deltas
/// pending (neither acknowledged nor rejected), so they are re-sent later.
public struct MetaChannel: ChannelAdapter, ListingFetcher {
    public static let defaultBatchSize = 3000
    public static let maxRequestsPerCall = 5000
    public static let maxBodyBytes = 28_000_000

    public var name: String { connection.channel }
    public let maxBatchSize: Int
    /// The largest `items_batch` body, in bytes (Meta's 28 MB; smaller in tests).
    var maxBodyBytes = Self.maxBodyBytes
    public var listsWholeCatalog: Bool { true }
    let connection: PlatformConnection
    let catalogID: String

    /// - Throws: `ChannelError` (`.fatal`) when `catalogID` is missing.
    public init(settings: PlatformSettings, transport: any HTTPTransport,
                retry: RetryPolicy = RetryPolicy()) throws(ChannelError) {
        catalogID = try settings.require(settings.catalogID, key: "catalog_id")
        maxBatchSize = min(max(1, settings.batchSize ?? Self.defaultBatchSize), Self.maxRequestsPerCall)
        connection = PlatformConnection(settings: settings, transport: transport, retry: retry)
    }

    /// One `items_batch` call: the deltas it carries and its body.
    struct Chunk {
        var deltas: [Delta] = []
        var body = Data()
    }

    /// Splits `deltas` into bodies of at most `maxBatchSize` requests and `maxBodyBytes` bytes.
    func chunks(_ deltas: [Delta]) -> [Chunk] {
        let head = "{\"allow_upsert\":true,\"item_type\":\"PRODUCT_ITEM\",\"requests\":["
        let tail = "]}"
        var chunks: [Chunk] = []
        var current: [Delta] = []
        var parts: [String] = []
        var size = head.utf8.count + tail.utf8.count
        func close() {
            guard !current.isEmpty else { return }
            chunks.append(Chunk(deltas: current, body: Data((head + parts.joined(separator: ",") + tail).utf8)))
            current = []
            parts = []
            size = head.utf8.count + tail.utf8.count
        }
        for delta in deltas {
            let text = MetaItem.request(for: delta).text
            let added = text.utf8.count + (parts.isEmpty ? 0 : 1)
            if !current.isEmpty && (current.count >= maxBatchSize || size + added > maxBodyBytes) { close() }
            size += text.utf8.count + (parts.isEmpty ? 0 : 1)
            current.append(delta)
            parts.append(text)
        }
        close()
        return chunks
    }

    public func push(_ deltas: [Delta]) async throws -> PushResult {
        guard !deltas.isEmpty else { return PushResult(acknowledged: []) }
        var sent: [(chunk: Chunk, handles: [String])] = []
        var result = PushResult(acknowledged: [])
        var firstFailure: ChannelError?
        let all = chunks(deltas)
        for chunk in all {
            do {
                sent.append((chunk, try await post(chunk)))
            } catch let error as ChannelError {
                if error.disposition == .fatal { throw error }
                firstFailure = firstFailure ?? error
                for delta in chunk.deltas {
                    if error.disposition == .rejected {
                        result.rejected.append(.init(delta: delta, message: error.message))
                    } else {
                        result.pending.append(.init(delta: delta, message: error.description))
                    }
                }
            }
        }
        // Nothing reached Meta: report the batch as failed as a whole, as `ChannelAdapter.push` promises.
        if sent.isEmpty, let firstFailure { throw firstFailure }
        try await confirm(sent, into: &result)
        return result
    }

    /// Posts one chunk. - Returns: its batch handles.
    func post(_ chunk: Chunk) async throws -> [String] {
        let url = connection.url("/\(PlatformConnection.encode(catalogID))/items_batch")
        let request = connection.request("POST", url, body: chunk.body)
        let reply = try await connection.send(request, operation: "items_batch")
        guard reply.isSuccess else { throw metaFailure(reply, operation: "items_batch") }
        let handles = reply.json?["handles"]?.array?.compactMap(\.string) ?? []
        guard !handles.isEmpty else {
            throw ChannelError(channel: name, operation: "items_batch", status: reply.status,
                               message: "response has no batch handles", disposition: .retry(afterSeconds: nil),
                               requestID: reply.requestID, responseBody: connection.redact(reply.bodyPrefix))
        }
        return handles
    }

    /// Meta signals throttling with HTTP 400/403 and an error code: those are worth retrying later.
    /// https://developers.facebook.com/docs/graph-api/overview/rate-limiting/
    func metaFailure(_ reply: Reply, operation: String) -> ChannelError {
        var error = connection.failure(reply, operation: operation)
        let code = reply.json?["error"]?["code"]?.integer ?? 0
        let isTransient = reply.json?["error"]?["is_transient"] == .bool(true)
        if isTransient || [4, 17, 32, 341, 613, 80004, 80009, 80014].contains(code) {
            error.disposition = .retry(afterSeconds: nil)
        }
        return error
    }
}
