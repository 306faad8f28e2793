/// The control protocol, version 1 (docs/control-protocol.md): the client sends one JSON object
/// on one line, the daemon answers with one JSON object on one line and closes (`logs` with
/// `follow` then streams one JSON object per log line until the client closes).
///
/// Request: `{"version":1,"verb":"reset-failed","units":["web.socket"]}` (`ControlRequest`).
/// Response: `{"ok":true}` or `{"ok":false,"error":"...","code":"no-such-unit"}`, plus
/// verb-specific members. `code` (a `ControlErrorCode`) was added within version 1: a client
/// that finds none treats the failure as `failed`.
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

    public static func failure(_ message: String, code: ControlErrorCode = .failed) -> String {
        JSONValue.object([("ok", .bool(false)), ("error", .string(message)), ("code", .string(code.rawValue))]).serialized + "\n"
    }
}

/// Why a request failed, for the client's exit status (systemctl's: 4 for a unit that does not
/// exist, 3 for what wick does not implement, 1 otherwise) without reading the message's words.
public enum ControlErrorCode: String, Sendable {
    /// A named unit is not loaded.
    case noSuchUnit = "no-such-unit"
    /// The request itself is malformed (bad JSON, missing unit names, too long).
    case invalidRequest = "invalid-request"
    /// A verb this daemon does not know.
    case unknownVerb = "unknown-verb"
    /// Refused now: shutting down, too many clients, nothing to signal or reload.
    case refused
    /// A job finished in failure.
    case failed

    /// The failure of a response object; nil when it succeeded.
    public static func of(_ response: JSONValue) -> ControlErrorCode? {
        guard response["ok"]?.boolValue != true else { return nil }
        return response["code"]?.stringValue.flatMap(ControlErrorCode.init(rawValue:)) ?? .failed
    }

    /// systemctl's exit status for it.
    public var exitStatus: Int32 {
        switch self {
        case .noSuchUnit: return 4
        case .unknownVerb: return 3
        case .invalidRequest, .refused, .failed: return 1
        }
    }
}
