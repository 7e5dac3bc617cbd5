import Foundation
import Testing
@testable import Reconcile

@Suite struct FeedGuardTests {
    let guards = FeedGuards(maxDeletePct: ExactDecimal("20"), maxZeroPct: ExactDecimal("30"), minItems: 1)

    @Test func massDeletionIsHeldWithTheNumbers() {
        let verdict = GuardCheck.evaluate(previousItemCount: 100, newItemCount: 40, deletions: 60, zeroedStock: 0,
                                          guards: guards)
        #expect(verdict == .hold(reason: "would delete 60 of 100 items (60%), more than max_delete_pct 20%"))
    }

    @Test func exactlyTheLimitPassesAndOneMoreIsHeld() {
        #expect(GuardCheck.evaluate(previousItemCount: 100, newItemCount: 80, deletions: 20, zeroedStock: 30,
                                    guards: guards) == .pass)
        #expect(GuardCheck.evaluate(previousItemCount: 3, newItemCount: 3, deletions: 0, zeroedStock: 1,
                                    guards: FeedGuards(maxZeroPct: ExactDecimal("33.33")))
            == .hold(reason: "would zero the stock of 1 of 3 items (33.34%), more than max_zero_pct 33.33%"))
    }

    @Test func everyFailingCheckIsNamed() {
        let verdict = GuardCheck.evaluate(previousItemCount: 10, newItemCount: 0, deletions: 10, zeroedStock: 5,
                                          guards: guards)
        #expect(verdict == .hold(reason: "has 0 items, fewer than min_items 1; "
            + "would delete 10 of 10 items (100%), more than max_delete_pct 20%; "
            + "would zero the stock of 5 of 10 items (50%), more than max_zero_pct 30%"))
    }

    @Test func firstFeedAndSwitchedOffChecksOnlyApplyMinItems() {
        #expect(GuardCheck.evaluate(previousItemCount: 0, newItemCount: 5, deletions: 0, zeroedStock: 0,
                                    guards: guards) == .pass)
        #expect(GuardCheck.evaluate(previousItemCount: 10, newItemCount: 1, deletions: 9, zeroedStock: 9,
                                    guards: FeedGuards(maxDeletePct: nil, maxZeroPct: nil)) == .pass)
    }

    @Test func staleFeedOutcomes() {
        let maxAge: TimeInterval = 24 * 3600
        #expect(StaleFeed.outcome(age: maxAge, maxAge: maxAge, mode: .zero) == .fresh)
        #expect(StaleFeed.outcome(age: maxAge + 1, maxAge: nil, mode: .zero) == .fresh)
        #expect(StaleFeed.outcome(age: maxAge + 1, maxAge: maxAge, mode: .hold) == .hold)
        #expect(StaleFeed.outcome(age: maxAge + 1, maxAge: maxAge, mode: .zero) == .zero)
        #expect(StaleFeed.outcome(age: maxAge + 1, maxAge: maxAge, mode: .buffer(5)) == .buffer(5))
    }

    @Test func staleFeedQuantities() {
        let policy = StockPolicy(buffer: 2)
        #expect(StaleFeed.Outcome.buffer(5).applied(to: policy).published(stock: 12) == 7)
        #expect(StaleFeed.Outcome.buffer(1).applied(to: policy).published(stock: 12) == 10)
        #expect(StaleFeed.Outcome.zero.applied(to: policy).published(stock: 12) == 0)
        #expect(StaleFeed.Outcome.hold.applied(to: policy) == policy)
        #expect(StaleFeed.quantity(.hold, computed: 10, lastPublished: 4) == 4)
        #expect(StaleFeed.quantity(.hold, computed: 3, lastPublished: 4) == 3)
        #expect(StaleFeed.quantity(.hold, computed: 3, lastPublished: nil) == nil)
        #expect(StaleFeed.quantity(.zero, computed: 3, lastPublished: 4) == 0)
        #expect(StaleFeed.quantity(.fresh, computed: 3, lastPublished: 4) == 3)
    }
}
