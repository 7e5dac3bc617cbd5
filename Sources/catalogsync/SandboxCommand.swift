import Daemon
import Dispatch
import Foundation
import Glibc
import Sandbox

enum SandboxCommand: Command {
    static let defaultPort: UInt16 = 8787

    static let help = """
        usage: catalogsync sandbox [--port N] [--token T]

        Runs a local emulator of the platform APIs in the foreground, for tests and demos: the Meta catalog
        (items_batch, check_batch_request_status, products), the Google Merchant API (productInputs:insert and
        delete, products), Pinterest v5 (catalogs/items/batch, its status, catalogs/items) and a JSON webhook,
        all on 127.0.0.1 only. It keeps what it is told in memory, logs one line per request to stderr
        (event=sandbox.request) and injects faults on request through its control API under /_sandbox
        (reset, faults, items, history, requests). Point a channel's base_url at the URLs it prints.
        SIGTERM or SIGINT (Ctrl-C) stops it.

        options:
          --port N   the port on 127.0.0.1 (default 8787; 0 picks a free one)
          --token T  the bearer token the platform endpoints accept (default sandbox-token)
          --help     this text

        exit status: 0 stopped by a signal; 2 usage error; 3 the port cannot be bound
        """
    static let flags: Set<String> = []
    static let options: Set<String> = ["--port", "--token"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        guard arguments.positionals.isEmpty else { throw UsageError("unexpected \(arguments.positionals[0])") }
        var port = defaultPort
        if let text = arguments["--port"] {
            guard let value = UInt16(text) else {
                throw UsageError("--port must be a number from 0 to 65535, not \"\(text)\"")
            }
            port = value
        }
        let token = arguments["--token"] ?? "sandbox-token"
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
            throw UsageError("--token must be non-empty, without spaces")
        }
        let logger = Logger()
        let server = SandboxServer(port: port, tokens: [token]) { record in
            logger.info(
                "sandbox.request",
                [
                    "platform": record.platform, "method": record.method, "path": record.path,
                    "status": record.status, "ms": record.durationMilliseconds,
                ])
        }
        let bound: UInt16
        do {
            bound = try server.start()
        } catch {
            fail("sandbox: \(error)")
            return ExitStatus.couldNotRun
        }
        let base = "http://127.0.0.1:\(bound)"
        // Written unbuffered: a script waiting for this line may read stdout through a pipe.
        FileHandle.standardOutput.write(
            Data(
                ("sandbox listening on \(base) (meta: \(base)/meta/v21.0, "
                    + "google: \(base)/google, pinterest: \(base)/pinterest/v5, webhook: \(base)/webhook/NAME)\n").utf8)
        )
        let signal = await termination()
        server.stop()
        logger.info("sandbox.stopped", ["signal": signal])
        return ExitStatus.success
    }

    /// Waits for SIGINT or SIGTERM, delivered through dispatch sources rather than a C handler.
    private static func termination() async -> String {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            return source
        }
        var iterator = stream.makeAsyncIterator()
        let name = await iterator.next() ?? "SIGTERM"
        sources.forEach { $0.cancel() }
        return name
    }
}
