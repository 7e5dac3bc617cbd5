public import Catalog

/// Criteria that pick items by their feed attributes: a channel's `include` or `exclude` block.
///
/// Each criterion is a list of accepted values (OR within the list); an empty list means the
/// criterion is not given. As `include`, every given criterion must match (`matchesEvery`); as
/// `exclude`, any matching criterion excludes the item (`matchesAny`). An empty filter includes
/// everything and excludes nothing. Criteria look at the merchant's data before the channel's
/// rules: the feed's `price`, the feed's `availability` (absent means `in_stock`).
///
/// - `ids`: exact SKU bytes.
/// - `brands`, `customLabels`: whole values, ignoring case and surrounding spaces.
/// - `productTypes`, `googleProductCategories`: category paths `"Home > Kitchen"` match by leading
///   segments, ignoring case and the spaces around `>`: `"Home > Kitchen"` matches
///   `"Home > Kitchen > Knives"` but not `"Home > Kitchenware"`. Numeric Google category ids are
///   one-segment paths.
/// - `minPrice`/`maxPrice` (inclusive): one criterion, the price range. A bound with a currency
///   applies only to items priced in that currency; an item in another currency does not match
///   it (so `include` leaves it out and `exclude` keeps it). A bare bound is in the item's currency.
///   An item without a readable price matches no range.
/// An item without the attribute a criterion looks at does not match that criterion.
public struct ItemFilter: Hashable, Sendable {
    public var ids: [String]
    public var brands: [String]
    public var productTypes: [String]
    public var googleProductCategories: [String]
    /// `custom_label_0` … `custom_label_4`: index → accepted values.
    public var customLabels: [Int: [String]]
    public var availability: [Availability]
    public var minPrice: RuleAmount?
    public var maxPrice: RuleAmount?

    public init(ids: [String] = [], brands: [String] = [], productTypes: [String] = [],
                googleProductCategories: [String] = [], customLabels: [Int: [String]] = [:],
                availability: [Availability] = [], minPrice: RuleAmount? = nil, maxPrice: RuleAmount? = nil) {
        self.ids = ids
        self.brands = brands
        self.productTypes = productTypes
        self.googleProductCategories = googleProductCategories
        self.customLabels = customLabels
        self.availability = availability
        self.minPrice = minPrice
        self.maxPrice = maxPrice
    }

    /// Whether no criterion is given.
    public var isEmpty: Bool {
        ids.isEmpty && brands.isEmpty && productTypes.isEmpty && googleProductCategories.isEmpty
            && customLabels.values.allSatisfy(\.isEmpty) && availability.isEmpty && minPrice == nil && maxPrice == nil
    }

    /// `include` semantics: every given criterion matches. True for an empty filter.
    public func matchesEvery(_ listing: Listing) -> Bool {
        isEmpty || criteria.allSatisfy { $0(listing) }
    }

    /// `exclude` semantics: at least one given criterion matches. False for an empty filter.
    public func matchesAny(_ listing: Listing) -> Bool {
        !isEmpty && criteria.contains { $0(listing) }
    }

    private var criteria: [(Listing) -> Bool] {
        var result: [(Listing) -> Bool] = []
        if !ids.isEmpty { result.append { listing in ids.contains { $0 == listing["id"]?.description } } }
        if !brands.isEmpty { result.append { ItemFilter.matchesValue(brands, $0["brand"]) } }
        if !productTypes.isEmpty { result.append { ItemFilter.matchesPath(productTypes, $0["product_type"]) } }
        if !googleProductCategories.isEmpty {
            result.append { ItemFilter.matchesPath(googleProductCategories, $0["google_product_category"]) }
        }
        for (index, labels) in customLabels.sorted(by: { $0.key < $1.key }) where !labels.isEmpty {
            result.append { ItemFilter.matchesValue(labels, $0["custom_label_\(index)"]) }
        }
        if !availability.isEmpty {
            result.append { listing in
                let value = listing["availability"].flatMap { Availability(feedValue: $0.description) } ?? .inStock
                return availability.contains(value)
            }
        }
        if minPrice != nil || maxPrice != nil {
            result.append { listing in
                guard let price = PriceRules.money(listing["price"]) else { return false }
                return ItemFilter.isAtMost(minPrice, price, orderedBefore: true)
                    && ItemFilter.isAtMost(maxPrice, price, orderedBefore: false)
            }
        }
        return result
    }

    private static func normalized(_ text: some StringProtocol) -> String {
        Substring(text).trimmingSpaces().lowercased()
    }

    static func matchesValue(_ accepted: [String], _ value: ListingValue?) -> Bool {
        guard let value else { return false }
        let text = normalized(value.description)
        return accepted.contains { normalized($0) == text }
    }

    /// The segments of a category path, normalized: `"Home >  Kitchen"` → `["home", "kitchen"]`.
    static func segments(_ path: String) -> [String] {
        path.split(separator: ">").map { normalized($0) }.filter { !$0.isEmpty }
    }

    static func matchesPath(_ prefixes: [String], _ value: ListingValue?) -> Bool {
        guard let value else { return false }
        let path = segments(value.description)
        return prefixes.contains { prefix in
            let wanted = segments(prefix)
            return !wanted.isEmpty && path.starts(with: wanted)
        }
    }

    /// With `orderedBefore`, whether `bound ≤ price`; else whether `price ≤ bound`. True without a bound.
    static func isAtMost(_ bound: RuleAmount?, _ price: Money, orderedBefore: Bool) -> Bool {
        guard let bound else { return true }
        guard let (numerator, denominator) = bound.minorUnits(in: price.currency) else { return false }
        let scaledPrice = Int128(price.minorUnits) * denominator
        return orderedBefore ? numerator <= scaledPrice : scaledPrice <= numerator
    }
}
