import ArgumentParser
import Glibc

/// The `wick` command: a socket-activation supervisor that reads systemd unit files.
public struct Wick: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "wick",
        abstract: "Socket-activation supervisor and container init that reads systemd unit files.",
        version: "0.1.0",
        subcommands: [
            DaemonCommand.self, Activate.self, Verify.self,
            Status.self, ListUnits.self, ListSockets.self, ListJobs.self, Show.self, Cat.self, Logs.self,
            Start.self, Stop.self, Restart.self, Reload.self, Kill.self, ResetFailed.self,
            DaemonReload.self, IsSystemRunning.self, Poweroff.self, InstallLinks.self,
        ]
    )

    public init() {}

    /// The names under which wick speaks another tool's command line (one binary, several
    /// names: `wick install-links`), also reachable as `wick NAME ARGS...`.
    static let personalities: [String: @Sendable ([String]) -> Never] = [
        "systemctl": Systemctl.main, "journalctl": Journalctl.main, "systemd-analyze": Analyze.main,
    ]

    /// The entry point: `main` with what swift-argument-parser does not do well.
    public static func run(_ arguments: [String], invokedAs name: String = "wick") -> Never {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        if let personality = personalities[base] { personality(arguments) }
        if let first = arguments.first, let personality = personalities[first] { personality(Array(arguments.dropFirst())) }
        if arguments.count <= 2, let last = arguments.last, last == "--help" || last == "-h" {
            // `wick activate --help`: its command argument captures everything, --help included
            // (the parser then asks for -l instead of printing the help).
            // A help text written in pieces to a reader that stops early (`| grep -q`) must not
            // die by SIGPIPE: a pipefail script would believe the option missing. Nothing is
            // executed after a help text, so nothing inherits the disposition.
            signal(SIGPIPE, SIG_IGN)
            if arguments.first == "activate" {
                print(helpMessage(for: Activate.self))
                Glibc.exit(0)
            }
        }
        // `wick daemon` and `wick activate` with valid options start without the parser
        // (DaemonOptions, ActivateOptions); the parser reads anything else, and explains what is
        // wrong. With many -l for the parser, see Activate.condensingListens.
        if arguments.first == "daemon", let options = DaemonOptions.parse(Array(arguments.dropFirst())),
           (try? options.validate()) != nil {
            runDirectly(options.run, command: DaemonCommand.self)
        }
        if arguments.first == "activate", let options = ActivateOptions.parse(Array(arguments.dropFirst())),
           (try? options.validate()) != nil {
            runDirectly(options.run, command: Activate.self)
        }
        main(Activate.condensingListens(arguments))
        Glibc.exit(0)
    }

    /// Runs options read without the parser and exits as the parser would after `run`: with an
    /// `ExitCode`'s status, or with `command`'s message for any other error.
    private static func runDirectly(_ run: () throws -> Void, command: any ParsableCommand.Type) -> Never {
        do {
            try run()
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch {
            command.exit(withError: error)
        }
        Glibc.exit(0)
    }
}
