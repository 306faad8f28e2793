import ArgumentParser

/// `wick reset-failed [UNIT...]`: like `systemctl reset-failed`.
public struct ResetFailed: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reset-failed",
        abstract: "Reset failed units (all, or those named): failed sockets listen again, start limits are forgotten."
    )

    @Argument(help: "Units to reset; all failed units when none are named.")
    var units: [String] = []

    @Option(help: "The control socket (default: $WICK_CONTROL, /run/wick/control as root, else $XDG_RUNTIME_DIR/wick/control).")
    var control: String?

    public init() {}

    public func run() throws {
        try ControlCommand.send(verb: "reset-failed", units: units, control: control, command: "reset-failed")
    }
}
