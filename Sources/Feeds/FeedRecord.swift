/// One record of any feed format, as named source fields before a profile maps them to an `Offer`.
///
/// Names are the source's own: CSV header columns; XML element names with Google's `g:` namespace
/// dropped (`price`), other namespaces kept as `pj:name`, nested elements joined by dots
/// (`shipping.price`); JSON dot paths with array indices (`priceInfo.price`, `variants[0].sku`).
/// A name may repeat (`additional_image_link` in XML); fields keep the source order.
public struct FeedRecord: Sendable, Equatable {
    /// The 1-based line on which the record starts.
    public var line: Int
    public var fields: [Field]

    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(line: Int, fields: [Field]) {
        self.line = line
        self.fields = fields
    }

    /// The first value of `name`, or `nil`.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of `name`, in source order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }
}
