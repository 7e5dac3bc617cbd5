public import Foundation
#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif
import Synchronization

/// When and how often a failed HTTP exchange is tried again (RELIABILITY T5, AWS SDK "standard" mode).
///
/// - At most `maxAttempts` attempts in all (default 3).
/// - Retried: 429, 408, 5xx, and network failures and timeouts. Never retried: any other 4xx
///   (400, 401, 403, 404, 409, 422, …): sending the same request again cannot change the answer.
/// - Backoff: full jitter, a uniform random wait in `0...min(maxDelaySeconds, baseDelaySeconds × 2ⁿ)`
///   before retry n (0-based); see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
/// - `Retry-After` (delay-seconds or HTTP-date, RFC 9110 §10.2.3): the next attempt comes no sooner.
///   A wait longer than `maxRetryAfterSeconds` is not slept in line: the exchange ends and the caller
///   reschedules with `ChannelError.Disposition.retry(afterSeconds:)`.
/// - A retry quota (shared by every copy of the policy) acts as a circuit breaker: each retry spends
///   tokens, each success returns some; when the bucket is empty, failures are returned at once.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelaySeconds: Double
    public var maxDelaySeconds: Double
    public var maxRetryAfterSeconds: Double
    public var quota: RetryQuota
    public var time: TimeSource
    public var jitter: JitterSource

    public init(maxAttempts: Int = 3, baseDelaySeconds: Double = 1, maxDelaySeconds: Double = 20,
                maxRetryAfterSeconds: Double = 120, quota: RetryQuota = RetryQuota(),
                time: TimeSource = .system, jitter: JitterSource = JitterSource()) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
        self.quota = quota
        self.time = time
        self.jitter = jitter
    }

    /// Whether a response with `status` may succeed if sent again.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 408 || (500...599).contains(status)
    }

    /// Whether a transport error is worth another attempt: network failures and timeouts, not bad
    /// URLs, certificate problems, cancellation or an oversized response.
    public static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? URLError else { return false }
        switch error.code {
        case .cancelled, .badURL, .unsupportedURL, .userAuthenticationRequired, .serverCertificateUntrusted,
             .serverCertificateHasBadDate, .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot,
             .clientCertificateRejected, .clientCertificateRequired, .appTransportSecurityRequiresSecureConnection:
            return false
        default:
            return true
        }
    }

    /// The full-jitter wait before retry `retry` (0 for the first retry).
    public func backoffSeconds(retry: Int) -> Double {
        let ceiling = min(maxDelaySeconds, baseDelaySeconds * pow(2, Double(min(retry, 62))))
        return jitter.next() * ceiling
    }

    /// The wait a response's `Retry-After` header asks for, if any.
    public func retryAfterSeconds(_ response: HTTPURLResponse) -> Double? {
        guard let value = response.value(forHTTPHeaderField: "Retry-After") else { return nil }
        return HTTPDate.retryAfterSeconds(value, now: time.date())
    }

    /// Runs `send` until it returns a response that is final (any 2xx or non-retryable status) or
    /// the attempts, the quota or the patience for `Retry-After` run out.
    ///
    /// - Returns: the last response, whatever its status; `attempts` says how many were made.
    /// - Throws: the last transport error when every attempt failed without a response, or
    ///   `CancellationError`.
    public func run(_ send: () async throws -> (Data, HTTPURLResponse)) async throws -> RetriedExchange {
        var attempt = 0
        while true {
            attempt += 1
            let retryAfter: Double?
            let isTimeout: Bool
            do {
                let (data, response) = try await send()
                guard Self.isRetryable(status: response.statusCode) else {
                    quota.recordSuccess(afterRetry: attempt > 1)
                    return RetriedExchange(data: data, response: response, attempts: attempt, retryAfterSeconds: nil)
                }
                retryAfter = retryAfterSeconds(response)
                let exchange = RetriedExchange(data: data, response: response, attempts: attempt,
                                               retryAfterSeconds: retryAfter)
                if attempt >= maxAttempts { return exchange }
                if let retryAfter, retryAfter > maxRetryAfterSeconds { return exchange }
                if !quota.spend(isTimeout: false) { return exchange }
                isTimeout = false
            } catch {
                if error is CancellationError { throw error }
                guard Self.isRetryable(error), attempt < maxAttempts else { throw error }
                isTimeout = (error as? URLError)?.code == .timedOut
                guard quota.spend(isTimeout: isTimeout) else { throw error }
                retryAfter = nil
            }
            let wait = max(backoffSeconds(retry: attempt - 1), retryAfter ?? 0)
            try await time.sleep(wait)
        }
    }
}

/// The outcome of `RetryPolicy.run`: the last response and how it was reached.
public struct RetriedExchange: Sendable {
    public var data: Data
    public var response: HTTPURLResponse
    public var attempts: Int
    /// The last response's `Retry-After`, in seconds, when it had one.
    public var retryAfterSeconds: Double?
}

/// The retry token bucket of the AWS SDKs' standard mode: a circuit breaker for retry storms.
///
/// Starts full (`capacity`, 500); a retry costs `retryCost` (5) or `timeoutCost` (10) for a timeout; a
/// success after retries refunds `retryCost`, any other success adds 1, up to `capacity`. A retry that
/// cannot be paid for is not made. Shared (a reference) by every request of one channel.
public final class RetryQuota: Sendable {
    public let capacity: Int
    public let retryCost: Int
    public let timeoutCost: Int
    private let tokens: Mutex<Int>

    public init(capacity: Int = 500, retryCost: Int = 5, timeoutCost: Int = 10) {
        self.capacity = capacity
        self.retryCost = retryCost
        self.timeoutCost = timeoutCost
        tokens = Mutex(capacity)
    }

    /// The tokens left.
    public var available: Int { tokens.withLock { $0 } }

    /// Takes the cost of one retry. - Returns: `false` (taking nothing) when the bucket cannot pay.
    func spend(isTimeout: Bool) -> Bool {
        let cost = isTimeout ? timeoutCost : retryCost
        return tokens.withLock { value in
            guard value >= cost else { return false }
            value -= cost
            return true
        }
    }

    func recordSuccess(afterRetry: Bool) {
        let refund = afterRetry ? retryCost : 1
        tokens.withLock { $0 = min(capacity, $0 + refund) }
    }
}
