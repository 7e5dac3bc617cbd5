import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A throw-away merchant setup: a config, a feed file, state and a file channel in a temporary folder,
/// and the real `catalogsync` binary to run against it.
final class Workspace {
    let root: URL
    var feed: URL { root.appendingPathComponent("feeds/products.csv") }
    var channelFolder: URL { root.appendingPathComponent("out/local") }
    var config: URL { root.appendingPathComponent("config/catalogsync.json") }

    init(feed text: String, extraFeedKeys: String = "") throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("catalogsync-it-\(UUID().uuidString)")
        for folder in ["feeds", "config"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder),
                                                    withIntermediateDirectories: true)
        }
        try writeFeed(text)
        try """
            {
              state_dir: "../state",
              feeds: [{ name: "products", source: "../feeds/products.csv", currency: "SEK", locale: "sv_SE" \(extraFeedKeys) }],
              channels: [{ name: "local", type: "file", path: "../out/local" }],
            }
            """.write(to: config, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func writeFeed(_ text: String) throws {
        try text.write(to: feed, atomically: true, encoding: .utf8)
    }

    /// Runs `catalogsync ARGS --config <this workspace's config>`.
    func run(_ arguments: [String]) throws -> RunResult {
        try Workspace.catalogsync(arguments + ["--config", config.path], in: root)
    }

    /// Every delta the file channel received, in order, as JSON objects.
    func deltas() throws -> [[String: Any]] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: channelFolder.path)) ?? []
        var result: [[String: Any]] = []
        for name in files.filter({ $0.hasSuffix(".jsonl") }).sorted() {
            let text = try String(contentsOf: channelFolder.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                result.append(try #require(object as? [String: Any]))
            }
        }
        return result
    }

    /// The built `catalogsync` executable, beside the test bundle in the build folder.
    static var binary: URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !folder.path.isEmpty, folder.path != "/" {
            let candidate = folder.appendingPathComponent("catalogsync")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/catalogsync")
    }

    static func catalogsync(_ arguments: [String], in folder: URL,
                            environment extra: [String: String] = [:]) throws -> RunResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["CATALOGSYNC_CONFIG"] = nil
        environment["CATALOGSYNC_FAILPOINT"] = nil
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a chatty child never blocks on a full pipe.
        // Drain stderr on another thread while stdout is read here, so neither pipe can fill and block the child.
        let errBox = ResultBox()
        let errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errBox.set(err.fileHandleForReading.readDataToEndOfFile(), nil)
            errDone.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        errDone.wait()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errBox.data ?? Data(), as: UTF8.self))
    }
}

extension Workspace {
    /// A blocking HTTP exchange for talking to the sandbox's control API from a test.
    static func fetch(_ request: URLRequest) throws -> Data {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, error in
            box.set(data, error)
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 30)
        if let error = box.error { throw error }
        return box.data ?? Data()
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var data: Data?
    private(set) var error: (any Error)?
    func set(_ data: Data?, _ error: (any Error)?) { lock.withLock { (self.data, self.error) = (data, error) } }
}

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A small feed in the Google column layout, with a quoted comma and a quoted newline.
func sampleFeed(quantityOfA2: Int = 3, extraRows: [String] = []) -> String {
    var rows = [
        "id,item_group_id,title,price,sale_price,availability,quantity,brand",
        "A1,G1,\"Dress, red\",199.00 SEK,,in_stock,5,Nordvik",
        "A2,G1,\"Dress,\nblue\",\"1 299,00 kr\",999.00 SEK,in_stock,\(quantityOfA2),Nordvik",
        "B1,,Scarf,99 SEK,,in_stock,0,Lumo",
    ]
    rows += extraRows
    return rows.joined(separator: "\n") + "\n"
}
