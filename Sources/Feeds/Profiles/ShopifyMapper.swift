public import Catalog

/// Shopify's product CSV export → one offer per variant row.
///
/// A product is a run of rows with one `Handle`. Its first row holds the product fields (Title, Body (HTML),
/// Vendor, Type, Tags, Published, Status, option names, Google Shopping columns) and the first variant; each
/// further variant is a row with variant fields (Variant SKU, Variant Price, Option values, …); image-only rows
/// (no variant fields, just `Image Src`) add product images. The mapper buffers one product — its rows until the
/// handle changes — and never more, so a handle that comes back later is read as a new product without the
/// first row's fields.
///
/// Decisions:
/// - id: `Variant SKU`; when empty, `<Handle>` for a product whose only variant is Shopify's placeholder
///   (`Title` = `Default Title`), else `<Handle>-<option values>` in lower case with every run of other characters
///   than letters and digits as one `-` (`classic-varsity-top-small`). Option values are unique within a product
///   and stay put when rows are reordered, so the id is stable; a row index would not be.
/// - item_group_id: the Handle, for products with options (more than the placeholder variant); a product with a
///   single placeholder variant has none, as Google asks of products without variants.
/// - price: `Variant Compare At Price` above `Variant Price` is Shopify's sale: price = compare-at,
///   sale_price = Variant Price. A compare-at at or below the price is no sale and is ignored.
/// - quantity: `Variant Inventory Qty` (negative, oversold stock counts as 0). Availability: in stock above 0;
///   at 0 or below, `backorder` when `Variant Inventory Policy` is `continue`, else out of stock. A variant with
///   no quantity is in stock when `Variant Inventory Tracker` is empty (Shopify does not track it), and a row
///   issue when it is tracked.
/// - listing: a product whose `Status` is `draft` or `archived`, or whose `Published` is `false`, is not listed:
///   its rows give no offers and no issues, so it leaves the channels like a product removed from the feed.
/// - images: `Variant Image`, else the product's first image; the product's other images are additional.
/// - title: the product title (variants differ by color/size/options, not title). Body (HTML) is the
///   description as exported, HTML included. Vendor → brand, Type (else Product Category) → product_type,
///   Variant Barcode → gtin, options named Color/Colour, Size, Material, Pattern → those attributes,
///   Google Shopping / Gender, Age Group, MPN, Condition, Google Product Category, Custom Label 0–4 → theirs.
///   Tags and weights are not offer attributes. The export has no product URL and no currency: amounts take the
///   feed's configured currency.
public struct ShopifyMapper: OfferMapper {
    let context: MappingContext
    private var product: Product?

    public init(context: MappingContext) {
        self.context = context
    }

    /// One product's rows while its handle runs.
    struct Product {
        var handle: String
        var first: RowFields
        var optionNames: [String?]
        var isListed: Bool
        var images: [String] = []
        var variants: [RowFields] = []
    }

    public mutating func consume(_ record: FeedRecord) -> [Result<Offer, FeedIssue>] {
        let row = RowFields(record, context: context)
        guard let handle = row.text("Handle") else {
            return flush() + [.failure(row.missing("Handle"))]
        }
        var completed: [Result<Offer, FeedIssue>] = []
        let startsProduct = product?.handle != handle
        if startsProduct {
            completed = flush()
            let status = row.text("Status")?.lowercased()
            let isListed = status != "draft" && status != "archived" && row.text("Published")?.lowercased() != "false"
            product = Product(handle: handle, first: row, optionNames: (1...3).map { row.text("Option\($0) Name") },
                              isListed: isListed)
        }
        if let image = row.text("Image Src"), product?.images.contains(image) == false {
            product?.images.append(image)
        }
        // A product's first row always holds its first variant; later rows only when they carry variant fields.
        if startsProduct || isVariant(row) { product?.variants.append(row) }
        return completed
    }

    public mutating func finish() -> [Result<Offer, FeedIssue>] { flush() }

    private func isVariant(_ row: RowFields) -> Bool {
        row.text("Variant SKU") != nil || row.text("Variant Price") != nil || row.text("Option1 Value") != nil
            || row.text("Variant Inventory Qty") != nil
    }

