/// Where a profile finds each attribute in records that have one list of field names (a CSV header, the
/// elements of an XML item): `RowFields.key` of every name → its positions, in source order.
///
/// Finding them costs a `RowFields.key` and a hash per field; the records of one feed mostly share their names,
/// so `RowMapper` keeps the layouts it has built (`RowLayouts`) and a record with the same names reuses one.
final class RowLayout {
    /// The field names, as the records have them.
    let names: [String]
    /// Attribute name → positions in the records' fields, in source order.
    let index: [String: [Int]]
    /// The positions of each Google attribute, by `GoogleProfile.Attribute.rawValue`; found on first use, so
    /// that the profiles that never ask (Shopify, WooCommerce) do not pay for them.
    private(set) lazy var attributePositions: [[Int]] = GoogleProfile.Attribute.allCases.map {
        index[$0.name] ?? []
    }

    init(_ record: FeedRecord) {
        names = record.fields.map(\.name)
        var index: [String: [Int]] = [:]
        index.reserveCapacity(names.count)
        for (position, name) in names.enumerated() {
            index[RowFields.key(name), default: []].append(position)
        }
        self.index = index
    }

    /// Whether `record`'s field names are this layout's, in the same order.
    func fits(_ record: FeedRecord) -> Bool {
        // Equal names are mostly the same string (a CSV header's), which compares without reading its bytes.
        record.fields.count == names.count && names.indices.allSatisfy { record.fields[$0].name == names[$0] }
    }

    /// The positions of `attribute` (`RowFields.key(attribute.name) == attribute.name`, so `index` has them).
    func positions(of attribute: GoogleProfile.Attribute) -> [Int] {
        attributePositions[attribute.rawValue]
    }
}

/// The last few layouts a feed's records had, most recently used first.
///
/// A CSV feed has one; XML and JSON records leave out empty elements, so a feed where some items have a sale
/// price has a few, taking turns.
struct RowLayouts {
    private var recent: [RowLayout] = []
    /// How many layouts are kept: more shapes than this take turns building theirs.
    static let capacity = 8

    /// A layout that fits `record`: a kept one when there is one, else a new one, kept in place of the least
    /// recently used.
    mutating func layout(for record: FeedRecord) -> RowLayout {
        if let first = recent.first, first.fits(record) { return first }
        if let found = recent.indices.dropFirst().first(where: { recent[$0].fits(record) }) {
            let layout = recent.remove(at: found)
            recent.insert(layout, at: 0)
            return layout
        }
        let layout = RowLayout(record)
        if recent.count == Self.capacity { recent.removeLast() }
        recent.insert(layout, at: 0)
        return layout
    }
}
