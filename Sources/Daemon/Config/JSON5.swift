/// A parsed JSON5 value that remembers the line it started on, so configuration errors can name it.
///
/// Hand-written because the configuration contract needs line numbers for unknown keys, which
/// Foundation's decoders do not give. JSON5 subset: `//` and `/* */` comments, trailing commas,
/// unquoted keys, single- or double-quoted strings, leading `+`, hexadecimal integers.
indirect enum ConfigValue: Equatable {
    case object([(key: String, value: ConfigValue, line: Int)], line: Int)
    case array([ConfigValue], line: Int)
    case string(String, line: Int)
    case number(String, line: Int)
    case bool(Bool, line: Int)
    case null(line: Int)

    var line: Int {
        switch self {
        case .object(_, let line), .array(_, let line), .string(_, let line), .number(_, let line),
             .bool(_, let line), .null(let line):
            return line
        }
    }

    static func == (a: ConfigValue, b: ConfigValue) -> Bool {
        switch (a, b) {
        case let (.object(x, _), .object(y, _)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(x, _), .array(y, _)): return x == y
        case let (.string(x, _), .string(y, _)): return x == y
        case let (.number(x, _), .number(y, _)): return x == y
        case let (.bool(x, _), .bool(y, _)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }
}

/// A syntax error in a JSON5 text, with its 1-based line and column.
struct JSON5SyntaxError: Error, Equatable, CustomStringConvertible {
    var message: String
    var line: Int
    var column: Int
    var description: String { "line \(line), column \(column): \(message)" }
}

struct JSON5Parser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    static func parse(_ text: String) throws(JSON5SyntaxError) -> ConfigValue {
        var parser = JSON5Parser(text)
        let value = try parser.value(depth: 0)
        try parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the end") }
        return value
    }

    private func error(_ message: String) -> JSON5SyntaxError {
        JSON5SyntaxError(message: message, line: line, column: index - lineStart + 1)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func advance() {
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        index += 1
    }

    private mutating func skipSpace() throws(JSON5SyntaxError) {
        while let byte = current {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                advance()
            } else if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                while let b = current, b != 0x0A { advance() }
            } else if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                advance(); advance()
                while true {
                    guard let b = current else { throw error("unterminated /* comment") }
                    if b == UInt8(ascii: "*"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                        advance(); advance()
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    private mutating func value(depth: Int) throws(JSON5SyntaxError) -> ConfigValue {
        try skipSpace()
        guard depth < 32 else { throw error("nested too deep") }
        guard let byte = current else { throw error("unexpected end of text") }
        let startLine = line
        switch byte {
        case UInt8(ascii: "{"):
            advance()
            var members: [(key: String, value: ConfigValue, line: Int)] = []
            while true {
                try skipSpace()
                if current == UInt8(ascii: "}") { advance(); break }
                let keyLine = line
                let key = try self.key()
                try skipSpace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
                advance()
                if members.contains(where: { $0.key == key }) { throw error("duplicate key \"\(key)\"") }
                members.append((key, try value(depth: depth + 1), keyLine))
                try skipSpace()
                if current == UInt8(ascii: ",") { advance(); continue }
                if current == UInt8(ascii: "}") { advance(); break }
                throw error("expected ',' or '}'")
            }
            return .object(members, line: startLine)
        case UInt8(ascii: "["):
            advance()
            var elements: [ConfigValue] = []
            while true {
                try skipSpace()
                if current == UInt8(ascii: "]") { advance(); break }
                elements.append(try value(depth: depth + 1))
                try skipSpace()
                if current == UInt8(ascii: ",") { advance(); continue }
                if current == UInt8(ascii: "]") { advance(); break }
                throw error("expected ',' or ']'")
            }
            return .array(elements, line: startLine)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .string(try string(), line: startLine)
        default:
            let word = identifierOrNumber()
            switch word {
            case "true": return .bool(true, line: startLine)
            case "false": return .bool(false, line: startLine)
            case "null": return .null(line: startLine)
            case "": throw error("unexpected character '\(String(decoding: [byte], as: UTF8.self))'")
            default:
                let body = word.hasPrefix("+") ? String(word.dropFirst()) : word
                guard Double(body) != nil || body.lowercased().hasPrefix("0x") else {
                    throw error("\"\(word)\" is not a value (strings need quotes)")
                }
                return .number(body, line: startLine)
            }
        }
    }

    private mutating func identifierOrNumber() -> String {
        let start = index
        while let b = current, b == UInt8(ascii: "_") || b == UInt8(ascii: "$") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || (b >= 0x30 && b <= 0x39)
            || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) {
            advance()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func key() throws(JSON5SyntaxError) -> String {
        if current == UInt8(ascii: "\"") || current == UInt8(ascii: "'") { return try string() }
        let word = identifierOrNumber()
        guard !word.isEmpty else { throw error("expected a key") }
        return word
    }

    private mutating func string() throws(JSON5SyntaxError) -> String {
        let quote = bytes[index]
        advance()
        var out: [UInt8] = []
        while true {
            guard let byte = current else { throw error("unterminated string") }
            if byte == quote { advance(); break }
            if byte == 0x0A { throw error("line break inside a string") }
            if byte == UInt8(ascii: "\\") {
                advance()
                guard let escaped = current else { throw error("unterminated string") }
                advance()
                switch escaped {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count,
                          let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else { throw error("bad \\u escape") }
                    for _ in 0..<4 { advance() }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: out.append(escaped)
                }
                continue
            }
            out.append(byte)
            advance()
        }
        return String(decoding: out, as: UTF8.self)
    }
}
