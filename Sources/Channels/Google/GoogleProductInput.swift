import Catalog
import Foundation

/// Our listing as a Merchant API `ProductInput` (products v1), and back.
///
/// int64 values (`versionNumber`, `amountMicros`, `sellOnGoogleQuantity`) are JSON strings, enums are
/// upper case, and prices are micros: `199.00 SEK` → `{"amountMicros":"199000000","currencyCode":"SEK"}`.
/// https://developers.google.com/merchant/api/reference/rest/products_v1/accounts.productInputs
enum GoogleProductInput {
    /// Text attributes copied as they are: ours → Google's.
    static let plainNames: [(String, String)] = [
        ("title", "title"), ("description", "description"), ("link", "link"), ("image_link", "imageLink"),
        ("brand", "brand"), ("mpn", "mpn"), ("item_group_id", "itemGroupId"), ("color", "color"),
        ("size", "size"), ("material", "material"), ("pattern", "pattern"),
        ("google_product_category", "googleProductCategory"),
        ("custom_label_0", "customLabel0"), ("custom_label_1", "customLabel1"), ("custom_label_2", "customLabel2"),
        ("custom_label_3", "customLabel3"), ("custom_label_4", "customLabel4"),
    ]
    /// Enum attributes: ours → Google's, value upper-cased (`in_stock` → `IN_STOCK`, `new` → `NEW`).
    static let enumNames: [(String, String)] = [
        ("availability", "availability"), ("condition", "condition"), ("gender", "gender"), ("age_group", "ageGroup"),
    ]

    /// The whole item for `productInputs:insert`.
    /// - Throws: `MappingError` for a price that is not an amount with a currency, or a malformed sale window.
    static func body(for delta: Delta, contentLanguage: String, feedLabel: String) throws(MappingError) -> JSONValue {
        let listing = delta.values
        var attributes: [String: JSONValue] = [:]
        for (ours, theirs) in plainNames {
            if let text = listing.text(ours) { attributes[theirs] = .string(text) }
        }
        for (ours, theirs) in enumNames {
            if let text = listing.text(ours) {
                attributes[theirs] = .string(text.uppercased().replacingOccurrences(of: " ", with: "_"))
            }
        }
        if let links = listing.text("additional_image_link") {
            attributes["additionalImageLinks"] = .array(list(links).map(JSONValue.string))
        }
        if let gtin = listing.text("gtin") { attributes["gtins"] = .array(list(gtin).map(JSONValue.string)) }
        if let type = listing.text("product_type") { attributes["productTypes"] = [.string(type)] }
        if let price = try listing.money("price") { attributes["price"] = try self.price(price) }
        if let sale = try listing.money("sale_price") { attributes["salePrice"] = try self.price(sale) }
        if let window = listing.text("sale_price_effective_date") {
            let parsed: SaleWindow
            do { parsed = try SaleWindow.parse(window) } catch {
                throw MappingError("sale_price_effective_date \"\(window)\" \(error)")
            }
            var interval: [String: JSONValue] = [:]
            if let start = parsed.start { interval["startTime"] = .string(timestamp(start)) }
            if let end = parsed.end { interval["endTime"] = .string(timestamp(end)) }
            attributes["salePriceEffectiveDate"] = .object(interval)
        }
        if let quantity = listing.quantity { attributes["sellOnGoogleQuantity"] = .string(String(max(0, quantity))) }
        return [
            "offerId": .string(delta.sku),
            "contentLanguage": .string(contentLanguage),
            "feedLabel": .string(feedLabel),
            "versionNumber": .string(String(delta.version)),
            "productAttributes": .object(attributes),
        ]
    }

    static func price(_ money: Money) throws(MappingError) -> JSONValue {
        guard let micros = Prices.micros(money) else { throw MappingError("price \(money) is too large for micros") }
        return ["amountMicros": .string(String(micros)), "currencyCode": .string(money.currency.code)]
    }

    /// `a,b , c` → `["a", "b", "c"]`.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// RFC 3339 in UTC, as protobuf's JSON `Timestamp` wants: `2024-11-28T23:00:00Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false)
            .timeZone(separator: .omitted))
    }

    /// The `{productInput}` path segment: `sv~SE~SKU`, or, when a part holds `/`, `%` or `~`, the unpadded
    /// base64url of that text, as the API requires.
    static func resourceSegment(offerID: String, contentLanguage: String, feedLabel: String) -> String {
        let plain = "\(contentLanguage)~\(feedLabel)~\(offerID)"
        guard [offerID, contentLanguage, feedLabel].contains(where: { $0.contains(where: { "/%~".contains($0) }) })
        else { return PlatformConnection.encode(plain) }
        return Data(plain.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A processed `Product` (or `ProductInput`) back in our vocabulary.
    static func listing(from product: JSONValue) -> Listing {
        var listing = Listing()
        let attributes = product["productAttributes"] ?? [:]
        listing.set("id", product["offerId"]?.string)
        for (ours, theirs) in plainNames { listing.set(ours, attributes[theirs]?.string) }
        for (ours, theirs) in enumNames { listing.set(ours, attributes[theirs]?.string?.lowercased()) }
        if let links = attributes["additionalImageLinks"]?.array?.compactMap(\.string), !links.isEmpty {
            listing.set("additional_image_link", links.joined(separator: ","))
        }
        listing.set("gtin", attributes["gtins"]?.array?.compactMap(\.string).joined(separator: ","))
        listing.set("product_type", attributes["productTypes"]?[0]?.string)
        listing.set("price", attributes["price"].flatMap(money))
        listing.set("sale_price", attributes["salePrice"].flatMap(money))
        if let quantity = attributes["sellOnGoogleQuantity"]?.integer { listing["quantity"] = .integer(Int(quantity)) }
        return listing
    }

    static func money(_ price: JSONValue) -> String? {
        guard let micros = price["amountMicros"]?.integer, let code = price["currencyCode"]?.string else { return nil }
        return Prices.money(micros: micros, currencyCode: code)?.description
    }
}
