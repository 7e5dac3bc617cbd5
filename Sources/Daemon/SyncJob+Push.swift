import Catalog
import Channels
import Foundation
import Store

extension SyncJob {
    /// Sends pending deltas in batches until none is left; each acknowledgement is committed before the next batch.
    ///
    /// While the channel has one batch, this thread reads the next one and records the answer for the one before:
    /// the store and the channel work at the same time. Batches still leave one at a time and in order, each only
    /// once the channel has answered for the one before and that answer lets the push go on. A push sends each
    /// delta at most once; what stays in the outbox is sent again by the next cycle. `shouldStop` is asked before
    /// each batch, `shouldYield` before each batch after the first (`report.yielded`).
    func push(_ channel: ChannelConfig, adapter: any ChannelAdapter, report: inout ChannelReport,
              shouldStop: () -> Bool = { false }, shouldYield: () -> Bool = { false }) async throws {
        let batchSize = min(channel.batchSize, adapter.maxBatchSize)
        let writer = adapter as? any ListingTextWriting  // copies the stored listing text: nothing to decode
        func read(after entries: [OutboxEntry]) throws -> [OutboxEntry] {
            try store.pendingDeltas(channel: channel.name, limit: batchSize, decodingValues: writer == nil,
                                    after: entries.last?.position)
        }
        func send(_ entries: [OutboxEntry]) -> (sentAt: String, answer: Task<PushResult, any Error>) {
            let batch = entries.map(\.delta)
            let sentAt = CatalogStore.timestamp(Date())
            guard let writer else { return (sentAt, Task { try await adapter.push(batch) }) }
            let texts = entries.map(\.valuesText)
            return (sentAt, Task { try await writer.push(batch, valuesText: texts) })
        }
        guard !shouldStop() else { return }
        var entries = try read(after: [])
        guard !entries.isEmpty else { return }
        var sending = send(entries)
        while true {
            let upcoming: [OutboxEntry]
            do {
                upcoming = try read(after: entries)
            } catch {
                _ = try? await sending.answer.value  // not recorded: it stays in the outbox, sent again next cycle
                throw error
            }
            let result: PushResult
            do {
                result = try await sending.answer.value
            } catch {
                try recordFailure(error, of: entries.map(\.delta), sentAt: sending.sentAt, channel: channel.name,
                                  report: &report)
                return
            }
            // Sent but unconfirmed deltas stay in the outbox; stop here so they are not re-sent at once —
            // the next cycle sends them again (absolute values: a repeat is harmless).
            let goesOn = result.pending.isEmpty && !(result.acknowledged.isEmpty && result.rejected.isEmpty)
                && !upcoming.isEmpty && !shouldStop()
            let yields = goesOn && shouldYield()
            let next = goesOn && !yields ? send(upcoming) : nil
            do {
                try record(result, of: entries, sentAt: sending.sentAt, channel: channel.name, report: &report)
            } catch {
                if let next { _ = try? await next.answer.value }
                throw error
            }
            guard let next else {
                report.yielded = yields
                if !result.pending.isEmpty {
                    report.pushError = "\(result.pending.count) deltas sent but not confirmed yet; retried next cycle"
                }
                return
            }
            entries = upcoming
            sending = next
        }
    }

    /// Records a batch the channel could not take: every delta is marked sent and retried later.
    private func recordFailure(_ error: any Error, of batch: [Delta], sentAt: String, channel: String,
                               report: inout ChannelReport) throws {
        report.pushError = "\(error)"
        logger.error("push.failed", ["channel": channel, "deltas": batch.count, "error": "\(error)"])
        var wait = 30.0
        if let channelError = error as? ChannelError, case .retry(let after?) = channelError.disposition {
            wait = after
        }
        try store.transaction {
            try store.markSent(batch, at: sentAt)
            try store.markRetry(batch, nextAttemptAt: CatalogStore.timestamp(Date().addingTimeInterval(wait)),
                                error: "\(error)")
        }
    }

    /// Records the channel's answer for the batch read as `entries`, in one transaction, and reports it.
    private func record(_ result: PushResult, of entries: [OutboxEntry], sentAt: String, channel: String,
                        report: inout ChannelReport) throws {
        let confirmed = Date()
        let time = CatalogStore.timestamp(confirmed)
        // An acknowledged delta's row goes and a rejection counts its attempt: only the rest (unconfirmed)
        // are marked sent. One SKU has at most one delta in a batch.
        let settled = Set((result.acknowledged + result.rejected.map(\.delta)).map(\.sku))
        try store.transaction {
            try store.acknowledge(result.acknowledged, sentFrom: entries, at: time)
            for rejection in result.rejected { try store.reject(rejection.delta, message: rejection.message) }
            try store.markSent(entries.map(\.delta).filter { !settled.contains($0.sku) }, at: sentAt)
        }
        for delta in result.acknowledged { report.pushed[delta.operation, default: 0] += 1 }
        let seen = Dictionary(entries.map { ($0.delta.sku, $0.seenAt) }, uniquingKeysWith: { a, _ in a })
        var seenDates: [String: Date?] = [:]  // a reconcile stamps all its deltas alike: parse each stamp once
        let latencies = result.acknowledged.compactMap { delta -> Double? in
            guard let stamp = seen[delta.sku] else { return nil }
            if seenDates[stamp] == nil { seenDates[stamp] = CatalogStore.date(fromTimestamp: stamp) }
            return seenDates[stamp]!.map { confirmed.timeIntervalSince($0) }
        }
        if report.latencies.count < 10_000 { report.latencies += latencies.prefix(10_000 - report.latencies.count) }
        for pending in result.pending {
            logger.warning("push.unconfirmed", ["channel": channel, "sku": pending.delta.sku,
                                                "version": pending.delta.version, "reason": pending.message])
        }
        for rejection in result.rejected {
            report.rejected.append("\(rejection.delta.sku): \(rejection.message)")
            try store.recordAlert(at: time, event: "push.item_rejected", channel: channel,
                                  sku: rejection.delta.sku, message: rejection.message)
            logger.warning("push.item_rejected", ["channel": channel, "sku": rejection.delta.sku,
                                                  "reason": rejection.message])
        }
        logger.info("push.batch", ["channel": channel, "sent": entries.count,
                                   "acked": result.acknowledged.count, "rejected": result.rejected.count,
                                   "seen_to_confirmed_ms_max": Int((latencies.max() ?? 0) * 1000)])
    }
}
