import ArgumentParser

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
            DaemonReload.self, IsSystemRunning.self, Poweroff.self,
        ]
    )

    public init() {}
}
