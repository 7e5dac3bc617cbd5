/// One sellable variant (SKU) as the merchant's feeds describe it, before any channel's rules.
public struct Offer: Hashable, Sendable {
    /// The merchant's SKU: exact bytes, trimmed of surrounding white space.
    public var id: String
    /// Google's `item_group_id`: the product the variant belongs to.
    public var groupId: String?
    public var title: String?
    public var description: String?
    public var link: String?
    public var imageLink: String?
    public var additionalImageLinks: [String] = []
    public var brand: String?
    public var gtin: String?
    public var mpn: String?
    public var condition: String?
    public var googleProductCategory: String?
    public var productType: String?
    public var price: Money
    public var salePrice: Money?
    public var saleWindow: SaleWindow?
    /// The window exactly as the feed wrote it, passed on to channels that take sale dates.
    public var saleWindowText: String?
    public var availability: Availability
    /// Units in stock; `nil` when the feed says only whether the item is available.
    public var quantity: Int?
    public var color: String?
    public var size: String?
    public var material: String?
    public var pattern: String?
    public var gender: String?
    public var ageGroup: String?
    /// `custom_label_0` … `custom_label_4`; empty labels are `nil`.
    public var customLabels: [String?] = []
    /// Where the offer was read: feed and line.
    public var source: SourceLocation?

    public init(id: String, price: Money, availability: Availability, quantity: Int? = nil) {
        self.id = id
        self.price = price
        self.availability = availability
        self.quantity = quantity
    }
}
