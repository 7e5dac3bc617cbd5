public import Catalog

/// How a channel gets its part of an item's stock (the config's `stock.allocation`).
public enum StockAllocation: Hashable, Sendable {
    /// The channel applies its own `StockPolicy` to the whole stock, independently of other channels.
    case shared
    /// The channel shares the stock with the other channels of `group`: their quantities together
    /// never exceed the stock. See `Allocation.partition(stock:members:)`.
    case partition(group: String, weight: Int, priority: Int)
}

/// Splits one item's stock between channels so that, together, they never promise more than there is.
public enum Allocation {
    /// One channel of a partition group.
    public struct Member: Hashable, Sendable {
        public var name: String
        /// Its `buffer`, `cap` and `zeroBelow` apply; its `share` does not (the weight takes its place).
        public var policy: StockPolicy
        /// Relative part of the group's stock; 0 or less gets nothing.
        public var weight: Int
        /// Breaks ties between equal remainders: the larger value gets the odd unit first.
        public var priority: Int

        public init(name: String, policy: StockPolicy = StockPolicy(), weight: Int = 1, priority: Int = 0) {
            self.name = name
            self.policy = policy
            self.weight = weight
            self.priority = priority
        }
    }

    /// The quantity each member publishes, keyed by member name.
    ///
    /// 1. The group holds back its largest member `buffer` once: `allocatable = max(0, stock − max(buffer))`.
    ///    Buffers are units kept for sales outside these channels (Daan's shop); they are one pool of
    ///    units, so they are not added up. Daan writes `buffer: 2` on Google and Meta (or on either).
    /// 2. `allocatable` is split by weight with the largest-remainder method: each member gets the
    ///    floor of its exact quota, and the units left over go one each to the largest remainders,
    ///    ties to the larger `priority`, then to the smaller name. Stock 1 between two equal
    ///    members publishes 1 and 0, never 0 and 0; the result is deterministic, so it does not flap.
    /// 3. A member whose part exceeds its `cap` gets its cap, and what the cap frees is split again
    ///    among the other members (by step 2), until no cap binds. This only moves units inside
    ///    `allocatable`, so the sum stays within it: it is exactly `min(allocatable, Σ caps)`.
    /// 4. Then `zeroBelow`: a member whose part is below it publishes 0. Those units are *not*
    ///    given to another member; they stay with the merchant.
    ///
    /// Hence `Σ quantities ≤ allocatable ≤ stock`, and each quantity ≤ `stock − its own buffer`.
    public static func partition(stock: Int, members: [Member]) -> [String: Int] {
        guard let largestBuffer = members.map({ max(0, $0.policy.buffer) }).max() else { return [:] }
        var remaining = max(0, stock - largestBuffer)
        var result = Dictionary(members.map { ($0.name, 0) }, uniquingKeysWith: { a, _ in a })
        var active = members.filter { $0.weight > 0 }
        while !active.isEmpty && remaining > 0 {
            let parts = largestRemainder(remaining, among: active)
            let capped = active.filter { member in member.policy.cap.map { parts[member.name]! > max(0, $0) } ?? false }
            if capped.isEmpty {
                for member in active { result[member.name] = parts[member.name]! }
                break
            }
            for member in capped {
                let cap = max(0, member.policy.cap!)
                result[member.name] = cap
                remaining -= cap
            }
            let cappedNames = Set(capped.map(\.name))
            active.removeAll { cappedNames.contains($0.name) }
        }
        for member in members where result[member.name]! < member.policy.zeroBelow {
            result[member.name] = 0
        }
        return result
    }

    /// Splits `amount` units by weight, exactly: the parts add up to `amount` (when any weight is positive).
    ///
    /// - Parameter members: weights must be positive.
    public static func largestRemainder(_ amount: Int, among members: [Member]) -> [String: Int] {
        let total = members.reduce(Int128(0)) { $0 + Int128(max(0, $1.weight)) }
        guard total > 0, amount > 0 else {
            return Dictionary(members.map { ($0.name, 0) }, uniquingKeysWith: { a, _ in a })
        }
        var parts: [String: Int] = [:]
        var remainders: [(member: Member, remainder: Int128)] = []
        var given = 0
        for member in members {
            let exact = Int128(amount) * Int128(max(0, member.weight))
            let floor = Int(exact / total)
            parts[member.name] = floor
            given += floor
            remainders.append((member, exact % total))
        }
        remainders.sort { a, b in
            if a.remainder != b.remainder { return a.remainder > b.remainder }
            if a.member.priority != b.member.priority { return a.member.priority > b.member.priority }
            return a.member.name < b.member.name
        }
        for entry in remainders.prefix(amount - given) { parts[entry.member.name]! += 1 }
        return parts
    }

    /// The quantity every channel publishes for one item, keyed by channel name.
    ///
    /// Channels whose `include`/`exclude` leave the item out take no part (their partition group
    /// shares the stock without them) and get no entry. `shared` channels apply their own policy;
    /// `partition` channels are split per group. An `out_of_stock` item has stock 0; an item without
    /// a quantity gets no entries at all. Pass each entry to
    /// `ChannelRules.desiredListing(from:now:allocatedQuantity:)`.
    public static func quantities(for base: Listing,
                                  channels: [(name: String, rules: ChannelRules)]) -> [String: Int] {
        guard let quantity = base.quantity else { return [:] }
        let availability = base["availability"].flatMap { Availability(feedValue: $0.description) } ?? .inStock
        let stock = availability == .outOfStock ? 0 : quantity
        var result: [String: Int] = [:]
        var groups: [String: [Member]] = [:]
        var groupOrder: [String] = []
        for (name, rules) in channels where rules.selects(base) {
            switch rules.allocation {
            case .shared:
                result[name] = rules.stock.published(stock: stock)
            case .partition(let group, let weight, let priority):
                if groups[group] == nil { groupOrder.append(group) }
                groups[group, default: []].append(Member(name: name, policy: rules.stock, weight: weight,
                                                         priority: priority))
            }
        }
        for group in groupOrder {
            result.merge(partition(stock: stock, members: groups[group]!)) { _, new in new }
        }
        return result
    }
}
