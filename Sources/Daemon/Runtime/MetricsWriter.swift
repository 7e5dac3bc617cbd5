#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Store

/// Writes the Prometheus textfile (node_exporter's textfile collector): built in memory, written to a
/// temporary file in the same folder and renamed over the old one, so a scrape never sees half a file.
struct MetricsWriter {
    let file: URL

    /// Counters kept across cycles by the running service.
    struct Counters {
        var pushed: [String: Int] = [:]
        var rejected: [String: Int] = [:]
        var pushFailures: [String: Int] = [:]
        var mismatches: [String: Int] = [:]
        var cycles = 0
        /// seen → confirmed, in seconds, of the deltas confirmed since start (the latest 1000 per channel).
        var latencies: [String: [Double]] = [:]
    }

    func write(config: Config, store: CatalogStore, counters: Counters, now: Date) throws {
        var lines: [String] = []
        func metric(_ name: String, _ help: String, _ type: String, _ samples: [(String, Double)]) {
            lines.append("# HELP catalogsync_\(name) \(help)")
            lines.append("# TYPE catalogsync_\(name) \(type)")
            for (labels, value) in samples {
                lines.append("catalogsync_\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(Self.format(value))")
            }
        }
        var items: [(String, Double)] = [], age: [(String, Double)] = [], rejectedFeed: [(String, Double)] = []
        for feed in config.feeds {
            let label = "feed=\"\(feed.name)\""
            let state = try store.feedState(feed.name)
            items.append((label, Double(state?.itemCount ?? 0)))
            rejectedFeed.append((label, state?.status == "ok" || state == nil ? 0 : 1))
            if let applied = state?.appliedAt, let date = CatalogStore.date(fromTimestamp: applied) {
                age.append((label, now.timeIntervalSince(date)))
            }
        }
        metric("feed_items", "Items of the feed's last applied generation.", "gauge", items)
        metric("feed_age_seconds", "Seconds since the feed's last generation was applied.", "gauge", age)
        metric("feed_rejected", "1 when the feed's latest generation was rejected or held.", "gauge", rejectedFeed)
        let pending = try store.pendingCounts(), parked = try store.rejectedCounts()
        func perChannel(_ values: [String: Int]) -> [(String, Double)] {
            config.channels.map { ("channel=\"\($0.name)\"", Double(values[$0.name] ?? 0)) }
        }
        metric("outbox_pending", "Deltas waiting to be pushed.", "gauge", perChannel(pending))
        metric("outbox_rejected", "Deltas parked after the platform rejected them.", "gauge", perChannel(parked))
        metric("pushed_total", "Deltas the channel acknowledged.", "counter", perChannel(counters.pushed))
        metric("push_failures_total", "Batches that could not be pushed.", "counter", perChannel(counters.pushFailures))
        metric("mismatches_total", "Fields the verifier found different on the channel.", "counter",
               perChannel(counters.mismatches))
        // The latency trail as a histogram: seconds from a change seen in a feed to the channel's confirmation.
        lines.append("# HELP catalogsync_delta_latency_seconds From a change seen in a feed to the channel's "
                     + "confirmation (the latest 1000 deltas per channel).")
        lines.append("# TYPE catalogsync_delta_latency_seconds histogram")
        for channel in config.channels {
            let values = counters.latencies[channel.name] ?? [], label = "channel=\"\(channel.name)\""
            for bound in Self.latencyBuckets {
                lines.append("catalogsync_delta_latency_seconds_bucket{\(label),le=\"\(Self.format(bound))\"} "
                             + "\(values.filter { $0 <= bound }.count)")
            }
            lines.append("catalogsync_delta_latency_seconds_bucket{\(label),le=\"+Inf\"} \(values.count)")
            lines.append("catalogsync_delta_latency_seconds_sum{\(label)} \(Self.format(values.reduce(0, +)))")
            lines.append("catalogsync_delta_latency_seconds_count{\(label)} \(values.count)")
        }
        metric("cycles_total", "Sync cycles run by this process.", "counter", [("", Double(counters.cycles))])
        metric("last_cycle_timestamp_seconds", "When the last cycle finished (Unix time).", "gauge",
               [("", now.timeIntervalSince1970)])
        let text = lines.joined(separator: "\n") + "\n"
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).tmp")
        try Data(text.utf8).write(to: temporary)
        guard rename(temporary.path, file.path) == 0 else {
            throw StateLockError(message: "cannot write \(file.path): \(String(cString: strerror(errno)))")
        }
    }

    static let latencyBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.6f", value)
    }
}
