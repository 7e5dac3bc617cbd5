public import Catalog
import Foundation

/// WooCommerce's product CSV (the importer's sample and the 9.x exporter) → one offer per simple product and per
/// variation.
///
/// Decisions:
/// - `Type` is a list (`simple, downloadable, virtual`); its first known type decides, and an empty one is
///   `simple`, as WooCommerce's importer reads it. Simple products (downloadable and virtual ones too) and
///   variations are offers. Variable products are not: they lend their variations the product fields.
///   Grouped products (a page listing other products, with no price or stock of their own) and external
///   products (sold on another site: the shop holds no stock and cannot fulfil an order) give no offer and no
///   issue. Another type is a row issue.
/// - parents: `Parent` names a variable product by SKU or as `id:123`. The mapper keeps, per variable product
///   seen, what its variations need — group id, title, description, image URLs, first category, brand,
///   whether it is published — in a dictionary under its SKU and its ID. That is the only state, so memory grows
///   with the number of variable products (about one parent row's text each), never with variations or
///   simple products. A variation read before its parent (exports list parents first) keeps its own fields.
/// - id: `SKU`; when empty, `wc-<ID>` (WooCommerce's post ID, which never changes). item_group_id of a variation:
///   its parent's SKU, else `wc-<parent ID>`.
/// - title: the parent's name for a variation (its own `Name`, "Hoodie - Blue, Yes", when the parent is
///   unknown); description, images, category and brand: the row's own, else the parent's. `Images` is a comma
///   list: the first is image_link. Categories → product_type (the first category path).
/// - price: `Regular price`; a `Sale price` must be below it (WooCommerce refuses anything else) and applies
///   from `Date sale price starts` (00:00) through `Date sale price ends` (the whole day), read in the
///   context's time zone (UTC without one).
/// - stock: `Stock` → quantity (negative, oversold stock counts as 0). `In stock?` 1 → in stock, 0 → out of
///   stock, `backorder` → backorder; with a quantity of 0 or less an in-stock row becomes backorder when
///   `Backorders allowed?` is 1 or `notify`, else out of stock. With neither column filled the row is an issue.
/// - `Published` 0 (draft) or -1 (private) is not listed: no offer, no issue; nor are the variations of such
///   a parent. Attributes named Color/Colour, Size, Material, Pattern with a single value become those
///   attributes (a simple product's "Blue, Green" lists options, not the item's color).
public struct WooCommerceMapper: OfferMapper {
    let context: MappingContext
    /// Variable products by `sku:<SKU>` and `id:<ID>`.
    private var parents: [String: Parent] = [:]

    public init(context: MappingContext) {
        self.context = context
    }

    struct Parent {
        var groupId: String
        var title: String?
        var description: String?
        var images: [String]
        var productType: String?
        var brand: String?
        var isListed: Bool
    }

    public mutating func consume(_ record: FeedRecord) -> [Result<Offer, FeedIssue>] {
        let row = RowFields(record, context: context)
        let types = (row.text("Type") ?? "simple").lowercased().split(separator: ",")
            .map { String(Substring($0).trimmingSpaces()) }
        let known = ["simple", "variable", "variation", "grouped", "external"]
        guard let type = types.first(where: known.contains) else {
            return [.failure(row.invalid("Type", row.text("Type") ?? "",
                                         "is not simple, variable, variation, grouped or external"))]
        }
        let isListed = !["0", "-1"].contains(row.text("Published") ?? "1")
        switch type {
        case "variable":
            remember(row, isListed: isListed)
            return []
        case "simple" where isListed:
            return [result { () throws(FeedIssue) in try offer(from: row, parent: nil, groupId: nil) }]
        case "variation" where isListed:
            let reference = row.text("Parent")
            let parent = reference.flatMap { parents[WooCommerceMapper.key(reference: $0)] }
            if parent?.isListed == false { return [] }
            let groupId = parent?.groupId ?? reference.map(WooCommerceMapper.groupId(reference:))
            return [result { () throws(FeedIssue) in try offer(from: row, parent: parent, groupId: groupId) }]
        default:
            return []
        }
    }

    public mutating func finish() -> [Result<Offer, FeedIssue>] { [] }

