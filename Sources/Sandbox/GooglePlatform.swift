import Foundation

/// The Merchant API products v1 endpoints under `/google/products/v1/accounts/{account}/…`.
///
/// `productInputs:insert` creates or replaces one whole item, refusing a `versionNumber` lower than the
/// stored one with 409 ABORTED; `productInputs/{name}` DELETE removes one; `products` lists them with
/// `pageToken` paging. The catalogue is keyed by `offerId` (one item per SKU, whatever its language and
/// feed label); each item remembers its data source.
struct GooglePlatform {
    let state: SandboxState
    private let google = SandboxPlatform.google

    func handle(_ request: HTTPRequest, path: [String]) -> HTTPResponse {
        guard path.count >= 5, path[0] == "products", path[1] == "v1", path[2] == "accounts", !path[3].isEmpty else {
            return google.error(404, "Method not found: /\(path.joined(separator: "/"))")
        }
        let account = path[3]
        let rest = Array(path.dropFirst(4))
        switch (request.method, rest.count, rest[0]) {
        case ("POST", 1, "productInputs:insert"): return insert(request, account: account)
        case ("DELETE", 2, "productInputs"): return delete(request, account: account, segment: rest[1])
        case ("GET", 1, "products"): return list(request, account: account)
        case ("GET", 2, "products"): return get(account: account, segment: rest[1])
        case (_, 1, "productInputs:insert"), (_, 2, "productInputs"), (_, _, "products"):
            return google.error(405, "Method \(request.method) is not allowed here.")
        default:
            return google.error(404, "Method not found: /\(path.joined(separator: "/"))")
        }
    }

    /// `accounts/{account}/dataSources/{id}` from the query, or the 400 Google answers without it.
    private func dataSource(_ request: HTTPRequest, account: String) -> Result<String, Refusal> {
        guard let source = request.query["dataSource"], !source.isEmpty else {
            return .failure(Refusal(google.error(400, "[dataSource] The data source is required.")))
        }
        let parts = source.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "accounts", parts[1] == account, parts[2] == "dataSources",
            !parts[3].isEmpty
        else {
            return .failure(
                Refusal(google.error(400, "[dataSource] \"\(source)\" is not accounts/\(account)/dataSources/{id}.")))
        }
        return .success(source)
    }

    private func insert(_ request: HTTPRequest, account: String) -> HTTPResponse {
        let source: String
        switch dataSource(request, account: account) {
        case .success(let value): source = value
        case .failure(let refusal): return refusal.response
        }
        guard let input = JSON.parse(request.body)?.object else {
            return google.error(400, "Invalid JSON payload received. The body must be a ProductInput object.")
        }
        if let problem = GoogleProductSchema.problem(input) { return google.error(400, problem) }
        let offerID = Self.normalizedOfferID(input["offerId"]?.string ?? "")
        let language = input["contentLanguage"]?.string ?? ""
        let label = input["feedLabel"]?.string ?? ""
        let version = input["versionNumber"]?.integer
        let origin = WriteOrigin(
            platform: .google, method: request.method, target: request.target, armed: request.armedRejections)
        return state.mutate { store -> HTTPResponse in
            var fired: Set<Int> = []
            if let message = store.rejection(of: offerID, for: origin, fired: &fired) {
                store.faults.consume(fired)
                return google.error(400, message)
            }
            if let version, let stored = store[.google, offerID]?["versionNumber"]?.integer, version < stored {
                return google.error(
                    409,
                    "The versionNumber \(version) of \(offerID) is lower than the stored "
                        + "version \(stored): a newer version is already there.")
            }
            let attributes = input["productAttributes"] ?? [:]
            var item: [String: JSON] = [
                "name": .string("accounts/\(account)/productInputs/\(language)~\(label)~\(offerID)"),
                "offerId": .string(offerID), "contentLanguage": .string(language), "feedLabel": .string(label),
                "productAttributes": attributes, "dataSource": .string(source),
            ]
            if let version { item["versionNumber"] = .string(String(version)) }
            if let custom = input["customAttributes"] { item["customAttributes"] = custom }
            store[.google, offerID] = .object(item)
            store.record(.google, sku: offerID, op: "insert", version: version, fields: attributes)
            item["dataSource"] = nil
            item["product"] = .string("accounts/\(account)/products/\(language)~\(label)~\(offerID)")
            return .json(200, .object(item))
        }
    }

