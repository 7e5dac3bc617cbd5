public import Catalog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A Google Merchant Center account, written item by item through the Merchant API (products v1).
///
/// Each create or update is a whole-item `productInputs:insert` whose `versionNumber` is the delta's
/// version; each delete a `DELETE …/productInputs/{lang}~{label}~{offerId}`. Items go out concurrently
/// (at most `maxConcurrentRequests` at once, under the rate limit). Per item: 2xx → acknowledged;
/// 409 (a newer version is already there) → acknowledged; 404 on delete → acknowledged (already gone);
/// another 4xx → rejected with Google's message; 429, 5xx or no response after the retry policy gave up →
/// pending. 401 and 403 end the push with a fatal `ChannelError`. One item's failure never blocks the rest.
public struct GoogleChannel: ChannelAdapter, ListingFetcher {
    public var name: String { connection.channel }
    public let maxBatchSize: Int
    public var listsWholeCatalog: Bool { true }
    let connection: PlatformConnection
    let merchantID: String
    let dataSource: String
    let contentLanguage: String
    let feedLabel: String

    /// - Throws: `ChannelError` (`.fatal`) when `merchantID` or `dataSource` is missing.
    public init(settings: PlatformSettings, transport: any HTTPTransport,
                retry: RetryPolicy = RetryPolicy()) throws(ChannelError) {
        merchantID = try settings.require(settings.merchantID, key: "merchant_id")
        dataSource = try settings.require(settings.dataSource, key: "data_source")
        contentLanguage = settings.contentLanguage ?? settings.language
        feedLabel = settings.feedLabel ?? settings.country
        maxBatchSize = max(1, settings.batchSize ?? 500)
        connection = PlatformConnection(settings: settings, transport: transport, retry: retry)
    }

    enum Outcome: Sendable {
        case acknowledged
        case rejected(String)
        case pending(ChannelError)
    }

    public func push(_ deltas: [Delta]) async throws -> PushResult {
        guard !deltas.isEmpty else { return PushResult(acknowledged: []) }
        let width = max(1, connection.settings.maxConcurrentRequests)
        var outcomes = [Outcome?](repeating: nil, count: deltas.count)
        try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            func launch() {
                let index = next, delta = deltas[index]
                next += 1
                group.addTask { (index, try await send(delta)) }
            }
            while next < min(width, deltas.count) { launch() }
            while let (index, outcome) = try await group.next() {
                outcomes[index] = outcome
                if next < deltas.count { launch() }
            }
        }
        var result = PushResult(acknowledged: [])
        var firstPending: ChannelError?
        for (delta, outcome) in zip(deltas, outcomes) {
            switch outcome! {
            case .acknowledged: result.acknowledged.append(delta)
            case .rejected(let message): result.rejected.append(.init(delta: delta, message: message))
            case .pending(let error):
                firstPending = firstPending ?? error
                result.pending.append(.init(delta: delta, message: error.description))
            }
        }
        // Every item failed the same transient way: report it as the push failing, so the caller backs off.
        if result.acknowledged.isEmpty && result.rejected.isEmpty, let firstPending { throw firstPending }
        return result
    }

    /// Sends one delta. - Throws: only a fatal `ChannelError` (credentials) or `CancellationError`.
    func send(_ delta: Delta) async throws -> Outcome {
        let operation = delta.operation == .delete ? "productInputs.delete" : "productInputs.insert"
        let request: URLRequest
        let dataSourceName = "accounts/\(merchantID)/dataSources/\(dataSource)"
        let account = "/products/v1/accounts/\(PlatformConnection.encode(merchantID))"
        if delta.operation == .delete {
            let segment = GoogleProductInput.resourceSegment(offerID: delta.sku, contentLanguage: contentLanguage,
                                                             feedLabel: feedLabel)
            let url = connection.url(account + "/productInputs/" + segment, query: [("dataSource", dataSourceName)])
            request = connection.request("DELETE", url)
        } else {
            let body: JSONValue
            do {
                body = try GoogleProductInput.body(for: delta, contentLanguage: contentLanguage, feedLabel: feedLabel)
            } catch {
                return .rejected(error.description)
            }
            let url = connection.url(account + "/productInputs:insert", query: [("dataSource", dataSourceName)])
            request = connection.request("POST", url, json: body)
        }
        let reply: Reply
        do {
            reply = try await connection.send(request, operation: operation)
        } catch let error as ChannelError {
            return .pending(error)
        }
        if reply.isSuccess { return .acknowledged }
        // ABORTED: the stored version is newer than ours, so a newer state is already there.
        if reply.status == 409 { return .acknowledged }
        if reply.status == 404 && delta.operation == .delete { return .acknowledged }
        let error = connection.failure(reply, operation: operation)
        switch error.disposition {
        case .fatal: throw error
        case .rejected: return .rejected(error.message)
        case .retry: return .pending(error)
        }
    }

    /// Every processed product of this feed label and language: `GET …/products`, page by page.
    public func fetchListings(skus: [String]) async throws -> [String: Listing] {
        var listings: [String: Listing] = [:]
        var pageToken: String?
        for _ in 0..<100_000 {
            var query = [("pageSize", "1000")]
            if let pageToken { query.append(("pageToken", pageToken)) }
            let url = connection.url("/products/v1/accounts/\(PlatformConnection.encode(merchantID))/products",
                                     query: query)
            let reply = try await connection.sendExpectingSuccess(connection.request("GET", url),
                                                                  operation: "products.list")
            for product in reply.json?["products"]?.array ?? [] {
                guard let sku = product["offerId"]?.string else { continue }
                if let language = product["contentLanguage"]?.string, language != contentLanguage { continue }
                if let label = product["feedLabel"]?.string, label != feedLabel { continue }
                listings[sku] = GoogleProductInput.listing(from: product)
            }
            guard let next = reply.json?["nextPageToken"]?.string, !next.isEmpty, next != pageToken else { break }
            pageToken = next
        }
        return listings
    }
}
