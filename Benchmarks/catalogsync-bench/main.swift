import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// catalogsync-bench: catalogsync's sync cycle against the Python baselines of ../shared/bench (issue #8).
// README "Performance" has the command and the figures measured with it.

/// The feed generation a case's timed cycle reads, and the gen2 the baselines diff against gen1 for it.
func generation(_ testCase: Case) -> Generation {
    switch testCase {
    case .cold: .g1
    case .steady: .g2
    case .incremental: .g2inc
    }
}

/// The baselines' job for a case: gen1 + this generation; cold is compared with the full gen1 + gen2 job.
func baselineGeneration(_ testCase: Case) -> Generation {
    testCase == .incremental ? .g2inc : .g2
}

func fileSize(_ url: URL) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
}

/// Reads `files` from end to end, untimed, so that the timed run that follows reads them from the page cache.
///
/// A daemon's feed was just written by the export or the download, and the baselines' figures assume cached files
/// (`RESULTS.md`: `cat` reads a 1M-SKU CSV in 0.07 s). At 5M SKUs, copying the 12 GB seed pushed the 2.8 GB feed
/// out of the page cache, and the cycle's figure was then mostly the disk's.
func readIntoPageCache(_ files: URL...) {
    var buffer = [UInt8](repeating: 0, count: 8 << 20)
    for file in files {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { continue }  // the timed run reports a missing file
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress!, $0.count) }) > 0 {}
        close(fd)
    }
}

