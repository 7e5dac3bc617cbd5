import Daemon
import Foundation
import Store

/// Hands a command's work to the running daemon through the `requests` table and waits for its outcome.
///
/// - Returns: the exit status the daemon reported, after printing its summary.
func handOffToDaemon(_ config: Config, kind: String, arguments: String, waitSeconds: Double) async throws -> Int32 {
    let store = try CatalogStore(directory: config.stateDirectory)
    let id = try store.enqueueRequest(kind: kind, arguments: arguments, at: CatalogStore.timestamp(Date()))
    fail("a catalogsync daemon is running; handed the \(kind) to it (request \(id)), waiting for its outcome")
    let deadline = Date().addingTimeInterval(waitSeconds)
    while Date() < deadline {
        if let request = try store.request(id: id), request.state == "done", let result = request.result {
            let parts = result.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count > 1 { print(parts[1]) }
            return Int32(parts.first ?? "3") ?? ExitStatus.couldNotRun
        }
        try await Task.sleep(nanoseconds: 200_000_000)
    }
    fail("the daemon did not finish request \(id) within \(Int(waitSeconds)) s; it stays queued")
    return ExitStatus.couldNotRun
}
