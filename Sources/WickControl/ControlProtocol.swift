/// The control protocol, version 1 (docs/control-protocol.md): the client sends one JSON object
/// on one line, the daemon answers with one JSON object on one line and closes.
///
/// Request: `{"version":1,"verb":"reset-failed","units":["web.socket"]}`.
/// Response: `{"ok":true}` or `{"ok":false,"error":"..."}`, plus verb-specific members.
public enum ControlProtocol {
    public static let version = 1
    /// Longest request line the daemon reads; longer requests are refused.
    public static let maximumRequestLength = 64 * 1024

    public static func request(verb: String, units: [String] = [], signal: Int32? = nil) -> String {
        var members: [(String, JSONValue)] = [
            ("version", .number(Double(version))), ("verb", .string(verb)), ("units", .array(units.map { .string($0) })),
        ]
        if let signal { members.append(("signal", .number(Double(signal)))) }
        return JSONValue.object(members).serialized + "\n"
    }

    public static func success(_ members: [(String, JSONValue)] = []) -> String {
        JSONValue.object([("ok", .bool(true))] + members).serialized + "\n"
    }

    public static func failure(_ message: String) -> String {
        JSONValue.object([("ok", .bool(false)), ("error", .string(message))]).serialized + "\n"
    }
}
