import Catalog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Channels

/// Where the official contracts and the checker are, and whether the checker can run here.
struct ContractEnvironment: Sendable {
    static let current = ContractEnvironment()

    /// `<package root>/../shared/real/contracts` (the shared folder sits beside the checkout).
    let contracts: URL
    /// `Tests/contracts/check_contracts.py`: outside the test target's folder, where SwiftPM would warn
    /// about a file it does not build.
    let checker: URL
    /// Why the contract tests cannot run here, or `nil` when they can.
    let unavailable: String?

    init(filePath: String = #filePath) {
        let testsFolder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        let packageRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
        let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
        contracts = shared.appendingPathComponent("real/contracts")
        checker = testsFolder.deletingLastPathComponent().appendingPathComponent("contracts/check_contracts.py")
        if !FileManager.default.fileExists(atPath: contracts.appendingPathComponent("pinterest-openapi-v5.yaml").path) {
            unavailable = "the official contracts are not at \(contracts.path) (\(shared.path) is absent)"
            return
        }
        let probe = ContractChecker.python(["-c", "import jsonschema, openapi_schema_validator, yaml"])
        if probe.status != 0 {
            let cause = probe.output.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
            unavailable = "python3 or its packages are missing (\(cause)); "
                + "pip install openapi-schema-validator jsonschema"
        } else {
            unavailable = nil
        }
    }

    /// The trait comment saying why a contract test is skipped.
    var skipComment: Comment { Comment(rawValue: unavailable ?? "") }
}

/// Runs `check_contracts.py` over a folder of captured requests.
enum ContractChecker {
    /// The exit status and the combined stdout and stderr of `python3 arguments…`; status 127 when
    /// python3 cannot be started.
    static func python(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (127, "cannot start python3: \(error)") }
        // Read before waiting: a full pipe would otherwise block the child forever.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func check(_ folder: URL, environment: ContractEnvironment = .current) -> (status: Int32, output: String) {
        python([environment.checker.path, folder.path, environment.contracts.path])
    }

    /// Writes `requests` as `<name>.json` envelopes into a new temporary folder, and also into
    /// `$CATALOGSYNC_CONTRACT_PAYLOADS` when set (to read them, or run the checker on them by hand).
    static func write(_ requests: [(name: String, request: JSONValue)]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("catalogsync-contracts-\(UUID().uuidString)")
        var folders = [folder]
        if let keep = ProcessInfo.processInfo.environment["CATALOGSYNC_CONTRACT_PAYLOADS"], !keep.isEmpty {
            folders.append(URL(fileURLWithPath: keep))
        }
        for target in folders {
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for (name, request) in requests {
                try request.data.write(to: target.appendingPathComponent("\(name).json"))
            }
        }
        return folder
    }
}

/// A request an adapter sent, in the checker's envelope: `{"method", "path", "query", "body"}`, the path
/// relative to the API root (the fixture's base URL path, e.g. `/pinterest`, removed).
struct CapturedRequest {
    var envelope: JSONValue

    init(_ request: URLRequest, basePath: String) throws {
        let url = try #require(request.url)
        var path = url.path
        if path.hasPrefix(basePath) { path.removeFirst(basePath.count) }
        var query: [String: JSONValue] = [:]
        for item in URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? [] {
            query[item.name] = .string(item.value ?? "")
        }
        let body: JSONValue = try request.httpBody.map { try JSONValue(parsing: $0) } ?? .null
        envelope = ["method": .string(request.httpMethod ?? "GET"), "path": .string(path), "query": .object(query),
                    "body": body]
    }
}

/// One representative delta, and the prices it is sent with.
struct ContractCase: Sendable, CustomStringConvertible {
    var name: String
    var delta: Delta
    /// Platforms whose payload for this case is known to break their contract, and why (run in `withKnownIssue`).
    var knownViolations: [ContractPlatform: String] = [:]
    var description: String { name }

