import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the bench measures: `Case` × format × SKU count, `repeats` times each.
enum Case: String, CaseIterable {
    /// Empty state; generation 1 timed (the first sync of a catalog).
    case cold
    /// State seeded with generation 1 (untimed); generation 2 (1% price, 5% stock, 0.5% added, 0.5% removed) timed.
    case steady
    /// State seeded with generation 1; a generation with 0.1% stock changes only timed.
    case incremental
}

struct Options {
    static let usage = """
        usage: swift run -c release catalogsync-bench [options]

        Generates feeds with genfeed.py, runs catalogsync's cycle (`catalogsync sync --once`, a child process)
        and the Python baselines alternately, and prints one markdown table of medians.

          --skus N[,N…]          SKU counts (default 100000)
          --formats LIST         csv, tsv, json, jsonl, xml (default csv)
          --cases LIST           cold, steady, incremental (default all three)
          --repeat N             runs of each measurement; the table shows medians (default 3)
          --baselines LIST       polars, duckdb, python, sqlite, or none (default polars,duckdb)
          --work DIR             feeds, state and results (default $TMPDIR/catalogsync-bench); feeds are reused
          --catalogsync PATH     the binary to measure (default: the release build beside this executable)
          --bench-dir DIR        genfeed.py and the baselines (default: ../shared/bench beside the package)
          --help                 this text
        """

    var skus: [Int] = [100_000]
    var formats = ["csv"]
    var cases = Case.allCases
    var repeats = 3
    var baselines = ["polars", "duckdb"]
    var work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("catalogsync-bench")
    var catalogsync: URL?
    var benchDirectory: URL?

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            return next
        }
        func list(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter {
                !$0.isEmpty
            }
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--skus":
                let text = try value(flag)
                options.skus = try list(text).map {
                    guard let n = Int($0.replacingOccurrences(of: "_", with: "")), n > 0 else {
                        throw UsageError("--skus: \($0) is not a positive number")
                    }
                    return n
                }
            case "--formats":
                options.formats = list(try value(flag))
                for format in options.formats where !["csv", "tsv", "json", "jsonl", "xml"].contains(format) {
                    throw UsageError("--formats: unknown format \(format)")
                }
            case "--cases":
                options.cases = try list(try value(flag)).map {
                    guard let c = Case(rawValue: $0) else { throw UsageError("--cases: unknown case \($0)") }
                    return c
                }
            case "--repeat":
                guard let n = Int(try value(flag)), n > 0 else { throw UsageError("--repeat needs a positive number") }
                options.repeats = n
            case "--baselines":
                options.baselines = list(try value(flag)).filter { $0 != "none" }
                for name in options.baselines where !["polars", "duckdb", "python", "sqlite"].contains(name) {
                    throw UsageError("--baselines: unknown baseline \(name)")
                }
            case "--work": options.work = URL(fileURLWithPath: try value(flag)).standardizedFileURL
            case "--catalogsync": options.catalogsync = URL(fileURLWithPath: try value(flag)).standardizedFileURL
            case "--bench-dir": options.benchDirectory = URL(fileURLWithPath: try value(flag)).standardizedFileURL
            case "--help", "-h":
                print(usage)
                exit(0)
            default: throw UsageError("unknown option \(flag)")
            }
        }
        guard !options.skus.isEmpty, !options.formats.isEmpty, !options.cases.isEmpty else {
            throw UsageError("--skus, --formats and --cases need at least one value")
        }
        return options
    }
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Where the package, the binary under test and the bench scripts are.
struct Locations {
    var catalogsync: URL
    var benchDirectory: URL

    init(_ options: Options) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var root = executable.deletingLastPathComponent()
        while root.path != "/"
            && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path)
        {
            root.deleteLastPathComponent()
        }
        if root.path == "/" { root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath) }
        catalogsync =
            options.catalogsync ?? executable.deletingLastPathComponent().appendingPathComponent("catalogsync")
        benchDirectory =
            options.benchDirectory
            ?? root.deletingLastPathComponent().appendingPathComponent("shared/bench").standardizedFileURL
        guard FileManager.default.isExecutableFile(atPath: catalogsync.path) else {
            throw UsageError(
                "\(catalogsync.path) is missing: run `swift build -c release` first, or give --catalogsync")
        }
        guard FileManager.default.fileExists(atPath: benchDirectory.appendingPathComponent("genfeed.py").path) else {
            throw UsageError("no genfeed.py in \(benchDirectory.path): give --bench-dir")
        }
    }
}
