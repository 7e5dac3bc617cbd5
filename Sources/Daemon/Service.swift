#if canImport(Glibc)
import Glibc
#endif
public import Foundation
import Store

/// `catalogsync run`: the long-running daemon.
///
/// One loop, one writer: events (a feed file written, a feed's poll time, a control request, a signal)
/// arrive on one stream and are handled one at a time. Feeds in local folders are watched with inotify
/// (debounced); every feed is also re-read every `poll` (default 5m). A feed file that changes while a cycle
/// pushes ends that push after the batch in flight: the cycle that reads the change pushes the rest, most urgent
/// first. An inventory feed's file that changes while a cycle reads a primary feed (or reconciles what it read)
/// makes that cycle give way: it is rolled back, the inventory feed's cycle goes first, then the primary feed is
/// read again (at most `maxGiveWays` times in a row). Pending deltas are retried with backoff. SIGTERM/SIGINT:
/// stop after the batch in flight, exit 0; a second signal exits at once.
/// SIGHUP: reload the configuration; a broken one is rejected and the old one keeps running.
public final class Service {
    private var config: Config
    private let configURL: URL
    private var logger: Logger
    private let store: CatalogStore
    private let lock: StateLock
    private let notifier = SystemdNotifier()
    private let stopFlag = Flag()
    /// The feeds whose files changed since a cycle last started reading them, noted by the watcher's thread before
    /// it hands the change's event on. While any waits, a cycle's push ends after its batch in flight, and the cycle
    /// that the change's event starts next reads it and pushes what is left, most urgent first: a stock drop does
    /// not wait for the rest of a large generation's deltas. While an inventory feed's change waits, a cycle reading
    /// a primary feed gives way (`SyncOptions.shouldGiveWay`): nor does it wait for a large generation's ingest.
    private let changes: FeedChanges
    /// Cycles reading a primary feed that gave way since one of them last ran to the end.
    private var giveWays = 0
    /// Remote feeds' downloads from cycles that gave way, until a cycle reads them.
    private var keptDownloads: [String: SyncJob.KeptDownload] = [:]
    private var counters = MetricsWriter.Counters()
    private var nextRead: [String: Date] = [:]
    private var dirtyFeeds: Set<String> = []
    private var dirtySince: Date?
    private var pushBackoffUntil: Date?
    /// When each channel with a `verify` interval is verified next.
    private var nextVerify: [String: Date] = [:]
    /// When a sale window opens or closes next on a channel that takes no sale dates.
    private var nextSaleBoundary: Date?
    private var pushFailures = 0

    /// How long to wait after a feed file changes before reading it: the events come when a writer closes
    /// the file or renames it into place, so this only gathers the events of one burst (several files).
    static let debounceSeconds = 0.02
    static let defaultPollSeconds = 300.0
    /// How many times in a row a cycle reading a primary feed gives way before it runs to the end regardless: each
    /// time throws away its work so far, and inventory changes coming often would otherwise hold it back forever.
    static let maxGiveWays = 3

    /// Takes the state lock and opens the state. - Throws: `StateLockError` when another daemon runs.
    public init(config: Config, configURL: URL) throws {
        self.config = config
        self.configURL = configURL
        logger = Logger(format: config.logFormat, minimumLevel: config.logLevel)
        changes = FeedChanges(config.feeds)
        lock = try StateLock(directory: config.stateDirectory, owner: "daemon")
        store = try CatalogStore(directory: config.stateDirectory)
    }

