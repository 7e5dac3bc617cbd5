import Daemon
import Foundation

let catalogsyncVersion = "0.1.0"

/// A subcommand: its help text and what it does. Returns the exit status.
protocol Command {
    static var help: String { get }
    static var flags: Set<String> { get }
    static var options: Set<String> { get }
    static func run(_ arguments: Arguments) async throws -> Int32
}

/// Runs `command`, turning every kind of failure into its exit status and a message on stderr.
func runCommand(_ command: any Command.Type, _ words: [String]) async -> Int32 {
    do {
        let arguments = try Arguments(words, flags: command.flags, options: command.options)
        if arguments.has("--help") {
            print(command.help)
            return ExitStatus.success
        }
        return try await command.run(arguments)
    } catch let error as UsageError {
        fail("\(error)\n\n\(command.help)")
        return ExitStatus.usage
    } catch let error as ConfigError {
        fail("configuration error: \(error)")
        return ExitStatus.usage
    } catch let error as StateLockError {
        fail("\(error)")
        return ExitStatus.couldNotRun
    } catch {
        fail("could not run: \(error)")
        return ExitStatus.couldNotRun
    }
}

func fail(_ message: String) {
    FileHandle.standardError.write(Data("catalogsync: \(message)\n".utf8))
}

/// The configuration file: `--config`, `$CATALOGSYNC_CONFIG`, `config/catalogsync.json` here, or /etc.
func configURL(_ arguments: Arguments) -> URL {
    if let path = arguments["--config"] { return URL(fileURLWithPath: path) }
    if let path = ProcessInfo.processInfo.environment["CATALOGSYNC_CONFIG"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    let local = URL(fileURLWithPath: "config/catalogsync.json")
    if FileManager.default.fileExists(atPath: local.path) { return local.standardizedFileURL }
    return URL(fileURLWithPath: "/etc/catalogsync/catalogsync.json")
}

func makeLogger(_ config: Config) -> Logger {
    Logger(format: config.logFormat, minimumLevel: config.logLevel)
}

/// `--wait SECONDS`: how long a command waits for a running daemon to carry out its request.
func waitSeconds(_ arguments: Arguments) throws -> Double {
    guard let text = arguments["--wait"] else { return 1800 }
    guard let seconds = Double(text), seconds > 0 else { throw UsageError("--wait takes a number of seconds") }
    return seconds
}
