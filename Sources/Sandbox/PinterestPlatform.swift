import Foundation

/// The Pinterest v5 catalog item endpoints under `/pinterest/v5/catalogs/items…`.
///
/// `POST items/batch` checks the request's shape synchronously (400 `{"code":1,"message":"Invalid request: …"}`,
/// including more than 1000 items) and each item's values the way Pinterest does, asynchronously: a bad
/// item is a FAILURE in the batch status, which reads PROCESSING on the first poll and COMPLETED from the
/// second. Accepted items are applied when the batch is posted. One catalogue is kept for every
/// country and language.
struct PinterestPlatform {
    let state: SandboxState
    private let pinterest = SandboxPlatform.pinterest

    static let maxItems = 1000
    static let maxListedIDs = 100
    static let operations: Set<String> = ["UPSERT", "UPDATE", "DELETE", "CREATE"]
    /// The contract's `availability`: only these three, in any case (no "backorder").
    static let availabilities: Set<String> = ["in stock", "out of stock", "preorder"]
    static let conditions: Set<String> = ["new", "used", "refurbished"]
    /// `UpdateMaskFieldType` of the contract: the attributes an UPDATE may name.
    static let maskFields: Set<String> = [
        "ad_link", "adult", "age_group", "availability", "average_review_rating", "brand", "checkout_enabled", "color",
        "condition", "custom_label_0", "custom_label_1", "custom_label_2", "custom_label_3", "custom_label_4",
        "custom_number_0", "custom_number_1", "custom_number_2", "custom_number_3", "custom_number_4", "description",
        "free_shipping_label", "free_shipping_limit", "gender", "google_product_category", "gtin", "item_group_id",
        "last_updated_time", "link", "material", "min_ad_price", "mpn", "number_of_ratings", "number_of_reviews",
        "pattern", "price", "product_type", "sale_price", "shipping", "shipping_height", "shipping_weight",
        "shipping_width", "size", "size_system", "size_type", "tax", "title", "variant_names", "variant_values",
        "promotion_id",
    ]

    func handle(_ request: HTTPRequest, path: [String]) -> HTTPResponse {
        guard path.count >= 3, path[0] == "v5", path[1] == "catalogs", path[2] == "items" else {
            return pinterest.error(404, "Not found: /\(path.joined(separator: "/"))")
        }
        let rest = Array(path.dropFirst(3))
        let isBatch = rest.first == "batch"
        switch (request.method, rest.count) {
        case ("GET", 0), ("POST", 0): return list(request)
        case ("POST", 1) where isBatch: return postBatch(request)
        case ("GET", 2) where isBatch: return batchStatus(rest[1])
        case (_, 0):
            return pinterest.error(405, "Method Not Allowed.")
        case (_, 1), (_, 2):
            guard isBatch else { fallthrough }
            return pinterest.error(405, "Method Not Allowed.")
        default:
            return pinterest.error(404, "Not found: /\(path.joined(separator: "/"))")
        }
    }

    private func invalid(_ detail: String) -> HTTPResponse {
        pinterest.error(400, "Invalid request: \(detail)")
    }

    // MARK: POST catalogs/items/batch

    private struct Item {
        var id: String
        var attributes: [String: JSON]
        var mask: [String]?
    }

    private func postBatch(_ request: HTTPRequest) -> HTTPResponse {
        guard let body = JSON.parse(request.body)?.object else { return invalid("the body must be a JSON object") }
        if let problem = Self.localeProblem(body) { return invalid(problem) }
        guard let operation = body["operation"]?.string else { return invalid("'operation' is a required property") }
        guard Self.operations.contains(operation) else {
            return invalid("operation \"\(operation)\" is not one of UPSERT, UPDATE, DELETE, CREATE in the sandbox")
        }
        guard let entries = body["items"]?.array else { return invalid("'items' is a required property of type array") }
        guard entries.count <= Self.maxItems else {
            return invalid("items holds \(entries.count) items; at most \(Self.maxItems) are allowed (is too long)")
        }
        guard !entries.isEmpty || operation == "DELETE" else { return invalid("items is empty (minItems 1)") }
        var items: [Item] = []
        for (index, entry) in entries.enumerated() {
            switch Self.item(entry, operation: operation) {
            case .success(let item): items.append(item)
            case .failure(let refusal): return invalid("items[\(index)]: \(refusal.message)")
            }
        }
        let origin = WriteOrigin(
            platform: .pinterest, method: request.method, target: request.target, armed: request.armedRejections)
        let created = Date()
        let batchID = state.mutate { store -> String in
            var fired: Set<Int> = []
            var results: [JSON] = []
            for item in items {
                var errors = Self.problems(item, operation: operation)
                if errors.isEmpty, let message = store.rejection(of: item.id, for: origin, fired: &fired) {
                    errors = [Self.event("item_id", 4000, message)]
                }
                if errors.isEmpty { errors = Self.apply(item, operation: operation, to: &store) }
                results.append([
                    "item_id": .string(item.id), "status": errors.isEmpty ? "SUCCESS" : "FAILURE",
                    "errors": .array(errors), "warnings": [],
                ])
            }
            store.faults.consume(fired)
            let id =
                String(format: "%016x", store.nextSerial())
                + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            store.pinterestBatches[id] = PinterestBatch(items: results, created: created)
            return id
        }
        return .json(
            200,
            [
                "batch_id": .string(batchID), "catalog_type": "RETAIL", "status": "PROCESSING",
                "created_time": .string(Self.time(created)), "completed_time": .null, "items": [],
            ])
    }

