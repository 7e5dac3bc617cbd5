public import Catalog

/// Decides, per SKU, what the outbox must hold so that a channel ends up with the desired listing.
///
/// The diff is against what the channel *acknowledged*. A pending delta is never simply dropped: it
/// may have reached the channel without its acknowledgement being stored (a process killed between
/// sending and committing the answer, a reply that timed out), and the delta it replaced may have too.
/// So a newer delta replaces it and also names every field it named (its `changed` names those of
/// the deltas it replaced in turn), recreates the item whole after a pending creation or deletion, and
/// is enqueued even when the acknowledged listing is what is wanted again. Deltas carry absolute values.
public enum Reconciler {
    public enum Decision: Equatable, Sendable {
        /// The outbox already holds the right thing (or nothing is needed).
        case keep
        case enqueue(Delta)
    }

    /// - Parameters:
    ///   - desired: the listing the channel should have, `nil` when it should not have the SKU.
    ///   - entry: what the channel has (acknowledged and pending), `nil` when it never heard of the SKU.
    ///
    /// **Cleared fields.** When the channel has a field the desired listing lacks (an ended sale's
    /// `sale_price`), an update names it in `changed` and carries it in `values` as the empty text `""`,
    /// so partial-update APIs clear it explicitly (and whole-item APIs simply omit it). A listing never
    /// holds `""` otherwise (`Listing.set` drops empty texts), so `""` in `values` always means "clear".
    /// The store keeps `values` as the acknowledged listing; `""` fields there count as absent.
    public static func decide(channel: String, sku: String, desired: Listing?, entry: SnapshotEntry?) -> Decision {
        decideWithText(channel: channel, sku: sku, desired: desired, entry: entry).decision
    }

    /// `decide`, with the JSON text of an enqueued delta's values (`values.jsonText`, what the outbox stores):
    /// it is mostly the desired listing's, which the decision encodes anyway, so it is not encoded again.
    public static func decideWithText(channel: String, sku: String, desired: Listing?, entry: SnapshotEntry?)
        -> (decision: Decision, valuesText: String?) {
        let desiredText = desired?.jsonText
        let ackedText = entry?.ackedText
        let textsMatch = desiredText == ackedText  // then the acknowledged listing is the desired one
        let acked = textsMatch ? desired : ackedText.flatMap(Listing.init(jsonText:)).map(withoutClearedFields)
        let channelHasIt = textsMatch || (desired != nil && desired == acked)
        let pending = entry?.pending
        if channelHasIt && pending == nil { return (.keep, nil) }
        let operation: Delta.Operation = if desired == nil {
            .delete
        } else if ackedText == nil || pending.map({ $0.operation != .update }) == true {
            .create  // the channel may have no item, or one made whole by the pending delta
        } else {
            .update
        }
        var values = desired ?? Listing()
        var valuesText = desiredText ?? values.jsonText
        var changed: [String] = switch operation {
        case .create: values.orderedNames
        case .delete: []
        case .update: values.changedFields(from: acked ?? Listing())
        }
        if operation == .update {
            if let pending, !Set(pending.changed).isSubset(of: changed) {
                changed = Listing.order(Set(changed).union(pending.changed))
            }
            let cleared = changed.filter { values[$0] == nil }
            for name in cleared { values[name] = .text("") }
            if !cleared.isEmpty { valuesText = values.jsonText }
        }
        if let pending, pending.operation == operation, pending.payloadText == valuesText,
           pending.changed == changed || pending.rejected {
            return (.keep, nil)  // a rejected one stays parked: the same change is not sent again
        }
        // The most urgent way the channel can get there: from the acknowledged listing or the pending one.
        var urgency = channelHasIt ? nil : priority(of: operation, from: acked, to: desired)
        if let pending, pending.operation != .delete,
           let shown = Listing(jsonText: pending.payloadText).map(withoutClearedFields), shown != desired {
            let fromShown = priority(of: desired == nil ? .delete : .update, from: shown, to: desired)
            urgency = min(urgency ?? fromShown, fromShown)
        }
        let version = max(entry?.lastVersion ?? 0, entry?.ackedVersion ?? 0) + 1
        let delta = Delta(channel: channel, sku: sku, operation: operation, version: version, changed: changed,
                          values: values, priority: urgency ?? priority(of: operation, from: nil, to: desired))
        return (.enqueue(delta), valuesText)
    }

    /// `listing` without the fields a delta marked as cleared (`""`).
    static func withoutClearedFields(_ listing: Listing) -> Listing {
        // Most have none: then the listing is kept as it is, not built again (which hashes every name).
        guard listing.fields.values.contains(.text("")) else { return listing }
        return Listing(listing.fields.filter { $0.value != .text("") })
    }

    /// Whatever can oversell goes first: deletions, stock to zero and out-of-stock changes, then other stock
    /// decreases; then prices; then content; creations and stock increases last.
    public static func priority(of operation: Delta.Operation, from old: Listing?, to new: Listing?) -> DeltaPriority {
        switch operation {
        case .delete: return .soldOut
        case .create: return .increase
        case .update: break
        }
        guard let old, let new else { return .content }
        let wasBuyable = isBuyable(old), nowBuyable = isBuyable(new)
        if wasBuyable && !nowBuyable { return .soldOut }
        let oldQuantity = old.quantity, newQuantity = new.quantity
        if let o = oldQuantity, let n = newQuantity, n < o { return .stockDecrease }
        if oldQuantity != nil && newQuantity == nil { return .stockDecrease }
        for field in ["price", "sale_price", "sale_price_effective_date"] where old[field] != new[field] {
            return .price
        }
        if let o = oldQuantity, let n = newQuantity, n > o { return .increase }
        if !wasBuyable && nowBuyable { return .increase }
        return .content
    }

    /// Whether a channel showing `listing` takes an order for it: not out of stock, and a quantity above 0 if any.
    public static func isBuyable(_ listing: Listing) -> Bool {
        listing["availability"] != .text(Availability.outOfStock.rawValue) && (listing.quantity ?? 1) > 0
    }
}
