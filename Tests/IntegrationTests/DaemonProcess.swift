#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// A `catalogsync run` started in a workspace, as systemd starts it: its standard output and error go to
/// a log file that the test reads while it runs.
///
/// Every test stops it in a `defer` with `kill()`, which SIGKILLs and reaps it if it still runs, so no
/// daemon outlives a failed expectation.
final class DaemonProcess {
    let process = Process()
    let logFile: URL

    /// Starts the daemon on `workspace`'s configuration with `environment` added to the test's own
    /// (minus any systemd variables the test runner itself might have).
    init(_ workspace: Workspace, environment: [String: String] = [:]) throws {
        logFile = workspace.root.appendingPathComponent("daemon-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.executableURL = Workspace.binary
        process.arguments = ["run", "--config", workspace.config.path]
        process.currentDirectoryURL = workspace.root
        var variables = ProcessInfo.processInfo.environment
        for name in ["CATALOGSYNC_CONFIG", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "CREDENTIALS_DIRECTORY"] {
            variables[name] = nil
        }
        variables.merge(environment) { $1 }
        process.environment = variables
        let log = try FileHandle(forWritingTo: logFile)
        defer { try? log.close() }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Everything the daemon logged so far.
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The log lines of `event` (`event=NAME` in logfmt).
    func lines(of event: String) -> [String] {
        log.split(separator: "\n").map(String.init)
            .filter { $0.contains("event=\(event) ") || $0.hasSuffix("event=\(event)") }
    }

    /// Waits until the daemon has logged `event` at least `count` times. - Returns: whether it did.
    @discardableResult
    func waitFor(_ event: String, count: Int = 1, timeout: Double = 20) -> Bool {
        eventually(timeout: timeout) { lines(of: event).count >= count }
    }

    func send(_ signalNumber: Int32) {
        if process.isRunning { _ = Glibc.kill(pid, signalNumber) }
    }

    /// Sends SIGTERM and waits for the daemon to exit. - Returns: its exit status, or nil if it did not exit
    /// within `timeout` seconds (it is then killed) or was ended by a signal.
    func stop(timeout: Double = 20) -> Int32? {
        send(SIGTERM)
        guard eventually(timeout: timeout, { !process.isRunning }) else {
            kill()
            return nil
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// SIGKILLs the daemon if it still runs, and reaps it.
    func kill() {
        if process.isRunning { _ = Glibc.kill(pid, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Polls `condition` every `interval` seconds until it holds or `timeout` seconds have passed.
/// - Returns: whether it held. A bounded wait, not a timed assertion: the test then asserts the outcome.
@discardableResult
func eventually(timeout: Double = 20, interval: Double = 0.02, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: interval)
    }
}

/// What systemd listens on for `Type=notify`: a Unix datagram socket bound at a path in a temporary folder,
/// or at an abstract name (`@name`, whose address begins with a NUL byte). The daemon finds it through
/// `$NOTIFY_SOCKET`, set to `address`.
final class NotifySocket {
    let descriptor: Int32
    /// The value for `$NOTIFY_SOCKET`.
    let address: String
    private let path: String?
    /// Every datagram received so far, in order.
    private(set) var messages: [String] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Binds at `path` (a file system socket) or, with `abstract`, at the abstract name `path`.
    init(path: String, abstract: Bool = false) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let bytes = (abstract ? [0] : []) + Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: socketAddress.sun_path) else {
            close(descriptor)
            throw Failure(description: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        // A path is NUL-terminated; an abstract name is exactly its bytes.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw Failure(description: "bind \(path): \(reason)")
        }
        self.descriptor = descriptor
        self.path = abstract ? nil : path
        address = abstract ? "@" + path : path
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// Reads datagrams until one satisfies `predicate` or `timeout` seconds pass. - Returns: that one.
    func waitFor(timeout: Double = 20, _ predicate: (String) -> Bool) -> String? {
        if let earlier = messages.first(where: predicate) { return earlier }
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(max(1, min(250, deadline.timeIntervalSinceNow * 1000)))
            guard poll(&pollDescriptor, 1, milliseconds) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { continue }
            let message = String(decoding: buffer[0..<count], as: UTF8.self)
            messages.append(message)
            if predicate(message) { return message }
        }
        return nil
    }

    /// Waits for the daemon's `READY=1`. - Returns: that notification (it carries `STATUS=` too).
    func waitForReady(timeout: Double = 20) -> String? {
        waitFor(timeout: timeout) { $0.split(separator: "\n").contains("READY=1") }
    }
}

extension Workspace {
    /// Rewrites the configuration for a daemon test: debug logs (so `feed.changed` shows) and `extra`
    /// top-level keys; `channelKeys` are added to the file channel. With `stockFolder`, an inventory feed `stock`
    /// reads the folder `feeds/stock` (made here).
    func writeDaemonConfig(extra: String = "", channelKeys: String = "", stockFolder: Bool = false) throws {
        if stockFolder {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("feeds/stock"),
                                                    withIntermediateDirectories: true)
        }
        let stock = stockFolder ? #", { name: "stock", source: "../feeds/stock", kind: "inventory" }"# : ""
        try """
            {
              state_dir: "../state",
              log: { level: "debug" },
              feeds: [{ name: "products", source: "../feeds/products.csv", currency: "SEK", locale: "sv_SE" }\(stock)],
              channels: [{ name: "local", type: "file", path: "../out/local" \(channelKeys) }],
              \(extra)
            }
            """.write(to: config, atomically: true, encoding: .utf8)
    }

    /// The batch files the file channel wrote so far.
    func batchFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: channelFolder.path)) ?? []
        return names.filter { $0.hasPrefix("batch-") && $0.hasSuffix(".jsonl") }
    }

    /// Replaces the feed the way an export should: a temporary file in the same folder, renamed into place.
    func renameFeedIntoPlace(_ text: String) throws {
        let temporary = feed.deletingLastPathComponent().appendingPathComponent(".products.csv.partial")
        try Data(text.utf8).write(to: temporary)
        guard rename(temporary.path, feed.path) == 0 else {
            throw NotifySocket.Failure(description: "rename: \(String(cString: strerror(errno)))")
        }
    }

    /// Starts a daemon with a notify socket and waits for its `READY=1` (the first cycle has finished).
    func startDaemon(environment: [String: String] = [:]) throws -> (DaemonProcess, NotifySocket) {
        let name = "notify-\(UUID().uuidString.prefix(8)).sock"
        let socket = try NotifySocket(path: root.appendingPathComponent(name).path)
        var variables = environment
        variables["NOTIFY_SOCKET"] = socket.address
        let daemon = try DaemonProcess(self, environment: variables)
        guard socket.waitForReady() != nil else {
            daemon.kill()
            throw NotifySocket.Failure(description: "no READY=1 within 20 s; log:\n\(daemon.log)")
        }
        return (daemon, socket)
    }
}
