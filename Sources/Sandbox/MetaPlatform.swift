import Foundation

/// The Meta catalog (Graph API) endpoints under `/meta/{version}/{catalog_id}/…`.
///
/// `items_batch` validates the call as a whole (400 `OAuthException` code 100) and each item on its own:
/// item errors, and items named by a rejection fault, are reported by `check_batch_request_status`,
/// which answers `in_progress` on the first poll and `finished` from the second. Accepted items are
/// applied when the batch is posted. One catalogue is kept whatever the catalog id.
struct MetaPlatform {
    let state: SandboxState

    static let maxRequests = 5000
    static let maxBodyBytes = 28 * 1024 * 1024
    static let availabilities: Set<String> = [
        "in stock", "out of stock", "preorder", "available for order",
        "discontinued", "pending", "mark_as_sold",
    ]
    static let conditions: Set<String> = [
        "new", "refurbished", "used", "cpo", "open_box_new", "used_fair",
        "used_good", "used_like_new",
    ]
    /// Graph `ProductItem` field names a listing may ask for, and the feed field each one reads.
    static let listingAliases = [
        "name": "title", "url": "link", "image_url": "image_link",
        "retailer_product_group_id": "item_group_id",
        "additional_image_urls": "additional_image_link", "manufacturer_part_number": "mpn",
    ]

    func handle(_ request: HTTPRequest, path: [String]) -> HTTPResponse {
        guard path.count == 3, path[0].hasPrefix("v"), !path[1].isEmpty else {
            return SandboxPlatform.meta.error(404, "Unknown path components: /\(path.joined(separator: "/"))")
        }
        switch (request.method, path[2]) {
        case ("POST", "items_batch"): return itemsBatch(request)
        case ("GET", "check_batch_request_status"): return batchStatus(request)
        case ("GET", "products"): return products(request)
        case (_, "items_batch"), (_, "check_batch_request_status"), (_, "products"):
            return SandboxPlatform.meta.error(405, "Unsupported \(request.method) request.")
        default:
            return SandboxPlatform.meta.error(404, "Unknown path components: /\(path[2])")
        }
    }

    // MARK: items_batch

    private struct ItemRequest {
        var method: String
        var data: [String: JSON]
        var id: String { data["id"]?.string ?? "" }
    }

    private func itemsBatch(_ request: HTTPRequest) -> HTTPResponse {
        let meta = SandboxPlatform.meta
        guard request.body.count <= Self.maxBodyBytes else {
            return meta.error(413, "(#100) The request body is over \(Self.maxBodyBytes) bytes")
        }
        guard let body = JSON.parse(request.body)?.object else {
            return meta.error(400, "(#100) The request body must be a JSON object")
        }
        guard let itemType = body["item_type"] else {
            return meta.error(400, "(#100) The parameter item_type is required")
        }
        guard itemType.string == "PRODUCT_ITEM" else {
            return meta.error(400, "(#100) Param item_type must be PRODUCT_ITEM in the sandbox")
        }
        var allowUpsert = true
        if let value = body["allow_upsert"] {
            guard let flag = value.bool else { return meta.error(400, "(#100) Param allow_upsert must be a boolean") }
            allowUpsert = flag
        }
        guard let entries = body["requests"]?.array else {
            return meta.error(400, "(#100) The parameter requests is required and must be an array")
        }
        guard !entries.isEmpty, entries.count <= Self.maxRequests else {
            return meta.error(
                400, "(#100) Param requests must hold 1 to \(Self.maxRequests) requests, not \(entries.count)")
        }
        var items: [ItemRequest] = []
        for (line, entry) in entries.enumerated() {
            guard let method = entry["method"]?.string, ["CREATE", "UPDATE", "DELETE"].contains(method) else {
                return meta.error(400, "(#100) requests[\(line)].method must be CREATE, UPDATE or DELETE")
            }
            guard let data = entry["data"]?.object else {
                return meta.error(400, "(#100) requests[\(line)].data must be an object")
            }
            items.append(ItemRequest(method: method, data: data))
        }
        let problems = items.map(Self.problem)
        let origin = WriteOrigin(
            platform: .meta, method: request.method, target: request.target, armed: request.armedRejections)
        let handle = state.mutate { store -> String in
            var errors: [JSON] = []
            var fired: Set<Int> = []
            for (line, item) in items.enumerated() {
                var message = problems[line]
                if message == nil { message = store.rejection(of: item.id, for: origin, fired: &fired) }
                if message == nil { message = Self.apply(item, allowUpsert: allowUpsert, to: &store) }
                if let message {
                    errors.append(["line": .int(Int64(line)), "id": .string(item.id), "message": .string(message)])
                }
            }
            store.faults.consume(fired)
            let handle = "AcX" + String(store.nextSerial(), radix: 16) + "sandbox"
            store.metaBatches[handle] = MetaBatch(errors: errors)
            return handle
        }
        return .json(200, ["handles": [.string(handle)]])
    }

