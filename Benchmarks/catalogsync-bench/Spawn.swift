import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What one child process did: wall time, peak RSS and the bytes it caused to be written to storage.
struct ChildRun {
    var exitStatus: Int32
    var wallSeconds: Double
    /// `ru_maxrss` of the child from `wait4` (KiB on Linux).
    var peakRSSKiB: Int
    /// `ru_oublock` × 512: bytes the child caused to be written to the block layer (0 on tmpfs).
    var writtenBytes: Int
    var userSeconds: Double
    var systemSeconds: Double

    var peakRSSMiB: Double { Double(peakRSSKiB) / 1024 }
}

struct SpawnError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `arguments` (the first one a path or a name on `PATH`) with stdout and stderr sent to files, and waits.
///
/// posix_spawn + wait4, so the resource usage is that of this one child (and whatever it waited for), not
/// the accumulated `RUSAGE_CHILDREN` of every earlier run.
func runChild(_ arguments: [String], stdout: URL, stderr: URL, environment: [String: String] = [:]) throws -> ChildRun {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }

    let clock = ContinuousClock()
    let started = clock.now
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
    guard spawned == 0 else {
        throw SpawnError(description: "cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else { throw SpawnError(description: "wait4: \(String(cString: strerror(errno)))") }
    }
    let elapsed = started.duration(to: clock.now)
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    // WIFEXITED / WEXITSTATUS, which Swift does not import (macros).
    let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return ChildRun(
        exitStatus: exitStatus, wallSeconds: wall, peakRSSKiB: Int(usage.ru_maxrss),
        writtenBytes: Int(usage.ru_oublock) * 512, userSeconds: seconds(usage.ru_utime),
        systemSeconds: seconds(usage.ru_stime))
}

/// Whether `name` is an executable on `PATH`; its full path if so.
func which(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for folder in path.split(separator: ":") {
        let candidate = "\(folder)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}
