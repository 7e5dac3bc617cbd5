import Daemon
import Foundation

enum RunCommand: Command {
    static let help = """
        usage: catalogsync run [--config PATH]

        Runs the daemon in the foreground (as systemd's catalogsync.service does): reads every feed,
        pushes what changed, then watches local feed files and folders (inotify) and re-reads every feed
        each `poll` (default 5m), pushing changes as they come. `sync --once` and `resync --full` run
        while it runs are handed to it.

        systemd: Type=notify (READY=1, STATUS=, WATCHDOG=1 at half of WatchdogSec) through $NOTIFY_SOCKET.
        Signals: SIGTERM/SIGINT stop after the batch in flight and exit 0 (a second signal exits at once);
        SIGHUP reloads the configuration (a broken one is logged as event=config.rejected and the
        running configuration is kept).

        exit status: 0 stopped by a signal; 2 configuration error; 3 could not run (another daemon holds
                     the state: the message names it; I/O failure)
        """
    static let flags: Set<String> = []
    static let options: Set<String> = ["--config"]

    static func run(_ arguments: Arguments) async throws -> Int32 {
        guard arguments.positionals.isEmpty else { throw UsageError("unexpected \(arguments.positionals[0])") }
        let url = configURL(arguments)
        let config = try Config.load(from: url)
        let service = try Service(config: config, configURL: url)
        return await service.run()
    }
}
