import Catalog
import Testing
@testable import Reconcile

@Suite struct StockPolicyTests {
    @Test func bufferShareCapAndZeroBelowApplyInOrder() {
        #expect(StockPolicy().published(stock: 7) == 7)
        #expect(StockPolicy(buffer: 2).published(stock: 7) == 5)
        #expect(StockPolicy(buffer: 2).published(stock: 1) == 0)
        #expect(StockPolicy(shareMillionths: 500_000).published(stock: 7) == 3)  // floor, never round up
        #expect(StockPolicy(cap: 4).published(stock: 7) == 4)
        #expect(StockPolicy(zeroBelow: 3).published(stock: 2) == 0)
        #expect(StockPolicy(zeroBelow: 3).published(stock: 3) == 3)
    }

    @Test func negativeStockPublishesZero() {
        #expect(StockPolicy().published(stock: -4) == 0)
    }

    /// Property: whatever the policy and the stock, a channel is never told more than the stock.
    @Test func publishedNeverExceedsStock() {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            let policy = StockPolicy(buffer: Int(generator.next() % 10),
                                     shareMillionths: Int(generator.next() % 1_000_001),
                                     cap: generator.next() % 3 == 0 ? Int(generator.next() % 50) : nil,
                                     zeroBelow: Int(generator.next() % 5))
            let stock = Int(generator.next() % 1_000) - 100
            let published = policy.published(stock: stock)
            #expect(published >= 0)
            #expect(published <= max(0, stock - policy.buffer))
            if let cap = policy.cap { #expect(published <= cap) }
        }
    }

    @Test func outOfStockFeedValuePublishesZeroEvenWithQuantity() throws {
        var base = Listing()
        base.set("availability", "out_of_stock")
        base["quantity"] = .integer(5)
        let desired = try #require(ChannelRules().desiredListing(from: base))
        #expect(desired.quantity == 0)
        #expect(desired["availability"] == .text("out_of_stock"))
    }

    @Test func preorderKeepsItsAvailabilityAtZeroStock() throws {
        var base = Listing()
        base.set("availability", "preorder")
        base["quantity"] = .integer(0)
        let desired = try #require(ChannelRules().desiredListing(from: base))
        #expect(desired["availability"] == .text("preorder"))
    }

    @Test func availabilityFollowsThePublishedQuantity() throws {
        var base = Listing()
        base.set("availability", "in_stock")
        base["quantity"] = .integer(2)
        let desired = try #require(ChannelRules(stock: StockPolicy(buffer: 2)).desiredListing(from: base))
        #expect(desired.quantity == 0)
        #expect(desired["availability"] == .text("out_of_stock"))
    }
}