    private func delete(_ request: HTTPRequest, account: String, segment: String) -> HTTPResponse {
        if case .failure(let refusal) = dataSource(request, account: account) { return refusal.response }
        guard let key = Self.productKey(segment) else {
            return google.error(
                400,
                "[name] \"\(segment)\" is not content_language~feed_label~offer_id "
                    + "(plain, or unpadded base64url).")
        }
        let origin = WriteOrigin(
            platform: .google, method: request.method, target: request.target, armed: request.armedRejections)
        return state.mutate { store -> HTTPResponse in
            guard let stored = store[.google, key.offerID],
                stored["contentLanguage"]?.string == key.language, stored["feedLabel"]?.string == key.label
            else {
                return google.error(404, "Product input accounts/\(account)/productInputs/\(segment) was not found.")
            }
            var fired: Set<Int> = []
            if let message = store.rejection(of: key.offerID, for: origin, fired: &fired) {
                store.faults.consume(fired)
                return google.error(400, message)
            }
            store[.google, key.offerID] = nil
            store.record(.google, sku: key.offerID, op: "delete", fields: [:])
            return .json(200, [:])
        }
    }

    private func list(_ request: HTTPRequest, account: String) -> HTTPResponse {
        let query = request.query
        guard let size = Int(query["pageSize"] ?? "25"), size >= 0 else {
            return google.error(400, "[pageSize] must be a non-negative integer.")
        }
        let pageSize = size == 0 ? 25 : min(size, 1000)  // the contract: 25 by default, at most 1000
        var offset = 0
        if let token = query["pageToken"], !token.isEmpty {
            guard let decoded = Cursor.offset(token) else { return google.error(400, "[pageToken] is not valid.") }
            offset = decoded
        }
        let (products, total) = state.mutate { store -> ([JSON], Int) in
            let catalogue = store.catalogues[.google] ?? [:]
            let skus = catalogue.keys.sorted()
            let page = skus.dropFirst(offset).prefix(pageSize).compactMap {
                catalogue[$0].map { Self.product($0, account: account) }
            }
            return (page, skus.count)
        }
        var body: [String: JSON] = ["products": .array(products)]
        if offset + products.count < total { body["nextPageToken"] = .string(Cursor.make(offset + products.count)) }
        return .json(200, .object(body))
    }

    private func get(account: String, segment: String) -> HTTPResponse {
        let item = Self.productKey(segment).flatMap { key in
            state.mutate { $0[.google, key.offerID] }.flatMap { item in
                item["contentLanguage"]?.string == key.language && item["feedLabel"]?.string == key.label ? item : nil
            }
        }
        guard let item else {
            return google.error(404, "Product accounts/\(account)/products/\(segment) was not found.")
        }
        return .json(200, Self.product(item, account: account))
    }

    /// A stored input as the processed `Product` that listings return.
    private static func product(_ item: JSON, account: String) -> JSON {
        var members = item.object ?? [:]
        let language = members["contentLanguage"]?.string ?? ""
        let label = members["feedLabel"]?.string ?? ""
        let offerID = members["offerId"]?.string ?? ""
        members["name"] = .string("accounts/\(account)/products/\(language)~\(label)~\(offerID)")
        return .object(members)
    }

    /// Google strips leading and trailing white space from `offerId` and collapses runs of it.
    static func normalizedOfferID(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The parts of a `{productInput}` segment: plain `lang~label~offer`, or unpadded base64url of it.
    static func productKey(_ segment: String) -> (language: String, label: String, offerID: String)? {
        var plain = segment
        if !segment.contains("~") {
            var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while text.count % 4 != 0 { text += "=" }
            guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8) else {
                return nil
            }
            plain = decoded
        }
        let parts = plain.split(separator: "~", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        return (parts[0], parts[1], parts[2])
    }
}

/// A ready answer that ends a request early.
struct Refusal: Error {
    var response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}
