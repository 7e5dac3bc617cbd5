public import Catalog
import Foundation

/// A Pinterest catalog, written through v5 item batches.
///
/// Creates and updates both go out as `UPSERT` with the whole item: `UPDATE`'s `update_mask` cannot name
/// `image_link`, and an upsert also repairs an item that went missing on Pinterest. Deletes go out as
/// `DELETE`. One operation per call, at most 1000 items (`batch_size`), then `GET
/// /catalogs/items/batch/{id}` is polled until `COMPLETED` or `FAILED`: items with status `FAILURE` are
/// rejected with Pinterest's messages, `SUCCESS` (or unlisted in a completed batch) acknowledged, the rest
/// pending.
public struct PinterestChannel: ChannelAdapter, ListingFetcher {
    public static let maxItemsPerCall = 1000

    public var name: String { connection.channel }
    public let maxBatchSize: Int
    public var listsWholeCatalog: Bool { false }
    let connection: PlatformConnection

    public init(settings: PlatformSettings, transport: any HTTPTransport, retry: RetryPolicy = RetryPolicy()) {
        maxBatchSize = min(max(1, settings.batchSize ?? Self.maxItemsPerCall), Self.maxItemsPerCall)
        connection = PlatformConnection(settings: settings, transport: transport, retry: retry)
    }

    var accountQuery: [(String, String)] {
        connection.settings.adAccountID.map { [("ad_account_id", $0)] } ?? []
    }

    /// One batch call: its operation, deltas and items.
    struct Call {
        var operation: String
        var deltas: [Delta]
        var items: [JSONValue]
    }

    /// Groups `deltas` by operation (in the order operations first appear) into calls of at most
    /// `maxBatchSize` items; deltas that cannot be expressed are rejected.
    func calls(_ deltas: [Delta], rejected: inout [PushResult.Rejection]) -> [Call] {
        var groups: [String: Call] = [:]
        var order: [String] = []
        for delta in deltas {
            let operation = delta.operation == .delete ? "DELETE" : "UPSERT"
            let item: JSONValue
            do {
                item = delta.operation == .delete ? PinterestItem.delete(delta) : try PinterestItem.upsert(delta)
            } catch {
                rejected.append(.init(delta: delta, message: error.description))
                continue
            }
            if groups[operation] == nil {
                groups[operation] = Call(operation: operation, deltas: [], items: [])
                order.append(operation)
            }
            groups[operation]!.deltas.append(delta)
            groups[operation]!.items.append(item)
        }
        return order.flatMap { operation -> [Call] in
            let group = groups[operation]!
            return stride(from: 0, to: group.deltas.count, by: maxBatchSize).map { start in
                let end = min(start + maxBatchSize, group.deltas.count)
                return Call(operation: operation, deltas: Array(group.deltas[start..<end]),
                            items: Array(group.items[start..<end]))
            }
        }
    }

    public func push(_ deltas: [Delta]) async throws -> PushResult {
        var result = PushResult(acknowledged: [])
        var sent: [(call: Call, batchID: String)] = []
        var firstFailure: ChannelError?
        for call in calls(deltas, rejected: &result.rejected) {
            let settings = connection.settings
            let body: JSONValue = [
                "country": .string(settings.country.uppercased()), "language": .string(settings.language.uppercased()),
                "operation": .string(call.operation), "items": .array(call.items),
            ]
            let url = connection.url("/catalogs/items/batch", query: accountQuery)
            do {
                let reply = try await connection.sendExpectingSuccess(connection.request("POST", url, json: body),
                                                                      operation: "items_batch \(call.operation)")
                guard let batchID = reply.json?["batch_id"]?.string else {
                    throw ChannelError(channel: name, operation: "items_batch", status: reply.status,
                                       message: "response has no batch_id", disposition: .retry(afterSeconds: nil),
                                       requestID: reply.requestID)
                }
                sent.append((call, batchID))
            } catch let error as ChannelError {
                if error.disposition == .fatal { throw error }
                firstFailure = firstFailure ?? error
                for delta in call.deltas {
                    if error.disposition == .rejected {
                        result.rejected.append(.init(delta: delta, message: error.message))
                    } else {
                        result.pending.append(.init(delta: delta, message: error.description))
                    }
                }
            }
        }
        if sent.isEmpty, result.rejected.isEmpty, let firstFailure { throw firstFailure }
        try await confirm(sent, into: &result)
        return result
    }

    /// Polls each batch until it is `COMPLETED` or `FAILED` or `unconfirmedAfterSeconds` pass.
    func confirm(_ sent: [(call: Call, batchID: String)], into result: inout PushResult) async throws {
        let settings = connection.settings
        let time = connection.retry.time
        let deadline = time.now() + settings.unconfirmedAfterSeconds
        var finished: [String: JSONValue] = [:]
        var lastProblem: String?
        var waiting = sent.map(\.batchID)
        while true {
            var stillWaiting: [String] = []
            for batchID in waiting {
                let url = connection.url("/catalogs/items/batch/\(PlatformConnection.encode(batchID))",
                                         query: accountQuery)
                do {
                    let reply = try await connection.sendExpectingSuccess(connection.request("GET", url),
                                                                          operation: "items_batch status")
                    let status = reply.json?["status"]?.string?.uppercased()
                    if status == "COMPLETED" || status == "FAILED" { finished[batchID] = reply.json } else {
                        stillWaiting.append(batchID)
                    }
                } catch let error as ChannelError where error.disposition != .fatal {
                    lastProblem = error.description
                    stillWaiting.append(batchID)
                }
            }
            waiting = stillWaiting
            if waiting.isEmpty || time.now() >= deadline { break }
            try await time.sleep(settings.pollIntervalSeconds)
        }
        for (call, batchID) in sent {
            guard let batch = finished[batchID] else {
                let message = "batch \(batchID) not confirmed within \(Int(settings.unconfirmedAfterSeconds)) s"
                    + (lastProblem.map { " (last poll: \($0))" } ?? "")
                result.pending += call.deltas.map { .init(delta: $0, message: message) }
                continue
            }
            sort(call.deltas, by: batch, into: &result)
        }
    }

    func sort(_ deltas: [Delta], by batch: JSONValue, into result: inout PushResult) {
        let completed = batch["status"]?.string?.uppercased() == "COMPLETED"
        var records: [String: JSONValue] = [:]
        for item in batch["items"]?.array ?? [] {
            if let id = item["item_id"]?.string { records[id] = item }
        }
        for delta in deltas {
            let record = records[delta.sku]
            switch record?["status"]?.string?.uppercased() {
            case "FAILURE"?:
                let messages = (record?["errors"]?.array ?? []).map { error -> String in
                    let message = error["message"]?.string ?? "rejected"
                    return error["attribute"]?.string.map { "\($0): \(message)" } ?? message
                }
                result.rejected.append(.init(delta: delta,
                                             message: messages.isEmpty ? "rejected by Pinterest" : messages.joined(separator: "; ")))
            case "SUCCESS"?:
                result.acknowledged.append(delta)
            case nil where completed:
                result.acknowledged.append(delta)
            default:
                result.pending.append(.init(delta: delta, message: completed ? "item still processing" : "batch FAILED"))
            }
        }
    }
}
