public import Foundation

/// One request the sandbox answered, for the request log (`event=sandbox.request`).
public struct SandboxRequestRecord: Sendable {
    /// `meta`, `google`, `pinterest`, `webhook`, `control` (the `/_sandbox` API) or `unknown`.
    public var platform: String
    public var method: String
    /// The path without the query.
    public var path: String
    /// The status sent; 0 when a `hang`, `drop` or `drop_after_apply` fault sent no answer.
    public var status: Int
    public var durationMilliseconds: Int
}

/// A local emulator of the Meta catalog, Google Merchant, Pinterest v5 and webhook APIs.
///
/// Serves all four under one loopback port with a path prefix (`/meta/v21.0`, `/google`, `/pinterest/v5`,
/// `/webhook/NAME`), keeps each platform's catalogue and a history of every applied write in memory,
/// and injects faults on request through the control API under `/_sandbox` (see /work/notes/WIRE.md).
///
/// ```swift
/// let server = SandboxServer()            // port 0: any free port
/// let port = try server.start()           // http://127.0.0.1:\(port)/meta/v21.0, …
/// defer { server.stop() }
/// ```
public final class SandboxServer: Sendable {
    private let router: SandboxRouter
    private let http: HTTPServer

    /// - Parameters:
    ///   - port: the TCP port on 127.0.0.1; 0 lets the kernel pick a free one (`start()` returns it).
    ///   - tokens: bearer tokens the platform endpoints accept; any other gets a 401.
    ///   - maxRequestBytes: the largest request body accepted; a larger `Content-Length` gets a 413.
    ///   - faults: faults to start with, as if posted to `/_sandbox/faults` in order.
    ///   - record: a file to append every platform request to, one JSON object a line (see
    ///     `RequestRecorder`); opened by `start()`.
    ///   - onRequest: called after every answered request, on the connection's thread.
    public init(
        port: UInt16 = 0, tokens: Set<String> = ["sandbox-token"], maxRequestBytes: Int = 64 << 20,
        faults: SandboxFaults? = nil, record: URL? = nil,
        onRequest: (@Sendable (SandboxRequestRecord) -> Void)? = nil
    ) {
        let stopFlag = StopFlag()
        let router = SandboxRouter(
            tokens: tokens, stopFlag: stopFlag, recorder: record.map { RequestRecorder(path: $0.path) },
            onRequest: onRequest)
        for body in faults?.bodies ?? [] {
            _ = try? router.state.mutate { store throws(ControlError) in try store.faults.add(body) }
        }
        self.router = router
        self.http = HTTPServer(port: port, limits: HTTPLimits(maxBodyBytes: maxRequestBytes)) { request in
            router.handle(request)
        }
    }

    /// Opens the record file, if any, then binds 127.0.0.1 and starts serving on background threads.
    ///
    /// - Returns: the bound port.
    /// - Throws: `SandboxRecordError` when the record file cannot be opened; `SandboxServerError` when
    ///   the port cannot be bound (in use, or privileged).
    public func start() throws -> UInt16 {
        try router.recorder?.open()
        return try http.start()
    }

    /// Stops serving: closes the listener and every connection (held ones too). Safe to call twice.
    public func stop() {
        router.stopFlag.set()
        http.stop()
        router.recorder?.close()
    }

    deinit {
        stop()
    }

    /// Empties every platform's catalogue, the history, the request counts and the faults.
    public func reset() {
        router.state.reset()
    }
}

/// A flag set once, read from many threads.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Routes each request: the control API, or auth, faults and then the platform's emulator.
final class SandboxRouter: Sendable {
    let state = SandboxState()
    let tokens: Set<String>
    let stopFlag: StopFlag
    let recorder: RequestRecorder?
    let onRequest: (@Sendable (SandboxRequestRecord) -> Void)?

    init(
        tokens: Set<String>, stopFlag: StopFlag, recorder: RequestRecorder?,
        onRequest: (@Sendable (SandboxRequestRecord) -> Void)?
    ) {
        self.tokens = tokens
        self.stopFlag = stopFlag
        self.recorder = recorder
        self.onRequest = onRequest
    }

    func handle(_ request: HTTPRequest) -> HTTPReply {
        let started = Date()
        let segments = request.pathSegments
        let (label, reply) = route(request, segments)
        var status = 0
        if case .respond(let response) = reply { status = response.status }
        if let recorder, label != "control" {
            recorder.append(request, platform: label, status: status, at: started)
        }
        if let onRequest {
            onRequest(
                SandboxRequestRecord(
                    platform: label, method: request.method, path: request.rawPath,
                    status: status,
                    durationMilliseconds: Int(-started.timeIntervalSinceNow * 1000)))
        }
        return reply
    }

    private func route(_ request: HTTPRequest, _ segments: [String]) -> (String, HTTPReply) {
        if segments.first == "_sandbox" {
            return ("control", .respond(ControlAPI(state: state).handle(request, path: Array(segments.dropFirst()))))
        }
        guard let platform = SandboxPlatform.owning(segments) else {
            let message = "no such path: the sandbox serves /meta, /google, /pinterest, /webhook and /_sandbox"
            return ("unknown", .respond(.json(404, ["error": .string(message)])))
        }
        state.mutate { $0.requestCounts[platform, default: [:]][request.rawPath, default: 0] += 1 }
        guard let token = request.bearerToken, tokens.contains(token) else {
            return (platform.rawValue, .respond(platform.unauthorized))
        }
        let effects = state.mutate {
            $0.faults.effects(for: platform, method: request.method, target: request.target)
        }
        if effects.latencyMs > 0 { sleep(milliseconds: effects.latencyMs) }
        if effects.hang { return (platform.rawValue, .hang) }
        if effects.drop { return (platform.rawValue, .drop) }
        if let status = effects.status {
            let message = effects.message ?? platform.defaultMessage(status)
            return (platform.rawValue, .respond(platform.error(status, message, retryAfter: effects.retryAfter)))
        }
        var armed = request
        armed.armedRejections = effects.armedRejections
        let path = Array(segments.dropFirst())
        let response: HTTPResponse
        switch platform {
        case .meta: response = MetaPlatform(state: state).handle(armed, path: path)
        case .google: response = GooglePlatform(state: state).handle(armed, path: path)
        case .pinterest: response = PinterestPlatform(state: state).handle(armed, path: path)
        case .webhook: response = WebhookPlatform(state: state).handle(armed, path: path)
        }
        // drop_after_apply: the platform has the writes, the client never hears so.
        if effects.dropAfterApply { return (platform.rawValue, .drop) }
        return (platform.rawValue, .respond(response))
    }

    /// Sleeps in short steps, so `stop()` is not held up by a long injected latency.
    private func sleep(milliseconds: Int) {
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
        while !stopFlag.isSet {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return }
            Thread.sleep(forTimeInterval: min(left, 0.05))
        }
    }
}
