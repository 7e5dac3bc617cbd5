/// Where a value came from. Line and column are 1-based; columns count UTF-8 bytes, like swiftc.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The feed's file name or URL as the operator configured it.
    public var feed: String
    public var line: Int
    public var column: Int?
    /// The attribute or source column the problem is in, when there is one.
    public var field: String?

    public init(feed: String, line: Int, column: Int? = nil, field: String? = nil) {
        self.feed = feed
        self.line = line
        self.column = column
        self.field = field
    }

    /// `products.csv:812` or `products.csv:812:31`.
    public var description: String { "\(feed):\(line)" + (column.map { ":\($0)" } ?? "") }
}
