import ArgumentParser
import WickUnits

/// The control options every unit verb shares.
struct ControlOptions: ParsableArguments {
    @Option(help: "The control socket (default: $WICK_CONTROL, /run/wick/control as root, else $XDG_RUNTIME_DIR/wick/control).")
    var control: String?
}

/// `wick start UNIT...` (systemctl start): starts services, or opens failed/stopped sockets.
public struct Start: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Start units.")
    @Argument(help: "Units to start.") var units: [String]
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws { try ControlCommand.send(verb: "start", units: units, control: options.control, command: "start") }
}

/// `wick stop UNIT...` (systemctl stop): stops services; no restart follows.
public struct Stop: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Stop units.")
    @Argument(help: "Units to stop.") var units: [String]
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws { try ControlCommand.send(verb: "stop", units: units, control: options.control, command: "stop") }
}

/// `wick restart UNIT...` (systemctl restart): a socket-activated service keeps its sockets open.
public struct Restart: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Restart units (their sockets stay open).")
    @Argument(help: "Units to restart.") var units: [String]
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws { try ControlCommand.send(verb: "restart", units: units, control: options.control, command: "restart") }
}

/// `wick kill [--signal SIG] UNIT...` (systemctl kill): signals the service's whole process group.
public struct Kill: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Send a signal to the processes of units.")
    @Argument(help: "Units to signal.") var units: [String]
    @Option(name: [.short, .long], help: "The signal (name or number).") var signal = "SIGTERM"
    @OptionGroup var options: ControlOptions
    public init() {}
    public func run() throws {
        let number: Int32
        do throws(ValueError) { number = try Signal.parse(signal).number } catch { throw ValidationError("--signal: \(error.message)") }
        try ControlCommand.send(verb: "kill", units: units, control: options.control, command: "kill", signal: number)
    }
}
