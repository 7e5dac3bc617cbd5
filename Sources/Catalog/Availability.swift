/// Whether an offer can be bought now. Raw values are Google Merchant Center's spelling.
public enum Availability: String, Sendable, CaseIterable, Hashable {
    case inStock = "in_stock"
    case outOfStock = "out_of_stock"
    case preorder = "preorder"
    case backorder = "backorder"

    /// Reads what feeds write: `in stock`, `in_stock`, `IN_STOCK`, `InStock`, `https://schema.org/InStock`, …
    ///
    /// - Returns: `nil` for a value no platform defines; the caller reports it as a row issue.
    public init?(feedValue: some StringProtocol) {
        // Most feeds write Google's own spelling: compare bytes before trimming and lower-casing a copy. (As a
        // String: this generic body is not specialized for its callers in other modules.)
        if let text = feedValue as? String,
           let exact = Availability.googleSpellings.first(where: { text.utf8.elementsEqual($0.rawValue.utf8) }) {
            self = exact
            return
        }
        self.init(anySpelling: feedValue)
    }

    /// `allCases`, kept: the synthesized property builds a new array each time.
    private static let googleSpellings = allCases

    /// `init?(feedValue:)` the long way, for any spelling.
    init?(anySpelling feedValue: some StringProtocol) {
        var key = Substring(feedValue).trimmingSpaces().lowercased()
        if let slash = key.lastIndex(of: "/") { key = String(key[key.index(after: slash)...]) }
        key.removeAll { $0 == " " || $0 == "_" || $0 == "-" }
        switch key {
        case "instock", "available", "availablefororder", "limitedavailability", "onlineonly", "instoreonly":
            self = .inStock
        case "outofstock", "soldout", "discontinued", "unavailable", "notavailable":
            self = .outOfStock
        case "preorder":
            self = .preorder
        case "backorder":
            self = .backorder
        default:
            return nil
        }
    }

    /// Preorder and backorder items stay buyable whatever the stock says.
    public var ignoresStock: Bool { self == .preorder || self == .backorder }
}

extension Substring {
    /// The text without leading and trailing spaces, tabs and line ends.
    public func trimmingSpaces() -> Substring {
        // Nothing to trim when both ends are printable ASCII: a Character that starts or ends with such a
        // byte is no white space. Most feed values are like that, and the Character-wise walk is slow.
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return self
        }
        return trimmingSpacesByCharacter()
    }

    func trimmingSpacesByCharacter() -> Substring {
        // Character-wise: "\r\n" is one Character, so test its properties rather than single scalars.
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
