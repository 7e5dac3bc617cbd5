extension Offer {
    /// The offer in the listing vocabulary (Google attribute names), before any channel's rules.
    ///
    /// This is what the store keeps per item and what channel rules start from.
    public var baseListing: Listing {
        // Sized for every attribute at once, and only present values stored: this runs for every row mapped.
        var fields = [String: ListingValue](minimumCapacity: Listing.canonicalOrder.count)
        /// `Listing.set` for a listing that has none of the names yet.
        func set(_ name: String, _ text: String?) {
            if let text, !text.isEmpty { fields[name] = .text(text) }
        }
        set("id", id)
        set("item_group_id", groupId)
        set("title", title)
        set("description", description)
        set("link", link)
        set("image_link", imageLink)
        if !additionalImageLinks.isEmpty {
            set("additional_image_link", additionalImageLinks.joined(separator: ","))
        }
        set("price", price.description)
        set("sale_price", salePrice?.description)
        set("sale_price_effective_date", saleWindowText)
        set("availability", availability.rawValue)
        if let quantity { fields["quantity"] = .integer(quantity) }
        set("brand", brand)
        set("gtin", gtin)
        set("mpn", mpn)
        set("condition", condition)
        set("color", color)
        set("size", size)
        set("material", material)
        set("pattern", pattern)
        set("gender", gender)
        set("age_group", ageGroup)
        set("google_product_category", googleProductCategory)
        set("product_type", productType)
        for (index, label) in customLabels.enumerated() where index < 5 {
            set(Offer.customLabelNames[index], label)
        }
        return Listing(fields)
    }

    /// `custom_label_0` … `custom_label_4`.
    static let customLabelNames = (0..<5).map { "custom_label_\($0)" }
}
