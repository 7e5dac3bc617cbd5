/// Shopify's `products.json` (`{"products":[{…,"variants":[…],"options":[…],"images":[…]}]}`, read with
/// `record_path: "products"`) as the rows of Shopify's own CSV export, so that one mapper — `ShopifyMapper`,
/// with its sale, stock and id rules — serves both.
///
/// A product becomes one row per variant: the first carries the product's fields (title, body, vendor, type,
/// tags, option names, first image, status), the rest its handle and variant fields only, as the export does.
public enum ShopifyJSON {
    /// Whether a flattened JSON record is a `products.json` product (a handle and variants).
    public static func isProduct(_ record: FeedRecord) -> Bool {
        record["handle"] != nil && record.fields.contains { $0.name.hasPrefix("variants[") }
    }

    /// The CSV-export rows of one product, all on the product's line.
    public static func rows(from product: FeedRecord) -> [FeedRecord] {
        var variants: [Int: [String: String]] = [:]
        for field in product.fields where field.name.hasPrefix("variants[") {
            let rest = field.name.dropFirst("variants[".count)
            guard let close = rest.firstIndex(of: "]"), let index = Int(rest[..<close]) else { continue }
            let key = rest[rest.index(after: close)...].drop { $0 == "." }
            variants[index, default: [:]][String(key)] = field.value
        }
        let handle = product["handle"] ?? ""
        let status = product["status"] ?? (product["published_at"] == nil ? nil : "active")
        var productColumns: [FeedRecord.Field] = [
            .init("Title", product["title"] ?? ""), .init("Body (HTML)", product["body_html"] ?? ""),
            .init("Vendor", product["vendor"] ?? ""), .init("Type", product["product_type"] ?? ""),
            .init("Tags", product["tags"] ?? ""), .init("Image Src", product["images[0].src"] ?? product["image.src"] ?? ""),
        ]
        if let status { productColumns.append(.init("Status", status)) }
        for option in 1...3 {
            productColumns.append(.init("Option\(option) Name", product["options[\(option - 1)].name"] ?? ""))
        }
        return variants.keys.sorted().enumerated().map { position, index in
            let variant = variants[index]!
            var fields: [FeedRecord.Field] = [.init("Handle", handle)]
            if position == 0 { fields += productColumns }
            for option in 1...3 { fields.append(.init("Option\(option) Value", variant["option\(option)"] ?? "")) }
            fields += [
                .init("Variant SKU", variant["sku"] ?? ""), .init("Variant Price", variant["price"] ?? ""),
                .init("Variant Compare At Price", variant["compare_at_price"] ?? ""),
                .init("Variant Inventory Qty", variant["inventory_quantity"] ?? ""),
                .init("Variant Inventory Policy", variant["inventory_policy"] ?? ""),
                .init("Variant Inventory Tracker", variant["inventory_management"] ?? ""),
                .init("Variant Barcode", variant["barcode"] ?? ""),
            ]
            return FeedRecord(line: product.line, fields: fields)
        }
    }
}