    private struct ShapeProblem: Error { var message: String }

    /// Reads one item's shape: what the contract's JSON schema checks (types, required properties).
    private static func item(_ entry: JSON, operation: String) -> Result<Item, ShapeProblem> {
        guard let members = entry.object else { return .failure(ShapeProblem(message: "is not of type object")) }
        guard let id = members["item_id"]?.string, !id.isEmpty else {
            return .failure(ShapeProblem(message: "'item_id' is a required string"))
        }
        if operation == "DELETE" { return .success(Item(id: id, attributes: [:])) }
        var attributes: [String: JSON] = [:]
        if let value = members["attributes"] {
            guard let object = value.object else {
                return .failure(ShapeProblem(message: "attributes is not of type object"))
            }
            attributes = object
        } else if operation != "UPDATE" {
            return .failure(ShapeProblem(message: "'attributes' is a required property"))
        }
        if let image = attributes["image_link"] {
            let ok = image.string != nil || (image.array.map { $0.count == 1 && $0[0].string != nil } ?? false)
            if !ok { return .failure(ShapeProblem(message: "\(image.data.utf8String) is not of type array")) }
        }
        if let images = attributes["additional_image_link"], !(images.array?.allSatisfy { $0.string != nil } ?? false) {
            return .failure(ShapeProblem(message: "\(images.data.utf8String) is not of type array"))
        }
        var mask: [String]?
        if operation == "UPDATE", let value = members["update_mask"], value != .null {
            guard let list = value.array?.compactMap(\.string), list.count == value.array?.count else {
                return .failure(ShapeProblem(message: "update_mask is not an array of strings"))
            }
            if let unknown = list.first(where: { !maskFields.contains($0) }) {
                return .failure(ShapeProblem(message: "'\(unknown)' is not one of the update_mask fields"))
            }
            mask = list
        }
        return .success(Item(id: id, attributes: attributes, mask: mask))
    }

    /// The values Pinterest validates while processing; each problem fails the item.
    private static func problems(_ item: Item, operation: String) -> [JSON] {
        guard operation != "DELETE" else { return [] }
        var errors: [JSON] = []
        if operation != "UPDATE" {
            for field in ["title", "price", "availability"] where (item.attributes[field]?.string ?? "").isEmpty {
                errors.append(event(field, 100, "\(field) is missing from product metadata."))
            }
        }
        for (field, value) in item.attributes.sorted(by: { $0.key < $1.key }) {
            guard let text = value.string else { continue }
            switch field {
            case "price", "sale_price":
                if !(field == "sale_price" && text.isEmpty) && price(text) == nil {
                    errors.append(
                        event(field, 101, "\(field) \"\(text)\" must carry its currency, like \"24.99 USD\"."))
                }
            case "availability" where !availabilities.contains(text.lowercased()):
                errors.append(
                    event(field, 102, "availability \"\(text)\" is not one of in stock, out of stock, preorder."))
            case "condition" where !text.isEmpty && !conditions.contains(text.lowercased()):
                errors.append(event(field, 103, "condition \"\(text)\" is not one of new, used, refurbished."))
            default:
                break
            }
        }
        if let regular = item.attributes["price"]?.string.flatMap(price),
            let sale = item.attributes["sale_price"]?.string.flatMap(price), sale.currency == regular.currency,
            sale.amount >= regular.amount
        {
            errors.append(event("sale_price", 104, "The sale_price must be lower than the price."))
        }
        return errors
    }