    /// Runs until SIGTERM or SIGINT. - Returns: the exit status.
    public func run() async -> Int32 {
        let signals = SignalWatcher()
        let (events, continuation) = AsyncStream.makeStream(of: ServiceEvent.self)
        let watcher: FileWatcher
        do {
            watcher = try FileWatcher()
            try watchFeedFolders(watcher)
        } catch {
            logger.error("daemon.failed", ["error": "\(error)"])
            return ExitStatus.couldNotRun
        }
        watcher.start()
        let (stopFlag, changes) = (self.stopFlag, self.changes)
        let tickGate = Flag()
        let forwarders = [
            Task {
                for await event in signals.events {
                    if case .terminate = event, stopFlag.isSet {
                        // A second signal: exit at once. Committed state is durable; an open transaction rolls back.
                        Logger.standardError("catalogsync: second signal, exiting now")
                        exit(ExitStatus.success)
                    }
                    if case .terminate = event { stopFlag.set() }
                    continuation.yield(.signal(event))
                }
            },
            Task {
                for await url in watcher.changes {
                    changes.note(url)  // before the event: a cycle may be running
                    continuation.yield(.fileChanged(url))
                }
            },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 250_000_000)
                    // At most one tick waits in the stream, however long a cycle takes.
                    if tickGate.close() { continuation.yield(.tick) }
                }
            },
        ]
        defer {
            forwarders.forEach { $0.cancel() }
            watcher.stop()
        }
        logger.info("daemon.started", ["config": configURL.path, "pid": getpid(), "feeds": config.feeds.count,
                                       "channels": config.channels.count])
        await cycle(feeds: nil, reason: "start")
        notifier.ready(status: "serving: \(config.feeds.count) feeds, \(config.channels.count) channels")
        var lastWatchdog = Date.distantPast
        let watchdogInterval = SystemdNotifier.watchdogInterval()
        for await event in events {
            switch event {
            case .signal(.terminate(let number)):
                notifier.stopping(status: "stopping on signal \(number)")
                logger.info("daemon.stopping", ["signal": number])
                try? writeMetrics()
                logger.info("daemon.stopped", [:])
                return ExitStatus.success
            case .signal(.reload):
                reload(watcher: watcher)
            case .fileChanged(let url):
                for feed in config.feeds where Self.feed(feed, covers: url) {
                    logger.debug("feed.changed", ["feed": feed.name, "file": url.lastPathComponent])
                    dirtyFeeds.insert(feed.name)
                    dirtySince = Date()
                }
                // Read it now rather than at the next tick (up to 0.25 s away): stock reaches channels sooner.
                if dirtySince != nil {
                    try? await Task.sleep(nanoseconds: UInt64(Self.debounceSeconds * 1e9))
                    await handleTick(now: Date())
                }
            case .tick:
                tickGate.open()
                let now = Date()
                if let interval = watchdogInterval, now.timeIntervalSince(lastWatchdog) >= interval {
                    notifier.watchdog()
                    lastWatchdog = now
                }
                await handleTick(now: now)
            }
        }
        return ExitStatus.success
    }

    private func handleTick(now: Date) async {
        if let request = try? store.nextPendingRequest() {
            await handle(request)
            return
        }
        if let since = dirtySince, now.timeIntervalSince(since) >= Self.debounceSeconds {
            let feeds = dirtyFeeds
            dirtyFeeds = []
            dirtySince = nil
            // Stock first: an inventory feed's cycle takes milliseconds, a primary feed's may take seconds.
            let inventory = Set(config.feeds.filter { $0.kind == .inventory && feeds.contains($0.name) }.map(\.name))
            if !inventory.isEmpty && inventory.count < feeds.count {
                await cycle(feeds: inventory, reason: "file_changed")
                await cycle(feeds: feeds.subtracting(inventory), reason: "file_changed")
            } else {
                await cycle(feeds: feeds, reason: "file_changed")
            }
            return
        }
        let due = Set(config.feeds.filter { (nextRead[$0.name] ?? .distantFuture) <= now }.map(\.name))
        if !due.isEmpty {
            await cycle(feeds: due, reason: "poll")
            return
        }
        for channel in config.channels {
            guard let interval = channel.verifySeconds else { continue }
            let due = nextVerify[channel.name] ?? now.addingTimeInterval(interval)
            nextVerify[channel.name] = due
            guard due <= now else { continue }
            nextVerify[channel.name] = now.addingTimeInterval(interval)
            await verify(channel)
            return
        }
        if let boundary = nextSaleBoundary, boundary <= now {
            nextSaleBoundary = nil
            await cycle(feeds: [], reason: "sale_window")
            return
        }
        if let until = pushBackoffUntil, until <= now {
            pushBackoffUntil = nil
            await cycle(feeds: [], reason: "retry_push")
        }
    }

    /// One pass: read `feeds` (nil: all), reconcile, push. Never throws: failures are logged and retried.
    /// - Parameter yields: whether the push gives way to a feed change that arrives meanwhile, and the ingest and
    ///   reconcile of a primary feed to an inventory feed's change (the cycle is rolled back and its feeds are read
    ///   again after that change's cycle); not for a command's run, which reports what it did.
    @discardableResult
    private func cycle(feeds: Set<String>?, reason: String, repushEverything: Bool = false,
                       ignoreGuards: Bool = false, yields: Bool = true) async -> SyncSummary? {
        notifier.status("syncing (\(reason))")
        let started = Date()
        var options = SyncOptions(feeds: feeds, repushEverything: repushEverything, ignoreGuards: ignoreGuards)
        options.refetch = reason == "resync"
        let (stopFlag, changes) = (self.stopFlag, self.changes)
        options.shouldStop = { stopFlag.isSet }
        // This cycle reads the changes noted so far to its feeds; those to other feeds wait for the next.
        changes.take(feeds)
        if yields { options.shouldYield = { changes.anyWaiting } }
        let readsPrimary = config.feeds.contains { $0.kind == .primary && (feeds?.contains($0.name) ?? true) }
        for name in keptDownloads.keys where feeds?.contains(name) ?? true {
            options.keptDownloads[name] = keptDownloads.removeValue(forKey: name)
        }
        if yields && readsPrimary && giveWays < Self.maxGiveWays {
            options.shouldGiveWay = { changes.inventoryWaiting }
        }
        do {
            let summary = try await SyncJob(config: config, store: store, logger: logger).run(now: started, options: options)
            for feed in config.feeds where feeds?.contains(feed.name) ?? true {
                nextRead[feed.name] = started.addingTimeInterval(feed.pollSeconds ?? Self.defaultPollSeconds)
            }
            counters.cycles += 1
            if readsPrimary { giveWays = 0 }
            nextSaleBoundary = summary.channels.compactMap(\.nextChange).min()
            var failed = false
            for channel in summary.channels {
                counters.pushed[channel.name, default: 0] += channel.pushed.values.reduce(0, +)
                counters.rejected[channel.name, default: 0] += channel.rejected.count
                var latencies = (counters.latencies[channel.name] ?? []) + channel.latencies
                if latencies.count > 1_000 { latencies.removeFirst(latencies.count - 1_000) }
                counters.latencies[channel.name] = latencies
                if channel.pushError != nil {
                    counters.pushFailures[channel.name, default: 0] += 1
                    failed = true
                }
            }
            if failed {
                pushFailures += 1
                let delay = min(300, pow(2, Double(min(pushFailures, 8)))) * Double.random(in: 0.5...1)
                pushBackoffUntil = Date().addingTimeInterval(delay)
                logger.warning("push.retry_scheduled", ["in_seconds": Int(delay)])
            } else {
                pushFailures = 0
            }
            try store.recordRun(kind: "cycle:\(reason)", startedAt: CatalogStore.timestamp(started),
                                endedAt: CatalogStore.timestamp(Date()),
                                outcome: summary.exitStatus == ExitStatus.success ? "ok" : "data_problems",
                                stats: SyncSummary.statsLine(summary))
            try writeMetrics()
            logger.info("cycle.finished", ["reason": reason, "seconds": String(format: "%.3f", -started.timeIntervalSinceNow)])
            notifier.status("idle: last cycle \(reason) at \(CatalogStore.timestamp(Date()))")
            return summary
        } catch let gaveWay as SyncGaveWay {
            // Rolled back: the inventory feeds' changes are read first (`handleTick`), then its feeds again, from the
            // downloads it made.
            giveWays += 1
            keptDownloads.merge(gaveWay.downloads) { $1 }
            let again = feeds ?? Set(config.feeds.map(\.name))
            dirtyFeeds.formUnion(again.union(changes.waiting))
            dirtySince = dirtySince ?? Date()
            logger.info("cycle.gave_way", ["reason": reason, "feeds": again.sorted().joined(separator: ","),
                                           "times": giveWays,
                                           "seconds": String(format: "%.3f", -started.timeIntervalSinceNow)])
            return nil
        } catch {
            if readsPrimary { giveWays = 0 }
            // Back off: the feeds are not read again, nor pushes tried, until the delay has passed.
            pushFailures += 1
            let delay = min(300, 5 * pow(2, Double(min(pushFailures, 6))))
            for feed in config.feeds where feeds?.contains(feed.name) ?? true {
                nextRead[feed.name] = Date().addingTimeInterval(delay)
            }
            pushBackoffUntil = Date().addingTimeInterval(delay)
            logger.error("cycle.failed", ["reason": reason, "error": "\(error)", "retry_in_seconds": Int(delay)])
            return nil
        }
    }

    /// Verifies one channel and, when it found drift, reconciles at once so the repair goes out.
    private func verify(_ channel: ChannelConfig) async {
        notifier.status("verifying \(channel.name)")
        do {
            let report = try await Verifier(config: config, store: store, logger: logger).verify(channel)
            counters.mismatches[channel.name, default: 0] += report.mismatches.count + report.missing.count
            if !report.mismatches.isEmpty || !report.missing.isEmpty { await cycle(feeds: [], reason: "repair") }
        } catch {
            logger.error("verify.failed", ["channel": channel.name, "error": "\(error)"])
        }
    }

    /// Carries out a command handed over by `sync --once`, `resync --full` or `approve`.
    private func handle(_ request: ControlRequest) async {
        let time = CatalogStore.timestamp(Date())
        try? store.updateRequest(id: request.id, state: "running", result: nil, at: time)
        logger.info("request.started", ["id": request.id, "kind": request.kind, "args": request.arguments])
        let words = Set(request.arguments.split(separator: " ").map(String.init))
        var status = ExitStatus.success
        var text = ""
        switch request.kind {
        case "sync", "resync":
            var prepared: (lines: [String], held: Bool) = ([], false)
            if request.kind == "resync" {
                do {
                    prepared = try await FullResync(config: config, store: store, logger: logger)
                        .prepare(force: words.contains("force"))
                } catch {
                    logger.error("cycle.failed", ["reason": "resync", "error": "\(error)"])
                }
            }
            // `sync --force` ignores the guards; `resync --full --force` re-sends everything.
            if let summary = await cycle(feeds: nil, reason: request.kind,
                                         repushEverything: request.kind == "resync" && words.contains("force"),
                                         ignoreGuards: request.kind == "sync" && words.contains("force"),
                                         yields: false) {
                status = prepared.held ? max(summary.exitStatus, ExitStatus.dataProblems) : summary.exitStatus
                text = ([SyncSummary.render(summary)] + prepared.lines).joined(separator: "\n")
                if request.kind == "resync" { logger.info("resync.done", ["status": status]) }
            } else {
                status = ExitStatus.couldNotRun
                text = "the daemon could not complete the run; see its log (event=cycle.failed)"
            }
        default:
            status = ExitStatus.usage
            text = "unknown request \(request.kind)"
        }
        try? store.updateRequest(id: request.id, state: "done", result: "\(status)\n\(text)",
                                 at: CatalogStore.timestamp(Date()))
        logger.info("request.finished", ["id": request.id, "kind": request.kind, "status": status])
    }

    private func reload(watcher: FileWatcher) {
        notifier.reloading()
        do {
            let fresh = try Config.load(from: configURL)
            // Compare paths, not URLs: a URL made once the folder exists ends in "/" (`state/`), one made
            // before it existed does not, and the two URLs are then unequal.
            guard fresh.stateDirectory.standardizedFileURL.path == config.stateDirectory.standardizedFileURL.path else {
                throw ConfigError(file: configURL.path, key: "state_dir", message: "cannot change while running",
                                  hint: "restart the service to move the state")
            }
            config = fresh
            changes.set(fresh.feeds)  // every feed is read again
            keptDownloads = [:]  // and fetched again: a source may have changed
            logger = Logger(format: fresh.logFormat, minimumLevel: fresh.logLevel)
            try watchFeedFolders(watcher)
            nextRead = [:]
            dirtyFeeds = Set(fresh.feeds.map(\.name))
            dirtySince = Date()
            logger.info("config.reloaded", ["feeds": fresh.feeds.count, "channels": fresh.channels.count])
        } catch {
            logger.error("config.rejected", ["error": "\(error)", "action": "keeping the running configuration"])
        }
        notifier.ready(status: "serving: \(config.feeds.count) feeds, \(config.channels.count) channels")
    }

    private func watchFeedFolders(_ watcher: FileWatcher) throws {
        for feed in config.feeds where !feed.isRemote {  // http(s) feeds are polled instead
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: feed.sourceURL.path, isDirectory: &isDirectory)
            let folder = exists && isDirectory.boolValue ? feed.sourceURL : feed.sourceURL.deletingLastPathComponent()
            try watcher.watch(folder: folder)
        }
    }

    /// Whether a change to `url` concerns `feed`: its file, or any file in its folder.
    static func feed(_ feed: FeedConfig, covers url: URL) -> Bool {
        let source = feed.sourceURL.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path == source || url.deletingLastPathComponent().standardizedFileURL.path == source
    }

    private func writeMetrics() throws {
        guard let file = config.metricsTextfile else { return }
        try MetricsWriter(file: file).write(config: config, store: store, counters: counters, now: Date())
    }
}

enum ServiceEvent: Sendable {
    case signal(SignalWatcher.Event)
    case fileChanged(URL)
    case tick
}

/// A thread-safe boolean: the first SIGTERM sets the stop flag, read by the push loop between batches.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
    func open() { lock.withLock { value = false } }
    /// Sets the flag. - Returns: whether it was clear before.
    func close() -> Bool { lock.withLock { defer { value = true }; return !value } }
}
