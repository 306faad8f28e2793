import ArgumentParser
import WickControl

/// `wick is-system-running`: prints `running`, `degraded` (a unit failed) or `stopping`; exits 0
/// only for `running` (systemctl's convention), so orchestrators can use it as a probe.
public struct IsSystemRunning: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "is-system-running",
        abstract: "Print the daemon's state; exit 0 when every unit is healthy (a probe for orchestrators)."
    )

    @Option(help: "The control socket (default: $WICK_CONTROL, /run/wick/control as root, else $XDG_RUNTIME_DIR/wick/control).")
    var control: String?

    public init() {}

    public func run() throws {
        let response: JSONValue
        do throws(ControlClient.Failure) {
            response = try ControlClient.send(ControlProtocol.request(verb: "is-system-running"), to: control ?? ControlClient.defaultPath())
        } catch {
            print("offline")
            FileHandleOutput.error("wick is-system-running: \(error)")
            throw ExitCode.failure
        }
        let state = response["state"]?.stringValue ?? "unknown"
        print(state)
        if state != "running" { throw ExitCode.failure }
    }
}