    /// `24.99 USD` or `24.99USD`: an amount and a three-letter currency. A bare number means USD to Pinterest,
    /// which is how prices silently go wrong, so the sandbox refuses it.
    static func price(_ text: String) -> (amount: Decimal, currency: String)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > 3 else { return nil }
        let currency = String(trimmed.suffix(3))
        let amount = trimmed.dropLast(3).trimmingCharacters(in: .whitespaces)
        guard currency.allSatisfy({ $0.isASCII && $0.isUppercase }), !amount.isEmpty,
            amount.allSatisfy({ $0.isASCIIDigit || $0 == "." }), amount.filter({ $0 == "." }).count <= 1,
            let value = Decimal(string: amount)
        else { return nil }
        return (value, currency)
    }

    private static func apply(_ item: Item, operation: String, to store: inout SandboxStore) -> [JSON] {
        let existing = store[.pinterest, item.id]?.object
        var fields = JSON.object(item.attributes)
        switch operation {
        case "CREATE" where existing != nil:
            return [event("item_id", 105, "An item with this item_id already exists.")]
        case "UPDATE":
            guard var stored = existing else { return [event("item_id", 106, "The item was not found.")] }
            var touched: [String: JSON] = [:]
            for field in item.mask ?? Array(item.attributes.keys) {
                stored[field] = item.attributes[field]
                touched[field] = item.attributes[field] ?? .null
            }
            store[.pinterest, item.id] = .object(stored)
            fields = .object(touched)
        case "DELETE":
            guard existing != nil else { return [] }  // deleting what is gone is done
            store[.pinterest, item.id] = nil
            fields = [:]
        default:
            store[.pinterest, item.id] = .object(item.attributes)
        }
        store.record(.pinterest, sku: item.id, op: operation.lowercased(), fields: fields)
        return []
    }

    private static func event(_ attribute: String, _ code: Int64, _ message: String) -> JSON {
        ["attribute": .string(attribute), "code": .int(code), "message": .string(message)]
    }

    /// `country` (ISO 3166-1 alpha-2, capitals) and `language` (`SV`, or a locale like `sv-SE`).
    private static func localeProblem(_ body: [String: JSON]) -> String? {
        guard let country = body["country"]?.string else { return "'country' is a required property" }
        guard country.count == 2, country.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            return "country \"\(country)\" is not an ISO 3166-1 alpha-2 code"
        }
        guard let language = body["language"]?.string else { return "'language' is a required property" }
        let parts = language.split(separator: "-", omittingEmptySubsequences: false)
        let valid =
            (language.count == 2 && language.allSatisfy { $0.isASCII && $0.isUppercase })
            || (parts[0].count == 2 && parts[0].allSatisfy { $0.isASCII && $0.isLowercase } && parts.count <= 2)
        return valid ? nil : "language \"\(language)\" is neither a Language (SV) nor a CatalogsLocale (sv-SE)"
    }

    private static func time(_ date: Date) -> String {
        String(Timestamp.string(date).prefix(19))  // YYYY-MM-DDThh:mm:ss, UTC, as the contract shows
    }

    // MARK: GET catalogs/items/batch/{id}

    private func batchStatus(_ id: String) -> HTTPResponse {
        let batch = state.mutate { store -> PinterestBatch? in
            store.pinterestBatches[id]?.polls += 1
            return store.pinterestBatches[id]
        }
        guard let batch else { return pinterest.error(404, "Sorry! We could not find your batch ID.") }
        let done = batch.polls > 1
        let items: [JSON] =
            done
            ? batch.items
            : batch.items.map {
                ["item_id": $0["item_id"] ?? "", "status": "PROCESSING", "errors": [], "warnings": []]
            }
        return .json(
            200,
            [
                "batch_id": .string(id), "catalog_type": "RETAIL", "status": done ? "COMPLETED" : "PROCESSING",
                "created_time": .string(Self.time(batch.created)),
                "completed_time": done ? .string(Self.time(batch.created)) : .null, "items": .array(items),
            ])
    }

    // MARK: catalogs/items

    /// `GET ?country&language&item_ids=a,b` (WIRE.md) or the contract's `POST` with
    /// `{"country","language","filters":{"catalog_type":"RETAIL","item_ids":[…]}}`. Unknown ids are left out.
    private func list(_ request: HTTPRequest) -> HTTPResponse {
        var ids: [String]
        if request.method == "POST" {
            guard let body = JSON.parse(request.body)?.object else { return invalid("the body must be a JSON object") }
            if let problem = Self.localeProblem(body) { return invalid(problem) }
            guard let filters = body["filters"]?.object else { return invalid("'filters' is a required property") }
            guard let list = filters["item_ids"]?.array, list.allSatisfy({ $0.string != nil }) else {
                return invalid("\(filters["item_ids"]?.data.utf8String ?? "item_ids") is not of type array")
            }
            ids = list.compactMap(\.string)
        } else {
            let query = request.query
            let locale: [String: JSON] = [
                "country": query["country"].map(JSON.string) ?? .null,
                "language": query["language"].map(JSON.string) ?? .null,
            ]
            if let problem = Self.localeProblem(locale.filter { $0.value != .null }) { return invalid(problem) }
            guard let list = query["item_ids"], !list.isEmpty else {
                return invalid("'item_ids' is a required parameter")
            }
            ids = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard ids.count <= Self.maxListedIDs else {
            return invalid("item_ids holds \(ids.count) ids; at most \(Self.maxListedIDs) per call")
        }
        let items = state.mutate { store in
            ids.compactMap { id in
                store[.pinterest, id].map {
                    JSON.object(["catalog_type": "RETAIL", "item_id": .string(id), "attributes": $0])
                }
            }
        }
        return .json(200, ["items": .array(items)])
    }
}
