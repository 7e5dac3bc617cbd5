import Catalog
import Testing
@testable import Reconcile

/// A delta can reach a channel without its acknowledgement ever being stored: the process is killed
/// between sending and committing the answer, or the reply times out. Whatever the channel silently
/// applied, the deltas that follow must still bring it to the desired listing. The channel here applies
/// updates field by field (as Meta does), so a delta that forgets a field the lost one set leaves it wrong.
@Suite struct InFlightDeltaTests {
    /// What the store keeps for one SKU on one channel.
    struct Store {
        var ackedText: String?
        var ackedVersion: Int64 = 0
        var lastVersion: Int64 = 0
        var pending: Delta?
        var rejected = false

        var entry: SnapshotEntry? {
            guard ackedText != nil || pending != nil || lastVersion > 0 else { return nil }
            let pendingEntry = pending.map {
                SnapshotEntry.Pending(version: $0.version, operation: $0.operation, payloadText: $0.values.jsonText,
                                      changed: $0.changed, rejected: rejected)
            }
            return SnapshotEntry(sku: "A1", ackedText: ackedText, ackedVersion: ackedVersion,
                                 lastVersion: max(lastVersion, pending?.version ?? 0), pending: pendingEntry)
        }

        /// Reconciles against `desired` as the sync job does.
        mutating func reconcile(_ desired: Listing?) {
            switch Reconciler.decide(channel: "c", sku: "A1", desired: desired, entry: entry) {
            case .keep: break
            case .enqueue(let delta):
                lastVersion = max(lastVersion, pending?.version ?? 0)
                pending = delta
                rejected = false
            }
        }

        mutating func acknowledge() {
            guard let delta = pending else { return }
            if ackedVersion < delta.version {
                ackedText = delta.operation == .delete ? nil : delta.values.jsonText
                ackedVersion = delta.version
            }
            lastVersion = max(lastVersion, delta.version)
            pending = nil
        }
    }

    /// A channel that applies creations whole and updates field by field; it refuses a title "Bad".
    static func apply(_ delta: Delta, to item: inout Listing?) -> Bool {
        if delta.values["title"] == .text("Bad") { return false }
        switch delta.operation {
        case .delete: item = nil
        case .create: item = Listing(delta.values.fields.filter { $0.value != .text("") })
        case .update:
            var updated = item ?? Listing()  // an upsert, as Meta's allow_upsert
            for name in delta.changed { updated[name] = delta.values[name] == .text("") ? nil : delta.values[name] }
            item = updated
        }
        return true
    }

    static func listing(_ random: inout SplitMix64, allowBad: Bool) -> Listing? {
        if random.next() % 6 == 0 { return nil }
        var listing = Listing()
        listing.set("id", "A1")
        listing.set("title", allowBad && random.next() % 8 == 0 ? "Bad" : (random.next() % 2 == 0 ? "Dress" : "Gown"))
        listing.set("price", random.next() % 2 == 0 ? "199.00 SEK" : "149.00 SEK")
        if random.next() % 2 == 0 { listing.set("sale_price", "99.00 SEK") }
        let quantity = Int(random.next() % 4)
        listing.set("availability", quantity > 0 ? "in_stock" : "out_of_stock")
        listing["quantity"] = .integer(quantity)
        return listing
    }

    @Test func whateverReachedTheChannelUnacknowledgedItEndsWithTheDesiredListing() {
        var random = SplitMix64(seed: 0x1F_11_6E7)
        var lostAcknowledgements = 0
        for trial in 0..<3_000 {
            var store = Store()
            var channel: Listing?
            var desired: Listing?
            var history: [String] = []
            for _ in 0..<Int(1 + random.next() % 8) {
                desired = Self.listing(&random, allowBad: true)
                store.reconcile(desired)
                guard let delta = store.pending, !store.rejected else { continue }
                history.append("\(delta.operation.rawValue) v\(delta.version) \(delta.changed)")
                switch random.next() % 4 {
                case 0: break  // not sent (a failed batch, backing off)
                case 1:  // sent and applied, the answer lost
                    if Self.apply(delta, to: &channel) { lostAcknowledgements += 1 } else { store.rejected = true }
                default:
                    if Self.apply(delta, to: &channel) { store.acknowledge() } else { store.rejected = true }
                }
            }
            // The merchant's data settles; the next runs push until nothing is pending.
            desired = Self.listing(&random, allowBad: false)
            for _ in 0..<3 {
                store.reconcile(desired)
                guard let delta = store.pending else { break }
                history.append("final \(delta.operation.rawValue) v\(delta.version) \(delta.changed)")
                #expect(Self.apply(delta, to: &channel))
                store.acknowledge()
            }
            #expect(store.pending == nil, "trial \(trial): \(history)")
            #expect(channel == desired, "trial \(trial): \(history)")
        }
        #expect(lostAcknowledgements > 1_000)  // the case under test happened often
    }
}
