import Foundation
import Testing

@testable import Sandbox

/// The `--faults SPEC` grammar.
@Suite struct FaultSpecTests {
    @Test func theIssuesExampleParses() throws {
        let faults = try SandboxFaults(
            "meta:429:rate=0.3:retry_after=1,google:503:count=5,pinterest:drop:after=10,google:latency=200ms")
        #expect(
            faults.bodies == [
                ["platform": "meta", "status": 429, "rate": .double(0.3), "retry_after": "1"],
                ["platform": "google", "status": 503, "count": 5],
                ["platform": "pinterest", "drop": true, "after": 10],
                ["platform": "google", "latency_ms": 200],
            ])
    }

    @Test(arguments: [
        ("*:latency=1.5s", #"{"latency_ms":1500}"#),
        ("webhook:latency=250", #"{"platform":"webhook","latency_ms":250}"#),
        (
            "webhook:reject=A1|B 2:message=bad price:after=2",
            #"{"platform":"webhook","reject_skus":["A1","B 2"],"message":"bad price","after":2}"#
        ),
        (
            " google:drop_after_apply:method=post:path=productInputs ",
            #"{"platform":"google","drop_after_apply":true,"method":"post","path_contains":"productInputs"}"#
        ),
        ("meta:hang:count=1", #"{"platform":"meta","hang":true,"count":1}"#),
        ("pinterest:500:rate=1:seed=42", #"{"platform":"pinterest","status":500,"rate":1.0,"seed":42}"#),
    ])
    func goodFaults(_ spec: String, _ body: String) throws {
        var expected = try #require(JSON.parse(Data(body.utf8)))
        if case .object(var members) = expected, let rate = members["rate"]?.integer {
            members["rate"] = .double(Double(rate))  // "1.0" decodes as an integer
            expected = .object(members)
        }
        #expect(try SandboxFaults(spec).bodies == [expected])
    }

    @Test(arguments: [
        ("tiktok:500", "tiktok"),
        ("meta:999", "999"),
        ("meta:429:rate=2", "rate=2"),
        ("meta:429:rate=abc", "rate=abc"),
        ("meta:429:count=0", "count=0"),
        ("meta:429:count=x", "count=x"),
        ("google:503:after=-1", "after=-1"),
        ("meta:429:seed=4", "seed=4"),
        ("meta:latency=fast", "latency=fast"),
        ("meta:latency=20m", "latency=20m"),
        ("meta:latency=700s", "latency=700s"),
        ("meta:429:colour=red", "colour=red"),
        ("meta:boom", "boom"),
        ("meta:429:503", "503"),
        ("meta:429:drop", "meta:429:drop"),
        ("meta", "meta"),
        ("meta::429", "meta::429"),
        ("google:503,meta:42x", "42x"),
        ("meta:reject=", "reject="),
        ("meta:reject=A:drop", "meta:reject=A:drop"),
        ("", ""),
    ])
    func badFaultsNameTheBadPart(_ spec: String, _ part: String) {
        let error = #expect(throws: SandboxFaultSpecError.self) { try SandboxFaults(spec) }
        #expect(error?.part == part, "\(spec): \(error.map(String.init(describing:)) ?? "")")
        #expect(error?.description.contains("\"\(part)\"") == true)
    }

    @Test func anEmptyItemIsNamed() {
        let error = #expect(throws: SandboxFaultSpecError.self) { try SandboxFaults("meta:429,,google:503") }
        #expect(error?.fault == "meta:429,,google:503")
        #expect(error?.message.contains("comma") == true)
    }

    @Test func aFileOfFaultsMixesWithCompactOnes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"[{"platform":"meta","status":500,"message":"a, b: c"},{"hang":true,"count":1}]"#.utf8).write(to: file)
        let faults = try SandboxFaults("@\(file.path),webhook:drop")
        #expect(faults.count == 3)
        #expect(faults.bodies[0]["message"] == "a, b: c")
        #expect(faults.bodies[2] == ["platform": "webhook", "drop": true])

        try Data(#"{"platform":"google","drop":true}"#.utf8).write(to: file)
        #expect(try SandboxFaults("@\(file.path)").bodies == [["platform": "google", "drop": true]])
    }

    @Test func aBadFileIsNamed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"[{"status":500},{"status":500,"bogus":1}]"#.utf8).write(to: file)
        let bad = #expect(throws: SandboxFaultSpecError.self) { try SandboxFaults("meta:500,@\(file.path)") }
        #expect(bad?.part == "@\(file.path)")
        #expect(bad?.message.contains("fault 2 of 2") == true)
        #expect(bad?.message.contains("bogus") == true)

        try Data("not json".utf8).write(to: file)
        #expect(throws: SandboxFaultSpecError.self) { try SandboxFaults("@\(file.path)") }
        let missing = #expect(throws: SandboxFaultSpecError.self) { try SandboxFaults("@/nonexistent/faults.json") }
        #expect(missing?.part == "@/nonexistent/faults.json")
    }

    @Test func startupFaultsAreLiveAndListed() async throws {
        let faults = try SandboxFaults("google:503:count=1,webhook:drop:after=5")
        try await withSandbox(faults: faults) { sandbox in
            let listed = try await sandbox.get("/_sandbox/faults", token: nil).json["faults"]?.array ?? []
            #expect(listed.count == 2)
            #expect(try await sandbox.get(FaultSelectorTests.googleProducts).status == 503)
            #expect(try await sandbox.get(FaultSelectorTests.googleProducts).status == 200)
        }
    }
}