func main() throws -> Int32 {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    let locations = try Locations(options)
    let manager = FileManager.default
    let logs = options.work.appendingPathComponent("logs")
    try manager.createDirectory(at: logs, withIntermediateDirectories: true)
    let feeds = FeedFiles(
        folder: options.work.appendingPathComponent("feeds"),
        genfeed: locations.benchDirectory.appendingPathComponent("genfeed.py"))
    let baselines = try Baselines(requested: options.baselines, benchDirectory: locations.benchDirectory, logs: logs)
    for note in baselines.notes { progress(note) }
    let xmllint = which("xmllint")
    let cases = Case.allCases.filter(options.cases.contains)
    let runsFile = options.work.appendingPathComponent("runs.jsonl")
    if !manager.fileExists(atPath: runsFile.path) { _ = manager.createFile(atPath: runsFile.path, contents: nil) }
    let runs = try FileHandle(forWritingTo: runsFile)
    defer { try? runs.close() }
    try runs.seekToEnd()
    var report = Report(baselineNames: options.baselines)
    let started = Date()

    func record(_ m: Sample) {
        report.measurements.append(m)
        runs.write(Data((m.json + "\n").utf8))
    }

    for skus in options.skus {
        for format in options.formats {
            var files: [Generation: URL] = [.g1: try feeds.ensure(skus: skus, format: format, .g1, logs: logs)]
            for testCase in cases where files[baselineGeneration(testCase)] == nil {
                let g = baselineGeneration(testCase)
                files[g] = try feeds.ensure(skus: skus, format: format, g, logs: logs)
            }
            let cycle = Cycle(
                binary: locations.catalogsync,
                folder: options.work.appendingPathComponent("run-\(format)-\(skus)"), logs: logs)
            try cycle.reset()
            for index in 1...options.repeats {
                let label = "\(format)-\(skus)-r\(index)"
                // Ours, then every baseline, then xmllint: alternately, so that drift in the machine's load
                // reaches all of them alike.
                for testCase in cases {
                    let feed = files[generation(testCase)]!
                    let (run, counts) = try cycle.run(testCase, feed: feed, seedFeed: files[.g1]!, label: label)
                    let expected = try feeds.expected(skus: skus, format: format, generation(testCase))
                    let wanted = "\(expected.created)/\(expected.updated)/\(expected.deleted)"
                    let check = counts.matches(expected) ? "ok" : "mismatch: c/u/d \(counts.text), expected \(wanted)"
                    progress(
                        String(
                            format: "%@ %@ catalogsync: %.2f s, %.0f MiB peak RSS, deltas %@, %@ (exit %d)",
                            label, testCase.rawValue, run.wallSeconds, run.peakRSSMiB, counts.text, check,
                            run.exitStatus))
                    record(
                        Sample(
                            testCase: testCase, format: format, skus: skus, tool: "catalogsync",
                            repeatIndex: index, run: run, inputBytes: fileSize(feed), check: check,
                            extra: [
                                "deltas": counts.text,
                                "phases_s": cycle.phases(label: label, testCase: testCase),
                            ]))
                }
                var baselineJobs: [Generation] = []
                for testCase in cases where !baselineJobs.contains(baselineGeneration(testCase)) {
                    baselineJobs.append(baselineGeneration(testCase))
                }
                for job in baselineJobs {
                    for name in baselines.available where Baselines.supports(name, format: format) {
                        readIntoPageCache(files[.g1]!, files[job]!)
                        let (run, result) = try baselines.run(
                            name, gen1: files[.g1]!, gen2: files[job]!,
                            label: "\(label)-\(job.rawValue)")
                        let check = result?["check"] as? Bool == true ? "ok" : "failed (exit \(run.exitStatus))"
                        progress(
                            String(
                                format: "%@ %@ %@: %.2f s, %.0f MiB peak RSS, %@", label, job.rawValue, name,
                                run.wallSeconds, run.peakRSSMiB, check))
                        let bytes = fileSize(files[.g1]!) + fileSize(files[job]!)
                        var extra: [String: Any] = ["job": "g1+\(job.rawValue)"]
                        if let total = result?["total_s"] as? Double { extra["self_reported_s"] = rounded(total, 3) }
                        for testCase in cases where baselineGeneration(testCase) == job {
                            record(
                                Sample(
                                    testCase: testCase, format: format, skus: skus, tool: name,
                                    repeatIndex: index, run: run, inputBytes: bytes, check: check,
                                    extra: extra))
                        }
                    }
                }
                if format == "xml", let xmllint {
                    for testCase in cases {
                        let feed = files[generation(testCase)]!
                        let out = logs.appendingPathComponent("\(label)-\(testCase.rawValue)-xmllint")
                        readIntoPageCache(feed)
                        let run = try runChild(
                            [xmllint, "--stream", "--noout", feed.path],
                            stdout: URL(fileURLWithPath: out.path + ".out"),
                            stderr: URL(fileURLWithPath: out.path + ".err"))
                        record(
                            Sample(
                                testCase: testCase, format: format, skus: skus, tool: "xmllint",
                                repeatIndex: index, run: run, inputBytes: fileSize(feed),
                                check: run.exitStatus == 0 ? "ok" : "failed"))
                    }
                }
            }
        }
    }

    let day = started.formatted(.iso8601.year().month().day())
    var system = utsname()
    uname(&system)
    let machine = withUnsafeBytes(of: &system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let kernel = withUnsafeBytes(of: &system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
    var text = """
        catalogsync-bench \(day): \(ProcessInfo.processInfo.activeProcessorCount) cores, \
        \(String(format: "%.0f", memory)) GiB, Linux \(kernel) \(machine); medians of \(options.repeats) runs, \
        wall time of whole processes; xmllint reads the one file our cycle reads, the baselines read gen1 + gen2.

        """
    text += report.table() + "\n"
    var notes = baselines.notes
    if options.formats.contains("xml") && options.baselines.contains("polars") {
        notes.append("polars has no XML reader")
    }
    if options.formats.contains("xml") && xmllint == nil {
        notes.append("xmllint not found (apt-get install libxml2-utils)")
    }
    if !notes.isEmpty { text += "\n" + notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
    print(text, terminator: "")
    try text.write(to: options.work.appendingPathComponent("summary.md"), atomically: true, encoding: .utf8)
    progress("raw runs: \(runsFile.path); logs: \(logs.path)")
    return report.measurements.contains { $0.tool == "catalogsync" && $0.check != "ok" } ? 1 : 0
}

do {
    exit(try main())
} catch {
    progress("\(error)")
    exit(2)
}
