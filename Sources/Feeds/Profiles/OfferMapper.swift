public import Catalog

/// Turns a feed's records into offers, one record at a time.
///
/// Stateful because some exports spread one product over several rows (Shopify's variant and image rows,
/// WooCommerce's parents and variations). A mapper holds at most one product group, never the whole feed.
public protocol OfferMapper {
    /// Takes one record; returns the offers (or row issues) completed so far, in feed order.
    mutating func consume(_ record: FeedRecord) -> [Result<Offer, FeedIssue>]
    /// Returns whatever is still buffered at the end of the feed.
    mutating func finish() -> [Result<Offer, FeedIssue>]
}

/// The mapping profiles a feed can be read with (`profile:` in the configuration).
public enum ProfileKind: String, Sendable, CaseIterable {
    case google, meta, shopify, woocommerce, custom
}

/// The entry point to the profiles: detection for `profile: auto`, and a mapper per profile.
public enum Profiles {
    /// Detects the profile from the first record's field names (`profile: auto`); nil → caller falls back to google.
    ///
    /// Names may be raw headers (`Variant SKU`) or attribute names (`variant_sku`). In order:
    /// Shopify has `Handle` with `Variant SKU` or `Variant Price`; WooCommerce has `Type` with `Regular price`
    /// or `In stock?`; Meta has `quantity_to_sell_on_facebook`, `fb_product_category` or an indexed
    /// `image[0].url`; Google has `id` and `price`.
    public static func detect(fieldNames: [String]) -> ProfileKind? {
        let names = Set(fieldNames.map(RowFields.key))
        func has(_ name: String) -> Bool { names.contains(RowFields.key(name)) }
        if has("Handle") && (has("Variant SKU") || has("Variant Price")) { return .shopify }
        if has("Type") && (has("Regular price") || has("In stock?")) { return .woocommerce }
        if has("quantity_to_sell_on_facebook") || has("fb_product_category")
            || names.contains(where: MetaProfile.isIndexedImage) {
            return .meta
        }
        if has("id") && has("price") { return .google }
        return nil
    }

    /// A fresh mapper for one feed.
    /// - Parameter mapping: attribute → source field, used by `.custom` only (see `CustomProfile`).
    public static func mapper(_ kind: ProfileKind, context: MappingContext,
                              mapping: [String: String]) -> any OfferMapper {
        switch kind {
        case .google: return RowMapper(context: context) { row throws(FeedIssue) in try GoogleProfile.offer(from: row) }
        case .meta: return RowMapper(context: context) { row throws(FeedIssue) in try MetaProfile.offer(from: row) }
        case .shopify: return ShopifyMapper(context: context)
        case .woocommerce: return WooCommerceMapper(context: context)
        case .custom:
            let profile = CustomProfile(mapping: mapping)
            return RowMapper(context: context) { row throws(FeedIssue) in try profile.offer(from: row) }
        }
    }
}

/// A mapper for profiles where every record is one offer (Google, Meta, custom): it buffers nothing.
struct RowMapper: OfferMapper {
    let context: MappingContext
    let map: (RowFields) throws(FeedIssue) -> Offer
    /// The layouts of the records so far: most records of a feed share one.
    private var layouts = RowLayouts()

    init(context: MappingContext, map: @escaping (RowFields) throws(FeedIssue) -> Offer) {
        self.context = context
        self.map = map
    }

    mutating func consume(_ record: FeedRecord) -> [Result<Offer, FeedIssue>] {
        do {
            return [.success(try map(RowFields(record, context: context, layout: layouts.layout(for: record))))]
        } catch {
            return [.failure(error)]
        }
    }

    mutating func finish() -> [Result<Offer, FeedIssue>] { [] }
}
