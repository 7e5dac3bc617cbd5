public import Catalog
public import Foundation

/// How a feed's amounts are to be read: the feed's default currency and its locale.
public struct MappingContext: Sendable {
    public var feed: String
    public var currency: Currency?
    public var locale: AmountLocale?
    /// The zone of date-times written without an offset (WooCommerce's sale dates); `nil` reads them as UTC.
    public var timeZone: TimeZone?

    public init(feed: String, currency: Currency? = nil, locale: AmountLocale? = nil, timeZone: TimeZone? = nil) {
        self.feed = feed
        self.currency = currency
        self.locale = locale
        self.timeZone = timeZone
    }
}

/// Google Merchant Center attributes → `Offer`.
///
/// Column names: id, item_group_id, title, description, link, image_link, additional_image_link, price,
/// sale_price, sale_price_effective_date, availability, quantity (or inventory), brand, gtin, mpn,
/// condition, color, size, material, pattern, gender, age_group, google_product_category, product_type,
/// custom_label_0…4. Names are matched case-insensitively; spaces count as underscores; a `g:` prefix is ignored.
/// Other namespaces' extras (Prisjakt's `pj:member_price`, …) are ignored. Availability also takes Prisjakt's
/// `download` and `pickup`, as `in_stock` (see `Availability.init(profileValue:)`).
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
        try offer(from: RowFields(record, context: context))
    }

    /// Maps one record's fields to an offer; `currency` overrides the feed's for bare amounts (profile custom).
    static func offer(from row: RowFields, currency: Currency? = nil) throws(FeedIssue) -> Offer {
        guard let id = row.text(.id) else { throw row.missing("id") }
        guard let price = try row.money(.price, currency: currency) else { throw row.missing("price") }
        let quantity = try row.count(.quantity)
        let availability: Availability
        if let parsed = try row.availability(.availability) {
            availability = parsed
        } else if let quantity {
            availability = quantity > 0 ? .inStock : .outOfStock
        } else {
            throw row.missing("availability")
        }

        var offer = Offer(id: id, price: price, availability: availability, quantity: quantity)
        offer.salePrice = try row.money(.salePrice, currency: currency)
        if let sale = offer.salePrice, sale.currency != price.currency {
            throw FeedIssue(.invalidAmount(field: "sale_price", value: sale.description,
                                           why: "is in another currency than price (\(price.currency))"),
                            at: row.location("sale_price"))
        }
        if let window = row.text(.salePriceEffectiveDate) {
            do {
                offer.saleWindow = try SaleWindow.parse(window)
            } catch {
                throw row.invalid("sale_price_effective_date", window, error.why)
            }
            offer.saleWindowText = window
        }
        offer.groupId = row.text(.itemGroupID)
        offer.title = row.text(.title)
        offer.description = row.text(.description)
        offer.link = row.text(.link)
        offer.imageLink = row.text(.imageLink)
        offer.additionalImageLinks = row.list(.additionalImageLink)
        offer.brand = row.text(.brand)
        offer.gtin = row.text(.gtin)
        offer.mpn = row.text(.mpn)
        offer.condition = row.text(.condition)
        offer.color = row.text(.color)
        offer.size = row.text(.size)
        offer.material = row.text(.material)
        offer.pattern = row.text(.pattern)
        offer.gender = row.text(.gender)
        offer.ageGroup = row.text(.ageGroup)
        offer.googleProductCategory = row.text(.googleProductCategory)
        offer.productType = row.text(.productType)
        let labels = Attribute.customLabels.map { row.text($0) }
        if labels.contains(where: { $0 != nil }) { offer.customLabels = labels }
        offer.source = SourceLocation(feed: row.context.feed, line: row.record.line)
        return offer
    }

    /// The attributes the profile reads, in `Listing.canonicalOrder`, which spells their names.
    enum Attribute: Int, CaseIterable {
        case id, itemGroupID, title, description, link, imageLink, additionalImageLink, price, salePrice,
             salePriceEffectiveDate, availability, quantity, brand, gtin, mpn, condition, color, size, material,
             pattern, gender, ageGroup, googleProductCategory, productType,
             customLabel0, customLabel1, customLabel2, customLabel3, customLabel4

        /// The name feeds and listings give the attribute: `item_group_id`.
        var name: String { Listing.canonicalOrder[rawValue] }

        static let customLabels: [Attribute] = [.customLabel0, .customLabel1, .customLabel2, .customLabel3,
                                                .customLabel4]
    }
}