    /// Every attribute our mappings know, in `currency`.
    static func fullListing(price: String, salePrice: String) -> Listing {
        var listing = Fixture.listing
        listing.set("price", price)
        listing.set("sale_price", salePrice)
        listing.set("additional_image_link", "https://shop.example/a1-side.jpg, https://shop.example/a1-top.jpg")
        listing.set("mpn", "MUG-1")
        listing.set("material", "stoneware")
        listing.set("pattern", "plain")
        listing.set("gender", "unisex")
        listing.set("age_group", "adult")
        listing.set("google_product_category", "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs")
        listing.set("product_type", "Kitchen > Mugs")
        for index in 0..<5 { listing.set("custom_label_\(index)", "label \(index)") }
        return listing
    }

    static var all: [ContractCase] {
        let sek = fullListing(price: "199.00 SEK", salePrice: "149.00 SEK")
        var cases = [
            ContractCase(name: "create-sek", delta: Fixture.delta(.create, values: sek)),
            ContractCase(name: "create-jpy",
                         delta: Fixture.delta(.create, values: fullListing(price: "1500 JPY", salePrice: "1200 JPY"))),
            ContractCase(name: "create-kwd",
                         delta: Fixture.delta(.create, values: fullListing(price: "1.250 KWD", salePrice: "0.990 KWD"))),
        ]
        var repriced = sek
        repriced.set("price", "219.00 SEK")
        cases.append(ContractCase(name: "update-price", delta: Fixture.delta(.update, changed: ["price"], values: repriced)))
        var saleEnded = sek
        saleEnded.set("sale_price", nil)
        saleEnded.set("sale_price_effective_date", nil)
        cases.append(ContractCase(name: "update-sale-ended",
                                  delta: Fixture.delta(.update, changed: ["sale_price", "sale_price_effective_date"],
                                                       values: saleEnded)))
        var soldOut = sek
        soldOut["quantity"] = .integer(0)
        soldOut.set("availability", "out_of_stock")
        cases.append(ContractCase(name: "update-sold-out",
                                  delta: Fixture.delta(.update, changed: ["availability", "quantity"], values: soldOut)))
        // A feed row whose description became empty: the delta says the attribute is now absent.
        var noDescription = sek
        noDescription.set("description", nil)
        // Required attributes are never cleared (Meta refuses "", Pinterest null): they are left as they are.
        cases.append(ContractCase(
            name: "update-description-emptied",
            delta: Fixture.delta(.update, changed: ["description"], values: noDescription)))
        cases.append(ContractCase(name: "delete", delta: Fixture.delta(.delete)))
        return cases
    }
}

/// The platforms with an official contract, and how to capture what their adapter sends.
enum ContractPlatform: String, CaseIterable, Sendable {
    case pinterest, google, meta

    /// The one write request the adapter sends for `delta` (status polls are not part of the contract here).
    func capture(_ delta: Delta) async throws -> CapturedRequest {
        let time = ManualTime()
        var settings = Fixture.settings(rawValue)
        let transport: FakeTransport
        let result: PushResult
        switch self {
        case .pinterest:
            settings.adAccountID = "549"
            transport = pinterestServer { id, _ in completed(id) }
            result = try await PinterestChannel(settings: settings, transport: transport, retry: Fixture.retry(time))
                .push([delta])
        case .google:
            transport = FakeTransport(sequence: [.json(200, "{}")])
            result = try await GoogleChannel(settings: settings, transport: transport, retry: Fixture.retry(time))
                .push([delta])
        case .meta:
            transport = metaServer { handle, _ in finished(handle) }
            result = try await MetaChannel(settings: settings, transport: transport, retry: Fixture.retry(time))
                .push([delta])
        }
        #expect(result.rejected.isEmpty, "\(self) rejected \(delta.sku) before sending: \(result.rejected)")
        let writes = transport.requests.filter { $0.httpMethod != "GET" }
        #expect(writes.count == 1, "\(self) sent \(writes.count) write requests for one delta")
        return try CapturedRequest(try #require(writes.first), basePath: "/\(rawValue)")
    }
}
