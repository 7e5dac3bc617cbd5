import Foundation
import Reconcile
import Testing
@testable import Daemon

@Suite struct ConfigTests {
    let file = URL(fileURLWithPath: "/srv/catalogsync/config/catalogsync.json")

    func parse(_ text: String) throws -> Config { try Config.parse(text, file: file) }

    let minimal = """
        {
          // a comment
          feeds: [{ name: "products", source: "../feeds/products.csv", currency: "SEK", locale: "sv_SE", }],
          channels: [{ name: "local", type: "file", path: "../out/local" }],
        }
        """

    @Test func minimalConfigResolvesPathsAgainstItsFolder() throws {
        let config = try parse(minimal)
        #expect(config.stateDirectory.path == "/srv/catalogsync/state")
        #expect(config.feeds[0].sourceURL.path == "/srv/catalogsync/feeds/products.csv")
        #expect(config.feeds[0].currency?.code == "SEK")
        #expect(config.channels[0].path?.path == "/srv/catalogsync/out/local")
        #expect(config.channels[0].rules.stock.shareMillionths == 1_000_000)
    }

    @Test func unknownKeyIsNamedWithItsLine() throws {
        let text = minimal.replacingOccurrences(of: "name: \"local\",", with: "name: \"local\",\n colour: 1,")
        let error = try #require(throws: ConfigError.self) { try parse(text) }
        #expect(error.key == "channels[0].colour")
        #expect(error.line == 5)
        #expect(error.description.contains("catalogsync.json:5: channels[0].colour: unknown key"))
    }

    @Test func syntaxErrorHasItsLineAndColumn() throws {
        let error = try #require(throws: ConfigError.self) { try parse("{\n  feeds: [\n  channels: }") }
        #expect(error.line == 3)
    }

    @Test(arguments: [
        ("currency: \"SEK\"", "currency: \"KRONOR\"", "feeds[0].currency"),
        ("locale: \"sv_SE\"", "locale: \"xx_YY\"", "feeds[0].locale"),
        ("type: \"file\"", "type: \"fax\"", "channels[0].type"),
        ("path: \"../out/local\"", "path: null", "channels[0].path"),
    ])
    func badValueIsNamed(_ original: String, _ replacement: String, _ key: String) throws {
        let error = try #require(throws: ConfigError.self) {
            try parse(minimal.replacingOccurrences(of: original, with: replacement))
        }
        #expect(error.key == key)
    }

    @Test func stockShareIsExactMillionths() throws {
        let text = minimal.replacingOccurrences(of: "path: \"../out/local\"",
                                                with: "path: \"x\", stock: { buffer: 2, share: 0.35, cap: 10 }")
        let stock = try parse(text).channels[0].rules.stock
        #expect(stock.buffer == 2)
        #expect(stock.shareMillionths == 350_000)
        #expect(stock.cap == 10)
    }

    @Test func channelRulesAreRead() throws {
        let text = minimal.replacingOccurrences(of: "path: \"../out/local\"", with: """
            path: "x", price: { markup_pct: 12.5, round: "0.99", per_currency: { EUR: { round: "whole" } } },
            include: { brands: ["Nordvik"], availability: "in_stock" }, exclude: { ids: ["A1"] },
            link_params: "utm_source=ig", stock: { allocation: "partition", group: "social", weight: 2 },
            sale_dates: false
            """)
        let rules = try parse(text).channels[0].rules
        #expect(rules.price.base.markupPercent == ExactDecimal("12.5"))
        #expect(rules.include.brands == ["Nordvik"])
        #expect(rules.exclude.ids == ["A1"])
        #expect(rules.allocation == .partition(group: "social", weight: 2, priority: 0))
        #expect(rules.takesSaleDates == false)
    }

    @Test func unknownKeyInsideARuleIsNamed() throws {
        let text = minimal.replacingOccurrences(of: "path: \"../out/local\"",
                                                with: "path: \"x\", price: { markup: 10 }")
        let error = try #require(throws: ConfigError.self) { try parse(text) }
        #expect(error.key == "channels[0].price.markup")
    }

    @Test func platformChannelNeedsItsIds() throws {
        let text = minimal.replacingOccurrences(of: "type: \"file\", path: \"../out/local\"",
                                                with: "type: \"meta\", base_url: \"http://127.0.0.1:1/meta/v21.0\"")
        let error = try #require(throws: ConfigError.self) { try parse(text) }
        #expect(error.key == "channels[0].catalog_id")
    }

    @Test func batchesInFlightDefaultToFourForMetaAndOneElsewhere() throws {
        #expect(try parse(minimal).channels[0].batchesInFlight == 1)
        let meta = minimal.replacingOccurrences(of: "type: \"file\", path: \"../out/local\"",
                                                with: "type: \"meta\", catalog_id: \"1\"")
        #expect(try parse(meta).channels[0].batchesInFlight == 4)
        let two = meta.replacingOccurrences(of: "catalog_id: \"1\"", with: "catalog_id: \"1\", batches_in_flight: 2")
        #expect(try parse(two).channels[0].batchesInFlight == 2)
        for bad in ["0", "17"] {
            let error = try #require(throws: ConfigError.self) {
                try parse(meta.replacingOccurrences(of: "catalog_id: \"1\"",
                                                    with: "catalog_id: \"1\", batches_in_flight: \(bad)"))
            }
            #expect(error.key == "channels[0].batches_in_flight")
        }
    }

    @Test func durationsReadOperatorUnits() {
        #expect(parseDuration("30s") == 30)
        #expect(parseDuration("5m") == 300)
        #expect(parseDuration("24h") == 86_400)
        #expect(parseDuration("250ms") == 0.25)
        #expect(parseDuration("5 minutes") == nil)
        #expect(parseDuration("-5s") == nil)
    }

    @Test func json5AcceptsCommentsTrailingCommasAndBareKeys() throws {
        let value = try JSON5Parser.parse("/* c */ { a: 'x', \"b\": [1, +2, 0x10,], c: null, // end\n }")
        guard case .object(let members, _) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["a", "b", "c"])
    }

    @Test func json5RejectsDuplicateKeys() {
        #expect(throws: JSON5SyntaxError.self) { try JSON5Parser.parse("{a: 1, a: 2}") }
    }

    @Test func theShippedDefaultConfigurationLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let config = try Config.load(from: root.appendingPathComponent("config/catalogsync.json"))
        #expect(config.feeds.map(\.name) == ["products"])
        #expect(config.channels.map(\.type) == [.file])
    }
}
