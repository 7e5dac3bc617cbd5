import Foundation

/// A description of a value that is the same in every process, for keys stored across runs.
///
/// `String(describing:)` is not: dictionaries and sets iterate in an order seeded per process. Here their
/// entries are sorted; a URL is its path; anything that describes itself (TimeZone, numbers) is taken as it
/// describes itself; other structs, enums, tuples and arrays are spelled out field by field.
enum CanonicalText {
    static func of(_ value: Any) -> String {
        // A folder's URL ends in "/" only if the folder existed when the URL was made.
        if let url = value as? URL { return url.path }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .dictionary?, .set?:
            return "{" + mirror.children.map { of($0.value) }.sorted().joined(separator: ",") + "}"
        case .optional?:
            return mirror.children.first.map { of($0.value) } ?? "nil"
        case .collection?, .tuple?:
            return "[" + mirror.children.map { of($0.value) }.joined(separator: ",") + "]"
        default:
            if value is CustomStringConvertible || mirror.children.isEmpty { return String(describing: value) }
            let fields = mirror.children.map { ($0.label.map { $0 + ":" } ?? "") + of($0.value) }
            return "\(mirror.subjectType)(" + fields.joined(separator: ",") + ")"
        }
    }
}