    /// What is wrong with one request's data, as Meta reports it per item; `nil` when it is fine.
    private static func problem(_ item: ItemRequest) -> String? {
        guard !item.id.isEmpty else { return "id (the retailer id) is required" }
        if item.method == "DELETE" { return nil }
        if item.method == "CREATE" {
            for field in ["title", "price", "availability"] where (item.data[field]?.string ?? "").isEmpty {
                return "\(field) is required"
            }
        }
        for (field, value) in item.data.sorted(by: { $0.key < $1.key }) {
            switch (field, value) {
            case ("quantity_to_sell_on_facebook", _):
                guard let quantity = value.integer, quantity >= 0 else {
                    return "quantity_to_sell_on_facebook must be a non-negative integer"
                }
            case ("additional_image_link", .array(let links)):
                if !links.allSatisfy({ $0.string != nil }) { return "additional_image_link must hold strings" }
            case (_, .string(let text)):
                if let message = fieldProblem(field, text) { return message }
            default:
                return "\(field) must be a string, not \(value.typeName)"
            }
        }
        return nil
    }

    private static func fieldProblem(_ field: String, _ text: String) -> String? {
        switch field {
        case "price", "sale_price":
            if text.isEmpty { return field == "price" ? "price cannot be empty" : nil }
            return isPrice(text)
                ? nil : "\(field) \"\(text)\" must be an amount and an ISO 4217 code, like \"199.00 SEK\""
        case "availability":
            return availabilities.contains(text)
                ? nil : "availability \"\(text)\" is not one of \(availabilities.sorted())"
        case "condition":
            return text.isEmpty || conditions.contains(text)
                ? nil : "condition \"\(text)\" is not one of \(conditions.sorted())"
        case "link", "image_link":
            return text.isEmpty || text.hasPrefix("http://") || text.hasPrefix("https://")
                ? nil : "\(field) must be an http(s) URL"
        case "sale_price_effective_date":
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            return text.isEmpty || (parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty)
                ? nil : "sale_price_effective_date must be \"start/end\" in ISO 8601"
        default:
            return nil
        }
    }

