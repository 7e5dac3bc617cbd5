import Foundation
import Testing
@testable import Daemon

@Suite struct CanonicalTextTests {
    struct Rules {
        var labels: [Int: [String]]
        var currencies: [String: Int]
        var cap: Int?
    }

    @Test func dictionariesAreSortedSoTheTextIsTheSameInEveryProcess() {
        let rules = Rules(labels: [3: ["x"], 1: ["y"], 2: []], currencies: ["SEK": 1, "EUR": 2], cap: nil)
        let text = CanonicalText.of(rules)
        #expect(text == CanonicalText.of(Rules(labels: [2: [], 1: ["y"], 3: ["x"]], currencies: ["EUR": 2, "SEK": 1],
                                               cap: nil)))
        #expect(text != CanonicalText.of(Rules(labels: [3: ["x"], 1: ["y"], 2: []], currencies: ["SEK": 2, "EUR": 1],
                                               cap: nil)))
        #expect(text.contains("cap:nil"))
    }

    @Test func aFolderIsTheSameWhetherItExistsYetOrNot() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cs-canon-\(UUID().uuidString)")
        let before = CanonicalText.of([URL(fileURLWithPath: folder.path)])
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(URL(fileURLWithPath: folder.path).absoluteString.hasSuffix("/"))  // what made the keys differ
        #expect(CanonicalText.of([URL(fileURLWithPath: folder.path)]) == before)
    }
}
