import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What every platform adapter shares: URLs under the base, the bearer token, the rate limit, the retry
/// policy, and turning a failed exchange into a `ChannelError` that never holds the token.
struct PlatformConnection: Sendable {
    let settings: PlatformSettings
    let transport: any HTTPTransport
    let retry: RetryPolicy
    let limiter: RateLimiter?

    init(settings: PlatformSettings, transport: any HTTPTransport, retry: RetryPolicy) {
        self.settings = settings
        self.transport = transport
        self.retry = retry
        limiter = settings.requestsPerSecond.map { RateLimiter(perSecond: $0, time: retry.time) }
    }

    var channel: String { settings.name }

    /// `{base}{path}?query`; `path` starts with `/` and has its segments encoded with `segment(_:)`.
    func url(_ path: String, query: [(String, String)] = []) -> URL {
        var text = settings.baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path
        if !query.isEmpty {
            text += "?" + query.map { Self.encode($0.0) + "=" + Self.encode($0.1, keeping: "/:@,") }
                .joined(separator: "&")
        }
        return URL(string: text)!
    }

    /// One path segment or query value, percent-encoded: RFC 3986 unreserved characters stay, and
    /// `keeping` (query values keep `/:@,`, which RFC 3986 allows there, so `dataSource=accounts/1/…` reads plainly).
    static func encode(_ text: String, keeping: String = "") -> String {
        let allowed = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~" + keeping)
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func request(_ method: String, _ url: URL, json: JSONValue? = nil) -> URLRequest {
        request(method, url, body: json?.data)
    }

    func request(_ method: String, _ url: URL, body: Data?) -> URLRequest {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = settings.idleTimeoutSeconds
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("catalogsync", forHTTPHeaderField: "User-Agent")
        if let token = settings.token {
            request.setValue("Bearer \(token.value)", forHTTPHeaderField: "Authorization")
        }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        return request
    }

    /// Sends `request` under the rate limit and the retry policy.
    ///
    /// - Returns: the final reply for any status; see `failure(_:operation:)` for non-2xx.
    /// - Throws: `ChannelError` (disposition `.retry`) when no response came back, `CancellationError`.
    func send(_ request: URLRequest, operation: String) async throws -> Reply {
        do {
            let exchange = try await retry.run {
                if let limiter { try await limiter.acquire() }
                return try await transport.send(request)
            }
            return Reply(exchange: exchange)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as ChannelError {
            throw error
        } catch {
            throw ChannelError(channel: channel, operation: operation, message: redact("no response: \(error)"),
                               disposition: .retry(afterSeconds: nil))
        }
    }

    /// Sends and insists on a 2xx reply. - Throws: `ChannelError` for anything else.
    func sendExpectingSuccess(_ request: URLRequest, operation: String) async throws -> Reply {
        let reply = try await send(request, operation: operation)
        guard reply.isSuccess else { throw failure(reply, operation: operation) }
        return reply
    }

    /// The `ChannelError` for a non-2xx reply: 429, 408 and 5xx retry later (after `Retry-After`), 401
    /// and 403 are fatal (credentials or permissions: an operator must act), other 4xx reject the request.
    func failure(_ reply: Reply, operation: String) -> ChannelError {
        let status = reply.status
        let disposition: ChannelError.Disposition
        if RetryPolicy.isRetryable(status: status) {
            disposition = .retry(afterSeconds: reply.retryAfterSeconds)
        } else if status == 401 || status == 403 {
            disposition = .fatal
        } else {
            disposition = .rejected
        }
        return ChannelError(channel: channel, operation: operation, status: status,
                            message: redact(reply.errorMessage), disposition: disposition,
                            requestID: reply.requestID, responseBody: redact(reply.bodyPrefix))
    }

    /// `text` with every occurrence of a credential replaced, for anything that may reach a log.
    func redact(_ text: String) -> String {
        var text = text
        for secret in [settings.token, settings.signingSecret].compactMap({ $0 }) where !secret.value.isEmpty {
            text = text.replacingOccurrences(of: secret.value, with: "<redacted>")
        }
        return text
    }
}

/// One HTTP reply as adapters read it.
struct Reply: Sendable {
    let data: Data
    let response: HTTPURLResponse
    let attempts: Int
    let retryAfterSeconds: Double?
    /// The body as JSON, or `nil` when it is not JSON.
    let json: JSONValue?

    init(exchange: RetriedExchange) {
        data = exchange.data
        response = exchange.response
        attempts = exchange.attempts
        retryAfterSeconds = exchange.retryAfterSeconds
        json = try? JSONValue(parsing: exchange.data)
    }

    var status: Int { response.statusCode }
    var isSuccess: Bool { (200...299).contains(status) }

    /// The platform's request id: a response header, else Meta's `error.fbtrace_id`.
    var requestID: String? {
        for name in ["x-fb-trace-id", "x-fb-request-id", "x-request-id", "x-pinterest-rid", "x-goog-request-id",
                     "request-id"] {
            if let value = response.value(forHTTPHeaderField: name), !value.isEmpty { return value }
        }
        return json?["error"]?["fbtrace_id"]?.string
    }

    /// The platform's own words: `error.message` (Meta, Google), `message` (Pinterest), else the body.
    var errorMessage: String {
        if let message = json?["error"]?["message"]?.string ?? json?["message"]?.string { return message }
        let text = bodyPrefix
        return text.isEmpty ? HTTPURLResponse.localizedString(forStatusCode: status) : text
    }

    /// At most the first 512 bytes of the body, as text.
    var bodyPrefix: String {
        String(decoding: data.prefix(512), as: UTF8.self)
    }
}
