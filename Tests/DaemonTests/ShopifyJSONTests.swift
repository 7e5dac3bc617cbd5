import Catalog
import Foundation
import Testing
@testable import Daemon

/// Shopify's products.json, nested product → variants, read as one offer per variant.
@Suite struct ShopifyJSONTests {
    static let document = #"""
        {"products":[
          {"id":1,"title":"Linen Dress","handle":"linen-dress","body_html":"<p>Soft</p>","vendor":"Nordvik",
           "product_type":"Dresses","status":"active","options":[{"name":"Size","values":["S","M"]}],
           "images":[{"src":"https://cdn.example/dress.jpg"}],
           "variants":[
             {"sku":"DRESS-S","price":"799.00","compare_at_price":"999.00","option1":"S","inventory_quantity":3,
              "inventory_management":"shopify","inventory_policy":"deny","barcode":"7350000000001"},
             {"sku":"DRESS-M","price":"999.00","compare_at_price":null,"option1":"M","inventory_quantity":0,
              "inventory_management":"shopify","inventory_policy":"deny"}]},
          {"id":2,"title":"Scarf","handle":"scarf","vendor":"Lumo","status":"draft",
           "options":[{"name":"Title","values":["Default Title"]}],
           "variants":[{"sku":"SCARF","price":"199.00","option1":"Default Title","inventory_quantity":5,
                        "inventory_management":"shopify"}]}
        ]}
        """#

    @Test func eachVariantIsAnOfferWithItsProductsFields() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cs-shopify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("products.json")
        try Self.document.write(to: file, atomically: true, encoding: .utf8)
        var feed = FeedConfig(name: "shop", file: file)
        feed.recordPath = "products"
        try feed.override(currency: "SEK", locale: nil, encoding: nil, delimiter: nil, profile: nil)
        var (scanner, _) = try FeedScanner.open(feed)
        var offers: [String: Offer] = [:], issues: [FeedIssue] = []
        while let row = try scanner.next() {
            if case .offer(let offer, _, _) = row { offers[offer.id] = offer }
            if case .issue(let issue) = row { issues.append(issue) }
        }
        #expect(scanner.profile == .shopify)
        #expect(issues.isEmpty, "\(issues)")
        #expect(offers.keys.sorted() == ["DRESS-M", "DRESS-S"])  // the draft scarf is not listed
        let small = try #require(offers["DRESS-S"])
        #expect(small.title == "Linen Dress")
        #expect(small.brand == "Nordvik")
        #expect(small.size == "S")
        #expect(small.groupId == "linen-dress")
        #expect(small.price.minorUnits == 99_900)  // compare-at is the regular price …
        #expect(small.salePrice?.minorUnits == 79_900)  // … and the variant price the sale
        #expect(small.quantity == 3)
        #expect(small.gtin == "7350000000001")
        #expect(small.imageLink == "https://cdn.example/dress.jpg")
        let medium = try #require(offers["DRESS-M"])
        #expect(medium.title == "Linen Dress")
        #expect(medium.salePrice == nil)
        #expect(medium.availability == .outOfStock)
    }
}
