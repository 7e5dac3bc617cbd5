#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A failure injected on purpose, for the fault-injection sweep (RELIABILITY T2). Inert unless the
/// environment sets `CATALOGSYNC_FAILPOINT=<kind>:<n>` (fail the n-th operation of that kind only) or
/// `<kind>:<n>+` (fail it and every later one). Kinds: `sqlite` (transaction begin and commit) and
/// `http` (one platform request). When it fires it prints `failpoint reached kind=… n=…` on stderr,
/// so a sweep knows when a run got that far.
public enum FailPoint {
    public enum Kind: String, Sendable { case sqlite, http }

    private static let plan: (kind: Kind, n: Int, andLater: Bool)? = {
        guard let text = ProcessInfo.processInfo.environment["CATALOGSYNC_FAILPOINT"] else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])) else { return nil }
        let andLater = parts[1].hasSuffix("+")
        guard let n = Int(parts[1].dropLast(andLater ? 1 : 0)), n > 0 else { return nil }
        return (kind, n, andLater)
    }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var counts: [Kind: Int] = [:]

    /// Counts one operation of `kind`. - Returns: whether it must fail.
    public static func shouldFail(_ kind: Kind) -> Bool {
        guard let plan, plan.kind == kind else { return false }
        let count = lock.withLock { () -> Int in
            counts[kind, default: 0] += 1
            return counts[kind]!
        }
        guard count == plan.n || (plan.andLater && count > plan.n) else { return false }
        if count == plan.n {
            FileHandle.standardError.write(Data("failpoint reached kind=\(kind.rawValue) n=\(count)\n".utf8))
        }
        return true
    }
}
