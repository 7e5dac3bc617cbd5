import Catalog
import Feeds
import Foundation
import Testing
@testable import Daemon

/// Every file in `../shared/real/feeds` (written by others; see SOURCES.md there) read through the same
/// scanner as ingest and `validate`, with its right profile: counts and exact values. Skips without `../shared`.
@Suite struct RealFeedTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/real/feeds")

    struct Scan {
        var offers: [String: Offer] = [:]
        var order: [String] = []
        var issues: [FeedIssue] = []
        var profile: ProfileKind?
    }

    func scan(_ file: String, profile: String = "auto", currency: String? = nil, locale: String? = nil,
              mapping: [String: String] = [:]) throws -> Scan? {
        let url = Self.folder.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        var feed = FeedConfig(name: file, file: url)
        feed.mapping = mapping
        try feed.override(currency: currency, locale: locale, encoding: nil, delimiter: nil, profile: profile)
        var (scanner, _) = try FeedScanner.open(feed)
        var result = Scan()
        while let row = try scanner.next() {
            switch row {
            case .offer(let offer, _, _):
                result.offers[offer.id] = offer
                result.order.append(offer.id)
            case .issue(let issue): result.issues.append(issue)
            case .update, .unchanged: break
            }
        }
        result.profile = scanner.profile
        return result
    }

    func skipped() -> Bool {
        guard FileManager.default.fileExists(atPath: Self.folder.path) else {
            print("skipped: \(Self.folder.path) is absent (real-feed tests need ../shared)")
            return true
        }
        return false
    }

    func minor(_ money: Money?) -> Int64? { money?.minorUnits }

    @Test func googleMerchantRSSFromALithuanianShop() throws {
        guard !skipped(), let s = try scan("vaivora-lt-google-merchant-rss-eur.xml") else { return }
        #expect(s.profile == .google)
        #expect(s.offers.count == 807 && s.issues.isEmpty)
        #expect(minor(s.offers["vonios-ranksluostis-140x70cm"]?.price) == 870)
        #expect(s.offers["vonios-ranksluostis-140x70cm"]?.price.currency.code == "EUR")
        #expect(minor(s.offers["-8-daliu-nerudijancio-plieno-virtuves-reikmenu-rin"]?.price) == 4990)
        #expect(s.order.first == "vonios-ranksluostis-140x70cm")
    }

    @Test func googleMerchantTSVWithVariantGroups() throws {
        guard !skipped(), let s = try scan("gmc-learning-site-feed-variants-eur.tsv") else { return }
        #expect(s.offers.count == 22 && s.issues.isEmpty)
        #expect(Set(s.offers.values.compactMap(\.groupId)).count == 6)
        let first = try #require(s.offers["glacier-pro-mens-black-m"])
        #expect(minor(first.price) == 34_900)
        #expect(first.groupId == "glacier-pro-mens")
    }

    @Test func prisjaktXMLAndCSVWithDotThousandsAndDecimalCommas() throws {
        guard !skipped() else { return }
        if let xml = try scan("prisjakt-sample-feed-sek.xml", locale: "sv_SE") {
            #expect(xml.offers.count == 3 && xml.issues.isEmpty)
        }
        if let csv = try scan("prisjakt-sample-feed-sek.csv", locale: "sv_SE") {
            #expect(csv.offers.count == 1 && csv.issues.isEmpty)
            let offer = try #require(csv.offers["a b./)("])
            #expect(minor(offer.price) == 114_400_000)  // "1.144.000 SEK"
            #expect(offer.availability == .preorder)
        }
    }

    @Test func metaVehicleCatalogWithMultiLineDescriptions() throws {
        guard !skipped(), let s = try scan("semlers-meta-vehicles-catalog-cad.csv") else { return }
        #expect(s.profile == .meta)
        #expect(s.offers.count == 280 && s.issues.isEmpty)
        let offer = try #require(s.offers["222174583"])
        #expect(minor(offer.price) == 4_990_000)
        #expect(offer.price.currency.code == "CAD")
        #expect(offer.description?.contains("\n") == true)
    }

    @Test func shopifyExportsFoldImageRowsAndTurnCompareAtIntoASale() throws {
        guard !skipped() else { return }
        let jewelery = try #require(try scan("shopify-partners-jewelery.csv", currency: "USD"))
        #expect(jewelery.profile == .shopify)
        #expect(jewelery.offers.count == 23 && jewelery.issues.isEmpty)
        #expect(jewelery.offers.values.filter { $0.salePrice != nil }.count == 17)
        #expect(jewelery.offers.values.filter { $0.quantity == 0 }.count == 3)
        for file in ["shopify-partners-apparel.csv", "shopify-partners-home-and-garden.csv"] {
            let s = try #require(try scan(file, currency: "USD"))
            #expect(s.offers.count == (file.contains("apparel") ? 22 : 21), "\(file)")
            #expect(s.issues.isEmpty, "\(file): \(s.issues)")
        }
    }

    @Test func wooCommerceExportReportsTheRowWithoutAPrice() throws {
        guard !skipped(), let s = try scan("woocommerce-product-export-2024-metric.csv", currency: "EUR") else { return }
        #expect(s.profile == .woocommerce)
        #expect(s.offers.count == 101)
        #expect(s.issues.map { $0.location.line } == [28])
        #expect(s.issues.first?.description.contains("Regular price") == true, "\(s.issues)")
    }

    @Test func wooCommerceSampleRepeatedSixteenTimesIsReportedAsDuplicates() throws {
        guard !skipped(), let s = try scan("woocommerce-sample-products-x16-bom-crlf.csv", currency: "USD") else {
            return
        }
        #expect(s.offers.count == 21)
        #expect(s.issues.count == 315)
        #expect(s.issues.allSatisfy { $0.code == "duplicate_id" })
    }

    @Test func googleRetailJSONLinesThroughACustomMapping() throws {
        guard !skipped(), let s = try scan("google-retail-api-products-ja.jsonl", profile: "custom", mapping: [
            "id": "id", "title": "title", "price": "priceInfo.price", "currency": "priceInfo.currencyCode",
            "availability": "availability",
        ]) else { return }
        #expect(s.offers.count == 1_275)
        #expect(s.issues.count == 1)
        #expect(s.issues.first?.location.line == 1_272)
        #expect(s.issues.first?.code == "duplicate_id")
        let first = try #require(s.offers["GGOEGBJA127699"])
        #expect(minor(first.price) == 1_800)
        #expect(first.price.currency.code == "USD")
        #expect(first.availability == .inStock)
        #expect(s.offers["POKEMONP004"]?.price.currency.code == "JPY")
    }

    @Test func prestaShopSemicolonExportThroughACustomMapping() throws {
        guard !skipped(), let s = try scan("prestashop-products-import-semicolon.csv", profile: "custom",
                                           currency: "EUR", locale: "en_US", mapping: [
            "id": "Reference #", "title": "Name *", "price": "Price tax excluded", "quantity": "Quantity",
            "gtin": "EAN13", "brand": "Manufacturer",
        ]) else { return }
        #expect(s.offers.count == 7 && s.issues.isEmpty)
        let macbook = try #require(s.offers["RP-demo_3"])
        #expect(macbook.title == "MacBook Air")
        #expect(minor(macbook.price) == 150_000)
        #expect(macbook.quantity == 400)
        #expect(macbook.brand == "Apple")
    }
}
