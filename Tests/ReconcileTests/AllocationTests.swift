import Catalog
import Foundation
import Testing
@testable import Reconcile

@Suite struct AllocationTests {
    typealias Member = Allocation.Member

    @Test func daanHoldsTwoForHisShopAndSplitsTheRestBetweenGoogleAndMeta() {
        let policy = StockPolicy(buffer: 2)
        let members = [Member(name: "google", policy: policy, weight: 1),
                       Member(name: "meta", policy: policy, weight: 1)]
        #expect(Allocation.partition(stock: 12, members: members) == ["google": 5, "meta": 5])
        #expect(Allocation.partition(stock: 7, members: members) == ["google": 3, "meta": 2])
        #expect(Allocation.partition(stock: 2, members: members) == ["google": 0, "meta": 0])
        // The buffer is one pool of units: written on one channel only, it still holds back 2.
        let oneBuffer = [Member(name: "google", policy: policy), Member(name: "meta")]
        #expect(Allocation.partition(stock: 12, members: oneBuffer) == ["google": 5, "meta": 5])
    }

    @Test func oneUnitBetweenTwoEqualChannelsIsPublishedOnceByPriority() {
        let members = [Member(name: "a", priority: 0), Member(name: "b", priority: 1)]
        #expect(Allocation.partition(stock: 1, members: members) == ["a": 0, "b": 1])
        let samePriority = [Member(name: "b"), Member(name: "a")]
        #expect(Allocation.partition(stock: 1, members: samePriority) == ["a": 1, "b": 0])
    }

    @Test func largestRemaindersGetTheLeftOverUnits() {
        let members = [Member(name: "a", weight: 5), Member(name: "b", weight: 3), Member(name: "c", weight: 2)]
        // Quotas 3.5, 2.1, 1.4: floors 3, 2, 1; one unit left goes to a (.5).
        #expect(Allocation.largestRemainder(7, among: members) == ["a": 4, "b": 2, "c": 1])
    }

    @Test func whatACapFreesGoesToTheOthersAndZeroBelowFreesNothing() {
        let members = [Member(name: "google", policy: StockPolicy(cap: 3)), Member(name: "meta")]
        #expect(Allocation.partition(stock: 20, members: members) == ["google": 3, "meta": 17])
        let bothCapped = [Member(name: "g", policy: StockPolicy(cap: 3)),
                          Member(name: "m", policy: StockPolicy(cap: 4))]
        #expect(Allocation.partition(stock: 20, members: bothCapped) == ["g": 3, "m": 4])
        let threshold = [Member(name: "g", policy: StockPolicy(zeroBelow: 3)), Member(name: "m")]
        #expect(Allocation.partition(stock: 4, members: threshold) == ["g": 0, "m": 2])
    }

