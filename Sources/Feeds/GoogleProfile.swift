public import Catalog
import Foundation

/// How a feed's amounts are to be read: the feed's default currency and its locale.
public struct MappingContext: Sendable {
    public var feed: String
    public var currency: Currency?
    public var locale: AmountLocale?

    public init(feed: String, currency: Currency? = nil, locale: AmountLocale? = nil) {
        self.feed = feed
        self.currency = currency
        self.locale = locale
    }
}

/// Google Merchant Center attributes → `Offer`.
///
/// Column names: id, item_group_id, title, description, link, image_link, additional_image_link, price,
/// sale_price, sale_price_effective_date, availability, quantity (or inventory), brand, gtin, mpn,
/// condition, color, size, material, pattern, gender, age_group, google_product_category, product_type,
/// custom_label_0…4. Names are matched case-insensitively; spaces count as underscores; a `g:` prefix is ignored.
public enum GoogleProfile {
    /// The attribute a source column name stands for: `Item Group ID` → `item_group_id`, `g:price` → `price`.
    public static func attributeName(_ column: String) -> String {
        var name = Substring(column).trimmingSpaces().lowercased()
        if name.hasPrefix("g:") { name.removeFirst(2) }
        name = name.replacingOccurrences(of: " ", with: "_")
        return aliases[name] ?? name
    }

    static let aliases = ["inventory": "quantity", "item_group": "item_group_id", "additional_image_links":
                            "additional_image_link", "product_category": "google_product_category"]

    /// Maps one record to an offer.
    /// - Throws: the first problem of the row, located at its line and field.
    public static func offer(from record: FeedRecord, context: MappingContext) throws(FeedIssue) -> Offer {
        func at(_ field: String) -> SourceLocation {
            SourceLocation(feed: context.feed, line: record.line, field: field)
        }
        func text(_ name: String) -> String? {
            guard let value = record[name] else { return nil }
            let trimmed = Substring(value).trimmingSpaces()
            return trimmed.isEmpty ? nil : String(trimmed)
        }
        func money(_ name: String) throws(FeedIssue) -> Money? {
            guard let value = text(name) else { return nil }
            do {
                return try Money.parse(value, defaultCurrency: context.currency, locale: context.locale)
            } catch {
                throw FeedIssue(.invalidAmount(field: name, value: value, why: error.why), at: at(name))
            }
        }

        guard let id = text("id") else { throw FeedIssue(.missingValue("id"), at: at("id")) }
        guard let price = try money("price") else { throw FeedIssue(.missingValue("price"), at: at("price")) }
        var quantity: Int?
        if let value = text("quantity") {
            guard let number = Int(value), number >= 0 else {
                throw FeedIssue(.invalidValue(field: "quantity", value: value, why: "is not a whole number of 0 or more"),
                                at: at("quantity"))
            }
            quantity = number
        }
        let availability: Availability
        if let value = text("availability") {
            guard let parsed = Availability(feedValue: value) else {
                throw FeedIssue(.invalidValue(field: "availability", value: value,
                                              why: "is not in_stock, out_of_stock, preorder or backorder"),
                                at: at("availability"))
            }
            availability = parsed
        } else if let quantity {
            availability = quantity > 0 ? .inStock : .outOfStock
        } else {
            throw FeedIssue(.missingValue("availability"), at: at("availability"))
        }

        var offer = Offer(id: id, price: price, availability: availability, quantity: quantity)
        offer.salePrice = try money("sale_price")
        if let sale = offer.salePrice, sale.currency != price.currency {
            throw FeedIssue(.invalidAmount(field: "sale_price", value: sale.description,
                                           why: "is in another currency than price (\(price.currency))"),
                            at: at("sale_price"))
        }
        if let window = text("sale_price_effective_date") {
            do {
                offer.saleWindow = try SaleWindow.parse(window)
            } catch {
                throw FeedIssue(.invalidValue(field: "sale_price_effective_date", value: window, why: error.why),
                                at: at("sale_price_effective_date"))
            }
            offer.saleWindowText = window
        }
        offer.groupId = text("item_group_id")
        offer.title = text("title")
        offer.description = text("description")
        offer.link = text("link")
        offer.imageLink = text("image_link")
        offer.additionalImageLinks = record.values("additional_image_link").flatMap { $0.split(separator: ",") }
            .map { String(Substring($0).trimmingSpaces()) }.filter { !$0.isEmpty }
        offer.brand = text("brand")
        offer.gtin = text("gtin")
        offer.mpn = text("mpn")
        offer.condition = text("condition")
        offer.color = text("color")
        offer.size = text("size")
        offer.material = text("material")
        offer.pattern = text("pattern")
        offer.gender = text("gender")
        offer.ageGroup = text("age_group")
        offer.googleProductCategory = text("google_product_category")
        offer.productType = text("product_type")
        let labels = (0..<5).map { text("custom_label_\($0)") }
        if labels.contains(where: { $0 != nil }) { offer.customLabels = labels }
        offer.source = SourceLocation(feed: context.feed, line: record.line)
        return offer
    }
}
