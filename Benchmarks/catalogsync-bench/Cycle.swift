import Foundation

/// Deltas the file channel received, by operation.
struct DeltaCounts: Equatable {
    var create = 0
    var update = 0
    var delete = 0

    func matches(_ expected: ExpectedDiff) -> Bool {
        create == expected.created && update == expected.updated && delete == expected.deleted
    }

    var text: String { "\(create)/\(update)/\(delete)" }
}

/// Runs catalogsync's cycle (`sync --once`) as a child process on a state and file channel in the work folder.
struct Cycle {
    let binary: URL
    /// `WORK/run-FORMAT-SKUS`: `state/`, `out/`, the configurations, and `seed/` (the state after generation 1).
    let folder: URL
    let logs: URL

    var state: URL { folder.appendingPathComponent("state") }
    var out: URL { folder.appendingPathComponent("out") }
    var seed: URL { folder.appendingPathComponent("seed") }

    /// Forgets the seeded state of an earlier bench run (it may come from another build).
    func reset() throws {
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// One timed `sync --once` of `feed`, starting from an empty state (`cold`) or from the seed.
    ///
    /// The channel folder is emptied first, so what is in it afterwards is what this cycle pushed.
    func run(_ testCase: Case, feed: URL, seedFeed: URL, label: String) throws -> (ChildRun, DeltaCounts) {
        let manager = FileManager.default
        try? manager.removeItem(at: state)
        if testCase != .cold {
            if !manager.fileExists(atPath: seed.path) { try makeSeed(from: seedFeed, label: label) }
            try manager.copyItem(at: seed, to: state)
            try flush(state)
        }
        // After seeding: the seed's own batch files must not count as this cycle's.
        try? manager.removeItem(at: out)
        try manager.createDirectory(at: out, withIntermediateDirectories: true)
        readIntoPageCache(feed)
        let run = try sync(feed: feed, label: "\(label)-\(testCase.rawValue)")
        let counts = try countDeltas()
        if testCase == .cold && !manager.fileExists(atPath: seed.path) && run.exitStatus <= 1 {
            try manager.copyItem(at: state, to: seed)
        }
        return (run, counts)
    }

    /// Writes the copied state to disk before the timed cycle: otherwise the cycle's first checkpoint
    /// `fdatasync`s the whole fresh copy (2.3 s of a 1M-SKU cycle), which a daemon's state never is.
    private func flush(_ folder: URL) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let handle = try FileHandle(forUpdating: folder.appendingPathComponent(name))
            try handle.synchronize()
            try handle.close()
        }
    }

    /// Syncs generation 1 into an empty state, untimed, and keeps the state as the seed.
    private func makeSeed(from feed: URL, label: String) throws {
        progress("seeding \(folder.lastPathComponent) with \(feed.lastPathComponent) (untimed)")
        try? FileManager.default.removeItem(at: state)
        let run = try sync(feed: feed, label: "\(label)-seed")
        guard run.exitStatus <= 1 else { throw SpawnError(description: "seeding failed (exit \(run.exitStatus))") }
        try FileManager.default.copyItem(at: state, to: seed)
        try? FileManager.default.removeItem(at: state)
    }

    private func sync(feed: URL, label: String) throws -> ChildRun {
        let config = folder.appendingPathComponent("catalogsync.json")
        try configuration(feed: feed).write(to: config, atomically: true, encoding: .utf8)
        let log = logs.appendingPathComponent(label)
        let run = try runChild(
            [binary.path, "sync", "--once", "--config", config.path],
            stdout: URL(fileURLWithPath: log.path + ".out"),
            stderr: URL(fileURLWithPath: log.path + ".err"))
        if run.exitStatus > 1 {
            throw SpawnError(description: "catalogsync exited with \(run.exitStatus); see \(log.path).err")
        }
        return run
    }

    /// A configuration like config/catalogsync.json: one Google-profile feed, one file channel.
    ///
    /// genfeed writes every amount with its currency ("55.95 EUR"); `currency` only covers bare amounts.
    func configuration(feed: URL) -> String {
        """
        // Written by catalogsync-bench.
        {
          state_dir: \(quoted(state.path)),
          log: { format: "logfmt", level: "info" },
          feeds: [
            {
              name: "products",
              source: \(quoted(feed.path)),
              format: "auto",
              profile: "google",
              kind: "primary",
              currency: "SEK",
              locale: "en_US",
              encoding: "auto",
              guards: { min_items: 1 },
            },
          ],
          channels: [
            { name: "bench", type: "file", path: \(quoted(out.path)) },
          ],
        }

        """
    }

    /// The phases of the last cycle from its log's time stamps: ingest (sync.started → feed.ingested),
    /// reconcile (→ the last reconcile.enqueued) and push (→ sync.finished).
    func phases(label: String, testCase: Case) -> [String: Double] {
        let file = logs.appendingPathComponent("\(label)-\(testCase.rawValue).err")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [:] }
        var times: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let ts = fields.first(where: { $0.hasPrefix("ts=") }),
                let event = fields.first(where: { $0.hasPrefix("event=") }),
                let seconds = Self.secondsOfDay(ts.dropFirst(3))
            else { continue }
            let name = String(event.dropFirst(6))
            if name == "reconcile.enqueued" || times[name] == nil { times[name] = seconds }
        }
        guard let start = times["sync.started"], let end = times["sync.finished"] else { return [:] }
        func since(_ a: Double, _ b: Double) -> Double { rounded(b >= a ? b - a : b + 86_400 - a, 3) }
        let ingested = times["feed.ingested"] ?? times["feed.rejected"] ?? start
        let reconciled = times["reconcile.enqueued"] ?? ingested
        return [
            "ingest": since(start, ingested), "reconcile": since(ingested, reconciled),
            "push": since(reconciled, end),
        ]
    }

    /// `2026-11-22T23:42:10.670Z` → seconds since midnight (UTC).
    static func secondsOfDay(_ stamp: Substring) -> Double? {
        guard let t = stamp.firstIndex(of: "T") else { return nil }
        let parts = stamp[stamp.index(after: t)...].dropLast(stamp.hasSuffix("Z") ? 1 : 0).split(separator: ":")
        guard parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let s = Double(parts[2]) else {
            return nil
        }
        return h * 3600 + m * 60 + s
    }

    /// Counts the lines of the channel's batch files by their `op`.
    func countDeltas() throws -> DeltaCounts {
        var counts = DeltaCounts()
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".jsonl") }
        let prefix = Array("{\"op\":\"".utf8)
        for name in files {
            let bytes = [UInt8](try Data(contentsOf: out.appendingPathComponent(name)))
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                if end - start > prefix.count, bytes[start..<start + prefix.count].elementsEqual(prefix) {
                    switch bytes[start + prefix.count] {
                    case UInt8(ascii: "c"): counts.create += 1
                    case UInt8(ascii: "u"): counts.update += 1
                    case UInt8(ascii: "d"): counts.delete += 1
                    default: break
                    }
                }
                start = end + 1
            }
        }
        return counts
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
