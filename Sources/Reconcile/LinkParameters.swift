/// Query parameters a channel adds to every item's `link`: `link_params: "utm_source=instagram&utm_medium=social"`.
///
/// Merging keeps the link's own query and fragment, and never re-encodes what the merchant wrote:
/// `https://shop.example/p?id=7&utm_source=feed#reviews` with the parameters above becomes
/// `https://shop.example/p?id=7&utm_source=instagram&utm_medium=social#reviews`.
///
/// **Ours win**: a key the channel sets replaces the link's value for that key, at the position of
/// its first occurrence, and later duplicates are dropped; attribution must say which channel sold,
/// whatever campaign tag the merchant's export carried. Keys are compared after percent-decoding
/// (`utm%5Fsource` is `utm_source`). New keys are appended in the configured order. Empty pieces
/// (`&&`) of the link's query are dropped. The configured text is taken as already encoded; only
/// characters a query cannot hold (space, `#`, non-ASCII, a `%` not starting an escape) are
/// percent-encoded as UTF-8.
public struct LinkParameters: Hashable, Sendable {
    /// The pieces `key=value` (or a bare `key`), encoded, in configured order.
    public private(set) var pieces: [String]

    /// - Parameter text: `"utm_source=instagram&utm_medium=social"`; a leading `?` is ignored.
    public init(_ text: String = "") {
        var body = Substring(text)
        if body.first == "?" { body = body.dropFirst() }
        var seen: Set<String> = []
        var pieces: [String] = []
        // A key configured twice: the last value wins, at the first position.
        for piece in body.split(separator: "&").map({ LinkParameters.encode(String($0)) }) {
            let key = LinkParameters.key(of: piece)
            if seen.insert(key).inserted {
                pieces.append(piece)
            } else if let index = pieces.firstIndex(where: { LinkParameters.key(of: $0) == key }) {
                pieces[index] = piece
            }
        }
        self.pieces = pieces
    }

    public var isEmpty: Bool { pieces.isEmpty }

    /// The link with these parameters merged into its query. An empty link stays empty.
    public func applied(to link: String) -> String {
        guard !pieces.isEmpty, !link.isEmpty else { return link }
        var rest = Substring(link)
        var fragment: Substring = ""
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[hash...]
            rest = rest[..<hash]
        }
        var query: [Substring] = []
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...].split(separator: "&")
            rest = rest[..<mark]
        }
        var ours = Dictionary(pieces.map { (LinkParameters.key(of: $0), $0) }, uniquingKeysWith: { $1 })
        var merged: [String] = []
        for piece in query {
            let key = LinkParameters.key(of: piece)
            switch ours[key] {
            case nil: merged.append(String(piece))
            case "": break  // ours is placed already: a later duplicate goes
            case let replacement?:
                merged.append(replacement)
                ours[key] = ""
            }
        }
        for piece in pieces where ours[LinkParameters.key(of: piece)] != "" { merged.append(piece) }
        return rest + "?" + merged.joined(separator: "&") + fragment
    }

    /// The percent-decoded key of `key=value`.
    static func key(of piece: some StringProtocol) -> String {
        let raw = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return percentDecoded(raw)
    }

    static func percentDecoded(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
               let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Percent-encodes what a query cannot hold, leaving valid escapes and RFC 3986 query characters alone.
    static func encode(_ text: String) -> String {
        let utf8 = Array(text.utf8)
        var out = ""
        for (index, byte) in utf8.enumerated() {
            let isEscape = byte == UInt8(ascii: "%") && index + 2 < utf8.count
                && hexValue(utf8[index + 1]) != nil && hexValue(utf8[index + 2]) != nil
            if isEscape || (byte != UInt8(ascii: "%") && isQueryCharacter(byte)) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    /// RFC 3986 `query`: unreserved, sub-delims, `:`, `@`, `/`, `?` (and `%` for escapes, handled by the caller).
    private static func isQueryCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~!$&'()*+,;=:@/?".utf8.contains(byte)
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
