import Catalog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
@testable import Channels

/// A canned HTTP reply, or a transport failure.
struct FakeResponse: Sendable {
    var status: Int
    var headers: [String: String] = [:]
    var body: String = ""
    var error: URLError?

    static func json(_ status: Int = 200, _ body: String, headers: [String: String] = [:]) -> FakeResponse {
        FakeResponse(status: status, headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a },
                     body: body)
    }

    static func failure(_ code: URLError.Code) -> FakeResponse {
        FakeResponse(status: 0, error: URLError(code))
    }
}

/// Records every request and answers from a closure: no network.
final class FakeTransport: HTTPTransport {
    private let recorded = Mutex<[URLRequest]>([])
    private let respond: @Sendable (URLRequest, Int) -> FakeResponse

    /// `respond` gets the request and how many requests came before it (0-based).
    init(_ respond: @escaping @Sendable (URLRequest, Int) -> FakeResponse) {
        self.respond = respond
    }

    /// Replays `responses` in order, then repeats the last.
    convenience init(sequence responses: [FakeResponse]) {
        self.init { _, index in responses[min(index, responses.count - 1)] }
    }

    var requests: [URLRequest] { recorded.withLock { $0 } }

    func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let index = recorded.withLock { list -> Int in
            list.append(request)
            return list.count - 1
        }
        let canned = respond(request, index)
        if let error = canned.error { throw error }
        let response = HTTPURLResponse(url: request.url!, statusCode: canned.status, httpVersion: "HTTP/1.1",
                                       headerFields: canned.headers)!
        return (Data(canned.body.utf8), response)
    }
}

/// A clock that only moves when something sleeps, and remembers every sleep.
final class ManualTime: Sendable {
    static let origin = Date(timeIntervalSince1970: 1_700_000_000)
    private let state = Mutex<(now: Double, sleeps: [Double])>((0, []))

    var sleeps: [Double] { state.withLock { $0.sleeps } }
    var now: Double { state.withLock { $0.now } }

    var source: TimeSource {
        TimeSource(
            now: { [self] in now },
            date: { [self] in ManualTime.origin.addingTimeInterval(now) },
            sleep: { [self] seconds in
                state.withLock {
                    $0.sleeps.append(seconds)
                    $0.now += max(0, seconds)
                }
            })
    }
}

extension URLRequest {
    /// The body parsed as JSON (compare values, never strings).
    var json: JSONValue? { httpBody.flatMap { try? JSONValue(parsing: $0) } }
    var path: String { url?.path ?? "" }
    func query(_ name: String) -> String? {
        url.flatMap { URLComponents(url: $0, resolvingAgainstBaseURL: false) }?
            .queryItems?.first(where: { $0.name == name })?.value
    }
}

enum Fixture {
    static func settings(_ platform: String, batchSize: Int? = nil) -> PlatformSettings {
        PlatformSettings(name: platform, baseURL: URL(string: "http://127.0.0.1:8787/\(platform)")!,
                         token: Secret("sandbox-token"), batchSize: batchSize, catalogID: "cat1", merchantID: "123",
                         dataSource: "456", pollIntervalSeconds: 2, unconfirmedAfterSeconds: 60)
    }

    static func retry(_ time: ManualTime, seed: UInt64 = 1) -> RetryPolicy {
        RetryPolicy(time: time.source, jitter: JitterSource(seed: seed))
    }

    /// A small listing in our vocabulary.
    static var listing: Listing {
        var listing = Listing()
        listing.set("id", "A1")
        listing.set("item_group_id", "A")
        listing.set("title", "Mug")
        listing.set("description", "A blue mug")
        listing.set("link", "https://shop.example/a1")
        listing.set("image_link", "https://shop.example/a1.jpg")
        listing.set("price", "199.00 SEK")
        listing.set("sale_price", "149.00 SEK")
        listing.set("sale_price_effective_date", "2024-11-29T00:00+01:00/2024-11-29T23:59+01:00")
        listing.set("availability", "in_stock")
        listing["quantity"] = .integer(3)
        listing.set("brand", "Acme")
        listing.set("gtin", "7350000000001")
        listing.set("condition", "new")
        listing.set("color", "blue")
        listing.set("size", "M")
        return listing
    }

    static func delta(_ operation: Delta.Operation, sku: String = "A1", version: Int64 = 7,
                      changed: [String] = [], values: Listing? = nil) -> Delta {
        var listing = values ?? (operation == .delete ? Listing() : Fixture.listing)
        if operation != .delete && values == nil { listing.set("id", sku) }
        return Delta(channel: "test", sku: sku, operation: operation, version: version, changed: changed,
                     values: listing, priority: .content)
    }
}
