/// One request of the control protocol (docs/control-protocol.md): a verb, the units it names, and
/// the options some verbs take.
public struct ControlRequest: Equatable, Sendable {
    public var verb: String
    public var units: [String]
    /// `kill`: the signal number.
    public var signal: Int32?
    /// `logs`, `status`: how many recent lines per unit.
    public var lines: Int?
    /// `logs --since`: only lines at or after this wall-clock time (microseconds since the epoch).
    public var sinceMicroseconds: Int64?
    /// `logs --until`: only lines before this wall-clock time (microseconds since the epoch).
    public var untilMicroseconds: Int64?
    /// `list-dependencies --reverse`: the units that depend on the named ones.
    public var reverse: Bool
    /// `logs -f`: keep the connection open and stream new lines.
    public var follow: Bool
    /// `start`, `stop`, `restart`: answer at once instead of when the jobs have finished
    /// (systemctl's `--no-block`).
    public var noBlock: Bool

    /// Verbs that only read state: `--control-group` members may use them (systemctl's read-only
    /// operations, allowed to unprivileged users by polkit's defaults).
    public static let readOnlyVerbs: Set<String> = [
        "ping", "status", "show", "cat", "logs", "list-units", "list-sockets", "list-jobs", "is-system-running",
        "list-dependencies",
    ]

    public var isReadOnly: Bool { Self.readOnlyVerbs.contains(verb) }

    public init(
        verb: String, units: [String] = [], signal: Int32? = nil, lines: Int? = nil, sinceMicroseconds: Int64? = nil,
        follow: Bool = false, noBlock: Bool = false, untilMicroseconds: Int64? = nil, reverse: Bool = false
    ) {
        self.untilMicroseconds = untilMicroseconds
        self.reverse = reverse
        self.verb = verb
        self.units = units
        self.signal = signal
        self.lines = lines
        self.sinceMicroseconds = sinceMicroseconds
        self.follow = follow
        self.noBlock = noBlock
    }

    /// Reads a request object; a missing or mistyped member is an error that names it.
    public init(_ json: JSONValue) throws(JSONValue.ParseError) {
        guard case .object = json else { throw JSONValue.ParseError(message: "a request is a JSON object") }
        guard let verb = json["verb"]?.stringValue else { throw JSONValue.ParseError(message: "missing \"verb\" (a string)") }
        if let version = json["version"], version.numberValue != Double(ControlProtocol.version) {
            throw JSONValue.ParseError(message: "unsupported protocol version \(version.serialized), this daemon speaks \(ControlProtocol.version)")
        }
        var units: [String] = []
        if let list = json["units"] {
            guard let array = list.arrayValue else { throw JSONValue.ParseError(message: "\"units\" must be an array of strings") }
            for item in array {
                guard let unit = item.stringValue else { throw JSONValue.ParseError(message: "\"units\" must be an array of strings") }
                units.append(unit)
            }
        }
        self.init(
            verb: verb, units: units, signal: try Self.integer(json, "signal").map { Int32(clamping: $0) },
            lines: try Self.integer(json, "lines").map { Int(clamping: $0) },
            sinceMicroseconds: try Self.integer(json, "since"), follow: json["follow"]?.boolValue ?? false,
            noBlock: json["no_block"]?.boolValue ?? false, untilMicroseconds: try Self.integer(json, "until"),
            reverse: json["reverse"]?.boolValue ?? false)
    }

    private static func integer(_ json: JSONValue, _ key: String) throws(JSONValue.ParseError) -> Int64? {
        guard let value = json[key], value != .null else { return nil }
        guard let number = value.numberValue, number == number.rounded(), abs(number) < 9e15 else {
            throw JSONValue.ParseError(message: "\"\(key)\" must be an integer")
        }
        return Int64(number)
    }

    /// The request as one line.
    public var line: String {
        var members: [(String, JSONValue)] = [
            ("version", .number(Double(ControlProtocol.version))), ("verb", .string(verb)),
            ("units", .array(units.map { .string($0) })),
        ]
        if let signal { members.append(("signal", .number(Double(signal)))) }
        if let lines { members.append(("lines", .number(Double(lines)))) }
        if let sinceMicroseconds { members.append(("since", .number(Double(sinceMicroseconds)))) }
        if follow { members.append(("follow", .bool(true))) }
        if noBlock { members.append(("no_block", .bool(true))) }
        if let untilMicroseconds { members.append(("until", .number(Double(untilMicroseconds)))) }
        if reverse { members.append(("reverse", .bool(true))) }
        return JSONValue.object(members).serialized + "\n"
    }
}
