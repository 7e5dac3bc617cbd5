public import Catalog

/// One row of an inventory (supplemental) feed: new stock and prices for an offer the primary feed describes.
///
/// Values are what the row says, absolute and unmerged: `nil` means the row does not set that attribute.
/// Availability is not derived from quantity here; the caller combines the update with the offer it changes.
public struct InventoryUpdate: Sendable, Equatable {
    public var id: String
    public var quantity: Int?
    public var availability: Availability?
    public var price: Money?
    public var salePrice: Money?
    /// The 1-based line of the row.
    public var line: Int

    public init(id: String, quantity: Int? = nil, availability: Availability? = nil, price: Money? = nil,
                salePrice: Money? = nil, line: Int) {
        self.id = id
        self.quantity = quantity
        self.availability = availability
        self.price = price
        self.salePrice = salePrice
        self.line = line
    }
}

/// Inventory feeds (`kind: inventory`) in Google or Meta names → `InventoryUpdate`.
///
/// Columns: `id`; `quantity`, `inventory` or `quantity_to_sell_on_facebook`; `availability`; optionally `price`
/// and `sale_price`. A row must set at least one of quantity, availability and price.
public enum InventoryProfile {
    /// Maps one inventory row.
    /// - Throws: a missing id, a row that updates nothing, or the first value that cannot be read.
    public static func update(from record: FeedRecord, context: MappingContext) throws(FeedIssue) -> InventoryUpdate {
        let row = RowFields(record, context: context)
        guard let id = row.text("id") else { throw row.missing("id") }
        let quantityField = ["quantity", "quantity_to_sell_on_facebook"].first { row.text($0) != nil } ?? "quantity"
        var update = InventoryUpdate(id: id, line: record.line)
        update.quantity = try row.count(quantityField)
        update.availability = try row.availability("availability")
        update.price = try row.money("price")
        update.salePrice = try row.money("sale_price")
        if let price = update.price, let sale = update.salePrice, sale.currency != price.currency {
            throw FeedIssue(.invalidAmount(field: "sale_price", value: sale.description,
                                           why: "is in another currency than price (\(price.currency))"),
                            at: row.location("sale_price"))
        }
        guard update.quantity != nil || update.availability != nil || update.price != nil else {
            throw row.missing("quantity, availability or price")
        }
        return update
    }
}
