public import Catalog

/// The configured `mapping` (attribute → source field) → `Offer`, by the Google rules.
///
/// ```json5
/// mapping: { id: "sku", price: "priceInfo.price", currency: "priceInfo.currencyCode",
///            quantity: "stock.qty", additional_image_link: "images[*].uri" }
/// ```
/// Attributes are Google's names (`GoogleProfile.attributeName`), plus `currency`: the currency of amounts that
/// do not name their own (a price of `18` with a currency field of `USD` is 18.00 USD); without it the feed's
/// configured currency applies. A source is a field name as the reader gives it (a CSV header, an XML element,
/// a JSON dot path such as `priceInfo.price`), matched exactly first and then ignoring case and spacing;
/// `[*]` in a source matches every array index, in order. Source fields the mapping does not name keep their
/// own names, so a feed that already uses Google's names for most attributes maps only the others; a mapped
/// attribute wins over a source field of the same name. Issues name the source field.
public struct CustomProfile: Sendable {
    struct Rule: Sendable {
        var attribute: String
        var source: String
        /// The source split around its `[*]` wildcards (`images`, `.uri`), or `nil` for a plain name.
        var wildcard: [String]?
    }

    let rules: [Rule]
    let currencySource: String?

    public init(mapping: [String: String]) {
        var rules: [Rule] = []
        var currencySource: String?
        for (attribute, source) in mapping.sorted(by: { $0.key < $1.key }) {
            let name = GoogleProfile.attributeName(attribute)
            if name == "currency" {
                currencySource = source
                continue
            }
            let parts = source.components(separatedBy: "[*]")
            rules.append(Rule(attribute: name, source: source, wildcard: parts.count > 1 ? parts : nil))
        }
        self.rules = rules
        self.currencySource = currencySource
    }

    /// Maps one record to an offer.
    /// - Throws: the first problem of the row, located at its line and the source field's name.
    public func offer(from record: FeedRecord, context: MappingContext) throws(FeedIssue) -> Offer {
        try offer(from: RowFields(record, context: context))
    }

    func offer(from row: RowFields) throws(FeedIssue) -> Offer {
        let fields = row.record.fields
        var consumed = Set<Int>()
        var mapped: [FeedRecord.Field] = []
        var sourceNames: [String: String] = [:]
        for rule in rules {
            let positions = self.positions(of: rule, in: fields)
            consumed.formUnion(positions)
            mapped += positions.map { FeedRecord.Field(rule.attribute, fields[$0].value) }
            sourceNames[rule.attribute] = rule.source
        }
        var currency: Currency?
        if let source = currencySource, let position = positions(of: Rule(attribute: "currency", source: source),
                                                                  in: fields).first {
            consumed.insert(position)
            let code = Substring(fields[position].value).trimmingSpaces()
            if !code.isEmpty {
                guard let parsed = Currency(code: code) else {
                    throw row.invalid(source, String(code), "is not an ISO 4217 currency code")
                }
                currency = parsed
            }
        }
        let attributes = Set(rules.map(\.attribute))
        var passed: [FeedRecord.Field] = []
        for (position, field) in fields.enumerated() where !consumed.contains(position) {
            let key = RowFields.key(field.name)
            if !attributes.contains(key) { passed.append(FeedRecord.Field(key, field.value)) }
        }
        let renamed = RowFields(FeedRecord(line: row.record.line, fields: mapped + passed), context: row.context)
        do {
            return try GoogleProfile.offer(from: renamed, currency: currency)
        } catch {
            var issue = error
            if let field = issue.location.field, let source = sourceNames[field] {
                issue.location.field = source
                issue.reason = issue.reason.renamed(to: source)
            }
            throw issue
        }
    }

    /// The record positions a rule reads: exact name first, else the same name ignoring case and spacing.
    private func positions(of rule: Rule, in fields: [FeedRecord.Field]) -> [Int] {
        if let parts = rule.wildcard {
            return fields.indices.filter { CustomProfile.matches(fields[$0].name, parts) }
        }
        let exact = fields.indices.filter { fields[$0].name == rule.source }
        if !exact.isEmpty { return exact }
        let key = RowFields.key(rule.source)
        return fields.indices.filter { RowFields.key(fields[$0].name) == key }
    }

    /// Whether `name` is `parts` joined by array indices: `images[0].uri` for `["images", ".uri"]`.
    static func matches(_ name: String, _ parts: [String]) -> Bool {
        var rest = Substring(name)
        for (number, part) in parts.enumerated() {
            if number > 0 {
                guard rest.hasPrefix("[") else { return false }
                let digits = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty, rest.dropFirst(digits.count + 1).hasPrefix("]") else { return false }
                rest = rest.dropFirst(digits.count + 2)
            }
            guard rest.hasPrefix(part) else { return false }
            rest = rest.dropFirst(part.count)
        }
        return rest.isEmpty
    }
}
