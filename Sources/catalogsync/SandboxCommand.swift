import Daemon
import Dispatch
import Foundation
import Glibc
import Sandbox

enum SandboxCommand: Command {
    static let defaultPort: UInt16 = 8787

    static let help = """
        usage: catalogsync sandbox [--port N] [--token T] [--faults SPEC] [--record FILE]

        Runs a local emulator of the platform APIs in the foreground, for tests and demos: the Meta catalog
        (items_batch, check_batch_request_status, products), the Google Merchant API (productInputs:insert and
        delete, products), Pinterest v5 (catalogs/items/batch, its status, catalogs/items) and a JSON webhook,
        all on 127.0.0.1 only. It keeps what it is told in memory, logs one line per request to stderr
        (event=sandbox.request) and injects faults on request through its control API under /_sandbox
        (reset, faults, items, history, requests). Point a channel's base_url at the URLs it prints.
        SIGTERM or SIGINT (Ctrl-C) stops it.

        options:
          --port N       the port on 127.0.0.1 (default 8787; 0 picks a free one)
          --token T      the bearer token the platform endpoints accept (default sandbox-token)
          --faults SPEC  start with these faults (as if posted to /_sandbox/faults; a reset clears them)
          --record FILE  append every platform request to FILE, one JSON object a line, written as it
                         is answered: method, path, query, body (JSON, or the raw text), status (0 when
                         none was sent: hang, drop), platform, at (UTC, ms)
          --help         this text

        SPEC is a comma-separated list of faults, each TARGET:PART:PART… or @FILE (a JSON file holding
        a control API fault object or an array of them):
          TARGET  meta, google, pinterest, webhook, or * for all
          PART    400…599        answer with this status (in the platform's error shape)
                  drop           close the connection without answering, the request not applied
                  drop_after_apply  apply the request, then close without answering
                  hang           hold the connection and never answer
                  latency=D      wait D first (200ms, 1.5s; a bare number is ms)
                  rate=R         fire on each matching request with probability R (0 < R <= 1) …
                  seed=N         … drawn from a generator seeded with N (default: a random seed)
                  after=N        let the first N matching requests through
                  count=N        fire on N requests, then go away (default: forever)
                  retry_after=S  the Retry-After header sent with the status
                  path=TEXT      only requests whose target contains TEXT
                  method=M       only requests with this method
                  reject=A|B     reject these SKUs inside write requests (stands alone)
                  message=TEXT   the error or rejection message
        e.g. --faults "meta:429:rate=0.3:retry_after=1,google:503:count=5,pinterest:drop:after=10,google:latency=200ms"
        Values cannot hold "," or ":"; use @FILE for those.

        exit status: 0 stopped by a signal; 2 usage error (a bad --faults names the bad part);
        3 the port cannot be bound or FILE cannot be opened
        """
    static let flags: Set<String> = []
    static let options: Set<String> = ["--port", "--token", "--faults", "--record"]

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
        var faults: SandboxFaults?
        if let spec = arguments["--faults"] {
            do {
                faults = try SandboxFaults(spec)
            } catch {
                throw UsageError("--faults: \(error)")
            }
        }
        var record: URL?
        if let path = arguments["--record"] {
            guard !path.isEmpty else { throw UsageError("--record needs a file name") }
            record = URL(fileURLWithPath: path)
        }
        let logger = Logger()
        let server = SandboxServer(port: port, tokens: [token], faults: faults, record: record) { request in
            logger.info(
                "sandbox.request",
                [
                    "platform": request.platform, "method": request.method, "path": request.path,
                    "status": request.status, "ms": request.durationMilliseconds,
                ])
        }
        let bound: UInt16
        do {
            bound = try server.start()
        } catch {
            fail("sandbox: \(error)")
            return ExitStatus.couldNotRun
        }
        for fault in faults?.descriptions ?? [] { logger.info("sandbox.fault", ["fault": fault]) }
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
