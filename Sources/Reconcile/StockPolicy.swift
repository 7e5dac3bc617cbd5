/// How much of the merchant's stock one channel may promise.
///
/// `published = clamp(floor((stock − buffer) × share), 0, cap)`, then 0 when below `zeroBelow`.
/// `share` is kept in millionths so the arithmetic is exact: no floating point near stock.
public struct StockPolicy: Hashable, Sendable {
    /// Units held back for the merchant's other sales (e.g. the shop itself).
    public var buffer: Int
    /// The share of the remaining stock, in millionths (1_000_000 = all of it).
    public var shareMillionths: Int
    public var cap: Int?
    /// Publish 0 when the result would be below this many units.
    public var zeroBelow: Int

    public init(buffer: Int = 0, shareMillionths: Int = 1_000_000, cap: Int? = nil, zeroBelow: Int = 0) {
        self.buffer = buffer
        self.shareMillionths = shareMillionths
        self.cap = cap
        self.zeroBelow = zeroBelow
    }

    /// The quantity this channel is told, for `stock` units in hand. Never more than `stock`.
    public func published(stock: Int) -> Int {
        let available = max(0, stock - buffer)
        let (product, overflow) = available.multipliedReportingOverflow(by: shareMillionths)
        var result = min(overflow ? available : product / 1_000_000, stock)
        if let cap { result = min(result, cap) }
        if result < zeroBelow { result = 0 }
        return max(0, result)
    }
}
