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
}
