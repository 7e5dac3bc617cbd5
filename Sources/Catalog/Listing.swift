/// What one channel is told about one SKU: attribute name → value, after the channel's rules.
///
/// Attribute names are Google Merchant Center's (`price`, `quantity`, `item_group_id`, …) so that
/// listings, deltas and the file channel share one vocabulary. Absent attributes are not stored.
public struct Listing: Hashable, Sendable {
    public private(set) var fields: [String: ListingValue]

    public init(_ fields: [String: ListingValue] = [:]) {
        self.fields = fields
    }

    public subscript(name: String) -> ListingValue? {
        get { fields[name] }
        set { fields[name] = newValue }
    }

    /// Sets a text attribute, leaving it absent when the value is `nil` or empty.
    public mutating func set(_ name: String, _ text: String?) {
        if let text, !text.isEmpty { fields[name] = .text(text) } else { fields[name] = nil }
    }

    /// The published quantity, when the listing has one.
    public var quantity: Int? {
        if case .integer(let value)? = fields["quantity"] { return value }
        return nil
    }

    /// The attribute names in the order they are written: the canonical order first, then the rest sorted.
    public var orderedNames: [String] {
        Listing.order(fields.keys)
    }

    /// Names whose values differ between `self` and `other` (present in one only counts), in canonical order.
    public func changedFields(from other: Listing) -> [String] {
        // A name is looked up in the other listing only, with no sets in between: this runs for every SKU
        // reconcile finds changed.
        var names: [String] = []
        for (name, value) in fields where other.fields[name] != value { names.append(name) }
        for name in other.fields.keys where fields[name] == nil { names.append(name) }
        return Listing.order(names)
    }

    /// Puts attribute names in the canonical order (the rest after them, sorted), each name once.
    public static func order(_ names: some Sequence<String>) -> [String] {
        // Ranked without hashing (`canonicalRank`): this runs for every listing created and every delta.
        let unranked = canonicalOrder.count
        var ranked = names.map { (rank: canonicalRank(of: $0) ?? unranked, name: $0) }
        ranked.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.name < $1.name }
        var ordered: [String] = []
        ordered.reserveCapacity(ranked.count)
        for (_, name) in ranked where ordered.last != name { ordered.append(name) }  // repeats are side by side
        return ordered
    }

    /// Google Merchant Center's attribute order, as feeds and the file channel write them.
    public static let canonicalOrder = [
        "id", "item_group_id", "title", "description", "link", "image_link", "additional_image_link",
        "price", "sale_price", "sale_price_effective_date", "availability", "quantity",
        "brand", "gtin", "mpn", "condition", "color", "size", "material", "pattern", "gender", "age_group",
        "google_product_category", "product_type",
        "custom_label_0", "custom_label_1", "custom_label_2", "custom_label_3", "custom_label_4",
    ]
    /// The position of `name` in `canonicalOrder`, found by the name's length and a compare or two instead of a
    /// hash.
    static func canonicalRank(of name: String) -> Int? {
        let length = name.utf8.count
        guard length < ranksByLength.count else { return nil }
        for rank in ranksByLength[length] where canonicalOrder[rank] == name { return rank }
        return nil
    }

    /// The canonical names' ranks by the names' UTF-8 length.
    static let ranksByLength: [[Int]] = {
        var table = [[Int]](repeating: [], count: (canonicalOrder.map(\.utf8.count).max() ?? 0) + 1)
        for (rank, name) in canonicalOrder.enumerated() { table[name.utf8.count].append(rank) }
        return table
    }()
}

/// One attribute value: text, or an integer for counts such as `quantity`.
public enum ListingValue: Hashable, Sendable, CustomStringConvertible {
    case text(String)
    case integer(Int)

    public var description: String {
        switch self {
        case .text(let text): return text
        case .integer(let value): return String(value)
        }
    }
}
