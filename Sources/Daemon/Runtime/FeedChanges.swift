import Foundation

/// The feeds whose files changed since a cycle last started reading them, for the daemon's cycles to give way to.
/// The file watcher's thread notes a change before it hands the event on; a cycle takes the changes to the feeds it
/// reads when it starts. A change to another feed stays noted while the cycle runs, even one noted just before it
/// started, and its event starts the cycle that takes it.
final class FeedChanges: @unchecked Sendable {
    private let lock = NSLock()
    private var feeds: [FeedConfig]
    private var waitingKinds: [String: FeedKind] = [:]

    init(_ feeds: [FeedConfig]) { self.feeds = feeds }

    /// A new configuration: its feeds are matched from now on, and every feed is read again, so nothing waits.
    func set(_ feeds: [FeedConfig]) {
        lock.withLock {
            self.feeds = feeds
            waitingKinds = [:]
        }
    }

    /// Notes a change to `url` for every feed that reads it (`Service.feed(_:covers:)`); a file no feed reads is
    /// no change: no cycle would read it.
    func note(_ url: URL) {
        lock.withLock {
            for feed in feeds where Service.feed(feed, covers: url) { waitingKinds[feed.name] = feed.kind }
        }
    }

    /// A cycle that reads `names` (`nil`: every feed) starts: it reads their changes.
    func take(_ names: Set<String>?) {
        lock.withLock {
            guard let names else { return waitingKinds = [:] }
            for name in names { waitingKinds[name] = nil }
        }
    }

    /// The feeds with a change waiting.
    var waiting: Set<String> { lock.withLock { Set(waitingKinds.keys) } }

    var anyWaiting: Bool { lock.withLock { !waitingKinds.isEmpty } }

    var inventoryWaiting: Bool { lock.withLock { waitingKinds.values.contains(.inventory) } }
}
