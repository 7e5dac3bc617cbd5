/// A configuration mistake, named by file, line and key so an operator can fix it without reading code.
public struct ConfigError: Error, CustomStringConvertible {
    public var file: String
    public var line: Int?
    /// The key's path: `feeds[0].currency`.
    public var key: String?
    public var message: String
    public var hint: String?

    public init(file: String, line: Int? = nil, key: String? = nil, message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = file + (line.map { ":\($0)" } ?? "") + ": "
        if let key { text += key + ": " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// Reads one JSON5 object of the configuration, remembering which keys were read so that
/// the rest can be reported as unknown.
struct ConfigObject {
    let file: String
    let path: String
    let line: Int
    private let members: [(key: String, value: ConfigValue, line: Int)]
    private var read: Set<String> = []

    init(_ value: ConfigValue, file: String, path: String) throws(ConfigError) {
        guard case .object(let members, let line) = value else {
            throw ConfigError(file: file, line: value.line, key: path.isEmpty ? nil : path, message: "expected an object")
        }
        self.file = file
        self.path = path
        self.line = line
        self.members = members
    }

    /// The object's keys, in file order.
    var keys: [String] { members.map(\.key) }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func error(_ key: String, _ message: String, hint: String? = nil) -> ConfigError {
        ConfigError(file: file, line: members.first { $0.key == key }?.line ?? line, key: keyPath(key),
                    message: message, hint: hint)
    }

    mutating func value(_ key: String) -> ConfigValue? {
        read.insert(key)
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        if case .null = value { return nil }
        return value
    }

    mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text, _) = value else { throw error(key, "expected a string") }
        return text
    }

    mutating func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let text = try string(key), !text.isEmpty else { throw error(key, "is required") }
        return text
    }

    mutating func number(_ key: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        switch value {
        case .number(let text, _): return text
        case .string(let text, _) where Double(text) != nil: return text
        default: throw error(key, "expected a number")
        }
    }

    mutating func integer(_ key: String, minimum: Int = 0) throws(ConfigError) -> Int? {
        guard let text = try number(key) else { return nil }
        guard let value = Int(text), value >= minimum else {
            throw error(key, "\"\(text)\" is not a whole number of at least \(minimum)")
        }
        return value
    }

    mutating func object(_ key: String) throws(ConfigError) -> ConfigObject? {
        guard let value = value(key) else { return nil }
        return try ConfigObject(value, file: file, path: keyPath(key))
    }

    mutating func array(_ key: String) throws(ConfigError) -> [ConfigValue] {
        guard let value = value(key) else { return [] }
        guard case .array(let elements, _) = value else { throw error(key, "expected a list") }
        return elements
    }

    /// Whether the object sets `key` to anything but null.
    func has(_ key: String) -> Bool {
        members.contains { $0.key == key && $0.value != .null(line: 0) }
    }

    /// Fails on the first key that nothing read.
    func rejectUnknownKeys() throws(ConfigError) {
        if let unknown = members.first(where: { !read.contains($0.key) }) {
            throw ConfigError(file: file, line: unknown.line, key: keyPath(unknown.key), message: "unknown key",
                              hint: "see the configuration keys in README.md")
        }
    }
}
