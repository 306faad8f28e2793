import ArgumentParser
import WickControl

/// `wick reload UNIT...`: like `systemctl reload`, runs each unit's `ExecReload=`.
public struct Reload: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Run the ExecReload= commands of running units.")

    @Argument(help: "Units to reload.")
    var units: [String]

    @Option(help: "The control socket (default: $WICK_CONTROL, /run/wick/control as root, else $XDG_RUNTIME_DIR/wick/control).")
    var control: String?

    public init() {}

    public func run() throws {
        try ControlCommand.send(verb: "reload", units: units, control: control, command: "reload")
    }
}

/// Sends one request and maps the answer to systemctl's exit codes (1 failure, 4 no such unit).
enum ControlCommand {
    static func send(verb: String, units: [String], control: String?, command: String, signal: Int32? = nil) throws {
        let response: JSONValue
        do throws(ControlClient.Failure) {
            response = try ControlClient.send(ControlProtocol.request(verb: verb, units: units, signal: signal), to: control ?? ControlClient.defaultPath())
        } catch {
            FileHandleOutput.error("wick \(command): \(error)")
            throw ExitCode.failure
        }
        guard response["ok"]?.boolValue == true else {
            let message = response["error"]?.stringValue ?? "unknown error"
            FileHandleOutput.error("wick \(command): \(message)")
            throw ExitCode(message.hasPrefix("no such unit") ? 4 : 1)
        }
    }
}
