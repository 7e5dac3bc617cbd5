import Foundation
import Testing

@testable import Sandbox

@Suite struct GooglePlatformTests {
    static let accounts = "/google/products/v1/accounts/42"
    static let insertPath = "\(accounts)/productInputs:insert?dataSource=accounts/42/dataSources/7"

    static func input(_ sku: String, version: Int64? = 7, attributes: JSON? = nil) -> JSON {
        var members: [String: JSON] = [
            "offerId": .string(sku), "contentLanguage": "sv", "feedLabel": "SE",
            "productAttributes": attributes ?? [
                "title": "Hat", "availability": "IN_STOCK", "sellOnGoogleQuantity": "3",
                "price": ["amountMicros": "199000000", "currencyCode": "SEK"],
                "gtins": ["7350000000001"], "size": "M",
            ],
        ]
        if let version { members["versionNumber"] = .string(String(version)) }
        return .object(members)
    }

    @Test func insertStoresTheWholeItemAndAnswersWithItsName() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.post(Self.insertPath, Self.input("A1"))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["name"] == "accounts/42/productInputs/sv~SE~A1")
            #expect(reply.json["versionNumber"] == "7")
            let stored = try #require(try await sandbox.items("google")["A1"])
            #expect(stored["productAttributes"]?["sellOnGoogleQuantity"] == "3")
            let write = try #require(try await sandbox.history("google").first)
            #expect(write["op"] == "insert")
            #expect(write["version"] == 7)
        }
    }

    @Test func aLowerVersionIsA409AndAnEqualOrHigherOneReplaces() async throws {
        try await withSandbox { sandbox in
            _ = try await sandbox.post(Self.insertPath, Self.input("A1", version: 7))
            let stale = try await sandbox.post(Self.insertPath, Self.input("A1", version: 6))
            #expect(stale.status == 409)
            #expect(stale.json["error"]?["status"] == "ABORTED")
            #expect(stale.json["error"]?["message"]?.string?.contains("version") == true)
            #expect(try await sandbox.post(Self.insertPath, Self.input("A1", version: 7)).status == 200)
            #expect(try await sandbox.post(Self.insertPath, Self.input("A1", version: 8)).status == 200)
            #expect(try await sandbox.history("google").compactMap { $0["version"]?.integer } == [7, 7, 8])
        }
    }

    @Test(arguments: [
        (
            #"{"offerId":"A1","contentLanguage":"sv","feedLabel":"SE","productAttributes":{"price":{"amountMicros":"1"}}}"#,
            "currencyCode"
        ),
        (
            #"{"offerId":"A1","contentLanguage":"sv","feedLabel":"SE","productAttributes":{"price":"199.00 SEK"}}"#,
            "amountMicros"
        ),
        (
            #"{"offerId":"A1","contentLanguage":"sv","feedLabel":"SE","productAttributes":{"sizes":["M"]}}"#,
            "Unknown name \"sizes\""
        ),
        (
            #"{"offerId":"A1","contentLanguage":"sv","feedLabel":"SE","productAttributes":{"availability":"in stock"}}"#,
            "Availability"
        ),
        (#"{"contentLanguage":"sv","feedLabel":"SE"}"#, "offerId"),
        (#"{"offerId":"A1","contentLanguage":"swedish","feedLabel":"SE"}"#, "contentLanguage"),
        (#"{"offerId":"A1","contentLanguage":"sv","feedLabel":"SE","versionNumber":"seven"}"#, "version_number"),
        (#"{"offerId":"A1","contentLanguage":"sv","feedLabel":"SE","attributes":{}}"#, "Unknown name \"attributes\""),
        (
            #"{"offerId":"A1","contentLanguage":"sv","feedLabel":"SE","productAttributes":{"salePriceEffectiveDate":{"startTime":"2024-11-29T00:00+01:00"}}}"#,
            "RFC 3339"
        ),
    ])
    func invalidInputIsA400InvalidArgument(_ body: String, _ mentions: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.send("POST", Self.insertPath, body: Data(body.utf8))
            #expect(reply.status == 400)
            #expect(reply.json["error"]?["status"] == "INVALID_ARGUMENT")
            #expect(reply.json["error"]?["message"]?.string?.contains(mentions) == true, "\(reply.text)")
            #expect(try await sandbox.items("google").isEmpty)
        }
    }

    @Test func insertWithoutADataSourceIsA400() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.post("\(Self.accounts)/productInputs:insert", Self.input("A1"))
            #expect(reply.status == 400)
            #expect(reply.json["error"]?["message"]?.string?.contains("dataSource") == true)
        }
    }

    @Test func deleteRemovesByPlainOrEncodedNameAndUnknownIsA404() async throws {
        try await withSandbox { sandbox in
            _ = try await sandbox.post(Self.insertPath, Self.input("A/1"))
            _ = try await sandbox.post(Self.insertPath, Self.input("B1"))
            let query = "?dataSource=accounts/42/dataSources/7"
            let plain = try await sandbox.send("DELETE", "\(Self.accounts)/productInputs/sv~SE~A%2F1\(query)")
            #expect(plain.status == 200, "\(plain.text)")
            #expect(plain.json == [:])
            let encoded = Data("sv~SE~B1".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            #expect(try await sandbox.send("DELETE", "\(Self.accounts)/productInputs/\(encoded)\(query)").status == 200)
            #expect(try await sandbox.send("DELETE", "\(Self.accounts)/productInputs/sv~SE~B1\(query)").status == 404)
            #expect(try await sandbox.items("google").isEmpty)
            #expect(
                try await sandbox.history("google").compactMap { $0["op"]?.string } == [
                    "insert", "insert", "delete", "delete",
                ])
        }
    }

    @Test func productsArePagedWithPageTokens() async throws {
        try await withSandbox { sandbox in
            for sku in ["A1", "A2", "A3"] { _ = try await sandbox.post(Self.insertPath, Self.input(sku)) }
            let first = try await sandbox.get("\(Self.accounts)/products?pageSize=2")
            #expect(first.json["products"]?.array?.map { $0["offerId"] } == ["A1", "A2"])
            #expect(first.json["products"]?.array?.first?["name"] == "accounts/42/products/sv~SE~A1")
            let token = try #require(first.json["nextPageToken"]?.string)
            let second = try await sandbox.get("\(Self.accounts)/products?pageSize=2&pageToken=\(token)")
            #expect(second.json["products"]?.array?.map { $0["offerId"] } == ["A3"])
            #expect(second.json["nextPageToken"] == nil)
            #expect(try await sandbox.get("\(Self.accounts)/products?pageToken=bogus!").status == 400)
        }
    }
}
