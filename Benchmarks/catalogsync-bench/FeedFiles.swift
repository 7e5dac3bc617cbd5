import Foundation

/// Which generation of a feed a file holds.
enum Generation: String {
    /// The catalog (`genfeed.py --seed 1`).
    case g1
    /// The full change set: 1% price, 5% stock, 0.5% added, 0.5% removed (genfeed's defaults).
    case g2
    /// 0.1% stock changes only.
    case g2inc

    var mutateArguments: [String] {
        switch self {
        case .g1: []
        case .g2: ["--mutate"]
        case .g2inc: ["--mutate", "--price-change", "0", "--stock-change", "0.1", "--add", "0", "--remove", "0"]
        }
    }
}

/// The generator's expected diff between generation 1 and a generation 2.
struct ExpectedDiff {
    var created: Int
    var deleted: Int
    var updated: Int
}

/// Generates feeds with genfeed.py into `folder`, reusing files a previous run generated.
struct FeedFiles {
    let folder: URL
    let genfeed: URL

    func url(skus: Int, format: String, _ generation: Generation) -> URL {
        folder.appendingPathComponent("feed_\(skus)_\(generation.rawValue).\(format)")
    }

    func expectedURL(skus: Int, format: String, _ generation: Generation) -> URL {
        URL(fileURLWithPath: url(skus: skus, format: format, generation).path + ".expected.json")
    }

    /// The feed file, generated when missing (written under a temporary name and renamed: a file that
    /// exists is complete).
    func ensure(skus: Int, format: String, _ generation: Generation, logs: URL) throws -> URL {
        let file = url(skus: skus, format: format, generation)
        let expected = expectedURL(skus: skus, format: format, generation)
        let manager = FileManager.default
        if manager.fileExists(atPath: file.path)
            && (generation == .g1 || (try? self.expected(skus: skus, format: format, generation)) != nil)
        {
            return file
        }
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(file.lastPathComponent).tmp")
        var arguments = [
            "python3", genfeed.path, "--skus", "\(skus)", "--seed", "1", "--format", format,
            "--out", temporary.path,
        ]
        arguments += generation.mutateArguments
        if generation != .g1 { arguments += ["--expected", expected.path] }
        progress("generating \(file.lastPathComponent)")
        let log = logs.appendingPathComponent("genfeed-\(file.lastPathComponent)")
        let run = try runChild(
            arguments, stdout: URL(fileURLWithPath: log.path + ".out"),
            stderr: URL(fileURLWithPath: log.path + ".err"))
        guard run.exitStatus == 0 else {
            throw SpawnError(description: "genfeed.py failed (exit \(run.exitStatus)); see \(log.path).err")
        }
        try? manager.removeItem(at: file)
        try manager.moveItem(at: temporary, to: file)
        return file
    }

    /// genfeed's expected diff of a generation 2 against generation 1; for generation 1 every SKU is new.
    func expected(skus: Int, format: String, _ generation: Generation) throws -> ExpectedDiff {
        guard generation != .g1 else { return ExpectedDiff(created: skus, deleted: 0, updated: 0) }
        let data = try Data(contentsOf: expectedURL(skus: skus, format: format, generation))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let created = object["created"] as? Int, let deleted = object["deleted"] as? Int,
            let updated = object["updated"] as? Int, object["skus_gen1"] as? Int == skus
        else {
            throw SpawnError(
                description: "\(expectedURL(skus: skus, format: format, generation).path): unexpected content")
        }
        return ExpectedDiff(created: created, deleted: deleted, updated: updated)
    }
}

/// Progress on standard error (the table goes to standard output).
func progress(_ message: String) {
    FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
}
