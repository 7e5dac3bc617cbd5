import Foundation

/// Runs a producer on a thread of its own, a few batches ahead of its one consumer: ingest reads, decodes and
/// maps a feed's rows on the second core while the caller's thread writes them into SQLite.
///
/// Elements arrive in the order they were produced. An error the producer throws arrives after every element
/// produced before it, and ends the stream. `finish()` stops the producer (if it still runs) and waits for its
/// thread to end: whatever the producer closure captured is the consumer's again once `finish()` returned,
/// and not before. Call it on every path out (`defer`).
///
/// `@unchecked Sendable`: the shared state is only touched under `condition`, the producer closure only by the
/// thread, and the consumer's batch only by the consumer.
final class ReadAhead<Element>: @unchecked Sendable {
    private let produce: () throws(FeedRejection) -> Element?
    private let handsOverAfter: ((Element) -> Bool)?
    private let batchSize: Int
    private let depth: Int
    private let condition = NSCondition()
    // Under `condition`:
    private var ready: [[Element]] = []
    private var failure: FeedRejection?
    private var ended = false
    private var stopping = false
    private var running = true
    // The consumer's:
    private var batch: [Element] = []
    private var index = 0

    /// Starts the producer's thread at once.
    /// - Parameters:
    ///   - batchSize: elements handed over at a time (one lock round trip each way).
    ///   - depth: batches the producer may be ahead by; it waits while that many are unread.
    ///   - handsOverAfter: `true` for an element the consumer may wait for: the batch goes at once, not full.
    init(batchSize: Int = 256, depth: Int = 4, handsOverAfter: ((Element) -> Bool)? = nil,
         _ produce: @escaping () throws(FeedRejection) -> Element?) {
        precondition(batchSize > 0 && depth > 0)
        self.produce = produce
        self.handsOverAfter = handsOverAfter
        self.batchSize = batchSize
        self.depth = depth
        Thread.detachNewThread { [self] in run() }
    }

    /// The next element; `nil` once the producer returned `nil`.
    func next() throws(FeedRejection) -> Element? {
        if index < batch.count {
            defer { index += 1 }
            return batch[index]
        }
        condition.lock()
        while ready.isEmpty && !ended { condition.wait() }
        guard !ready.isEmpty else {
            let failure = self.failure
            condition.unlock()
            if let failure { throw failure }
            return nil
        }
        batch = ready.removeFirst()
        condition.broadcast()
        condition.unlock()
        index = 1
        return batch[0]
    }

    /// Stops the producer at its next element and waits until its thread has ended. Safe to call again.
    func finish() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        ready.removeAll()
        condition.broadcast()
        while running { condition.wait() }
    }

    private func run() {
        var pending: [Element] = []
        pending.reserveCapacity(batchSize)
        var thrown: FeedRejection?
        do {
            while let element = try produce() {
                pending.append(element)
                guard pending.count == batchSize || handsOverAfter?(element) == true else { continue }
                guard hand(pending) else { break }
                pending = []
                pending.reserveCapacity(batchSize)
            }
        } catch {
            thrown = error
        }
        condition.lock()
        if !stopping && !pending.isEmpty { ready.append(pending) }
        failure = thrown
        ended = true
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// Queues a full batch, waiting while `depth` are unread. `false`: the consumer asked to stop.
    private func hand(_ full: [Element]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= depth && !stopping { condition.wait() }
        guard !stopping else { return false }
        ready.append(full)
        condition.broadcast()
        return true
    }
}
