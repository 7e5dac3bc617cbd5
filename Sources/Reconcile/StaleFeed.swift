public import Foundation

/// What a feed's items publish when the feed is older than its `max_age` (the config's `stale`).
///
/// A feed that stopped arriving may describe stock that is long sold. `max_age` says how old is too
/// old; `stale` says what to do then:
/// - `hold`: publish nothing new for the feed's items; channels keep what they were last told.
/// - `zero`: publish 0 units on every channel (nothing can be oversold; listings stay).
/// - `buffer(n)`: keep selling, but hold back at least `n` units: each channel's buffer becomes
///   `max(buffer, n)` (and so does a partition group's).
public enum StaleFeed {
    public enum Mode: Hashable, Sendable {
        case hold, zero
        case buffer(Int)
    }

    public enum Outcome: Hashable, Sendable {
        /// The feed is fresh: publish as usual.
        case fresh
        /// Enqueue no quantity changes for this feed's items.
        case hold
        /// Publish quantity 0.
        case zero
        /// Publish with each channel's buffer raised to at least this many units.
        case buffer(Int)

        /// The stock policy a channel uses under this outcome; `.hold` and `.fresh` leave it as it is.
        public func applied(to policy: StockPolicy) -> StockPolicy {
            var policy = policy
            switch self {
            case .fresh, .hold: break
            case .zero: policy.cap = 0
            case .buffer(let units): policy.buffer = max(policy.buffer, units)
            }
            return policy
        }
    }

    /// The outcome for a feed `age` seconds old (since its last successful fetch).
    ///
    /// A feed is stale when `age` is strictly more than `maxAge`; without a `maxAge` it is never stale.
    public static func outcome(age: TimeInterval, maxAge: TimeInterval?, mode: Mode) -> Outcome {
        guard let maxAge, age > maxAge else { return .fresh }
        switch mode {
        case .hold: return .hold
        case .zero: return .zero
        case .buffer(let units): return .buffer(max(0, units))
        }
    }

    /// The quantity to publish under `outcome`, given the quantity the rules compute (with
    /// `applied(to:)`'s policy) and the one the channel was last told.
    ///
    /// `.hold` never raises a quantity, but lets a lower one through (a larger buffer configured since):
    /// lowering cannot oversell. `nil` means "send no quantity": held, and the channel has none.
    public static func quantity(_ outcome: Outcome, computed: Int, lastPublished: Int?) -> Int? {
        switch outcome {
        case .fresh, .buffer: return computed
        case .zero: return 0
        case .hold: return lastPublished.map { min($0, computed) }
        }
    }
}