    /// The buffered product's offers and issues, in row order; empties the buffer.
    private mutating func flush() -> [Result<Offer, FeedIssue>] {
        guard let product else { return [] }
        self.product = nil
        guard product.isListed else { return [] }
        let hasOptions = product.variants.count > 1 || !isPlaceholder(product.variants.first, product)
        return product.variants.map { row in
            do throws(FeedIssue) {
                return .success(try offer(from: row, in: product, hasOptions: hasOptions))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Whether a variant is Shopify's single `Title: Default Title` placeholder.
    private func isPlaceholder(_ row: RowFields?, _ product: Product) -> Bool {
        guard let row else { return true }
        let values = (1...3).compactMap { row.text("Option\($0) Value") }
        return values.isEmpty || (values == ["Default Title"] && product.optionNames[0]?.lowercased() == "title")
    }

    private func offer(from row: RowFields, in product: Product, hasOptions: Bool) throws(FeedIssue) -> Offer {
        guard let variantPrice = try row.money("Variant Price") else { throw row.missing("Variant Price") }
        var price = variantPrice
        var salePrice: Money?
        if let compareAt = try row.money("Variant Compare At Price") {
            if compareAt.currency != variantPrice.currency {
                let why = "is in another currency than Variant Price (\(variantPrice.currency))"
                let field = "Variant Compare At Price"
                throw FeedIssue(.invalidAmount(field: field, value: compareAt.description, why: why),
                                at: row.location(field))
            }
            if compareAt.isGreater(than: variantPrice) {
                price = compareAt
                salePrice = variantPrice
            }
        }
        let quantity = try row.count("Variant Inventory Qty", clampsNegative: true)
        let availability: Availability
        if let quantity {
            let continues = row.text("Variant Inventory Policy")?.lowercased() == "continue"
            availability = quantity > 0 ? .inStock : continues ? .backorder : .outOfStock
        } else if row.text("Variant Inventory Tracker") == nil {
            availability = .inStock
        } else {
            throw row.missing("Variant Inventory Qty")
        }

        let options = (1...3).map { row.text("Option\($0) Value") }
        let id = row.text("Variant SKU") ?? (hasOptions ? ShopifyMapper.id(handle: product.handle, options: options)
                                                        : product.handle)
        var offer = Offer(id: id, price: price, availability: availability, quantity: quantity)
        offer.salePrice = salePrice
        offer.groupId = hasOptions ? product.handle : nil
        let first = product.first
        offer.title = first.text("Title")
        offer.description = first.text("Body (HTML)")
        offer.brand = first.text("Vendor")
        offer.productType = first.text("Type") ?? first.text("Product Category")
        offer.gtin = row.text("Variant Barcode")
        offer.imageLink = row.text("Variant Image") ?? product.images.first
        offer.additionalImageLinks = product.images.filter { $0 != offer.imageLink }
        for (name, value) in zip(product.optionNames, options) {
            if let name, let value, let attribute = VariantAttribute.named(name) { offer[keyPath: attribute] = value }
        }
        let google = "Google Shopping / "
        offer.mpn = row.text(google + "MPN") ?? first.text(google + "MPN")
        offer.condition = first.text(google + "Condition")
        offer.gender = offer.gender ?? first.text(google + "Gender")
        offer.ageGroup = offer.ageGroup ?? first.text(google + "Age Group")
        offer.googleProductCategory = first.text(google + "Google Product Category")
        let labels = (0..<5).map { first.text(google + "Custom Label \($0)") }
        if labels.contains(where: { $0 != nil }) { offer.customLabels = labels }
        offer.source = SourceLocation(feed: context.feed, line: row.record.line)
        return offer
    }

    /// `<handle>-<option values>`, in lower case, runs of other characters than letters and digits as one `-`.
    static func id(handle: String, options: [String?]) -> String {
        var slug = ""
        for character in options.compactMap({ $0 }).joined(separator: "-").lowercased() {
            if character.isLetter || character.isNumber {
                slug.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.last == "-" { slug.removeLast() }
        return slug.isEmpty ? handle : handle + "-" + slug
    }
}
