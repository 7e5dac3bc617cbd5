import Catalog
import Foundation

/// Our listing as a Pinterest v5 catalog item, and back.
///
/// Prices always carry their currency (`"199.00 SEK"`: a bare number would mean USD). Pinterest has no
/// quantity attribute, so stock reaches it as availability: a published quantity of 0 is `out of stock`,
/// more is `in stock`; preorder and backorder (which Pinterest does not know) are `preorder`.
/// https://developers.pinterest.com/docs/api/v5/items_batch-post
enum PinterestItem {
    /// Text attributes copied as they are (same names on both sides).
    static let plainNames = [
        "title", "description", "link", "item_group_id", "brand", "condition", "color", "size", "gtin", "mpn",
        "material", "pattern", "gender", "age_group", "google_product_category", "product_type",
        "sale_price_effective_date", "custom_label_0", "custom_label_1", "custom_label_2", "custom_label_3",
        "custom_label_4",
    ]

    /// Our attributes that become Pinterest's `availability`.
    static let availabilitySources: Set<String> = ["availability", "quantity"]
    /// Attributes Pinterest requires (not nullable in `UpdatableItemAttributes`): never cleared, only replaced.
    static let requiredNames: Set<String> = ["title", "description", "link", "image_link", "price"]

    /// `{"item_id":"SKU","attributes":{…}}` for an UPSERT. Attributes that changed to absent are sent as
    /// `null`, so an ended sale is cleared whether Pinterest merges or replaces.
    static func upsert(_ delta: Delta) throws(MappingError) -> JSONValue {
        let listing = delta.values
        var attributes: [String: JSONValue] = [:]
        for name in plainNames {
            if let text = listing.text(name) { attributes[name] = .string(text) }
        }
        if let image = listing.text("image_link") { attributes["image_link"] = [.string(image)] }
        if let links = listing.text("additional_image_link") {
            attributes["additional_image_link"] = .array(
                links.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
        }
        for name in ["price", "sale_price"] {
            if let money = try listing.money(name) { attributes[name] = .string(money.description) }
        }
        if let availability = availability(listing) { attributes["availability"] = .string(availability) }
        for name in delta.changed where attributes[name] == nil && !availabilitySources.contains(name)
            && !requiredNames.contains(name) {
            if plainNames.contains(name) || ["sale_price", "additional_image_link"].contains(name) {
                attributes[name] = .null
            }
        }
        return ["item_id": .string(delta.sku), "attributes": .object(attributes)]
    }

    static func delete(_ delta: Delta) -> JSONValue {
        ["item_id": .string(delta.sku)]
    }

    /// `in stock`, `out of stock` or `preorder`, from the published quantity where there is one.
    static func availability(_ listing: Listing) -> String? {
        let availability = listing.availability
        if availability?.ignoresStock == true { return "preorder" }
        if let quantity = listing.quantity { return quantity > 0 ? "in stock" : "out of stock" }
        switch availability {
        case .inStock?: return "in stock"
        case .outOfStock?: return "out of stock"
        default: return listing.text("availability")
        }
    }

    /// An item's attributes back in our vocabulary.
    static func listing(itemID: String, attributes: JSONValue) -> Listing {
        var listing = Listing()
        listing.set("id", itemID)
        for name in plainNames { listing.set(name, attributes[name]?.string) }
        listing.set("image_link", attributes["image_link"]?[0]?.string ?? attributes["image_link"]?.string)
        listing.set("price", attributes["price"]?.string.map(Prices.normalized))
        listing.set("sale_price", attributes["sale_price"]?.string.map(Prices.normalized))
        listing.set("availability", attributes["availability"]?.string.map(AvailabilityText.fromPlatform))
        return listing
    }
}
