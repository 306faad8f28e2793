import ArgumentParser
import WickControl

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
        let response: JSONValue
        do throws(ControlClient.Failure) {
            response = try ControlClient.send(ControlProtocol.request(verb: "reset-failed", units: units), to: control ?? ControlClient.defaultPath())
        } catch {
            FileHandleOutput.error("wick reset-failed: \(error)")
            throw ExitCode.failure
        }
        guard response["ok"]?.boolValue == true else {
            let message = response["error"]?.stringValue ?? "unknown error"
            FileHandleOutput.error("wick reset-failed: \(message)")
            throw ExitCode(message.hasPrefix("no such unit") ? 4 : 1)
        }
    }
}
