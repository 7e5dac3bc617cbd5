import Foundation

/// Opaque paging cursors (an offset, base64url-encoded) and the `next` links built from them.
enum Cursor {
    static func make(_ offset: Int) -> String {
        Data("offset:\(offset)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    static func offset(_ cursor: String) -> Int? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let plain = String(data: data, encoding: .utf8),
            plain.hasPrefix("offset:"), let offset = Int(plain.dropFirst(7)), offset >= 0
        else { return nil }
        return offset
    }

    /// The absolute URL of `request`'s path with `query`, on the host the client used.
    static func url(_ request: HTTPRequest, query: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = query.sorted { $0.key < $1.key }.map { key, value in
            (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
        return "http://\(request.header("Host") ?? "127.0.0.1")\(request.rawPath)?\(encoded)"
    }
}
