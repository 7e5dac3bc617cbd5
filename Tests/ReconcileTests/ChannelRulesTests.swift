import Catalog
import Foundation
import Testing
@testable import Reconcile

@Suite struct ChannelRulesTests {
    var vase: Listing {
        var listing = Listing()
        listing.set("id", "V-1299")
        listing.set("link", "https://daan.example/vaas?kleur=blauw#foto")
        listing.set("price", "12.99 EUR")
        listing.set("availability", "in_stock")
        listing.set("brand", "Daan Wonen")
        listing["quantity"] = .integer(12)
        return listing
    }

    /// Daan: 2 units for his shop, the rest split between Google and Meta, never more than he has together.
    @Test func daanPublishesFiveAndFiveOfTwelve() throws {
        let partition = StockAllocation.partition(group: "warehouse", weight: 1, priority: 0)
        let channels: [(name: String, rules: ChannelRules)] = [
            ("google", ChannelRules(stock: StockPolicy(buffer: 2), allocation: partition)),
            ("meta", ChannelRules(stock: StockPolicy(buffer: 2), allocation: partition,
                                  price: PriceRules(PriceRule(markupPercent: ExactDecimal("5")!,
                                                              rounding: .endingIn95)),
                                  linkParameters: LinkParameters("utm_source=instagram&utm_medium=social"))),
        ]
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        var told: [String: Listing] = [:]
        for (stock, expected) in [(12, 10), (3, 1), (2, 0), (0, 0)] {
            var base = vase
            base["quantity"] = .integer(stock)
            let quantities = Allocation.quantities(for: base, channels: channels)
            for (name, rules) in channels {
                let desired = try #require(
                    rules.desiredListing(from: base, now: now, allocatedQuantity: quantities[name]))
                told[name] = desired
            }
            #expect(told.values.compactMap(\.quantity).reduce(0, +) == expected)
        }
        #expect(told["google"]?["availability"] == .text("out_of_stock"))
        let meta = try #require(told["meta"])
        #expect(meta["price"] == .text("13.95 EUR"))  // 13.6395 → 13.95
        #expect(meta["link"]
            == .text("https://daan.example/vaas?kleur=blauw&utm_source=instagram&utm_medium=social#foto"))
        #expect(told["google"]?["price"] == .text("12.99 EUR"))
    }

    @Test func theOldSignatureStillWorksForSharedChannels() throws {
        let desired = try #require(ChannelRules(stock: StockPolicy(buffer: 2)).desiredListing(from: vase))
        #expect(desired.quantity == 10)
    }
}
