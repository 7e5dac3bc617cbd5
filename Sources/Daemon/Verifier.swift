import Catalog
import Channels
public import Foundation
public import Store

/// What one verification of one channel found.
public struct VerifyReport: Sendable {
    public var channel: String
    public var checked = 0
    /// One entry per differing field: `sku field expected actual`.
    public var mismatches: [(sku: String, field: String, expected: String, actual: String)] = []
    /// SKUs the channel should have and does not.
    public var missing: [String] = []
    /// SKUs the channel has that we never listed there (orphans: reported, not deleted).
    public var orphans: [String] = []
    /// Why the channel could not be verified (no listing API, a failed request).
    public var skipped: String?
}

/// Compares each channel's real listing with what it acknowledged; logs one `event=mismatch` line per
/// differing field and records the real state, so the next reconcile enqueues the repair.
public struct Verifier {
    /// The fields compared: what every platform's listing gives back reliably.
    static let comparedFields = ["price", "sale_price", "availability", "quantity", "title", "link"]

    public let config: Config
    public let store: CatalogStore
    public let logger: Logger

    public init(config: Config, store: CatalogStore, logger: Logger) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    public func verify(_ channel: ChannelConfig, now: Date = Date()) async throws -> VerifyReport {
        var report = VerifyReport(channel: channel.name)
        let adapter: any ChannelAdapter
        do {
            adapter = try SyncJob(config: config, store: store, logger: logger).makeAdapter(channel)
        } catch {
            report.skipped = error.message
            return report
        }
        guard let fetcher = adapter as? any ListingFetcher else {
            report.skipped = "a \(channel.type.rawValue) channel has no listing to compare"
            return report
        }
        let expected = try store.ackedListings(channel: channel.name)
        let actual: [String: Listing]
        do {
            actual = try await fetcher.fetchListings(skus: expected.keys.sorted())
        } catch {
            report.skipped = "\(error)"
            logger.error("verify.failed", ["channel": channel.name, "error": "\(error)"])
            return report
        }
        let time = CatalogStore.timestamp(now)
        try store.transaction {
            for (sku, text) in expected.sorted(by: { $0.key < $1.key }) {
                report.checked += 1
                guard let want = Listing(jsonText: text) else { continue }
                guard let have = actual[sku] else {
                    report.missing.append(sku)
                    logger.warning("mismatch", ["channel": channel.name, "sku": sku, "field": "presence",
                                                "expected": "listed", "actual": "missing"])
                    try store.recordDrift(channel: channel.name, sku: sku, actualText: nil)
                    continue
                }
                var differs = false
                for field in Self.comparedFields where have[field] != nil || field == "sale_price" {
                    let expectedValue = want[field]?.description ?? "", actualValue = have[field]?.description ?? ""
                    guard expectedValue != actualValue, have[field] != nil || !expectedValue.isEmpty else { continue }
                    // Only fields the platform reports back can be judged (Pinterest has no quantity).
                    if have[field] == nil && field != "sale_price" { continue }
                    differs = true
                    report.mismatches.append((sku, field, expectedValue, actualValue))
                    logger.warning("mismatch", ["channel": channel.name, "sku": sku, "field": field,
                                                "expected": expectedValue, "actual": actualValue])
                }
                if differs {
                    var repaired = want
                    for field in Self.comparedFields { repaired[field] = have[field] }
                    try store.recordDrift(channel: channel.name, sku: sku, actualText: repaired.jsonText)
                    try store.recordAlert(at: time, event: "mismatch", channel: channel.name, sku: sku,
                                          message: "differs from what it was told; repair enqueued")
                }
            }
            if fetcher.listsWholeCatalog {
                report.orphans = actual.keys.filter { expected[$0] == nil }.sorted()
                for sku in report.orphans.prefix(100) {
                    logger.warning("orphan", ["channel": channel.name, "sku": sku])
                }
            }
        }
        logger.info("verify.done", ["channel": channel.name, "checked": report.checked,
                                    "mismatches": report.mismatches.count, "missing": report.missing.count,
                                    "orphans": report.orphans.count])
        return report
    }
}
