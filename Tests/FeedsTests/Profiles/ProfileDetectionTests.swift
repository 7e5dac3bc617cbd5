import Testing

@testable import Feeds

@Suite struct ProfileDetectionTests {
    @Test(arguments: [
        (["Handle", "Title", "Variant SKU"], ProfileKind?.some(.shopify)),
        (["handle", "title", "variant_price"], .shopify),
        (["ID", "Type", "SKU", "Regular price"], .woocommerce),
        (["ID", "Type", "SKU", "In stock?"], .woocommerce),
        (["id", "title", "price", "quantity_to_sell_on_facebook"], .meta),
        (["vehicle_id", "price", "image[0].url", "image[1].url"], .meta),
        (["id", "price", "fb_product_category"], .meta),
        (["id", "title", "price", "availability"], .google),
        (["g:id", "g:price"], .google),
        (["id", "priceInfo.price", "priceInfo.currencyCode"], nil),
        (["Handle", "Title"], nil),
        ([], nil),
    ])
    func detectsTheProfileFromFieldNames(_ names: [String], _ expected: ProfileKind?) {
        #expect(Profiles.detect(fieldNames: names) == expected)
    }
}
