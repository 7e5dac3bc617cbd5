public import Catalog
import Foundation

extension PinterestChannel {
    /// The listings of `skus` (Pinterest cannot list a whole catalogue), 100 ids per call.
    ///
    /// Uses `POST /catalogs/items` (the v5 contract); if the server answers 404 or 405 there, falls back to
    /// the older `GET /catalogs/items?item_ids=…`.
    public func fetchListings(skus: [String]) async throws -> [String: Listing] {
        guard !skus.isEmpty else {
            throw ChannelError(channel: name, operation: "list items",
                               message: "Pinterest looks items up by id only: pass the SKUs to check",
                               disposition: .fatal)
        }
        let settings = connection.settings
        var listings: [String: Listing] = [:]
        for start in stride(from: 0, to: skus.count, by: 100) {
            let ids = Array(skus[start..<min(start + 100, skus.count)])
            let body: JSONValue = [
                "country": .string(settings.country.uppercased()), "language": .string(settings.language.uppercased()),
                "filters": ["catalog_type": "RETAIL", "item_ids": .array(ids.map(JSONValue.string))],
            ]
            var reply = try await connection.send(
                connection.request("POST", connection.url("/catalogs/items", query: accountQuery), json: body),
                operation: "list items")
            if reply.status == 404 || reply.status == 405 {
                let query = [("country", settings.country.uppercased()), ("language", settings.language.uppercased()),
                             ("item_ids", ids.joined(separator: ","))] + accountQuery
                reply = try await connection.send(connection.request("GET", connection.url("/catalogs/items", query: query)),
                                                  operation: "list items")
            }
            guard reply.isSuccess else { throw connection.failure(reply, operation: "list items") }
            for item in reply.json?["items"]?.array ?? [] {
                guard let id = item["item_id"]?.string, let attributes = item["attributes"], attributes.object != nil
                else { continue }
                listings[id] = PinterestItem.listing(itemID: id, attributes: attributes)
            }
        }
        return listings
    }
}
