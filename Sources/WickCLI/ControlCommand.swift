import ArgumentParser
import WickControl

/// The options every verb that talks to the daemon shares.
struct ControlOptions: ParsableArguments {
    @Option(help: "The control socket (default: $WICK_CONTROL, /run/wick/control as root, else $XDG_RUNTIME_DIR/wick/control).")
    var control: String?

    @Flag(help: "Print the daemon's response as JSON.")
    var json = false

    var path: String { control ?? ControlClient.defaultPath() }
}

/// Sends one request and maps failures to systemctl's exit codes by their `ControlErrorCode`: 4
/// for a unit that does not exist, 3 for a verb the daemon does not know, 1 for everything else,
/// with one line on stderr that says what to do.
enum ControlCommand {
    static func query(_ request: ControlRequest, options: ControlOptions) throws -> JSONValue {
        let response: JSONValue
        do throws(ControlClient.Failure) {
            response = try ControlClient.send(request.line, to: options.path)
        } catch {
            FileHandleOutput.error("wick \(request.verb): \(error)")
            throw ExitCode.failure
        }
        if let code = ControlErrorCode.of(response) {
            let message = ControlResponse.message(response)
            FileHandleOutput.error("wick \(request.verb): \(message)" + (code == .noSuchUnit ? " (see `wick list-units`)" : ""))
            throw ExitCode(code.exitStatus)
        }
        return response
    }

    /// For verbs without output: prints the response only with `--json`.
    static func send(_ request: ControlRequest, options: ControlOptions) throws {
        let response = try query(request, options: options)
        if options.json { print(response.serialized) }
    }
}
