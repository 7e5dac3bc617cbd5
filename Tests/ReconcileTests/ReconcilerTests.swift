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
        #expect(delta.priority == .soldOut)
    }

    @Test func itemGoneFromTheCatalogIsDeleted() {
        let decision = Reconciler.decide(channel: "c", sku: "A1", desired: nil, entry: acked(listing(3)))
        guard case .enqueue(let delta) = decision else { Issue.record("expected a delta"); return }
        #expect(delta.operation == .delete)
        #expect(delta.changed.isEmpty)
        #expect(delta.priority == .soldOut)
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
                entry?.pending = SnapshotEntry.Pending(version: 4, operation: .update, payloadText: pending.jsonText,
                                                       changed: pending.changedFields(from: Listing()))
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

    /// The pending delta may have reached the channel (a killed process, a timed-out reply): dropping it
    /// would leave the channel selling 1 when it should show 3. It is replaced by one that says 3 again.
    @Test func pendingDeltaBackToTheAcknowledgedStateIsReplacedNotCancelled() {
        var entry = acked(listing(3))
        entry.pending = .init(version: 2, operation: .update, payloadText: listing(1).jsonText,
                              changed: ["quantity"])
        entry.lastVersion = 2
        guard case .enqueue(let delta) = Reconciler.decide(channel: "c", sku: "A1", desired: listing(3), entry: entry)
        else { Issue.record("expected a delta"); return }
        #expect(delta.operation == .update)
        #expect(delta.version == 3)
        #expect(delta.changed == ["quantity"])
        #expect(delta.values == listing(3))
        #expect(delta.priority == .increase)  // 1 → 3 on the channel at worst
        // Once it is the pending delta, nothing more is needed.
        entry.pending = .init(version: 3, operation: .update, payloadText: delta.values.jsonText, changed: delta.changed)
        entry.lastVersion = 3
        #expect(Reconciler.decide(channel: "c", sku: "A1", desired: listing(3), entry: entry) == .keep)
    }

    @Test func goingBackFromAPendingIncreaseIsADecrease() {
        var entry = acked(listing(0))
        entry.pending = .init(version: 2, operation: .update, payloadText: listing(5).jsonText,
                              changed: ["availability", "quantity"])
        entry.lastVersion = 2
        guard case .enqueue(let delta) = Reconciler.decide(channel: "c", sku: "A1", desired: listing(0), entry: entry)
        else { Issue.record("expected a delta"); return }
        #expect(delta.changed == ["availability", "quantity"])
        #expect(delta.values.quantity == 0)
        #expect(delta.priority == .soldOut)
    }

    /// A rejected delta was not applied, but the one it replaced may have been: the wanted state is said again.
    @Test func aRejectedPendingDeltaIsReplacedWhenTheChannelHasTheWantedState() {
        var entry = acked(listing(3))
        entry.pending = .init(version: 2, operation: .update, payloadText: listing(1, title: "Bad").jsonText,
                              changed: ["title", "quantity"], rejected: true)
        entry.lastVersion = 2
        guard case .enqueue(let delta) = Reconciler.decide(channel: "c", sku: "A1", desired: listing(3), entry: entry)
        else { Issue.record("expected a delta"); return }
        #expect(delta.changed == ["title", "quantity"])
        #expect(delta.values == listing(3))
        // The same rejected change again stays parked.
        #expect(Reconciler.decide(channel: "c", sku: "A1", desired: listing(1, title: "Bad"), entry: entry) == .keep)
    }

    @Test func aPendingCreationOfAnItemGoneAgainBecomesADeletion() {
        let entry = SnapshotEntry(sku: "A1", ackedText: nil, ackedVersion: 0, lastVersion: 1,
                                  pending: .init(version: 1, operation: .create, payloadText: listing(2).jsonText,
                                                 changed: listing(2).orderedNames))
        guard case .enqueue(let delta) = Reconciler.decide(channel: "c", sku: "A1", desired: nil, entry: entry)
        else { Issue.record("expected a delta"); return }
        #expect(delta.operation == .delete)
        #expect(delta.version == 2)
        #expect(delta.priority == .soldOut)
    }

    /// The channel may have deleted the item already: an update could not bring it back whole.
    @Test func anItemBackBeforeItsDeletionWasConfirmedIsCreatedAgain() {
        var entry = acked(listing(3))
        entry.pending = .init(version: 2, operation: .delete, payloadText: Listing().jsonText)
        entry.lastVersion = 2
        guard case .enqueue(let delta) = Reconciler.decide(channel: "c", sku: "A1", desired: listing(3), entry: entry)
        else { Issue.record("expected a delta"); return }
        #expect(delta.operation == .create)
        #expect(delta.values == listing(3))
        #expect(delta.version == 3)
    }

    /// The pending delta set the title; the newer one changes only the quantity relative to what was
    /// acknowledged, but must name the title too, or a partial update leaves the pending one's title there.
    @Test func aNewerDeltaNamesEveryFieldThePendingOneNamed() {
        var entry = acked(listing(3))
        entry.pending = .init(version: 2, operation: .update, payloadText: listing(3, title: "New").jsonText,
                              changed: ["title"])
        entry.lastVersion = 2
        guard case .enqueue(let delta) = Reconciler.decide(channel: "c", sku: "A1", desired: listing(2), entry: entry)
        else { Issue.record("expected a delta"); return }
        #expect(delta.changed == ["title", "quantity"])
        #expect(delta.values == listing(2))
        #expect(delta.priority == .stockDecrease)
    }

    @Test func samePendingDeltaIsKeptAndNotRenumbered() {
        var entry = acked(listing(3))
        entry.pending = .init(version: 2, operation: .update, payloadText: listing(1).jsonText,
                              changed: ["quantity"])
        entry.lastVersion = 2
        #expect(Reconciler.decide(channel: "c", sku: "A1", desired: listing(1), entry: entry) == .keep)
    }

    @Test func newerChangeSupersedesThePendingOneWithAHigherVersion() {
        var entry = acked(listing(3))
        entry.pending = .init(version: 2, operation: .update, payloadText: listing(1).jsonText,
                              changed: ["quantity"])
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

    /// What stops being buyable goes before other decreases: a channel showing it sells at the next order.
    @Test func aListingThatStopsBeingBuyableGoesBeforeOtherDecreases() {
        var zeroInStock = listing(3)
        zeroInStock["quantity"] = .integer(0)  // availability still in stock: a quantity of 0 takes no order either
        var noQuantity = listing(3)
        noQuantity["quantity"] = nil
        #expect(Reconciler.priority(of: .update, from: listing(3), to: listing(0)) == .soldOut)
        #expect(Reconciler.priority(of: .update, from: listing(3), to: zeroInStock) == .soldOut)
        #expect(Reconciler.priority(of: .delete, from: listing(3), to: nil) == .soldOut)
        #expect(Reconciler.priority(of: .update, from: listing(3), to: listing(1)) == .stockDecrease)
        #expect(Reconciler.priority(of: .update, from: listing(3), to: noQuantity) == .stockDecrease)
        #expect(Reconciler.priority(of: .update, from: listing(0), to: listing(0, price: "1.00 SEK")) == .price)
        #expect(Reconciler.priority(of: .update, from: zeroInStock, to: listing(0)) == .content)
        #expect(DeltaPriority.allCases.sorted() == [.soldOut, .stockDecrease, .price, .content, .increase])
    }
}
