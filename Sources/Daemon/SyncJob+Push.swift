import Catalog
import Channels
import Foundation
import Store

extension SyncJob {
    /// Sends pending deltas in batches until none is left; each acknowledgement is committed before the next batch.
    ///
    /// While the channel has a batch, this thread reads the next one and records the answer for the one before:
    /// the store and the channel work at the same time. Batches leave in order, up to `batchesInFlight` of them at
    /// the channel at once (1 but for platforms that confirm a batch only when asked later); answers are recorded in
    /// the order the batches left, and a batch leaves only while every answer so far lets the push go on. Batches
    /// at the channel at once hold different SKUs (one outbox row per SKU). A push sends each delta at most once;
    /// what stays in the outbox is sent again by the next cycle. `shouldStop` is asked before each batch,
    /// `shouldYield` before each batch after the first (`report.yielded`).
    func push(_ channel: ChannelConfig, adapter: any ChannelAdapter, report: inout ChannelReport,
              shouldStop: () -> Bool = { false }, shouldYield: () -> Bool = { false }) async throws {
        let batchSize = min(channel.batchSize, adapter.maxBatchSize)
        let writer = adapter as? any ListingTextWriting  // copies the stored listing text: nothing to decode
        func read(after entries: [OutboxEntry]) throws -> [OutboxEntry] {
            try store.pendingDeltas(channel: channel.name, limit: batchSize, decodingValues: writer == nil,
                                    after: entries.last?.position)
        }
        func send(_ entries: [OutboxEntry]) -> Sending {
            let batch = entries.map(\.delta)
            let sentAt = CatalogStore.timestamp(Date())
            let texts = writer == nil ? [] : entries.map(\.valuesText)
            let answer = Task {
                if let writer { return try await writer.push(batch, valuesText: texts) }
                return try await adapter.push(batch)
            }
            return Sending(entries: entries, sentAt: sentAt, answer: answer)
        }
        guard !shouldStop() else { return }
        var lastSent = try read(after: [])
        guard !lastSent.isEmpty else { return }
        var atChannel = [send(lastSent)]
        var next: [OutboxEntry]?  // read after `lastSent`, not sent yet
        var goesOn = true  // more batches may leave
        var unconfirmed = 0
        /// Sends batches until `batchesInFlight` are at the channel or one of the questions says no.
        func fill() throws {
            while goesOn && atChannel.count < max(1, channel.batchesInFlight) {
                let batch = try next ?? read(after: lastSent)
                next = batch
                if batch.isEmpty || shouldStop() {
                    goesOn = false
                } else if shouldYield() {
                    goesOn = false
                    report.yielded = true
                } else {
                    atChannel.append(send(batch))
                    lastSent = batch
                    next = nil
                }
            }
        }
        do {
            next = try read(after: lastSent)
            try fill()
            while !atChannel.isEmpty {
                let oldest = atChannel.removeFirst()
                let result: PushResult
                do {
                    result = try await oldest.answer.value
                } catch {
                    goesOn = false
                    try recordFailure(error, of: oldest.entries.map(\.delta), sentAt: oldest.sentAt,
                                      channel: channel.name, report: &report)
                    continue
                }
                // Sent but unconfirmed deltas stay in the outbox; stop here so they are not re-sent at once —
                // the next cycle sends them again (absolute values: a repeat is harmless).
                if !result.pending.isEmpty || (result.acknowledged.isEmpty && result.rejected.isEmpty) {
                    goesOn = false
                }
                unconfirmed += result.pending.count
                try fill()
                if goesOn && next == nil { next = try read(after: lastSent) }  // while the channel has a batch
                try record(result, of: oldest.entries, sentAt: oldest.sentAt, channel: channel.name, report: &report)
            }
        } catch {
            for sending in atChannel { _ = try? await sending.answer.value }  // not recorded: sent again next cycle
            throw error
        }
        if unconfirmed > 0 && report.pushError == nil {
            report.pushError = "\(unconfirmed) deltas sent but not confirmed yet; retried next cycle"
        }
    }

    /// A batch at the channel: what was read, when it left, and the channel's answer to come.
    private struct Sending {
        var entries: [OutboxEntry]
        var sentAt: String
        var answer: Task<PushResult, any Error>
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