    private func result(_ body: () throws(FeedIssue) -> Offer) -> Result<Offer, FeedIssue> {
        do { return .success(try body()) } catch { return .failure(error) }
    }

    private mutating func remember(_ row: RowFields, isListed: Bool) {
        let sku = row.text("SKU"), id = row.text("ID")
        guard let groupId = sku ?? id.map({ "wc-" + $0 }) else { return }
        let parent = Parent(groupId: groupId, title: row.text("Name"), description: description(row),
                            images: row.list("Images"), productType: row.list("Categories").first,
                            brand: row.list("Brands").first, isListed: isListed)
        if let sku { parents["sku:" + sku] = parent }
        if let id { parents["id:" + id] = parent }
    }

    /// The dictionary key of a `Parent` cell: `id:123` stays, a SKU becomes `sku:<SKU>`.
    static func key(reference: String) -> String {
        reference.hasPrefix("id:") ? "id:" + reference.dropFirst(3).trimmingSpaces() : "sku:" + reference
    }

    /// The group id of a parent known only by reference: its SKU, or `wc-<ID>` for `id:<ID>`.
    static func groupId(reference: String) -> String {
        reference.hasPrefix("id:") ? "wc-" + reference.dropFirst(3).trimmingSpaces() : reference
    }

    private func description(_ row: RowFields) -> String? {
        row.text("Description") ?? row.text("Short description")
    }

    private func offer(from row: RowFields, parent: Parent?, groupId: String?) throws(FeedIssue) -> Offer {
        guard let id = row.text("SKU") ?? row.text("ID").map({ "wc-" + $0 }) else { throw row.missing("SKU") }
        guard let price = try row.money("Regular price") else { throw row.missing("Regular price") }
        let salePrice = try row.money("Sale price")
        if let salePrice, !price.isGreater(than: salePrice) {
            throw FeedIssue(.invalidAmount(field: "Sale price", value: salePrice.description,
                                           why: "is not below the regular price (\(price))"),
                            at: row.location("Sale price"))
        }
        let quantity = try row.count("Stock", clampsNegative: true)
        var offer = Offer(id: id, price: price, availability: try availability(row, quantity: quantity),
                          quantity: quantity)
        if let salePrice {
            offer.salePrice = salePrice
            try saleWindow(row, into: &offer)
        }
        offer.groupId = groupId
        offer.title = parent?.title ?? row.text("Name")
        offer.description = description(row) ?? parent?.description
        let images = row.list("Images")
        let chosen = images.isEmpty ? parent?.images ?? [] : images
        offer.imageLink = chosen.first
        offer.additionalImageLinks = Array(chosen.dropFirst())
        offer.productType = row.list("Categories").first ?? parent?.productType
        offer.brand = row.list("Brands").first ?? parent?.brand
        offer.gtin = row.text("GTIN, UPC, EAN, or ISBN")
        var number = 1
        while row.has("Attribute \(number) name") {
            if let name = row.text("Attribute \(number) name"), let attribute = VariantAttribute.named(name) {
                let values = row.list("Attribute \(number) value(s)")
                if values.count == 1 { offer[keyPath: attribute] = values[0] }
            }
            number += 1
        }
        offer.source = SourceLocation(feed: context.feed, line: row.record.line)
        return offer
    }

    private func availability(_ row: RowFields, quantity: Int?) throws(FeedIssue) -> Availability {
        let backorders = ["1", "notify"].contains(row.text("Backorders allowed?")?.lowercased() ?? "0")
        let status: Availability
        switch row.text("In stock?")?.lowercased() {
        case "1"?, "instock"?: status = .inStock
        case "0"?, "outofstock"?: status = .outOfStock
        case "backorder"?, "onbackorder"?: status = .backorder
        case nil:
            guard quantity != nil else { throw row.missing("In stock?") }
            status = .inStock
        case let value?:
            throw row.invalid("In stock?", row.text("In stock?") ?? value, "is not 1, 0 or backorder")
        }
        // Stock that has run out overrides a stale "in stock" flag: never promise what is not there.
        if status == .inStock, let quantity, quantity <= 0 { return backorders ? .backorder : .outOfStock }
        return status
    }
}
