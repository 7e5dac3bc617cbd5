public import Foundation
#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif

/// Sends one HTTP request and returns the response, whatever its status.
///
/// Adapters see only this; `URLSessionTransport` is the one implementation that touches URLSession,
/// and tests use a fake that records requests and replays canned responses.
public protocol HTTPTransport: Sendable {
    /// - Returns: the body and the response for any status, 2xx or not.
    /// - Throws: `URLError` for network failures and timeouts, `ResponseTooLarge`, `CancellationError`.
    func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse)
}

/// A response body over the transport's limit: refused rather than held in memory.
public struct ResponseTooLarge: Error, Sendable, CustomStringConvertible {
    public var limitBytes: Int
    public var url: String
    public var description: String { "response from \(url) exceeds \(limitBytes) bytes" }
}
