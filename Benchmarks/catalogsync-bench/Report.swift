import Foundation

/// One measured run, as written to `runs.jsonl`.
struct Sample {
    var testCase: Case
    var format: String
    var skus: Int
    /// `catalogsync`, a baseline's name, or `xmllint`.
    var tool: String
    var repeatIndex: Int
    var run: ChildRun
    var inputBytes: Int
    /// `ok`, `mismatch …`, or `n/a`.
    var check: String
    var extra: [String: Any] = [:]

    var json: String {
        var object: [String: Any] = [
            "case": testCase.rawValue, "format": format, "skus": skus, "tool": tool, "repeat": repeatIndex,
            "wall_s": rounded(run.wallSeconds, 4), "peak_rss_mib": rounded(run.peakRSSMiB, 1),
            "written_mib": rounded(Double(run.writtenBytes) / 1_048_576, 1), "user_s": rounded(run.userSeconds, 3),
            "sys_s": rounded(run.systemSeconds, 3), "exit": Int(run.exitStatus), "input_bytes": inputBytes,
            "check": check,
        ]
        for (key, value) in extra { object[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

func rounded(_ value: Double, _ places: Int) -> Double {
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
}

func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// The markdown table of medians: one row per case, format and SKU count.
struct Report {
    var measurements: [Sample] = []
    var baselineNames: [String]

    func table() -> String {
        var lines: [String] = []
        let baselineHeader = baselineNames.map { "\($0) s" }
        let header =
            [
                "case", "format", "SKUs", "ours s", "ours ingest / reconcile / push s", "ours peak RSS MiB",
                "ours written MiB",
            ] + baselineHeader
            + ["xmllint --stream s", "ratio (best baseline / ours)", "ours MB/s", "runs", "deltas c/u/d", "check"]
        lines.append("| " + header.joined(separator: " | ") + " |")
        lines.append(
            "|"
                + header.enumerated().map { $0.offset < 2 || $0.offset >= header.count - 2 ? "---|" : "---:|" }
                .joined())
        var keys: [(Case, String, Int)] = []
        for m in measurements
        where m.tool == "catalogsync" && !keys.contains(where: { $0 == (m.testCase, m.format, m.skus) }) {
            keys.append((m.testCase, m.format, m.skus))
        }
        for (testCase, format, skus) in keys {
            let rows = measurements.filter { $0.testCase == testCase && $0.format == format && $0.skus == skus }
            let ours = rows.filter { $0.tool == "catalogsync" }
            guard let oursMedian = median(ours.map(\.run.wallSeconds)) else { continue }
            let peak = ours.map(\.run.peakRSSMiB).max() ?? 0
            let written = median(ours.map { Double($0.run.writtenBytes) / 1_048_576 }) ?? 0
            let phases = ["ingest", "reconcile", "push"].map { name in
                median(ours.compactMap { ($0.extra["phases_s"] as? [String: Double])?[name] }).map { fixed($0) } ?? "?"
            }
            var cells = [
                testCase.rawValue, format, skus.formatted(), fixed(oursMedian), phases.joined(separator: " / "),
                fixed(peak, 0), fixed(written, 1),
            ]
            var best: Double?
            for name in baselineNames {
                let runs = rows.filter { $0.tool == name }
                guard !runs.isEmpty else {
                    cells.append("n/a")
                    continue
                }
                let good = runs.filter { $0.check == "ok" }.map(\.run.wallSeconds)
                if let value = median(good) {
                    best = min(best ?? value, value)
                    cells.append(fixed(value) + (good.count < runs.count ? " (\(runs.count - good.count) failed)" : ""))
                } else {
                    cells.append("failed")
                }
            }
            cells.append(median(rows.filter { $0.tool == "xmllint" }.map(\.run.wallSeconds)).map { fixed($0) } ?? "")
            cells.append(best.map { fixed($0 / oursMedian) + "×" } ?? "")
            let bytes = Double(ours.first?.inputBytes ?? 0)
            cells.append(fixed(bytes / 1e6 / oursMedian, 1))
            cells.append("\(ours.count)")
            cells.append(ours.last.map { ($0.extra["deltas"] as? String) ?? "" } ?? "")
            let checks = Set(ours.map(\.check))
            cells.append(checks == ["ok"] ? "ok" : checks.sorted().joined(separator: "; "))
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    private func fixed(_ value: Double, _ places: Int = 2) -> String {
        String(format: "%.\(places)f", value)
    }
}
