public import Catalog
import Foundation

extension MetaChannel {
    /// The product fields read back, in the Graph API's `ProductItem` names.
    static let listingFields = "retailer_id,name,description,url,image_url,price,sale_price,availability,"
        + "quantity_to_sell_on_facebook,condition,brand,retailer_product_group_id"

    /// Every product in the catalog: `GET {base}/{catalog_id}/products`, page by page (`paging.cursors.after`).
    public func fetchListings(skus: [String]) async throws -> [String: Listing] {
        var listings: [String: Listing] = [:]
        var after: String?
        for _ in 0..<100_000 {
            var query = [("fields", Self.listingFields), ("limit", "500")]
            if let after { query.append(("after", after)) }
            let url = connection.url("/\(PlatformConnection.encode(catalogID))/products", query: query)
            let reply = try await connection.send(connection.request("GET", url), operation: "list products")
            guard reply.isSuccess else { throw metaFailure(reply, operation: "list products") }
            for product in reply.json?["data"]?.array ?? [] {
                guard let sku = product["retailer_id"]?.string else { continue }
                listings[sku] = Self.listing(from: product)
            }
            guard reply.json?["paging"]?["next"]?.string != nil,
                  let next = reply.json?["paging"]?["cursors"]?["after"]?.string, next != after else { break }
            after = next
        }
        return listings
    }

    /// A Graph API product in our vocabulary. Accepts the feed names (`title`, `link`, `image_link`) too.
    static func listing(from product: JSONValue) -> Listing {
        var listing = Listing()
        func text(_ names: String...) -> String? {
            for name in names { if let value = product[name]?.string, !value.isEmpty { return value } }
            return nil
        }
        listing.set("id", text("retailer_id"))
        listing.set("item_group_id", text("retailer_product_group_id", "item_group_id"))
        listing.set("title", text("name", "title"))
        listing.set("description", text("description"))
        listing.set("link", text("url", "link"))
        listing.set("image_link", text("image_url", "image_link"))
        listing.set("price", text("price").map(Prices.normalized))
        listing.set("sale_price", text("sale_price").map(Prices.normalized))
        listing.set("availability", text("availability").map(AvailabilityText.fromPlatform))
        listing.set("condition", text("condition"))
        listing.set("brand", text("brand"))
        if let quantity = product["quantity_to_sell_on_facebook"]?.integer {
            listing["quantity"] = .integer(Int(quantity))
        }
        return listing
    }
}
