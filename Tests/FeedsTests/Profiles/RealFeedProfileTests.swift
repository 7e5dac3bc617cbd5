import Catalog
import Foundation
import Testing

@testable import Feeds

/// `shared/real/feeds/` beside the package root's folder (see SOURCES.md there).
enum ProfileFeeds {
    static let folder = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()  // the package root
        .appending(path: "../shared/real/feeds").standardized

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: folder.path) }

    static func url(_ file: String) -> URL { folder.appending(path: file) }

    /// Maps a whole real feed with `kind` (or the detected profile when `kind` is nil).
    static func map(
        _ file: String, _ kind: ProfileKind? = nil, currency: Currency? = nil, mapping: [String: String] = [:]
    ) throws -> (kind: ProfileKind?, results: [Result<Offer, FeedIssue>]) {
        let source: any RecordSource
        switch file.split(separator: ".").last {
        case "jsonl": source = try JSONFeedReader(url: url(file), feed: file, layout: .lines)
        case "tsv": source = CSVRecordSource(try CSVReader(url: url(file), feed: file, delimiter: 0x09))
        default: source = CSVRecordSource(try CSVReader(url: url(file), feed: file))
        }
        var mapper: (any OfferMapper)?
        var detected: ProfileKind?
        var results: [Result<Offer, FeedIssue>] = []
        while let record = try source.nextRecord() {
            if mapper == nil {
                detected = Profiles.detect(fieldNames: record.fields.map(\.name))
                mapper = Profiles.mapper(kind ?? detected ?? .google,
                                         context: MappingContext(feed: file, currency: currency), mapping: mapping)
            }
            results += mapper!.consume(record)
        }
        results += mapper?.finish() ?? []
        return (detected, results)
    }
}

@Suite(.enabled(if: ProfileFeeds.isAvailable, "shared/real/feeds is absent: real-feed profile tests skipped"))
struct RealFeedProfileTests {
    @Test(arguments: [
        ("shopify-partners-apparel.csv", 22, 0, 0),
        ("shopify-partners-jewelery.csv", 23, 17, 3),
        ("shopify-partners-home-and-garden.csv", 21, 16, 2),
    ])
    func shopifyExportsGiveOneOfferPerVariantRow(_ file: String, _ count: Int, _ sales: Int, _ soldOut: Int) throws {
        let (kind, results) = try ProfileFeeds.map(file, currency: .usd)
        #expect(kind == .shopify)
        #expect(Fixture.issues(results).isEmpty, "\(Fixture.issues(results).prefix(3))")
        let offers = Fixture.offers(results)
        #expect(offers.count == count)
        #expect(Set(offers.map(\.id)).count == count, "ids are unique")
        #expect(offers.filter { $0.salePrice != nil }.count == sales)
        #expect(offers.filter { $0.availability == .outOfStock }.count == soldOut)
        #expect(offers.allSatisfy { $0.title != nil && $0.imageLink != nil })
        #expect(offers.allSatisfy { sale in sale.salePrice.map { sale.price.isGreater(than: $0) } ?? true })
    }

    @Test func jeweleryImageRowsFoldIntoTheirProducts() throws {
        let offers = Fixture.offers(try ProfileFeeds.map("shopify-partners-jewelery.csv", currency: .usd).results)
        let crane = try #require(offers.first { $0.id == "origami-crane-necklace" })
        #expect(crane.additionalImageLinks.count == 3)
        let anchors = offers.filter { $0.groupId == "leather-anchor" }
        #expect(anchors.map(\.id) == ["leather-anchor-gold", "leather-anchor-silver"])
        #expect(anchors.map(\.color) == ["Gold", "Silver"])
        #expect(anchors.map(\.price.description) == ["85.00 USD", "85.00 USD"])
        #expect(anchors.map(\.salePrice?.description) == ["69.99 USD", "55.00 USD"])
        #expect(anchors[1].title == "Anchor Bracelet Mens")
    }

