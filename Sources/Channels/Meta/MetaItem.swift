import Catalog
import Foundation

/// One `items_batch` request for a delta, in Meta's feed field names.
///
/// CREATE carries every attribute; UPDATE carries `id` plus the changed attributes, an emptied one as
/// `""` (an ended sale: `"sale_price": ""`); DELETE carries `id` only.
/// See https://developers.facebook.com/docs/marketing-api/catalog-batch/reference#supported-fields-items-batch
enum MetaItem {
    /// Our attribute names → Meta's feed field names. Attributes not listed are not sent.
    static let fieldNames: [String: String] = {
        var names: [String: String] = ["quantity": "quantity_to_sell_on_facebook"]
        for name in ["id", "item_group_id", "title", "description", "link", "image_link", "additional_image_link",
                     "price", "sale_price", "sale_price_effective_date", "availability", "brand", "gtin", "mpn",
                     "condition", "color", "size", "material", "pattern", "gender", "age_group",
                     "google_product_category", "product_type",
                     "custom_label_0", "custom_label_1", "custom_label_2", "custom_label_3", "custom_label_4"] {
            names[name] = name
        }
        return names
    }()

    static func method(for operation: Delta.Operation) -> String {
        switch operation {
        case .create: return "CREATE"
        case .update: return "UPDATE"
        case .delete: return "DELETE"
        }
    }

    /// `{"method":"UPDATE","data":{…}}` for `delta`.
    static func request(for delta: Delta) -> JSONValue {
        var data: [String: JSONValue] = ["id": .string(delta.sku)]
        switch delta.operation {
        case .delete:
            break
        case .create:
            for name in delta.values.fields.keys {
                if let field = fieldNames[name], name != "id", let value = value(name, in: delta.values) {
                    data[field] = value
                }
            }
        case .update:
            for name in delta.changed {
                guard let field = fieldNames[name], name != "id" else { continue }
                if let value = value(name, in: delta.values) {
                    data[field] = value
                } else if !requiredFields.contains(name) {
                    data[field] = ""  // unsets an optional field (an ended sale)
                }
                // A required field (description, …) that went absent is left as the platform has it:
                // Meta refuses "" for it, and an empty description is not worth a rejected item.
            }
        }
        return ["method": .string(method(for: delta.operation)), "data": .object(data)]
    }

    /// Attributes Meta requires on an item: only an optional field may be unset with "".
    static let requiredFields: Set<String> = ["title", "description", "availability", "condition", "price", "link",
                                              "image_link", "quantity"]

    /// One attribute in Meta's form, or `nil` when the listing does not have it.
    static func value(_ name: String, in listing: Listing) -> JSONValue? {
        switch name {
        case "quantity":
            guard let quantity = listing.quantity else { return nil }
            return .integer(Int64(max(0, quantity)))
        case "availability":
            guard let text = listing.text(name) else { return nil }
            return .string(availability(text))
        default:
            return listing.text(name).map(JSONValue.string)
        }
    }

    /// Our availability in Meta's words: `in stock`, `out of stock`, `preorder`, `available for order`.
    static func availability(_ text: String) -> String {
        switch Availability(feedValue: text) {
        case .inStock?: return "in stock"
        case .outOfStock?: return "out of stock"
        case .preorder?: return "preorder"
        case .backorder?: return "available for order"
        case nil: return text.replacingOccurrences(of: "_", with: " ")
        }
    }
}
