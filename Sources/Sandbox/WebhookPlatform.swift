import Foundation

/// A generic JSON webhook receiver under `/webhook/{name}`: a `POST` of the file channel's delta objects.
///
/// The whole array is checked first (400 `{"error":"…"}` names the first bad delta); then each delta
/// is applied in order unless a rejection fault names its SKU, which the 200 answer lists in
/// `{"rejected":[{"id","message"}]}`. A repeated `Idempotency-Key` gets the first answer again and
/// changes nothing. One catalogue is kept for every webhook name.
struct WebhookPlatform {
    let state: SandboxState
    private let webhook = SandboxPlatform.webhook

    private struct Delta {
        var op: String
        var id: String
        var version: Int64
        var values: [String: JSON]
    }

    func handle(_ request: HTTPRequest, path: [String]) -> HTTPResponse {
        guard path.count == 1, !path[0].isEmpty else {
            return webhook.error(404, "a webhook lives at /webhook/NAME")
        }
        guard request.method == "POST" else { return webhook.error(405, "a webhook takes POST only") }
        let key = request.header("Idempotency-Key").flatMap { $0.isEmpty ? nil : $0 }
        if let key, let earlier = state.mutate({ $0.webhookReplies[key] }) { return earlier }
        guard let entries = JSON.parse(request.body)?.array else {
            return webhook.error(400, "the body must be a JSON array of delta objects")
        }
        var deltas: [Delta] = []
        for (index, entry) in entries.enumerated() {
            switch Self.delta(entry) {
            case .success(let delta): deltas.append(delta)
            case .failure(let problem): return webhook.error(400, "deltas[\(index)]: \(problem.message)")
            }
        }
        let origin = WriteOrigin(
            platform: .webhook, method: request.method, target: request.target, armed: request.armedRejections)
        return state.mutate { store -> HTTPResponse in
            var fired: Set<Int> = []
            var rejected: [JSON] = []
            for delta in deltas {
                if let message = store.rejection(of: delta.id, for: origin, fired: &fired) {
                    rejected.append(["id": .string(delta.id), "message": .string(message)])
                    continue
                }
                store[.webhook, delta.id] = delta.op == "delete" ? nil : .object(delta.values)
                store.record(
                    .webhook, sku: delta.id, op: delta.op, version: delta.version,
                    fields: delta.op == "delete" ? [:] : .object(delta.values))
            }
            store.faults.consume(fired)
            let response = HTTPResponse.json(200, ["rejected": .array(rejected)])
            if let key { store.webhookReplies[key] = response }
            return response
        }
    }

    private struct Problem: Error { var message: String }

    /// One delta line: `{"op":"create|update|delete","id":"SKU","version":N,"changed":[…],"values":{…}}`.
    private static func delta(_ entry: JSON) -> Result<Delta, Problem> {
        guard let members = entry.object else { return .failure(Problem(message: "is not an object")) }
        guard let op = members["op"]?.string, ["create", "update", "delete"].contains(op) else {
            return .failure(Problem(message: "op must be create, update or delete"))
        }
        guard let id = members["id"]?.string, !id.isEmpty else { return .failure(Problem(message: "id is required")) }
        guard case .int(let version) = members["version"] ?? .null else {
            return .failure(Problem(message: "version must be an integer"))
        }
        if let changed = members["changed"], !(changed.array?.allSatisfy { $0.string != nil } ?? false) {
            return .failure(Problem(message: "changed must be an array of field names"))
        }
        let values = members["values"]?.object
        if op != "delete" && values == nil { return .failure(Problem(message: "values must be an object")) }
        return .success(Delta(op: op, id: id, version: version, values: values ?? [:]))
    }
}