    @Test func wooCommerceSampleGivesSimpleProductsAndVariations() throws {
        let (kind, results) = try ProfileFeeds.map("woocommerce-sample-products-x16-bom-crlf.csv", currency: .usd)
        #expect(kind == .woocommerce)
        #expect(Fixture.issues(results).isEmpty, "\(Fixture.issues(results).prefix(3))")
        let offers = Fixture.offers(results)
        // 25-row block × 16: 12 simple + 2 downloadable + 7 variations; variable, grouped, external give none.
        #expect(offers.count == 336)
        #expect(Set(offers.map(\.id)).count == 21, "every block repeats the same SKUs")
        let variations = offers.filter { $0.groupId != nil }
        #expect(variations.count == 112)
        #expect(Set(variations.compactMap(\.title)) == ["V-Neck T-Shirt", "Hoodie"])
        #expect(offers.filter { $0.salePrice != nil }.count == 112)
        let red = try #require(offers.first { $0.id == "woo-hoodie-red" })
        #expect(red.price.description == "45.00 USD")
        #expect(red.salePrice?.description == "42.00 USD")
        #expect(red.color == "Red")
        #expect(red.productType == "Clothing > Hoodies")
    }

    @Test func wooCommerce9ExportGivesOffersAndOneRowWithoutPrice() throws {
        let (kind, results) = try ProfileFeeds.map("woocommerce-product-export-2024-metric.csv", currency: .usd)
        #expect(kind == .woocommerce)
        let offers = Fixture.offers(results)
        #expect(offers.count == 101)
        let issues = Fixture.issues(results)
        // ID 64 ("Blouse") is a simple product without a regular price.
        #expect(issues.map(\.description) == [
            "woocommerce-product-export-2024-metric.csv:28: Regular price: value is missing",
        ])
        let generated = offers.filter { $0.id.hasPrefix("wc-") }.map(\.id)
        #expect(generated == ["wc-82", "wc-83", "wc-84", "wc-85", "wc-86", "wc-87"])
        let variations = offers.filter { $0.groupId != nil }
        #expect(variations.count == 28)
        #expect(Set(variations.compactMap(\.title)) == ["V-Neck T-Shirt", "Hoodie"])
    }

    @Test func semlersMetaVehicleCatalogMapsEveryVehicle() throws {
        let (kind, results) = try ProfileFeeds.map("semlers-meta-vehicles-catalog-cad.csv")
        #expect(kind == .meta)
        #expect(Fixture.issues(results).isEmpty, "\(Fixture.issues(results).prefix(3))")
        let offers = Fixture.offers(results)
        #expect(offers.count == 280)
        #expect(offers.allSatisfy { $0.price.currency.code == "CAD" && $0.availability == .inStock })
        #expect(offers.allSatisfy { $0.imageLink != nil && $0.link != nil && $0.brand != nil })
    }

    @Test func gmcLearningSiteFeedIsGoogle() throws {
        let (kind, results) = try ProfileFeeds.map("gmc-learning-site-feed-variants-eur.tsv")
        #expect(kind == .google)
        #expect(Fixture.issues(results).isEmpty, "\(Fixture.issues(results).prefix(3))")
        let offers = Fixture.offers(results)
        #expect(offers.count == 22)
        #expect(Set(offers.compactMap(\.groupId)).count == 6)
        #expect(offers.allSatisfy { $0.price.currency == .eur })
    }

    @Test func googleRetailJSONLinesMapsWithACustomMapping() throws {
        let mapping = ["price": "priceInfo.price", "currency": "priceInfo.currencyCode", "link": "uri",
                       "image_link": "images[0].uri", "product_type": "categories[0]"]
        let (kind, results) = try ProfileFeeds.map("google-retail-api-products-ja.jsonl", .custom, mapping: mapping)
        #expect(kind == nil, "no profile is detected for Retail API products")
        #expect(Fixture.issues(results).isEmpty, "\(Fixture.issues(results).prefix(3))")
        let offers = Fixture.offers(results)
        #expect(offers.count == 1276)
        #expect(offers.filter { $0.availability == .outOfStock }.count == 523)
        #expect(offers.filter { $0.price.currency.code == "JPY" }.count == 8)
        // The duplicate is mapped twice; the caller's dedupe reports the second as one row issue.
        let pokemon = offers.filter { $0.id == "POKEMONP004" }
        #expect(pokemon.map(\.price.description) == ["2500 JPY", "1280 JPY"])
        #expect(Set(offers.map(\.id)).count == 1275)
    }
}
