public import Catalog

/// Meta (Facebook/Instagram) catalog columns → `Offer`.
///
/// Meta's names are mostly Google's (id, title, description, availability, condition, price, sale_price,
/// sale_price_effective_date, link, image_link, additional_image_link, brand, item_group_id, color, size, gtin,
/// mpn, google_product_category, product_type), so a row is renamed to Google's attributes and mapped by the
/// Google rules. Meta's own names:
/// - `quantity_to_sell_on_facebook` or `inventory` → quantity;
/// - indexed images `image[0].url`, `image[1].url`, …: the first (lowest index) is image_link unless the row has
///   one, the rest are additional images, after any `additional_image_link`;
/// - vehicle catalogs: `vehicle_id` → id, `url` → link, `make` → brand, `exterior_color` → color, each only
///   where the row has no column of the retail name;
/// - `fb_product_category` is ignored: the offer has no slot for Meta's own taxonomy.
///
/// Availability takes Meta's spellings ("in stock", "out of stock", "preorder", "available for order",
/// "discontinued") and the vehicle catalogs' "available". Issues name the column as the feed spells it.
public enum MetaProfile {
    /// Meta-only names and the Google attribute each stands for.
    static let renames = ["quantity_to_sell_on_facebook": "quantity", "vehicle_id": "id", "url": "link",
                          "make": "brand", "exterior_color": "color"]

    /// Maps one record to an offer.
    /// - Throws: the first problem of the row, located at its line and the feed's column name.
    public static func offer(from record: FeedRecord, context: MappingContext) throws(FeedIssue) -> Offer {
        try offer(from: RowFields(record, context: context))
    }

    static func offer(from row: RowFields) throws(FeedIssue) -> Offer {
        var fields: [FeedRecord.Field] = []
        fields.reserveCapacity(row.record.fields.count)
        var images: [(index: Int, url: String)] = []
        var sourceNames: [String: String] = [:]
        for field in row.record.fields {
            let key = RowFields.key(field.name)
            if let index = imageIndex(key) {
                images.append((index, field.value))
            } else if let target = renames[key] {
                // A retail column of the same name wins over the vehicle one (`url` vs `link`).
                guard !row.has(target) else { continue }
                sourceNames[target] = field.name
                fields.append(FeedRecord.Field(target, field.value))
            } else {
                fields.append(FeedRecord.Field(key, field.value))
            }
        }
        let urls = images.sorted { $0.index < $1.index }.map(\.url).filter { !Substring($0).trimmingSpaces().isEmpty }
        var rest = urls[...]
        if row.text("image_link") == nil, let first = rest.popFirst() {
            fields.append(FeedRecord.Field("image_link", first))
        }
        // Additional images are split at commas; a URL's own comma is percent-encoded to stay one value.
        fields += rest.map { FeedRecord.Field("additional_image_link", $0.replacingOccurrences(of: ",", with: "%2C")) }
        let renamed = RowFields(FeedRecord(line: row.record.line, fields: fields), context: row.context)
        do {
            return try GoogleProfile.offer(from: renamed)
        } catch {
            var issue = error
            if let field = issue.location.field, let source = sourceNames[field] {
                issue.location.field = source
                issue.reason = issue.reason.renamed(to: source)
            }
            throw issue
        }
    }

    /// Whether a name is an indexed image URL, `image[3].url`.
    static func isIndexedImage(_ name: String) -> Bool { imageIndex(name) != nil }

    /// The index of `image[N].url`, or `nil`.
    static func imageIndex(_ name: String) -> Int? {
        guard name.hasPrefix("image["), name.hasSuffix("].url") else { return nil }
        return Int(name.dropFirst(6).dropLast(5))
    }
}

extension FeedIssue.Reason {
    /// The same reason about another field name (the feed's own name for a renamed column).
    func renamed(to field: String) -> FeedIssue.Reason {
        switch self {
        case .invalidValue(_, let value, let why): return .invalidValue(field: field, value: value, why: why)
        case .invalidAmount(_, let value, let why): return .invalidAmount(field: field, value: value, why: why)
        case .missingValue: return .missingValue(field)
        default: return self
        }
    }
}
