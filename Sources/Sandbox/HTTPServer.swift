import Foundation
import Glibc

/// Bounds that keep one client from exhausting the sandbox.
struct HTTPLimits: Sendable {
    /// Request line plus header fields; more is answered with 431.
    var maxHeadBytes = 64 * 1024
    /// `Content-Length` above this is answered with 413 before the body is read.
    var maxBodyBytes = 64 * 1024 * 1024
    /// A connection that sends nothing for this long is closed.
    var idleTimeoutSeconds = 60.0
}

/// What the application does with a request: answer it, hold the connection and never answer, or
/// close the connection without answering.
enum HTTPReply: Sendable {
    case respond(HTTPResponse)
    case hang
    case drop
}

/// A small HTTP/1.1 server over POSIX sockets, bound to 127.0.0.1 only.
///
/// One thread accepts; each connection gets its own thread, so a held (`hang`) or slow request never
/// blocks the others. Keep-alive and pipelining follow RFC 9112 §9; bodies are framed by
/// `Content-Length` only (chunked uploads get 411). `stop()` closes the listener and every open
/// connection, including held ones.
final class HTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (HTTPRequest) -> HTTPReply

    private let requestedPort: UInt16
    private let limits: HTTPLimits
    private let handler: Handler
    private let lock = NSLock()
    private var listenFD: Int32 = -1
    private var stopped = false
    private var started = false
    private var connections: Set<Int32> = []
    private let acceptFinished = DispatchSemaphore(value: 0)

    init(port: UInt16, limits: HTTPLimits, handler: @escaping Handler) {
        self.requestedPort = port
        self.limits = limits
        self.handler = handler
    }

    var isStopped: Bool { lock.withLock { stopped } }

    /// Binds and starts accepting. Returns the bound port (useful when 0 was asked for).
    func start() throws -> UInt16 {
        let (fd, port) = try Socket.listen(port: requestedPort)
        lock.withLock {
            listenFD = fd
            started = true
        }
        let thread = Thread { [self] in
            acceptLoop(fd)
            acceptFinished.signal()
        }
        thread.name = "sandbox-accept"
        thread.start()
        return port
    }

    /// Stops accepting, closes every connection and waits (briefly) for the accept thread to end.
    func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            guard started, !stopped else { return false }
            stopped = true
            // Under the lock, so a connection thread cannot close (and the kernel reuse) an fd meanwhile.
            for fd in connections { Socket.shutdownBoth(fd) }
            return true
        }
        if wasRunning { _ = acceptFinished.wait(timeout: .now() + 2) }
    }

    private func acceptLoop(_ fd: Int32) {
        defer { Socket.close(fd) }
        while !isStopped {
            guard Socket.waitReadable(fd, milliseconds: 100), let client = Socket.accept(fd) else { continue }
            let accepted = lock.withLock { () -> Bool in
                guard !stopped else { return false }
                connections.insert(client)
                return true
            }
            guard accepted else {
                Socket.close(client)
                break
            }
            let thread = Thread { [self] in serve(client) }
            thread.name = "sandbox-connection"
            thread.start()
        }
    }

    /// Serves requests on one connection until the client closes, asks to close, or the server stops.
    private func serve(_ fd: Int32) {
        defer {
            lock.withLock { _ = connections.remove(fd) }
            Socket.close(fd)
        }
        var buffer: [UInt8] = []
        while true {
            var headEnd = HTTPParser.headEnd(in: buffer, from: 0)
            while headEnd == nil {
                if buffer.count > limits.maxHeadBytes {
                    return refuse(
                        fd, HTTPParseError(status: 431, message: "request head over \(limits.maxHeadBytes) bytes"))
                }
                guard let more = receive(fd) else { return }
                let scanned = buffer.count
                buffer += more
                headEnd = HTTPParser.headEnd(in: buffer, from: scanned)
            }
            guard let end = headEnd else { return }
            if end > limits.maxHeadBytes {
                return refuse(
                    fd, HTTPParseError(status: 431, message: "request head over \(limits.maxHeadBytes) bytes"))
            }
            let head: HTTPHead
            do {
                head = try HTTPParser.parseHead(buffer[0..<(end - 4)], maxBodyBytes: limits.maxBodyBytes)
            } catch {
                return refuse(fd, error)
            }
            if head.expectsContinue && buffer.count - end < head.contentLength {
                Socket.write(fd, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            }
            while buffer.count - end < head.contentLength {
                guard let more = receive(fd) else { return }
                buffer += more
            }
            let body = Data(buffer[end..<(end + head.contentLength)])
            buffer.removeFirst(end + head.contentLength)
            let request = HTTPRequest(
                method: head.method, target: head.target, version: head.version,
                headers: head.headers, body: body)
            switch handler(request) {
            case .hang:
                return holdUntilClientLeaves(fd)
            case .drop:
                return Socket.shutdownBoth(fd)  // the deferred close follows: the client reads end of stream
            case .respond(let response):
                let closing = !request.keepsAlive || isStopped
                guard Socket.write(fd, response.serialized(closing: closing)), !closing else { return }
            }
        }
    }

    /// Answers a request that could not be read, then closes: the rest of the stream cannot be trusted.
    private func refuse(_ fd: Int32, _ error: HTTPParseError) {
        let response = HTTPResponse.json(error.status, ["error": .string(error.message)])
        Socket.write(fd, response.serialized(closing: true))
        Socket.shutdownBoth(fd)
    }

    /// The next bytes from the client; `nil` at end of stream, on idle timeout or when the server stops.
    private func receive(_ fd: Int32) -> [UInt8]? {
        let deadline = Date().addingTimeInterval(limits.idleTimeoutSeconds)
        while !isStopped {
            if Socket.waitReadable(fd, milliseconds: 100) {
                let bytes = Socket.read(fd)
                return bytes.isEmpty ? nil : bytes
            }
            if Date() > deadline { return nil }
        }
        return nil
    }

    /// Holds a connection without answering (fault `hang`) until the client gives up or the server stops.
    private func holdUntilClientLeaves(_ fd: Int32) {
        while !isStopped {
            if Socket.waitReadable(fd, milliseconds: 100), Socket.read(fd).isEmpty { return }
        }
    }
}
