import Foundation

/// Why a request head could not be accepted; each maps to the status the server answers with.
struct HTTPParseError: Error, Equatable {
    var status: Int
    var message: String
}

/// What the head of a request says about the body that follows.
struct HTTPHead {
    var method: String
    var target: String
    var version: String
    var headers: [(name: String, value: String)]
    var contentLength: Int
    var expectsContinue: Bool
}

/// Parses request heads (RFC 9112 §2–§6), strictly: a malformed head is a 400, never a guess.
///
/// Bodies are framed by `Content-Length` only. A `Transfer-Encoding` (chunked uploads) is refused
/// with 411 Length Required: every client of the sandbox (URLSession, curl with `--data`) sends a length.
enum HTTPParser {
    static let headerEnd: [UInt8] = [13, 10, 13, 10]

    /// The offset just past the blank line that ends the head, searching from `start`.
    static func headEnd(in buffer: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var index = max(0, start - 3)
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                return index + 4
            }
            index += 1
        }
        return nil
    }

    /// Parses the head (request line and header fields, without the final blank line's CRLF).
    static func parseHead(_ bytes: ArraySlice<UInt8>, maxBodyBytes: Int) throws(HTTPParseError) -> HTTPHead {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw HTTPParseError(status: 400, message: "the request head is not UTF-8")
        }
        var lines = text.components(separatedBy: "\r\n")
        while lines.last == "" { lines.removeLast() }
        guard let requestLine = lines.first, !requestLine.isEmpty else {
            throw HTTPParseError(status: 400, message: "empty request line")
        }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter && $0.isUppercase }),
            parts[1].hasPrefix("/"), !parts[1].contains(where: { $0.isWhitespace || $0.asciiValue == nil })
        else {
            throw HTTPParseError(status: 400, message: "malformed request line")
        }
        let version = String(parts[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw HTTPParseError(status: version.hasPrefix("HTTP/") ? 505 : 400, message: "unsupported version")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else {
                throw HTTPParseError(status: 400, message: "header line without a colon")
            }
            let name = String(line[..<colon])
            guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else {
                throw HTTPParseError(status: 400, message: "malformed header name")
            }
            headers.append((name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func values(_ name: String) -> [String] {
            headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
        }
        if version == "HTTP/1.1" && values("Host").count != 1 {
            throw HTTPParseError(status: 400, message: "HTTP/1.1 needs exactly one Host header")
        }
        if !values("Transfer-Encoding").isEmpty {
            throw HTTPParseError(status: 411, message: "chunked request bodies are not supported; send Content-Length")
        }
        let lengths = Set(
            values("Content-Length").flatMap { $0.split(separator: ",") }.map {
                $0.trimmingCharacters(in: .whitespaces)
            })
        var contentLength = 0
        if let only = lengths.first {
            guard lengths.count == 1, !only.isEmpty, only.allSatisfy(\.isASCIIDigit), only.count <= 18,
                let length = Int(only)
            else {
                throw HTTPParseError(status: 400, message: "invalid Content-Length")
            }
            contentLength = length
        }
        if contentLength > maxBodyBytes {
            throw HTTPParseError(
                status: 413, message: "request body of \(contentLength) bytes is over the limit of \(maxBodyBytes)")
        }
        let expects = values("Expect").contains { $0.lowercased() == "100-continue" }
        return HTTPHead(
            method: String(parts[0]), target: String(parts[1]), version: version, headers: headers,
            contentLength: contentLength, expectsContinue: expects)
    }

    private static func isTokenCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, ascii > 32, ascii < 127 else { return false }
        return !"\"(),/:;<=>?@[\\]{}".contains(character)
    }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}
