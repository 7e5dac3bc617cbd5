import Catalog
import Testing
@testable import Reconcile

@Suite struct ItemFilterTests {
    func item(id: String = "A1", brand: String? = "Acme", type: String? = "Home > Kitchen > Knives",
              price: String = "199.00 SEK", availability: String = "in_stock", label0: String? = nil) -> Listing {
        var listing = Listing()
        listing.set("id", id)
        listing.set("brand", brand)
        listing.set("product_type", type)
        listing.set("google_product_category", "536")
        listing.set("price", price)
        listing.set("availability", availability)
        listing.set("custom_label_0", label0)
        return listing
    }

    @Test func emptyFiltersIncludeEverythingAndExcludeNothing() {
        #expect(ItemFilter().matchesEvery(item()))
        #expect(!ItemFilter().matchesAny(item()))
        #expect(ChannelRules().selects(item()))
    }

    @Test func categoryPathsMatchByLeadingSegments() {
        let kitchen = ItemFilter(productTypes: ["home >kitchen"])
        #expect(kitchen.matchesEvery(item()))
        #expect(kitchen.matchesEvery(item(type: "Home > Kitchen")))
        #expect(!kitchen.matchesEvery(item(type: "Home > Kitchenware")))
        #expect(!kitchen.matchesEvery(item(type: "Garden > Home > Kitchen")))
        #expect(!kitchen.matchesEvery(item(type: nil)))
        #expect(ItemFilter(googleProductCategories: ["536"]).matchesEvery(item()))
        #expect(!ItemFilter(googleProductCategories: ["53"]).matchesEvery(item()))
    }

    @Test func includeNeedsEveryCriterionAndAnyValueOfEach() {
        let include = ItemFilter(brands: ["Other", " ACME "], productTypes: ["Home"])
        #expect(include.matchesEvery(item()))
        #expect(!include.matchesEvery(item(brand: "Nope")))
        #expect(!include.matchesEvery(item(type: "Garden")))
        #expect(!include.matchesEvery(item(brand: nil)))
    }

    @Test func excludeTakesAnyMatchingCriterion() {
        let exclude = ItemFilter(ids: ["B2"], customLabels: [0: ["clearance"]])
        #expect(exclude.matchesAny(item(id: "B2")))
        #expect(exclude.matchesAny(item(label0: "Clearance")))
        #expect(!exclude.matchesAny(item(label0: "new")))
        #expect(!ItemFilter(ids: ["a1"]).matchesAny(item()))  // SKUs are exact bytes
    }

    @Test func availabilityReadsFeedSpellings() {
        let filter = ItemFilter(availability: [.inStock, .preorder])
        #expect(filter.matchesEvery(item(availability: "in stock")))
        #expect(filter.matchesEvery(item(availability: "preorder")))
        #expect(!filter.matchesEvery(item(availability: "out_of_stock")))
    }

    @Test func priceRangeIsInclusiveAndInTheItemsCurrency() throws {
        let range = ItemFilter(minPrice: RuleAmount("100"), maxPrice: RuleAmount("199.00 SEK"))
        #expect(range.matchesEvery(item(price: "199.00 SEK")))
        #expect(range.matchesEvery(item(price: "100.00 SEK")))
        #expect(!range.matchesEvery(item(price: "99.99 SEK")))
        #expect(!range.matchesEvery(item(price: "199.01 SEK")))
        // A bound in SEK says nothing about a EUR price: include leaves it out, exclude keeps it.
        #expect(!range.matchesEvery(item(price: "150.00 EUR")))
        #expect(!range.matchesAny(item(price: "150.00 EUR")))
        #expect(ItemFilter(minPrice: RuleAmount("100")).matchesEvery(item(price: "150.00 EUR")))
        #expect(!range.matchesEvery(item(price: "not a price")))
    }

    @Test func filteredOutItemHasNoDesiredListing() throws {
        let rules = ChannelRules(exclude: ItemFilter(brands: ["Acme"]))
        #expect(rules.desiredListing(from: item(), now: .distantPast) == nil)
        #expect(rules.desiredListing(from: item(brand: "Other"), now: .distantPast) != nil)
        // So a listing the channel has is deleted.
        let entry = SnapshotEntry(sku: "A1", ackedText: item().jsonText, ackedVersion: 1, lastVersion: 1, pending: nil)
        guard case .enqueue(let delta) = Reconciler.decide(
            channel: "c", sku: "A1", desired: rules.desiredListing(from: item(), now: .distantPast), entry: entry)
        else { Issue.record("expected a delta"); return }
        #expect(delta.operation == .delete)
    }
}
