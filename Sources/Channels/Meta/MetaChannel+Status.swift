import Catalog
import Foundation

extension MetaChannel {
    /// What `check_batch_request_status` said about one handle once it stopped processing.
    struct BatchStatus {
        struct ItemError {
            var line: Int?
            var id: String?
            var message: String
        }

        var isError: Bool
        var errors: [ItemError]
        var errorsTotalCount: Int
        var invalidIDs: [String]
    }

    /// Polls every handle until it is `finished` or `error`, or until `unconfirmedAfterSeconds`, and sorts
    /// each chunk's deltas into acknowledged, rejected and pending.
    func confirm(_ sent: [(chunk: Chunk, handles: [String])], into result: inout PushResult) async throws {
        let settings = connection.settings
        let time = connection.retry.time
        let deadline = time.now() + settings.unconfirmedAfterSeconds
        var statuses: [String: BatchStatus] = [:]
        var lastProblem: String?
        var waiting = sent.flatMap(\.handles)
        while true {
            var stillWaiting: [String] = []
            for handle in waiting {
                do {
                    if let status = try await poll(handle) { statuses[handle] = status } else { stillWaiting.append(handle) }
                } catch let error as ChannelError where error.disposition != .fatal {
                    lastProblem = error.description
                    stillWaiting.append(handle)
                }
            }
            waiting = stillWaiting
            if waiting.isEmpty || time.now() >= deadline { break }
            try await time.sleep(settings.pollIntervalSeconds)
        }
        for (chunk, handles) in sent {
            let done = handles.compactMap { statuses[$0] }
            guard done.count == handles.count else {
                let open = handles.filter { statuses[$0] == nil }.joined(separator: ", ")
                let message = "batch \(open) not confirmed within \(Int(settings.unconfirmedAfterSeconds)) s"
                    + (lastProblem.map { " (last poll: \($0))" } ?? "")
                result.pending += chunk.deltas.map { .init(delta: $0, message: message) }
                continue
            }
            sort(chunk.deltas, by: done, into: &result)
        }
    }

    /// Applies the statuses of one chunk's handles to its deltas.
    func sort(_ deltas: [Delta], by statuses: [BatchStatus], into result: inout PushResult) {
        var messages: [Int: [String]] = [:]
        var attributed = 0
        var listed = 0
        for status in statuses {
            listed += status.errors.count
            for error in status.errors {
                var indices = error.id.map { id in deltas.indices.filter { deltas[$0].sku == id } } ?? []
                if indices.isEmpty, let line = error.line, deltas.indices.contains(line) { indices = [line] }
                if !indices.isEmpty { attributed += 1 }
                for index in indices { messages[index, default: []].append(error.message) }
            }
            for id in status.invalidIDs {
                for index in deltas.indices where deltas[index].sku == id && messages[index] == nil {
                    messages[index] = ["rejected by Meta (no details returned)"]
                }
            }
        }
        let failed = statuses.contains(where: \.isError)
        let total = statuses.reduce(0) { $0 + max($1.errorsTotalCount, $1.errors.count) }
        let coveredByIDs = statuses.allSatisfy { $0.invalidIDs.count >= $0.errorsTotalCount }
        // Errors we cannot tie to an item (a truncated error list) make every unnamed item uncertain.
        let uncertain = failed || attributed < listed || (total > listed && !coveredByIDs)
        for (index, delta) in deltas.enumerated() {
            if let list = messages[index] {
                result.rejected.append(.init(delta: delta, message: list.joined(separator: "; ")))
            } else if uncertain {
                let why = failed ? "batch ended with status error" : "Meta reported errors it did not attribute"
                result.pending.append(.init(delta: delta, message: why))
            } else {
                result.acknowledged.append(delta)
            }
        }
    }

    /// One `check_batch_request_status` call. - Returns: `nil` while the batch is still processing.
    func poll(_ handle: String) async throws -> BatchStatus? {
        let url = connection.url("/\(PlatformConnection.encode(catalogID))/check_batch_request_status",
                                 query: [("handle", handle), ("load_ids_of_invalid_requests", "true")])
        let reply = try await connection.send(connection.request("GET", url), operation: "check_batch_request_status")
        guard reply.isSuccess else { throw metaFailure(reply, operation: "check_batch_request_status") }
        let entries = reply.json?["data"]?.array ?? []
        guard let entry = entries.first(where: { $0["handle"]?.string == handle }) ?? entries.first else { return nil }
        let state = entry["status"]?.string?.lowercased() ?? ""
        guard state == "finished" || state == "error" else { return nil }
        let errors = (entry["errors"]?.array ?? []).map { error in
            BatchStatus.ItemError(line: error["line"]?.integer.map { Int($0) }, id: error["id"]?.string,
                                  message: error["message"]?.string ?? "rejected by Meta")
        }
        return BatchStatus(isError: state == "error", errors: errors,
                           errorsTotalCount: Int(entry["errors_total_count"]?.integer ?? Int64(errors.count)),
                           invalidIDs: entry["ids_of_invalid_requests"]?.array?.compactMap(\.string) ?? [])
    }
}