    @Test func zeroWeightGetsNothingAndNoMembersGetNothing() {
        #expect(Allocation.partition(stock: 9, members: [Member(name: "a", weight: 0), Member(name: "b")])
            == ["a": 0, "b": 9])
        #expect(Allocation.partition(stock: 9, members: []).isEmpty)
        #expect(Allocation.partition(stock: -3, members: [Member(name: "a")]) == ["a": 0])
    }

    @Test func quantitiesLeaveOutChannelsThatFilterTheItemOut() {
        var base = Listing()
        base.set("brand", "Acme")
        base.set("availability", "in_stock")
        base["quantity"] = .integer(10)
        let partition = StockAllocation.partition(group: "social", weight: 1, priority: 0)
        let channels: [(name: String, rules: ChannelRules)] = [
            ("google", ChannelRules(stock: StockPolicy(buffer: 2), allocation: partition)),
            ("meta", ChannelRules(stock: StockPolicy(buffer: 2), allocation: partition,
                                  exclude: ItemFilter(brands: ["acme"]))),
            ("file", ChannelRules(stock: StockPolicy(buffer: 1))),
        ]
        #expect(Allocation.quantities(for: base, channels: channels) == ["google": 8, "file": 9])
        base.set("availability", "out_of_stock")
        #expect(Allocation.quantities(for: base, channels: channels) == ["google": 0, "file": 0])
        base["quantity"] = nil
        #expect(Allocation.quantities(for: base, channels: channels).isEmpty)
    }

    @Test func partitionChannelWithoutAnAllocatedQuantityPublishesNothing() throws {
        var base = Listing()
        base["quantity"] = .integer(10)
        let rules = ChannelRules(allocation: .partition(group: "g", weight: 1, priority: 0))
        #expect(try #require(rules.desiredListing(from: base, now: .distantPast)).quantity == 0)
        #expect(try #require(rules.desiredListing(from: base, now: .distantPast, allocatedQuantity: 4)).quantity == 4)
        // An allocated quantity is still never more than the stock.
        #expect(try #require(rules.desiredListing(from: base, now: .distantPast, allocatedQuantity: 40)).quantity == 10)
    }

    /// Property: random stock and random channel configurations never promise more than the stock.
    @Test func noChannelIsToldMoreThanItsRulesAllowAndGroupsNeverExceedTheStock() throws {
        var generator = SplitMix64(seed: 0xA110C)
        func random(_ bound: UInt64) -> Int { Int(generator.next() % bound) }
        for _ in 0..<5_000 {
            var channels: [(name: String, rules: ChannelRules)] = []
            for index in 0..<(1 + random(6)) {
                let policy = StockPolicy(buffer: random(6), shareMillionths: random(1_000_001),
                                         cap: random(3) == 0 ? random(30) : nil, zeroBelow: random(4))
                let allocation: StockAllocation = random(4) == 0
                    ? .shared : .partition(group: ["g1", "g2"][random(2)], weight: random(5), priority: random(3))
                channels.append(("c\(index)", ChannelRules(stock: policy, allocation: allocation)))
            }
            var base = Listing()
            base.set("availability", random(10) == 0 ? "out_of_stock" : "in_stock")
            let stock = random(200) - 20
            base["quantity"] = .integer(stock)
            let quantities = Allocation.quantities(for: base, channels: channels)
            var groupSums: [String: Int] = [:]
            for (name, rules) in channels {
                let quantity = try #require(quantities[name])
                let desired = try #require(
                    rules.desiredListing(from: base, now: .distantPast, allocatedQuantity: quantity))
                let published = try #require(desired.quantity)
                #expect(published >= 0)
                #expect(published <= max(0, stock - rules.stock.buffer))
                if let cap = rules.stock.cap { #expect(published <= cap) }
                if published > 0 { #expect(published >= rules.stock.zeroBelow) }
                if base["availability"] == .text("out_of_stock") { #expect(published == 0) }
                if case .partition(let group, _, _) = rules.allocation { groupSums[group, default: 0] += published }
            }
            for (_, sum) in groupSums { #expect(sum <= max(0, stock)) }
        }
    }

    /// Property: without caps and thresholds the split is exact, and with caps it is `min(allocatable, Σ caps)`.
    @Test func largestRemainderAllocationIsExact() {
        var generator = SplitMix64(seed: 0x1A26E)
        func random(_ bound: UInt64) -> Int { Int(generator.next() % bound) }
        for _ in 0..<5_000 {
            let capped = random(2) == 0
            let members = (0..<(1 + random(5))).map { index in
                let cap = capped && random(2) == 0 ? random(20) : nil
                return Member(name: "m\(index)", policy: StockPolicy(buffer: random(4), cap: cap),
                              weight: 1 + random(9), priority: random(3))
            }
            let stock = random(300)
            let allocatable = max(0, stock - members.map(\.policy.buffer).max()!)
            let parts = Allocation.partition(stock: stock, members: members)
            let sum = parts.values.reduce(0, +)
            let capacity = members.contains { $0.policy.cap == nil }
                ? Int.max : members.map { $0.policy.cap! }.reduce(0, +)
            #expect(sum == min(allocatable, capacity))
            // Each part is within one unit of its exact quota when no cap binds.
            if !capped {
                let totalWeight = members.map(\.weight).reduce(0, +)
                for member in members {
                    let quota = allocatable * member.weight
                    #expect(parts[member.name]! * totalWeight >= quota - totalWeight)
                    #expect(parts[member.name]! * totalWeight <= quota + totalWeight)
                }
            }
        }
    }
}
