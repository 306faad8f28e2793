import ArgumentParser
import WickControl
import WickUnits

/// `wick start UNIT...` (systemctl start): starts services, or opens failed/stopped sockets.
public struct Start: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "start", abstract: "Start units.")
    @Argument(help: "Units to start.") var units: [String]
    @Flag(name: .customLong("no-block"), help: "Do not wait for the jobs to finish.") var noBlock = false
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws { try ControlCommand.send(ControlRequest(verb: "start", units: units, noBlock: noBlock), options: options) }
}

/// `wick stop UNIT...` (systemctl stop): stops services; no restart follows.
public struct Stop: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop units.")
    @Argument(help: "Units to stop.") var units: [String]
    @Flag(name: .customLong("no-block"), help: "Do not wait for the jobs to finish.") var noBlock = false
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws { try ControlCommand.send(ControlRequest(verb: "stop", units: units, noBlock: noBlock), options: options) }
}

/// `wick restart UNIT...` (systemctl restart): a socket-activated service keeps its sockets open.
public struct Restart: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart units (their sockets stay open).")
    @Argument(help: "Units to restart.") var units: [String]
    @Flag(name: .customLong("no-block"), help: "Do not wait for the jobs to finish.") var noBlock = false
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws { try ControlCommand.send(ControlRequest(verb: "restart", units: units, noBlock: noBlock), options: options) }
}

/// `wick reload UNIT...` (systemctl reload): runs each unit's `ExecReload=`.
public struct Reload: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "reload", abstract: "Run the ExecReload= commands of running units.")
    @Argument(help: "Units to reload.") var units: [String]
    @Flag(name: .customLong("no-block"), help: "Do not wait for the reloads to end.") var noBlock = false
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws { try ControlCommand.send(ControlRequest(verb: "reload", units: units, noBlock: noBlock), options: options) }
}

/// `wick kill [--signal SIG] UNIT...` (systemctl kill): signals the service's whole process group.
public struct Kill: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal to the processes of units.")
    @Argument(help: "Units to signal.") var units: [String]
    @Option(name: [.short, .long], help: "The signal (name or number).") var signal = "SIGTERM"
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws {
        let number: Int32
        do throws(ValueError) { number = try Signal.parse(signal).number } catch { throw ValidationError("--signal: \(error.message)") }
        try ControlCommand.send(ControlRequest(verb: "kill", units: units, signal: number), options: options)
    }
}

/// `wick reset-failed [UNIT...]` (systemctl reset-failed): failed sockets listen again, start
/// limits are forgotten.
public struct ResetFailed: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reset-failed",
        abstract: "Reset failed units (all, or those named): failed sockets listen again, start limits are forgotten."
    )
    @Argument(help: "Units to reset; all failed units when none are named.") var units: [String] = []
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws { try ControlCommand.send(ControlRequest(verb: "reset-failed", units: units), options: options) }
}

/// `wick daemon-reload` (systemctl daemon-reload): re-reads the unit directories. Sockets whose
/// `Listen*=` did not change keep their fds; a broken file keeps the old definition running.
public struct DaemonReload: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "daemon-reload",
        abstract: "Re-read the unit directories; unchanged sockets keep their fds, broken files keep the old definition."
    )
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws {
        let response = try ControlCommand.query(ControlRequest(verb: "daemon-reload"), options: options)
        if options.json {
            print(response.serialized)
            return
        }
        let errors = ControlResponse.errors(response)
        for error in errors { FileHandleOutput.error(error) }
        if !errors.isEmpty {
            FileHandleOutput.error("wick daemon-reload: \(errors.count) error(s); those units keep their previous definition (fix the files, then run `wick daemon-reload` again)")
        }
    }
}

/// `wick poweroff` (systemctl poweroff): stops every unit in order, then the daemon exits.
public struct Poweroff: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "poweroff", abstract: "Stop every unit in reverse start order and exit the daemon.")
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws { try ControlCommand.send(ControlRequest(verb: "poweroff"), options: options) }
}

/// `wick is-system-running`: prints `running`, `degraded` (a unit failed), `stopping`, or
/// `offline` when the daemon cannot be reached; exits 0 only for `running` (systemctl's
/// convention), so orchestrators can use it as a probe.
public struct IsSystemRunning: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "is-system-running",
        abstract: "Print the daemon's state; exit 0 when every unit is healthy (a probe for orchestrators)."
    )
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws {
        let response: JSONValue
        do throws(ControlClient.Failure) {
            response = try ControlClient.send(ControlRequest(verb: "is-system-running").line, to: options.path)
        } catch {
            print(options.json ? #"{"ok":false,"state":"offline"}"# : "offline")
            FileHandleOutput.error("wick is-system-running: \(error)")
            throw ExitCode.failure
        }
        let state = ControlResponse.state(response) ?? "unknown"
        print(options.json ? response.serialized : state)
        if state != "running" { throw ExitCode.failure }
    }
}
