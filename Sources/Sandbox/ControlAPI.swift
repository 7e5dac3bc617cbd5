import Foundation

/// The sandbox's own API under `/_sandbox` (tests and demos only; no auth), answering `{"error":"…"}` on misuse.
///
/// - `POST /_sandbox/reset`: forget every catalogue, the history, the request counts and the faults.
/// - `POST /_sandbox/faults` (a fault, see `Fault`: status, latency_ms, hang, drop, drop_after_apply or reject_skus,
///   picked by platform, path_contains, method, after, rate/seed, count) → `{"fault":{…,"id":N}}`; `GET` lists
///   them (with `seen`, the matching requests so far, and the seed a `rate` fault drew); `DELETE` clears them.
/// - `GET /_sandbox/items?platform=P` → `{"items":{"SKU":{…as stored…}}}`.
/// - `GET /_sandbox/history[?platform=P][&sku=X]` → `{"writes":[{"platform","sku","op","version"?,"fields","at"}]}`.
/// - `GET /_sandbox/requests[?platform=P]` → `{"requests":{"/path":N},"total":N}`.
struct ControlAPI {
    let state: SandboxState

    func handle(_ request: HTTPRequest, path: [String]) -> HTTPResponse {
        do {
            return try route(request, path)
        } catch {
            return .json(error.status, ["error": .string(error.message)])
        }
    }

    private struct Failure: Error {
        var status: Int
        var message: String
    }

    private func route(_ request: HTTPRequest, _ path: [String]) throws(Failure) -> HTTPResponse {
        let query = request.query
        switch (request.method, path) {
        case ("POST", ["reset"]):
            state.reset()
            return .json(200, ["ok": true])
        case ("POST", ["faults"]):
            guard let body = JSON.parse(request.body) else {
                throw Failure(status: 400, message: "the body must be JSON")
            }
            do {
                let fault = try state.mutate { store throws(ControlError) in try store.faults.add(body) }
                return .json(200, ["fault": fault.json])
            } catch let error as ControlError {
                throw Failure(status: 400, message: error.message)
            } catch {
                throw Failure(status: 500, message: "\(error)")
            }
        case ("GET", ["faults"]):
            return .json(200, ["faults": .array(state.mutate { $0.faults.faults.map(\.json) })])
        case ("DELETE", ["faults"]):
            state.mutate { $0.faults.removeAll() }
            return .json(200, ["ok": true])
        case ("GET", ["items"]):
            guard let platform = try platform(query) else {
                throw Failure(status: 400, message: "items needs ?platform=meta|google|pinterest|webhook")
            }
            return .json(200, ["items": .object(state.mutate { $0.catalogues[platform] ?? [:] })])
        case ("GET", ["history"]):
            let platform = try platform(query)
            let sku = query["sku"]
            let writes = state.mutate { store in
                store.history.filter { ($0.platform == platform || platform == nil) && ($0.sku == sku || sku == nil) }
            }
            return .json(200, ["writes": .array(writes.map(\.json))])
        case ("GET", ["requests"]):
            let platform = try platform(query)
            let counts = state.mutate { store in
                SandboxPlatform.allCases.filter { $0 == platform || platform == nil }
                    .reduce(into: [String: Int]()) { merged, each in
                        merged.merge(store.requestCounts[each] ?? [:], uniquingKeysWith: +)
                    }
            }
            return .json(
                200,
                [
                    "requests": .object(counts.mapValues { .int(Int64($0)) }),
                    "total": .int(Int64(counts.values.reduce(0, +))),
                ])
        case (_, ["reset"]), (_, ["faults"]), (_, ["items"]), (_, ["history"]), (_, ["requests"]):
            throw Failure(status: 405, message: "\(request.method) is not allowed on /_sandbox/\(path[0])")
        default:
            throw Failure(status: 404, message: "the control API has reset, faults, items, history and requests")
        }
    }

    private func platform(_ query: [String: String]) throws(Failure) -> SandboxPlatform? {
        guard let name = query["platform"] else { return nil }
        guard let platform = SandboxPlatform(rawValue: name) else {
            throw Failure(status: 400, message: "platform \"\(name)\" is not one of meta, google, pinterest, webhook")
        }
        return platform
    }
}
