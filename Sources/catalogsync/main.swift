import Daemon
import Foundation

/// `catalogsync COMMAND [OPTIONS]`: thin; each command parses its arguments and calls the Daemon module.
let commands: [String: any Command.Type] = [
    "sync": SyncCommand.self,
    "validate": ValidateCommand.self,
    "status": StatusCommand.self,
    "run": RunCommand.self,
    "resync": ResyncCommand.self,
    "check-config": CheckConfigCommand.self,
    "approve": ApproveCommand.self,
    "diff": DiffCommand.self,
    "verify": VerifyCommand.self,
    "sandbox": SandboxCommand.self,
]

let overview = """
    catalogsync keeps merchants' social-commerce listings true to their catalog feeds.

    usage: catalogsync COMMAND [OPTIONS]

    commands:
      run              the daemon: watch and poll the feeds, push changes as they come (systemd, Type=notify)
      sync --once      ingest every feed, reconcile every channel, push the changes, print a summary
      resync --full    what cron runs: re-read every feed and push whatever differs (--force: everything)
      validate FEED    check a feed file and list its bad rows as file:line: reason (changes nothing)
      diff             what a sync would push now, by priority and kind, without pushing
      approve FEED     let a feed generation that a guard held through
      verify           compare each channel's real listing with what it was told; log mismatches, repair
      status           feeds, item counts, pending deltas and the last runs
      check-config     check the configuration file (before a reload)
      sandbox          run a local emulator of the platform APIs on 127.0.0.1 (tests and demos)
      help [COMMAND]   this text, or a command's own help
      version          the version

    Every command takes --config PATH (default: $CATALOGSYNC_CONFIG, else config/catalogsync.json in the
    current folder, else /etc/catalogsync/catalogsync.json) and --help.

    exit status: 0 done; 1 done with data problems (rejected rows or feeds, rejected items);
                 2 usage or configuration error; 3 could not run (state locked, I/O failure)
    """

var words = Array(CommandLine.arguments.dropFirst())
let name = words.isEmpty ? "help" : words.removeFirst()
switch name {
case "help", "--help", "-h":
    if let topic = words.first, let command = commands[topic] {
        print(command.help)
    } else {
        print(overview)
    }
    exit(ExitStatus.success)
case "version", "--version":
    print("catalogsync \(catalogsyncVersion)")
    exit(ExitStatus.success)
default:
    guard let command = commands[name] else {
        FileHandle.standardError.write(Data("catalogsync: unknown command \"\(name)\"\n\n\(overview)\n".utf8))
        exit(ExitStatus.usage)
    }
    exit(await runCommand(command, words))
}
