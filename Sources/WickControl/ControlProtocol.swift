/// The control protocol, version 1 (docs/control-protocol.md): the client sends one JSON object
/// on one line, the daemon answers with one JSON object on one line and closes (`logs` with
/// `follow` then streams one JSON object per log line until the client closes).
///
/// Request: `{"version":1,"verb":"reset-failed","units":["web.socket"]}` (`ControlRequest`).
/// Response: `{"ok":true}` or `{"ok":false,"error":"..."}`, plus verb-specific members.
public enum ControlProtocol {
    public static let version = 1
    /// Longest request line the daemon reads; longer requests are refused.
    public static let maximumRequestLength = 64 * 1024

    public static func request(verb: String, units: [String] = [], signal: Int32? = nil) -> String {
        ControlRequest(verb: verb, units: units, signal: signal).line
    }

    public static func success(_ members: [(String, JSONValue)] = []) -> String {
        JSONValue.object([("ok", .bool(true))] + members).serialized + "\n"
    }

    public static func failure(_ message: String) -> String {
        JSONValue.object([("ok", .bool(false)), ("error", .string(message))]).serialized + "\n"
    }
}
