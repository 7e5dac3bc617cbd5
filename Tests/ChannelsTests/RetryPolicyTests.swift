import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Channels

@Suite struct RetryPolicyTests {
    func connection(_ transport: FakeTransport, _ time: ManualTime, quota: RetryQuota = RetryQuota(),
                    maxRetryAfter: Double = 120) -> PlatformConnection {
        let retry = RetryPolicy(maxRetryAfterSeconds: maxRetryAfter, quota: quota, time: time.source,
                                jitter: JitterSource(seed: 42))
        return PlatformConnection(settings: Fixture.settings("meta"), transport: transport, retry: retry)
    }

    func get(_ connection: PlatformConnection) async throws -> Reply {
        try await connection.send(connection.request("GET", connection.url("/x")), operation: "get x")
    }

    @Test func retryAfterSecondsDelaysTheNextAttemptAtLeastThatLong() async throws {
        let time = ManualTime()
        let transport = FakeTransport(sequence: [.json(429, "{}", headers: ["Retry-After": "7"]), .json(200, "{}")])
        let reply = try await get(connection(transport, time))
        #expect(reply.status == 200)
        #expect(transport.requests.count == 2)
        #expect(time.sleeps.count == 1)
        #expect(time.sleeps[0] >= 7)
    }

    @Test func retryAfterHTTPDateIsHonoured() async throws {
        let time = ManualTime()
        // 30 s after the manual clock's wall time, in IMF-fixdate form.
        let transport = FakeTransport(sequence: [
            .json(503, "{}", headers: ["Retry-After": "Tue, 14 Nov 2023 22:13:50 GMT"]), .json(200, "{}"),
        ])
        #expect(HTTPDate.parse("Tue, 14 Nov 2023 22:13:50 GMT") == ManualTime.origin.addingTimeInterval(30))
        _ = try await get(connection(transport, time))
        #expect(transport.requests.count == 2)
        #expect(time.sleeps[0] >= 30)
    }

