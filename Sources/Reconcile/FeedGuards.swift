/// A feed's `guards` block: limits beyond which a new feed is held instead of applied.
///
/// Percentages are exact decimals (`12.5`); `nil` switches that check off.
public struct FeedGuards: Hashable, Sendable {
    /// Hold when more than this percentage of the previous items would be deleted.
    public var maxDeletePct: ExactDecimal?
    /// Hold when more than this percentage of the previous items would go from stock to zero.
    public var maxZeroPct: ExactDecimal?
    /// Hold when the new feed has fewer items than this.
    public var minItems: Int

    public init(maxDeletePct: ExactDecimal? = ExactDecimal(units: 20),
                maxZeroPct: ExactDecimal? = ExactDecimal(units: 30),
                minItems: Int = 1) {
        self.maxDeletePct = maxDeletePct
        self.maxZeroPct = maxZeroPct
        self.minItems = minItems
    }
}

/// Whether a feed may be applied.
public enum GuardVerdict: Hashable, Sendable {
    case pass
    /// Keep what the channels have; `reason` names the numbers, for the `feed.rejected` log line.
    case hold(reason: String)
}

/// The feed guards of DESIGN promise 4, as a pure function of counts.
public enum GuardCheck {
    /// Checks a new feed generation against the guards.
    ///
    /// Percentages are of `previousItemCount`, and "more than" is strict: deleting exactly 20 % passes
    /// `max_delete_pct: 20`. The comparison is exact (integers), the shown percentage is rounded up to
    /// two decimals so it never looks smaller than it is. With no previous items (a first feed) only
    /// `min_items` applies. Every failing check is named, joined by `; `.
    ///
    /// - Parameters:
    ///   - previousItemCount: items of the last applied generation.
    ///   - newItemCount: items in the new feed.
    ///   - deletions: previous items the new feed no longer has.
    ///   - zeroedStock: previous items with stock that the new feed sets to 0 or out of stock.
    public static func evaluate(previousItemCount: Int, newItemCount: Int, deletions: Int, zeroedStock: Int,
                                guards: FeedGuards) -> GuardVerdict {
        var reasons: [String] = []
        if newItemCount < guards.minItems {
            reasons.append("has \(newItemCount) items, fewer than min_items \(guards.minItems)")
        }
        if previousItemCount > 0 {
            if let limit = guards.maxDeletePct, exceeds(deletions, of: previousItemCount, limit) {
                reasons.append("would delete \(deletions) of \(previousItemCount) items "
                    + "(\(percent(deletions, of: previousItemCount))), more than max_delete_pct \(limit)%")
            }
            if let limit = guards.maxZeroPct, exceeds(zeroedStock, of: previousItemCount, limit) {
                reasons.append("would zero the stock of \(zeroedStock) of \(previousItemCount) items "
                    + "(\(percent(zeroedStock, of: previousItemCount))), more than max_zero_pct \(limit)%")
            }
        }
        return reasons.isEmpty ? .pass : .hold(reason: reasons.joined(separator: "; "))
    }

    /// Whether `part / whole × 100 > limit`, exactly.
    static func exceeds(_ part: Int, of whole: Int, _ limit: ExactDecimal) -> Bool {
        Int128(part) * 100 * limit.denominator > Int128(limit.units) * Int128(whole)
    }

    /// `part / whole` as a percentage with at most two decimals, rounded up: `60%`, `33.34%`.
    static func percent(_ part: Int, of whole: Int) -> String {
        let hundredths = (Int128(part) * 10_000 + Int128(whole) - 1) / Int128(whole)
        return ExactDecimal(units: Int64(clamping: hundredths), scale: 2).description + "%"
    }
}
