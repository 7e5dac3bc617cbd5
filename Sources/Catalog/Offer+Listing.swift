extension Offer {
    /// The offer in the listing vocabulary (Google attribute names), before any channel's rules.
    ///
    /// This is what the store keeps per item and what channel rules start from.
    public var baseListing: Listing {
        var listing = Listing()
        listing.set("id", id)
        listing.set("item_group_id", groupId)
        listing.set("title", title)
        listing.set("description", description)
        listing.set("link", link)
        listing.set("image_link", imageLink)
        if !additionalImageLinks.isEmpty {
            listing.set("additional_image_link", additionalImageLinks.joined(separator: ","))
        }
        listing.set("price", price.description)
        listing.set("sale_price", salePrice?.description)
        listing.set("sale_price_effective_date", saleWindowText)
        listing.set("availability", availability.rawValue)
        if let quantity { listing["quantity"] = .integer(quantity) }
        listing.set("brand", brand)
        listing.set("gtin", gtin)
        listing.set("mpn", mpn)
        listing.set("condition", condition)
        listing.set("color", color)
        listing.set("size", size)
        listing.set("material", material)
        listing.set("pattern", pattern)
        listing.set("gender", gender)
        listing.set("age_group", ageGroup)
        listing.set("google_product_category", googleProductCategory)
        listing.set("product_type", productType)
        for (index, label) in customLabels.enumerated() where index < 5 {
            listing.set("custom_label_\(index)", label)
        }
        return listing
    }
}
