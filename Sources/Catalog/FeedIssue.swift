/// What is wrong with a feed row (or a whole feed), and where.
///
/// A bad *row* is quarantined and reading continues; a bad *feed* is rejected whole.
/// `description` is the line an operator sees: `products.csv:812: price: "12,5" is ambiguous …`.
public struct FeedIssue: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        // Reading: the bytes or the syntax.
        case unterminatedQuote
        case unexpectedQuote
        case raggedRow(expected: Int, found: Int)
        case invalidEncoding(String)
        case malformed(String)
        case emptyFeed
        case headerOnly
        case missingColumn(String)
        case tooLarge(String)
        // Mapping: one attribute of a row.
        case missingValue(String)
        case invalidValue(field: String, value: String, why: String)
        case invalidAmount(field: String, value: String, why: String)
        case duplicateID(String, firstLine: Int)
        case unreadable(String)
    }

    public var reason: Reason
    public var location: SourceLocation
    /// Whether the issue ends the whole feed (it is empty, unreadable, cut off, or its syntax cannot be
    /// resumed) rather than one row. A feed with a fatal issue is rejected whole.
    public var isFatal: Bool

    /// - Parameter fatal: `nil` takes the reason's usual weight (see `isFatal`).
    public init(_ reason: Reason, at location: SourceLocation, fatal: Bool? = nil) {
        self.reason = reason
        self.location = location
        switch reason {
        case .emptyFeed, .headerOnly, .unreadable, .missingColumn, .unterminatedQuote: isFatal = fatal ?? true
        default: isFatal = fatal ?? false
        }
    }

    public var description: String { "\(location): \(message)" }

    /// The reason in words, without the location.
    public var message: String {
        switch reason {
        case .unterminatedQuote: return "unterminated quoted field (a \" is never closed)"
        case .unexpectedQuote: return "unexpected character after a closing quote"
        case .raggedRow(let expected, let found): return "row has \(found) fields, the header has \(expected)"
        case .invalidEncoding(let why): return "invalid text encoding: \(why)"
        case .malformed(let why): return why
        case .emptyFeed: return "the feed is empty"
        case .headerOnly: return "the feed has a header but no rows"
        case .missingColumn(let name): return "required column \"\(name)\" is missing"
        case .tooLarge(let why): return "too large: \(why)"
        case .missingValue(let field): return "\(field): value is missing"
        case .invalidValue(let field, let value, let why): return "\(field): \"\(value)\" \(why)"
        case .invalidAmount(let field, let value, let why): return "\(field): \"\(value)\" \(why)"
        case .duplicateID(let id, let firstLine): return "duplicate id \"\(id)\" (first seen on line \(firstLine)); row skipped"
        case .unreadable(let why): return "cannot read the feed: \(why)"
        }
    }

    /// A short stable name for counting and logs (`reason=invalid_amount`).
    public var code: String {
        switch reason {
        case .unterminatedQuote: return "unterminated_quote"
        case .unexpectedQuote: return "unexpected_quote"
        case .raggedRow: return "ragged_row"
        case .invalidEncoding: return "invalid_encoding"
        case .malformed: return "malformed"
        case .emptyFeed: return "empty_feed"
        case .headerOnly: return "header_only"
        case .missingColumn: return "missing_column"
        case .tooLarge: return "too_large"
        case .missingValue: return "missing_value"
        case .invalidValue: return "invalid_value"
        case .invalidAmount: return "invalid_amount"
        case .duplicateID: return "duplicate_id"
        case .unreadable: return "unreadable"
        }
    }
}
