import Foundation

/// The platforms the sandbox emulates, each under its own path prefix (`/meta`, `/google`, …).
public enum SandboxPlatform: String, CaseIterable, Sendable, Codable {
    case meta, google, pinterest, webhook

    /// The platform whose prefix starts `path`, if any.
    static func owning(_ segments: [String]) -> SandboxPlatform? {
        segments.first.flatMap(SandboxPlatform.init(rawValue:))
    }

    /// An error in this platform's own shape (WIRE.md), so adapters parse sandbox errors as real ones.
    ///
    /// - Meta (Graph API): `{"error":{"message","type":"OAuthException","code","fbtrace_id"}}`
    /// - Google (AIP-193): `{"error":{"code","message","status"}}`
    /// - Pinterest: `{"code","message"}`
    /// - webhook: `{"error":"…"}`
    func error(_ status: Int, _ message: String, retryAfter: String? = nil) -> HTTPResponse {
        let extra: [(name: String, value: String)] = retryAfter.map { [("Retry-After", $0)] } ?? []
        switch self {
        case .meta:
            var body: [String: JSON] = [
                "message": .string(message), "type": "OAuthException", "code": .int(Self.metaCode(status)),
                "fbtrace_id": .string(Self.traceID()),
            ]
            if status >= 500 || status == 429 { body["is_transient"] = true }
            return .json(status, ["error": .object(body)], headers: extra)
        case .google:
            return .json(
                status,
                [
                    "error": [
                        "code": .int(Int64(status)), "message": .string(message),
                        "status": .string(Self.googleStatus(status)),
                    ]
                ], headers: extra)
        case .pinterest:
            return .json(
                status, ["code": .int(Self.pinterestCode(status)), "message": .string(message)],
                headers: extra)
        case .webhook:
            return .json(status, ["error": .string(message)], headers: extra)
        }
    }

    /// The message a platform sends with a status the sandbox was told to inject.
    func defaultMessage(_ status: Int) -> String {
        switch (self, status) {
        case (.meta, 429): return "(#4) Application request limit reached"
        case (.google, 429): return "Quota exceeded for quota metric 'Product inputs requests'."
        case (.pinterest, 429): return "You have exceeded your rate limit. Try again later."
        case (_, 401): return "Authentication failed."
        case (_, 500...): return "An unexpected error has occurred. Please retry your request later."
        default: return "Injected failure (status \(status))."
        }
    }

    /// The 401 answer to a missing or unknown bearer token.
    var unauthorized: HTTPResponse {
        switch self {
        case .meta: return error(401, "Invalid OAuth access token - Cannot parse access token")
        case .google:
            return error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token.")
        case .pinterest: return error(401, "Authentication failed.")
        case .webhook: return error(401, "missing or unknown bearer token")
        }
    }

    private static func metaCode(_ status: Int) -> Int64 {
        switch status {
        case 401: return 190  // invalid OAuth 2.0 access token
        case 429: return 4  // application request limit reached
        case 500...: return 2  // temporary service problem
        default: return 100  // invalid parameter
        }
    }

    private static func googleStatus(_ status: Int) -> String {
        switch status {
        case 400: return "INVALID_ARGUMENT"
        case 401: return "UNAUTHENTICATED"
        case 403: return "PERMISSION_DENIED"
        case 404: return "NOT_FOUND"
        case 409: return "ABORTED"
        case 413: return "INVALID_ARGUMENT"
        case 429: return "RESOURCE_EXHAUSTED"
        case 501: return "UNIMPLEMENTED"
        case 503: return "UNAVAILABLE"
        case 504: return "DEADLINE_EXCEEDED"
        case 500...: return "INTERNAL"
        default: return "FAILED_PRECONDITION"
        }
    }

    private static func pinterestCode(_ status: Int) -> Int64 {
        switch status {
        case 401: return 2  // Authentication failed.
        case 403: return 3
        case 404: return 4331  // batch not found, the only 404 the sandbox gives
        case 429: return 8
        case 500...: return 5
        default: return 1  // Invalid request
        }
    }

    private static func traceID() -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(11))
    }
}
