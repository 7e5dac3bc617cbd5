import Catalog
import Foundation
import Testing
@testable import Reconcile

/// Anna's Black Friday: 00:00 to 23:59 Stockholm time, on a channel that takes no sale dates.
@Suite struct SaleScheduleTests {
    let window = "2024-11-29T00:00+01:00/2024-11-29T23:59+01:00"
    let opens = Date(timeIntervalSince1970: 1_732_834_800)  // 2024-11-29T00:00+01:00
    var closes: Date { opens.addingTimeInterval(23 * 3600 + 59 * 60) }
    let meta = ChannelRules(takesSaleDates: false)

    var dress: Listing {
        var listing = Listing()
        listing.set("id", "D38")
        listing.set("price", "999.00 SEK")
        listing.set("sale_price", "799.00 SEK")
        listing.set("sale_price_effective_date", window)
        listing.set("availability", "in_stock")
        listing["quantity"] = .integer(3)
        return listing
    }

    @Test func saleAppliesOnlyInsideTheWindowAndNeverWithItsDates() throws {
        let before = try #require(meta.desiredListing(from: dress, now: opens.addingTimeInterval(-1)))
        #expect(before["sale_price"] == nil)
        #expect(before["sale_price_effective_date"] == nil)
        let during = try #require(meta.desiredListing(from: dress, now: opens))
        #expect(during["sale_price"] == .text("799.00 SEK"))
        #expect(during["sale_price_effective_date"] == nil)
        let after = try #require(meta.desiredListing(from: dress, now: closes))
        #expect(after["sale_price"] == nil)
    }

    @Test func channelsThatTakeSaleDatesGetThemAsTheFeedWroteThem() throws {
        let google = ChannelRules(takesSaleDates: true)
        let desired = try #require(google.desiredListing(from: dress, now: closes))
        #expect(desired["sale_price"] == .text("799.00 SEK"))
        #expect(desired["sale_price_effective_date"] == .text(window))
        #expect(google.nextChange(after: opens, for: dress) == nil)
    }

    @Test func saleWithoutDatesAlwaysAppliesAndUnreadableDatesNever() throws {
        var open = dress
        open["sale_price_effective_date"] = nil
        #expect(try #require(meta.desiredListing(from: open, now: closes))["sale_price"] == .text("799.00 SEK"))
        var broken = dress
        broken.set("sale_price_effective_date", "Black Friday")
        #expect(try #require(meta.desiredListing(from: broken, now: opens))["sale_price"] == nil)
    }

    @Test func nextChangeIsTheNextWindowBoundary() {
        #expect(meta.nextChange(after: opens.addingTimeInterval(-3600), for: dress) == opens)
        #expect(meta.nextChange(after: opens, for: dress) == closes)
        #expect(meta.nextChange(after: closes, for: dress) == nil)
        var later = dress
        later.set("sale_price_effective_date", "2024-12-01T00:00Z/")
        #expect(SaleSchedule.nextChange(after: opens, for: [later, dress, Listing()]) == closes)
        var noSale = dress
        noSale["sale_price"] = nil
        #expect(SaleSchedule.nextChange(after: opens, for: noSale) == nil)
        #expect(SaleWindow(start: nil, end: nil).nextBoundary(after: opens) == nil)
    }

    @Test func anEndedSaleIsClearedExplicitlyAndOnlyOnce() throws {
        let during = try #require(meta.desiredListing(from: dress, now: opens))
        let after = try #require(meta.desiredListing(from: dress, now: closes))
        var entry = SnapshotEntry(sku: "D38", ackedText: during.jsonText, ackedVersion: 1, lastVersion: 1, pending: nil)
        guard case .enqueue(let delta) = Reconciler.decide(channel: "meta", sku: "D38", desired: after, entry: entry)
        else { Issue.record("expected a delta"); return }
        #expect(delta.operation == .update)
        #expect(delta.changed == ["sale_price"])
        #expect(delta.values["sale_price"] == .text(""))
        #expect(delta.values["price"] == .text("999.00 SEK"))
        #expect(delta.priority == .price)
        #expect(delta.values.jsonText.contains("\"sale_price\":\"\""))

        // Pending: the same delta is kept, not renumbered.
        entry.pending = .init(version: 2, operation: .update, payloadText: delta.values.jsonText,
                              changed: delta.changed)
        entry.lastVersion = 2
        #expect(Reconciler.decide(channel: "meta", sku: "D38", desired: after, entry: entry) == .keep)

        // Acknowledged (the store keeps `values`): nothing more to do, and a new sale names the field again.
        let acked = SnapshotEntry(sku: "D38", ackedText: delta.values.jsonText, ackedVersion: 2, lastVersion: 2,
                                  pending: nil)
        #expect(Reconciler.decide(channel: "meta", sku: "D38", desired: after, entry: acked) == .keep)
        guard case .enqueue(let again) = Reconciler.decide(channel: "meta", sku: "D38", desired: during, entry: acked)
        else { Issue.record("expected a delta"); return }
        #expect(again.changed == ["sale_price"])
        #expect(again.values["sale_price"] == .text("799.00 SEK"))

        // A pending clear that is no longer wanted may have been applied: the sale price is named again.
        let clear = SnapshotEntry.Pending(version: 2, operation: .update, payloadText: delta.values.jsonText,
                                          changed: delta.changed)
        var pendingClear = SnapshotEntry(sku: "D38", ackedText: during.jsonText, ackedVersion: 1, lastVersion: 2,
                                         pending: clear)
        guard case .enqueue(let restore) = Reconciler.decide(channel: "meta", sku: "D38", desired: during,
                                                             entry: pendingClear)
        else { Issue.record("expected a delta"); return }
        #expect(restore.changed == ["sale_price"])
        #expect(restore.values["sale_price"] == .text("799.00 SEK"))
        #expect(restore.version == 3)
        pendingClear.pending = nil
        #expect(Reconciler.decide(channel: "meta", sku: "D38", desired: during, entry: pendingClear) == .keep)
    }
}
