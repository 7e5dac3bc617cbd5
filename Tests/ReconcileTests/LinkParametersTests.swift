import Catalog
import Foundation
import Testing
@testable import Reconcile

@Suite struct LinkParametersTests {
    let utm = LinkParameters("utm_source=instagram&utm_medium=social")

    @Test(arguments: [
        ("https://shop.example/p", "https://shop.example/p?utm_source=instagram&utm_medium=social"),
        ("https://shop.example/p?id=7", "https://shop.example/p?id=7&utm_source=instagram&utm_medium=social"),
        ("https://shop.example/p?id=7#reviews",
         "https://shop.example/p?id=7&utm_source=instagram&utm_medium=social#reviews"),
        ("https://shop.example/p#a?b", "https://shop.example/p?utm_source=instagram&utm_medium=social#a?b"),
        ("https://shop.example/p?utm_source=mail&x=1&utm_source=old",
         "https://shop.example/p?utm_source=instagram&x=1&utm_medium=social"),
        ("https://shop.example/p?utm%5Fsource=mail", "https://shop.example/p?utm_source=instagram&utm_medium=social"),
        ("https://shop.example/p?q=a%20b%26c&&",
         "https://shop.example/p?q=a%20b%26c&utm_source=instagram&utm_medium=social"),
        ("https://shop.example/p?", "https://shop.example/p?utm_source=instagram&utm_medium=social"),
        ("", ""),
    ])
    func mergesIntoTheQueryKeepingFragmentAndEncoding(_ link: String, _ expected: String) {
        #expect(utm.applied(to: link) == expected)
    }

    @Test func configuredTextIsEncodedOnlyWhereAQueryCannotHoldIt() {
        #expect(LinkParameters("?utm_campaign=black friday&ref=%C3%A5&x=100%").pieces
            == ["utm_campaign=black%20friday", "ref=%C3%A5", "x=100%25"])
        #expect(LinkParameters("utm_campaign=vår").pieces == ["utm_campaign=v%C3%A5r"])
        #expect(LinkParameters("a=1&a=2").pieces == ["a=2"])
        #expect(LinkParameters("").isEmpty)
    }

    @Test func channelRulesMergeTheParametersIntoTheLink() throws {
        var base = Listing()
        base.set("link", "https://shop.example/p?id=7")
        let rules = ChannelRules(linkParameters: utm)
        let desired = try #require(rules.desiredListing(from: base, now: Date(timeIntervalSince1970: 0)))
        #expect(desired["link"] == .text("https://shop.example/p?id=7&utm_source=instagram&utm_medium=social"))
        #expect(URL(string: desired["link"]!.description) != nil)
    }
}
