import Catalog
import Testing
@testable import Reconcile

@Suite struct ReconcilerTests {
    func listing(_ quantity: Int, price: String = "199.00 SEK", title: String = "Dress") -> Listing {
        var listing = Listing()
        listing.set("id", "A1")
        listing.set("title", title)
        listing.set("price", price)
        listing.set("availability", quantity > 0 ? "in_stock" : "out_of_stock")
        listing["quantity"] = .integer(quantity)
        return listing
    }

    func acked(_ listing: Listing, version: Int64 = 1) -> SnapshotEntry {
        SnapshotEntry(sku: "A1", ackedText: listing.jsonText, ackedVersion: version, lastVersion: version, pending: nil)
    }

    @Test func newItemIsCreatedWithEveryField() throws {
        let decision = Reconciler.decide(channel: "c", sku: "A1", desired: listing(3), entry: nil)
        guard case .enqueue(let delta) = decision else { Issue.record("expected a delta"); return }
        #expect(delta.operation == .create)
        #expect(delta.version == 1)
        #expect(delta.changed == ["id", "title", "price", "availability", "quantity"])
        #expect(delta.values.quantity == 3)
        #expect(delta.priority == .increase)
    }

    @Test func oneFieldChangeIsAnUpdateNamingOnlyThatField() throws {
        let decision = Reconciler.decide(channel: "c", sku: "A1", desired: listing(2), entry: acked(listing(3), version: 4))
        guard case .enqueue(let delta) = decision else { Issue.record("expected a delta"); return }
        #expect(delta.operation == .update)
        #expect(delta.changed == ["quantity"])
        #expect(delta.values == listing(2))
        #expect(delta.version == 5)
        #expect(delta.priority == .stockDecrease)
    }

    @Test func goingOutOfStockNamesQuantityAndAvailability() {
        let decision = Reconciler.decide(channel: "c", sku: "A1", desired: listing(0), entry: acked(listing(3)))
        guard case .enqueue(let delta) = decision else { Issue.record("expected a delta"); return }
        #expect(delta.changed == ["availability", "quantity"])
        #expect(delta.priority == .stockDecrease)
    }

    @Test func itemGoneFromTheCatalogIsDeleted() {
        let decision = Reconciler.decide(channel: "c", sku: "A1", desired: nil, entry: acked(listing(3)))
        guard case .enqueue(let delta) = decision else { Issue.record("expected a delta"); return }
        #expect(delta.operation == .delete)
        #expect(delta.changed.isEmpty)
        #expect(delta.priority == .stockDecrease)
    }

    /// The text `decideWithText` hands over is the enqueued values' own encoding, whatever was cleared or pending.
    @Test func theTextOfAnEnqueuedDeltaIsItsValuesText() {
        var random = SplitMix64(seed: 0xDEC1DE)
        func pick() -> Listing? {
            guard random.next() % 5 != 0 else { return nil }
            var listing = self.listing(Int(random.next() % 3), price: random.next() % 2 == 0 ? "1.00 SEK" : "2.00 SEK")
            if random.next() % 2 == 0 { listing.set("sale_price", "0.50 SEK") }
            if random.next() % 3 == 0 { listing.set("color", "Blå \"mörk\"") }
            return listing
        }
        var enqueued = 0
        for _ in 0..<2_000 {
            let desired = pick()
            var entry = pick().map { acked($0, version: 3) }
            if random.next() % 3 == 0, let pending = pick() {
                let entryOrNew = entry ?? SnapshotEntry(sku: "A1", ackedText: nil, ackedVersion: 0, lastVersion: 2,
                                                        pending: nil)
                entry = entryOrNew
                entry?.pending = SnapshotEntry.Pending(version: 4, operation: .update, payloadText: pending.jsonText)
            }
            let (decision, text) = Reconciler.decideWithText(channel: "c", sku: "A1", desired: desired, entry: entry)
            #expect(decision == Reconciler.decide(channel: "c", sku: "A1", desired: desired, entry: entry))
            if case .enqueue(let delta) = decision {
                enqueued += 1
                #expect(text == delta.values.jsonText)
            } else {
                #expect(text == nil)
            }
        }
        #expect(enqueued > 500)
    }

    @Test func unchangedItemNeedsNothing() {
        #expect(Reconciler.decide(channel: "c", sku: "A1", desired: listing(3), entry: acked(listing(3))) == .keep)
        #expect(Reconciler.decide(channel: "c", sku: "A1", desired: nil, entry: nil) == .keep)
    }

    @Test func pendingDeltaIsCancelledWhenTheChannelAlreadyHasTheWantedState() {
        var entry = acked(listing(3))
        entry.pending = .init(version: 2, operation: .update, payloadText: listing(1).jsonText)
        entry.lastVersion = 2
        #expect(Reconciler.decide(channel: "c", sku: "A1", desired: listing(3), entry: entry) == .cancelPending)
    }

    @Test func samePendingDeltaIsKeptAndNotRenumbered() {
        var entry = acked(listing(3))
        entry.pending = .init(version: 2, operation: .update, payloadText: listing(1).jsonText)
        entry.lastVersion = 2
        #expect(Reconciler.decide(channel: "c", sku: "A1", desired: listing(1), entry: entry) == .keep)
    }

    @Test func newerChangeSupersedesThePendingOneWithAHigherVersion() {
        var entry = acked(listing(3))
        entry.pending = .init(version: 2, operation: .update, payloadText: listing(1).jsonText)
        entry.lastVersion = 2
        guard case .enqueue(let delta) = Reconciler.decide(channel: "c", sku: "A1", desired: listing(0), entry: entry)
        else { Issue.record("expected a delta"); return }
        #expect(delta.version == 3)
        #expect(delta.changed == ["availability", "quantity"])  // relative to what the channel acknowledged
    }

    @Test func priceChangeIsPricePriorityAndContentChangeIsContent() {
        #expect(Reconciler.priority(of: .update, from: listing(3), to: listing(3, price: "149.00 SEK")) == .price)
        #expect(Reconciler.priority(of: .update, from: listing(3), to: listing(3, title: "New")) == .content)
        #expect(Reconciler.priority(of: .update, from: listing(3), to: listing(5)) == .increase)
        #expect(Reconciler.priority(of: .update, from: listing(3), to: listing(2, price: "1.00 SEK")) == .stockDecrease)
    }
}
