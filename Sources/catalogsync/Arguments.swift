import Daemon

/// The command line after the subcommand: `--flag`, `--option value` (or `--option=value`) and positionals.
struct Arguments {
    private(set) var flags: Set<String> = []
    private(set) var options: [String: String] = [:]
    private(set) var positionals: [String] = []

    /// - Parameters:
    ///   - flags: options that take no value (`--once`).
    ///   - options: options that take a value (`--config PATH`).
    init(_ words: [String], flags known: Set<String>, options takingValue: Set<String>) throws(UsageError) {
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else {
                if word == "-h" { flags.insert("--help"); continue }
                positionals.append(word)
                continue
            }
            var name = word, value: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                value = String(word[word.index(after: equals)...])
            }
            if known.contains(name) || name == "--help" {
                guard value == nil else { throw UsageError("\(name) takes no value") }
                flags.insert(name)
            } else if takingValue.contains(name) {
                if value == nil {
                    guard index < words.count else { throw UsageError("\(name) needs a value") }
                    value = words[index]
                    index += 1
                }
                options[name] = value
            } else {
                throw UsageError("unknown option \(name)")
            }
        }
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }
    subscript(option: String) -> String? { options[option] }
}

/// A mistake on the command line: exit status 2 with the command's usage.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
