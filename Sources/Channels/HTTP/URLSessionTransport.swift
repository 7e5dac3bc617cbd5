import Catalog
public import Foundation
#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif
import Synchronization

/// The HTTP transport over URLSession (libcurl on Linux): the only type that touches URLSession.
///
/// `idleTimeoutSeconds` bounds connecting and every wait for data (URLSession's request timeout);
/// `totalTimeoutSeconds` bounds a whole exchange (its resource timeout), so a server that accepts and never
/// answers costs at most that. Bodies over `maxResponseBytes` are cancelled mid-stream with `ResponseTooLarge`.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let delegate: SessionDelegate

    public init(idleTimeoutSeconds: Double = 30, totalTimeoutSeconds: Double = 120,
                maxResponseBytes: Int = 32 << 20) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeoutSeconds
        configuration.timeoutIntervalForResource = totalTimeoutSeconds
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        delegate = SessionDelegate(limit: maxResponseBytes)
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    public func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        try Task.checkCancellation()
        if FailPoint.shouldFail(.http) { throw URLError(.networkConnectionLost) }
        let task = session.dataTask(with: request)
        let id = task.taskIdentifier
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delegate.register(id, continuation: continuation)
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }
}

/// Collects each task's body, enforcing the size limit, and resumes its continuation once.
private final class SessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    typealias Continuation = CheckedContinuation<(Data, HTTPURLResponse), any Error>

    private struct Exchange {
        var continuation: Continuation
        var body = Data()
        var response: HTTPURLResponse?
        var tooLarge = false
    }

    private let limit: Int
    private let exchanges = Mutex<[Int: Exchange]>([:])

    init(limit: Int) { self.limit = limit }

    func register(_ id: Int, continuation: Continuation) {
        exchanges.withLock { $0[id] = Exchange(continuation: continuation) }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let id = dataTask.taskIdentifier
        let tooLarge = response.expectedContentLength > Int64(limit)
        exchanges.withLock {
            $0[id]?.response = response as? HTTPURLResponse
            if tooLarge { $0[id]?.tooLarge = true }
        }
        completionHandler(tooLarge ? .cancel : .allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let overflow = exchanges.withLock { table -> Bool in
            guard var exchange = table[dataTask.taskIdentifier] else { return false }
            if exchange.body.count + data.count > limit {
                exchange.tooLarge = true
                exchange.body = Data()
                table[dataTask.taskIdentifier] = exchange
                return true
            }
            exchange.body.append(data)
            table[dataTask.taskIdentifier] = exchange
            return false
        }
        if overflow { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let exchange = exchanges.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        let url = task.originalRequest?.url.map { "\($0.scheme ?? "")://\($0.host ?? "")\($0.path)" } ?? "?"
        if exchange.tooLarge {
            exchange.continuation.resume(throwing: ResponseTooLarge(limitBytes: limit, url: url))
        } else if let error {
            exchange.continuation.resume(throwing: error)
        } else if let response = exchange.response ?? task.response as? HTTPURLResponse {
            exchange.continuation.resume(returning: (exchange.body, response))
        } else {
            exchange.continuation.resume(throwing: URLError(.badServerResponse))
        }
    }
}
