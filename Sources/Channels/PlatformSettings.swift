public import Foundation

/// What a platform adapter needs to know about its channel: where, who, how much and how fast.
///
/// Built by the daemon from a channel's configuration (`base_url`, `token_file`, `batch_size`, `rate`,
/// `country`, `language`, `catalog_id`, `merchant_id`, `data_source`, `ad_account_id`, …). Fields that
/// only one platform uses are optional; each adapter's initializer checks the ones it needs.
public struct PlatformSettings: Sendable, CustomStringConvertible {
    /// The channel's name (for errors, and the credential's name under `$CREDENTIALS_DIRECTORY`).
    public var name: String
    /// The API root, e.g. `https://graph.facebook.com/v21.0` or `http://127.0.0.1:8787/meta/v21.0`.
    public var baseURL: URL
    /// The bearer token; `nil` only for a webhook without authentication.
    public var token: Secret?
    /// Items per platform call; `nil` for the platform's default (Meta 3000, Pinterest 1000).
    public var batchSize: Int?
    /// Requests per second on average, e.g. from `RateLimiter.parse("10/s")`; `nil` for no limit.
    public var requestsPerSecond: Double?
    /// ISO 3166-1 alpha-2 country, e.g. `SE` (Google's feed label default, Pinterest's `country`).
    public var country: String
    /// ISO 639-1 language, e.g. `sv` (Google's `contentLanguage` default, Pinterest's `language`).
    public var language: String

    /// Meta: the catalog id.
    public var catalogID: String?
    /// Google: the Merchant Center account id.
    public var merchantID: String?
    /// Google: the API data source id (the last part of `accounts/{merchant}/dataSources/{id}`).
    public var dataSource: String?
    /// Google: the feed label; defaults to `country`.
    public var feedLabel: String?
    /// Google: the content language; defaults to `language`.
    public var contentLanguage: String?
    /// Pinterest: the ad account to act for (optional).
    public var adAccountID: String?
    /// Webhook: the key for `X-Catalogsync-Signature` (HMAC-SHA256 of the body); `nil` for none.
    public var signingSecret: Secret?

    /// Seconds between batch status polls (Meta, Pinterest).
    public var pollIntervalSeconds: Double
    /// How long to poll a batch before giving up: its items are then reported pending, not acknowledged.
    public var unconfirmedAfterSeconds: Double
    /// Google: how many item requests may be in flight at once.
    public var maxConcurrentRequests: Int
    /// Connection and idle timeout, and the bound on one whole exchange, for `URLSessionTransport`.
    public var idleTimeoutSeconds: Double
    public var totalTimeoutSeconds: Double

    public init(name: String, baseURL: URL, token: Secret?, batchSize: Int? = nil, requestsPerSecond: Double? = nil,
                country: String = "SE", language: String = "sv", catalogID: String? = nil,
                merchantID: String? = nil, dataSource: String? = nil, feedLabel: String? = nil,
                contentLanguage: String? = nil, adAccountID: String? = nil, signingSecret: Secret? = nil,
                pollIntervalSeconds: Double = 2, unconfirmedAfterSeconds: Double = 300, maxConcurrentRequests: Int = 8,
                idleTimeoutSeconds: Double = 30, totalTimeoutSeconds: Double = 120) {
        self.name = name
        self.baseURL = baseURL
        self.token = token
        self.batchSize = batchSize
        self.requestsPerSecond = requestsPerSecond
        self.country = country
        self.language = language
        self.catalogID = catalogID
        self.merchantID = merchantID
        self.dataSource = dataSource
        self.feedLabel = feedLabel
        self.contentLanguage = contentLanguage
        self.adAccountID = adAccountID
        self.signingSecret = signingSecret
        self.pollIntervalSeconds = pollIntervalSeconds
        self.unconfirmedAfterSeconds = unconfirmedAfterSeconds
        self.maxConcurrentRequests = maxConcurrentRequests
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.totalTimeoutSeconds = totalTimeoutSeconds
    }

    /// The transport these settings ask for.
    public func makeTransport() -> URLSessionTransport {
        URLSessionTransport(idleTimeoutSeconds: idleTimeoutSeconds, totalTimeoutSeconds: totalTimeoutSeconds)
    }

    public var description: String {
        "PlatformSettings(name: \(name), baseURL: \(baseURL.absoluteString), token: "
            + (token == nil ? "none" : "<redacted>") + ")"
    }

    /// A required platform field, or a `ChannelError` naming its configuration key.
    func require(_ value: String?, key: String) throws(ChannelError) -> String {
        guard let value, !value.isEmpty else {
            throw ChannelError(channel: name, operation: "configure", message: "\(key) is required", disposition: .fatal)
        }
        return value
    }
}