    @Test(arguments: [400, 401, 403, 404, 409, 422])
    func clientErrorsAreNeverRetried(_ status: Int) async throws {
        let time = ManualTime()
        let transport = FakeTransport(sequence: [.json(status, #"{"error":{"message":"no"}}"#)])
        let reply = try await get(connection(transport, time))
        #expect(reply.status == status)
        #expect(transport.requests.count == 1)
        #expect(time.sleeps.isEmpty)
    }

    @Test func serverErrorsAreRetriedUpToTheCap() async throws {
        let time = ManualTime()
        let transport = FakeTransport(sequence: [.json(503, #"{"error":{"message":"busy"}}"#)])
        let connection = connection(transport, time)
        let reply = try await get(connection)
        #expect(transport.requests.count == 3)
        #expect(time.sleeps.count == 2)
        let error = connection.failure(reply, operation: "get x")
        #expect(error.disposition == .retry(afterSeconds: nil))
        #expect(error.status == 503)
        #expect(error.message == "busy")
    }

    @Test func networkFailuresAreRetriedThenSucceed() async throws {
        let time = ManualTime()
        let transport = FakeTransport(sequence: [.failure(.timedOut), .failure(.networkConnectionLost), .json(200, "{}")])
        let reply = try await get(connection(transport, time))
        #expect(reply.status == 200)
        #expect(reply.attempts == 3)
    }

    @Test func networkFailureAfterTheLastAttemptIsARetryableChannelError() async throws {
        let time = ManualTime()
        let transport = FakeTransport(sequence: [.failure(.cannotConnectToHost)])
        let error = await #expect(throws: ChannelError.self) { try await get(connection(transport, time)) }
        #expect(error?.disposition == .retry(afterSeconds: nil))
        #expect(transport.requests.count == 3)
    }

    @Test func fullJitterStaysWithinTheExponentialCeiling() {
        let policy = RetryPolicy(baseDelaySeconds: 1, maxDelaySeconds: 20, jitter: JitterSource(seed: 7))
        var seen: Set<Double> = []
        for retry in 0..<10 {
            for _ in 0..<50 {
                let wait = policy.backoffSeconds(retry: retry)
                #expect(wait >= 0 && wait <= min(20, pow(2, Double(retry))))
                seen.insert(wait)
            }
        }
        #expect(seen.count > 400)  // really random, not a constant
        let a = RetryPolicy(jitter: JitterSource(seed: 3)), b = RetryPolicy(jitter: JitterSource(seed: 3))
        #expect((0..<5).map { a.backoffSeconds(retry: $0) } == (0..<5).map { b.backoffSeconds(retry: $0) })
    }

    @Test func anEmptyRetryQuotaStopsRetrying() async throws {
        let time = ManualTime()
        let quota = RetryQuota(capacity: 10, retryCost: 5)
        let transport = FakeTransport(sequence: [.json(500, "{}")])
        let connection = connection(transport, time, quota: quota)
        _ = try await get(connection)  // 3 attempts, spends 10
        #expect(quota.available == 0)
        #expect(transport.requests.count == 3)
        _ = try await get(connection)  // the circuit is open: one attempt only
        #expect(transport.requests.count == 4)
    }

    @Test func successesRefillTheQuota() async throws {
        let quota = RetryQuota(capacity: 10, retryCost: 5)
        let transport = FakeTransport(sequence: [.json(500, "{}"), .json(200, "{}")])
        _ = try await get(connection(transport, ManualTime(), quota: quota))
        #expect(quota.available == 10)
    }

    @Test func aLongRetryAfterIsHandedToTheCallerInsteadOfSlept() async throws {
        let time = ManualTime()
        let transport = FakeTransport(sequence: [.json(429, "{}", headers: ["Retry-After": "3600"])])
        let connection = connection(transport, time)
        let reply = try await get(connection)
        #expect(transport.requests.count == 1)
        #expect(time.sleeps.isEmpty)
        #expect(connection.failure(reply, operation: "x").disposition == .retry(afterSeconds: 3600))
    }

    @Test(arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
    func httpDatesInAllThreeForms(_ text: String) {
        #expect(HTTPDate.parse(text) == Date(timeIntervalSince1970: 784_111_777))
    }

    @Test func retryAfterValues() {
        let now = Date(timeIntervalSince1970: 784_111_767)
        #expect(HTTPDate.retryAfterSeconds("7", now: now) == 7)
        #expect(HTTPDate.retryAfterSeconds("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 10)
        #expect(HTTPDate.retryAfterSeconds("Sun, 06 Nov 1994 08:49:00 GMT", now: now) == 0)
        #expect(HTTPDate.retryAfterSeconds("soon", now: now) == nil)
        #expect(HTTPDate.retryAfterSeconds("-5", now: now) == nil)
    }

    @Test func permanentErrorsStopAtOnce() async throws {
        let time = ManualTime()
        let transport = FakeTransport(sequence: [.failure(.badURL)])
        await #expect(throws: ChannelError.self) { try await get(connection(transport, time)) }
        #expect(transport.requests.count == 1)
    }
}

@Suite struct RateLimiterTests {
    @Test(arguments: [("10/s", 10.0), ("600/m", 10.0), ("3600/h", 1.0), ("2.5/s", 2.5), (" 60 / min ", 1.0)])
    func ratesParse(_ text: String, _ perSecond: Double) throws {
        #expect(try RateLimiter.parse(text) == perSecond)
    }

    @Test(arguments: ["10", "ten/s", "10/fortnight", "0/s", "-1/s", ""])
    func badRatesAreRefusedWithTheText(_ text: String) {
        let error = #expect(throws: RateParseError.self) { try RateLimiter.parse(text) }
        #expect(error?.description.contains("\"\(text)\"") == true)
    }

    @Test func aBurstPassesThenRequestsAreSpacedEvenly() async throws {
        let time = ManualTime()
        let limiter = RateLimiter(perSecond: 2, time: time.source)
        for _ in 0..<5 { try await limiter.acquire() }
        #expect(time.sleeps == [0.5, 0.5, 0.5])
    }

    @Test func idleTimeRefillsUpToTheBurst() async throws {
        let time = ManualTime()
        let limiter = RateLimiter(perSecond: 1, burst: 2, time: time.source)
        for _ in 0..<2 { try await limiter.acquire() }
        try await time.source.sleep(100)
        for _ in 0..<2 { try await limiter.acquire() }
        #expect(time.sleeps == [100])
        try await limiter.acquire()
        #expect(time.sleeps == [100, 1])
    }

    @Test func requestsGoThroughTheLimiter() async throws {
        let time = ManualTime()
        var settings = Fixture.settings("webhook")
        settings.requestsPerSecond = 1
        let transport = FakeTransport(sequence: [.json(200, "{}")])
        let channel = WebhookChannel(settings: settings, transport: transport, retry: Fixture.retry(time))
        for version in 1...3 { _ = try await channel.push([Fixture.delta(.create, version: Int64(version))]) }
        #expect(transport.requests.count == 3)
        #expect(time.sleeps == [1, 1])
    }
}
