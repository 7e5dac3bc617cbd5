import Foundation

/// The Python baselines of ../shared/bench: the same job (read gen1 and gen2, per-SKU diff, check the counts).
struct Baselines {
    let benchDirectory: URL
    let logs: URL
    /// The baselines that can run here (their Python package imports).
    private(set) var available: [String] = []
    /// Why a requested baseline was skipped.
    private(set) var notes: [String] = []

    static let modules = ["polars": "polars", "duckdb": "duckdb", "python": "json", "sqlite": "sqlite3"]

    init(requested: [String], benchDirectory: URL, logs: URL) throws {
        self.benchDirectory = benchDirectory
        self.logs = logs
        for name in requested {
            let module = Self.modules[name] ?? name
            let probe = logs.appendingPathComponent("probe-\(name)")
            let run = try runChild(
                ["python3", "-c", "import \(module)"], stdout: URL(fileURLWithPath: probe.path + ".out"),
                stderr: URL(fileURLWithPath: probe.path + ".err"))
            if run.exitStatus == 0 {
                available.append(name)
            } else {
                notes.append("\(name) skipped: the Python package \(module) is missing (pip install \(module))")
            }
        }
    }

    /// Whether `baseline` handles `format` (Polars has no XML reader).
    static func supports(_ baseline: String, format: String) -> Bool {
        !(baseline == "polars" && format == "xml")
    }

    /// One timed run of `baseline_NAME.py g1 g2`; `nil` wall time when it failed or its check did not pass.
    func run(_ name: String, gen1: URL, gen2: URL, label: String) throws -> (ChildRun, result: [String: Any]?) {
        let script = benchDirectory.appendingPathComponent("baseline_\(name).py")
        let log = logs.appendingPathComponent("\(label)-\(name)")
        let stdout = URL(fileURLWithPath: log.path + ".out")
        let run = try runChild(
            ["python3", script.path, gen1.path, gen2.path], stdout: stdout,
            stderr: URL(fileURLWithPath: log.path + ".err"))
        let text = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").last { $0.hasPrefix("RESULT ") }
        let result = line.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.dropFirst("RESULT ".count).utf8)) as? [String: Any]
        }
        return (run, result)
    }
}