    /// `199.00 SEK`: digits, optional decimals, one space, three capital letters.
    static func isPrice(_ text: String) -> Bool {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 3, parts[1].allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            return false
        }
        let amount = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(amount.count) && amount.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }

    /// Applies one valid request; an error message when Meta would refuse it (UPDATE of an unknown item).
    private static func apply(_ item: ItemRequest, allowUpsert: Bool, to store: inout SandboxStore) -> String? {
        let sku = item.id
        switch item.method {
        case "CREATE":
            store[.meta, sku] = .object(item.data.filter { $0.value != "" })
        case "UPDATE":
            guard var stored = store[.meta, sku]?.object ?? (allowUpsert ? [:] : nil) else {
                return "item \(sku) does not exist (allow_upsert is false)"
            }
            for (field, value) in item.data {
                stored[field] = value == "" ? nil : value
            }
            store[.meta, sku] = .object(stored)
        default:
            guard store[.meta, sku] != nil else { return nil }  // deleting what is gone is done
            store[.meta, sku] = nil
            store.metaIDs[sku] = nil
        }
        if store.metaIDs[sku] == nil && store[.meta, sku] != nil {
            store.metaIDs[sku] = String(7_000_000_000_000_000 + store.nextSerial())
        }
        store.record(.meta, sku: sku, op: item.method.lowercased(), fields: .object(item.data))
        return nil
    }

    // MARK: check_batch_request_status

    private func batchStatus(_ request: HTTPRequest) -> HTTPResponse {
        guard let handle = request.query["handle"], !handle.isEmpty else {
            return SandboxPlatform.meta.error(400, "(#100) The parameter handle is required")
        }
        let wantsIDs = request.query["load_ids_of_invalid_requests"] == "true"
        let batch = state.mutate { store -> MetaBatch? in
            store.metaBatches[handle]?.polls += 1
            return store.metaBatches[handle]
        }
        guard let batch else { return SandboxPlatform.meta.error(400, "(#100) Invalid handle \(handle)") }
        let finished = batch.polls > 1
        let errors = finished ? batch.errors : []
        var entry: [String: JSON] = [
            "handle": .string(handle), "status": finished ? "finished" : "in_progress",
            "errors_total_count": .int(Int64(errors.count)), "errors": .array(errors),
            "warnings_total_count": 0, "warnings": [],
        ]
        if wantsIDs { entry["ids_of_invalid_requests"] = .array(errors.compactMap { $0["id"] }) }
        return .json(200, ["data": [.object(entry)]])
    }

    // MARK: products

    private func products(_ request: HTTPRequest) -> HTTPResponse {
        let query = request.query
        let limit = Int(query["limit"] ?? "25") ?? 0
        guard (1...5000).contains(limit) else {
            return SandboxPlatform.meta.error(400, "(#100) Param limit must be an integer from 1 to 5000")
        }
        var offset = 0
        if let cursor = query["after"] {
            guard let decoded = Cursor.offset(cursor) else {
                return SandboxPlatform.meta.error(400, "(#100) Invalid cursor \(cursor)")
            }
            offset = decoded
        }
        let fields = query["fields"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let (rows, total) = state.mutate { store -> ([JSON], Int) in
            let catalogue = store.catalogues[.meta] ?? [:]
            let skus = catalogue.keys.sorted()
            let page = skus.dropFirst(offset).prefix(limit)
            return (
                page.map {
                    Self.row(sku: $0, item: catalogue[$0] ?? [:], metaID: store.metaIDs[$0] ?? "", fields: fields)
                },
                skus.count
            )
        }
        guard !rows.isEmpty else { return .json(200, ["data": []]) }
        var paging: [String: JSON] = [
            "cursors": [
                "before": .string(Cursor.make(offset)),
                "after": .string(Cursor.make(offset + rows.count)),
            ]
        ]
        if offset + rows.count < total {
            var next = query
            next["after"] = Cursor.make(offset + rows.count)
            paging["next"] = .string(Cursor.url(request, query: next))
        }
        return .json(200, ["data": .array(rows), "paging": .object(paging)])
    }

    private static func row(sku: String, item: JSON, metaID: String, fields: [String]?) -> JSON {
        let stored = item.object ?? [:]
        var row: [String: JSON] = ["id": .string(metaID)]
        guard let fields else {
            row.merge(stored) { kept, _ in kept }
            row["retailer_id"] = .string(sku)
            return .object(row)
        }
        for field in fields where field != "id" {
            if field == "retailer_id" {
                row[field] = .string(sku)
            } else if let value = stored[field] ?? listingAliases[field].flatMap({ stored[$0] }) {
                row[field] = value
            }
        }
        return .object(row)
    }
}
