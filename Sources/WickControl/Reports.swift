/// The control protocol's answers as Swift values (docs/control-protocol.md, "Unit objects",
/// "Log-line objects"): the daemon builds them and puts them on the wire with `json`; clients
/// read them back with `init(_:)`, which takes what it understands and saturates numbers, so an
/// older or newer daemon's object still reads. The JSON is protocol version 1's, unchanged.

/// A unit's state: the members every unit has, then a socket's or a service's own.
public struct UnitReport: Equatable, Sendable {
    public var unit: String
    /// Its Description=, or its name (systemd's unit_description()).
    public var description: String
    public var load: String
    /// `enabled`, `static`, `disabled`... (systemctl is-enabled).
    public var unitFileState: String
    public var active: String
    public var sub: String
    public var result: String
    /// When the active state last changed, µs since the epoch.
    public var since: Int64?
    public var fragment: String?
    public var dropIns: [String]
    public var details: Details?
    /// IPAccounting= counters, nil without data.
    public var ipIngressBytes: UInt64?
    public var ipEgressBytes: UInt64?
    /// The last log lines (`status`).
    public var log: [LogLine]

    public enum Details: Equatable, Sendable {
        case socket(SocketDetails)
        case service(ServiceDetails)
    }

    public init(
        unit: String, description: String, load: String, unitFileState: String, active: String, sub: String, result: String,
        since: Int64? = nil, fragment: String? = nil, dropIns: [String] = [], details: Details? = nil,
        ipIngressBytes: UInt64? = nil, ipEgressBytes: UInt64? = nil, log: [LogLine] = []
    ) {
        (self.unit, self.description, self.load, self.unitFileState) = (unit, description, load, unitFileState)
        (self.active, self.sub, self.result, self.since) = (active, sub, result, since)
        (self.fragment, self.dropIns, self.details) = (fragment, dropIns, details)
        (self.ipIngressBytes, self.ipEgressBytes, self.log) = (ipIngressBytes, ipEgressBytes, log)
    }

    public var socket: SocketDetails? { if case .socket(let socket) = details { return socket } else { return nil } }
    public var service: ServiceDetails? { if case .service(let service) = details { return service } else { return nil } }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("unit", .string(unit)), ("description", .string(description)), ("load", .string(load)),
            ("unit_file_state", .string(unitFileState)),
        ]
        switch details {
        case .socket(let socket):
            members += [("type", .string("socket"))] + states + socket.members
        case .service(let service):
            members += [("type", .string("service"))] + states + service.members
        case nil:
            members += states
        }
        members += [("ip_ingress_bytes", .optional(ipIngressBytes)), ("ip_egress_bytes", .optional(ipEgressBytes))]
        members += [("fragment", fragment.map { .string($0) } ?? .null), ("dropins", .array(dropIns.map { .string($0) }))]
        if !log.isEmpty { members.append(("log", .array(log.map { $0.json }))) }
        return .object(members)
    }

    private var states: [(String, JSONValue)] {
        [("active", .string(active)), ("sub", .string(sub)), ("result", .string(result)), ("since", .optional(since))]
    }

    public init(_ json: JSONValue) {
        self.init(
            unit: json.string("unit"), description: json.string("description"), load: json.string("load"),
            unitFileState: json.string("unit_file_state"), active: json.string("active"), sub: json.string("sub"),
            result: json.string("result"), since: json.int64("since"), fragment: json["fragment"]?.stringValue,
            dropIns: json.strings("dropins"), ipIngressBytes: json.uint64("ip_ingress_bytes"), ipEgressBytes: json.uint64("ip_egress_bytes"),
            log: (json["log"]?.arrayValue ?? []).map(LogLine.init))
        switch json["type"]?.stringValue {
        case "socket": details = .socket(SocketDetails(json))
        case "service": details = .service(ServiceDetails(json))
        default: details = nil
        }
    }
}

/// What a socket unit adds: its listeners, trigger, and systemd's counters.
public struct SocketDetails: Equatable, Sendable {
    public struct Listen: Equatable, Sendable {
        /// `127.0.0.1:8080`, `/run/x.sock` (systemctl's LISTEN).
        public var address: String
        /// `Stream`, `Datagram`, `SequentialPacket`, `FIFO`... (systemctl --show-types).
        public var type: String
        public init(address: String, type: String) { (self.address, self.type) = (address, type) }
    }

    public var listen: [Listen]
    public var accept: Bool
    public var triggers: [String]
    public var accepted: UInt64
    public var connections: UInt64
    public var refused: UInt64
    public var activations: UInt64
    /// The last activation's latency (wake-up to exec), µs.
    public var lastLatencyMicroseconds: UInt64?

    public init(
        listen: [Listen], accept: Bool, triggers: [String], accepted: UInt64, connections: UInt64, refused: UInt64,
        activations: UInt64, lastLatencyMicroseconds: UInt64?
    ) {
        (self.listen, self.accept, self.triggers) = (listen, accept, triggers)
        (self.accepted, self.connections, self.refused, self.activations) = (accepted, connections, refused, activations)
        self.lastLatencyMicroseconds = lastLatencyMicroseconds
    }

    var members: [(String, JSONValue)] {
        [
            ("listen", .array(listen.map { .object([("address", .string($0.address)), ("type", .string($0.type))]) })),
            ("accept", .bool(accept)), ("triggers", .array(triggers.map { .string($0) })),
            ("accepted", .optional(accepted)), ("connections", .optional(connections)), ("refused", .optional(refused)),
            ("activations", .optional(activations)), ("last_latency_us", .optional(lastLatencyMicroseconds)),
        ]
    }

    init(_ json: JSONValue) {
        self.init(
            listen: (json["listen"]?.arrayValue ?? []).map { Listen(address: $0.string("address"), type: $0.string("type")) },
            accept: json["accept"]?.boolValue ?? false, triggers: json.strings("triggers"), accepted: json.uint64("accepted") ?? 0,
            connections: json.uint64("connections") ?? 0, refused: json.uint64("refused") ?? 0,
            activations: json.uint64("activations") ?? 0, lastLatencyMicroseconds: json.uint64("last_latency_us"))
    }
}

/// What a service unit adds: its processes, how the last one ended, its cgroup's usage.
public struct ServiceDetails: Equatable, Sendable {
    /// How the last main process ended (systemctl's `code=exited, status=1/FAILURE`).
    public struct Exit: Equatable, Sendable {
        public enum Code: String, Sendable { case exited, killed }
        public var code: Code
        /// The exit status, or the signal number.
        public var status: Int32
        /// `203/EXEC` for wick's and systemd's setup statuses.
        public var statusText: String?
        public init(code: Code, status: Int32, statusText: String? = nil) { (self.code, self.status, self.statusText) = (code, status, statusText) }
    }

    public var mainPID: Int32?
    public var execMainPID: Int32?
    public var execMainCommand: String?
    public var controlPID: Int32?
    public var statusText: String?
    public var spawnError: String?
    public var sandboxSkipped: [String]
    public var cgroup: String?
    public var cgroupProcesses: [Int32]
    public var restarts: UInt64
    public var triggeredBy: [String]
    public var memoryCurrent: UInt64?
    public var tasksCurrent: UInt64?
    public var cpuUsageNanoseconds: UInt64?
    public var exit: Exit?
    /// The fds in its store and `FileDescriptorStoreMax=` (systemctl's "FD Store: N (limit: M)").
    public var fdStore: UInt64
    public var fdStoreMax: UInt64

    public init(
        mainPID: Int32? = nil, execMainPID: Int32? = nil, execMainCommand: String? = nil, controlPID: Int32? = nil,
        statusText: String? = nil, spawnError: String? = nil, sandboxSkipped: [String] = [], cgroup: String? = nil,
        cgroupProcesses: [Int32] = [], restarts: UInt64 = 0, triggeredBy: [String] = [], memoryCurrent: UInt64? = nil,
        tasksCurrent: UInt64? = nil, cpuUsageNanoseconds: UInt64? = nil, exit: Exit? = nil, fdStore: UInt64 = 0, fdStoreMax: UInt64 = 0
    ) {
        (self.fdStore, self.fdStoreMax) = (fdStore, fdStoreMax)
        (self.mainPID, self.execMainPID, self.execMainCommand, self.controlPID) = (mainPID, execMainPID, execMainCommand, controlPID)
        (self.statusText, self.spawnError, self.sandboxSkipped, self.cgroup) = (statusText, spawnError, sandboxSkipped, cgroup)
        (self.cgroupProcesses, self.restarts, self.triggeredBy) = (cgroupProcesses, restarts, triggeredBy)
        (self.memoryCurrent, self.tasksCurrent, self.cpuUsageNanoseconds, self.exit) = (memoryCurrent, tasksCurrent, cpuUsageNanoseconds, exit)
    }

    var members: [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("main_pid", .optional(mainPID)), ("exec_main_pid", .optional(execMainPID)),
            ("exec_main_command", execMainCommand.map { .string($0) } ?? .null), ("control_pid", .optional(controlPID)),
            ("status_text", statusText.map { .string($0) } ?? .null), ("spawn_error", spawnError.map { .string($0) } ?? .null),
            ("sandbox_skipped", .array(sandboxSkipped.map { .string($0) })), ("cgroup", cgroup.map { .string($0) } ?? .null),
            ("cgroup_processes", .array(cgroupProcesses.map { .number(Double($0)) })), ("restarts", .optional(restarts)),
            ("triggered_by", .array(triggeredBy.map { .string($0) })), ("memory_current", .optional(memoryCurrent)),
            ("tasks_current", .optional(tasksCurrent)), ("cpu_usage_ns", .optional(cpuUsageNanoseconds)),
            ("fd_store", .optional(fdStore)), ("fd_store_max", .optional(fdStoreMax)),
        ]
        if let exit {
            members += [("exit_code", .string(exit.code.rawValue)), ("exit_status", .number(Double(exit.status)))]
            if let text = exit.statusText { members.append(("exit_status_text", .string(text))) }
        }
        return members
    }

    init(_ json: JSONValue) {
        var exit: Exit?
        if let code = json["exit_code"]?.stringValue.flatMap(Exit.Code.init(rawValue:)), let status = json.int32("exit_status") {
            exit = Exit(code: code, status: status, statusText: json["exit_status_text"]?.stringValue)
        }
        self.init(
            mainPID: json.int32("main_pid"), execMainPID: json.int32("exec_main_pid"), execMainCommand: json["exec_main_command"]?.stringValue,
            controlPID: json.int32("control_pid"), statusText: json["status_text"]?.stringValue, spawnError: json["spawn_error"]?.stringValue,
            sandboxSkipped: json.strings("sandbox_skipped"), cgroup: json["cgroup"]?.stringValue,
            cgroupProcesses: (json["cgroup_processes"]?.arrayValue ?? []).compactMap { $0.numberValue.map(Saturating.int32) },
            restarts: json.uint64("restarts") ?? 0, triggeredBy: json.strings("triggered_by"), memoryCurrent: json.uint64("memory_current"),
            tasksCurrent: json.uint64("tasks_current"), cpuUsageNanoseconds: json.uint64("cpu_usage_ns"), exit: exit,
            fdStore: json.uint64("fd_store") ?? 0, fdStoreMax: json.uint64("fd_store_max") ?? 0)
    }
}

/// One line a service wrote, as the daemon captured it.
public struct LogLine: Equatable, Sendable {
    /// The unit (an `Accept=yes` instance's own name).
    public var unit: String
    public var pid: Int32
    /// µs since the epoch.
    public var time: Int64
    public var text: String
    /// Syslog priority 0-7.
    public var priority: Int
    /// SyslogIdentifier=, else the process name.
    public var identifier: String

    public init(unit: String, pid: Int32, time: Int64, text: String, priority: Int = 6, identifier: String = "") {
        (self.unit, self.pid, self.time, self.text, self.priority, self.identifier) = (unit, pid, time, text, priority, identifier)
    }

    public var json: JSONValue {
        .object([
            ("unit", .string(unit)), ("pid", .number(Double(pid))), ("time", .number(Double(time))), ("text", .string(text)),
            ("priority", .number(Double(priority))), ("identifier", .string(identifier)),
        ])
    }

    /// A daemon without priorities reports info; one without identifiers, the unit's name.
    public init(_ json: JSONValue) {
        self.init(
            unit: json.string("unit"), pid: json.int32("pid") ?? 0, time: json.int64("time") ?? 0, text: json.string("text"),
            priority: Int(json.int64("priority").map { min(7, max(0, $0)) } ?? 6), identifier: json["identifier"]?.stringValue ?? json.string("unit"))
    }
}

/// The daemon itself (`status` without units).
public struct SystemReport: Equatable, Sendable {
    /// `running`, `degraded`, `stopping`.
    public var state: String
    public var pid: Int32
    /// When the daemon started: µs since the epoch, and on the monotonic clock.
    public var since: Int64
    public var sinceMonotonicMicroseconds: UInt64
    public var units: UInt64
    public var failed: UInt64
    public var unitDirectories: [String]

    public init(state: String, pid: Int32, since: Int64, sinceMonotonicMicroseconds: UInt64, units: UInt64, failed: UInt64, unitDirectories: [String]) {
        (self.state, self.pid, self.since, self.sinceMonotonicMicroseconds) = (state, pid, since, sinceMonotonicMicroseconds)
        (self.units, self.failed, self.unitDirectories) = (units, failed, unitDirectories)
    }

    public var json: JSONValue {
        .object([
            ("state", .string(state)), ("pid", .number(Double(pid))), ("since", .number(Double(since))), ("units", .optional(units)),
            ("failed", .optional(failed)), ("unit_directories", .array(unitDirectories.map { .string($0) })),
            ("since_monotonic_us", .optional(sinceMonotonicMicroseconds)),
        ])
    }

    public init(_ json: JSONValue) {
        self.init(
            state: json.string("state"), pid: json.int32("pid") ?? 0, since: json.int64("since") ?? 0,
            sinceMonotonicMicroseconds: json.uint64("since_monotonic_us") ?? 0, units: json.uint64("units") ?? 0,
            failed: json.uint64("failed") ?? 0, unitDirectories: json.strings("unit_directories"))
    }
}

/// A job in progress (`list-jobs`).
public struct JobReport: Equatable, Sendable {
    public var id: UInt64
    public var unit: String
    /// `start`, `stop`, `restart`.
    public var type: String
    /// `running`, `waiting`.
    public var state: String
    /// The units whose jobs it waits for.
    public var waitingFor: [String]

    public init(id: UInt64, unit: String, type: String, state: String, waitingFor: [String]) {
        (self.id, self.unit, self.type, self.state, self.waitingFor) = (id, unit, type, state, waitingFor)
    }

    public var json: JSONValue {
        .object([
            ("id", .optional(id)), ("unit", .string(unit)), ("type", .string(type)), ("state", .string(state)),
            ("waiting_for", .array(waitingFor.map { .string($0) })),
        ])
    }

    public init(_ json: JSONValue) {
        self.init(id: json.uint64("id") ?? 0, unit: json.string("unit"), type: json.string("type"), state: json.string("state"),
                  waitingFor: json.strings("waiting_for"))
    }
}

/// A node of `list-dependencies`' tree.
public struct DependencyNode: Equatable, Sendable {
    public var unit: String
    public var active: String
    public var children: [DependencyNode]

    public init(unit: String, active: String, children: [DependencyNode]) { (self.unit, self.active, self.children) = (unit, active, children) }

    public var json: JSONValue {
        .object([("unit", .string(unit)), ("active", .string(active)), ("children", .array(children.map { $0.json }))])
    }

    /// Depth-bounded as the daemon bounds it, so that a hostile answer cannot exhaust the stack.
    public init(_ json: JSONValue, depth: Int = 0) {
        self.init(unit: json.string("unit"), active: json.string("active"),
                  children: depth < 64 ? (json["children"]?.arrayValue ?? []).map { DependencyNode($0, depth: depth + 1) } : [])
    }
}

/// `show`'s answer for one unit: systemctl's properties, in order, repeated keys included.
public struct UnitProperties: Equatable, Sendable {
    public var unit: String
    public var properties: [Property]

    public struct Property: Equatable, Sendable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) { (self.key, self.value) = (key, value) }
    }

    public init(unit: String, properties: [Property]) { (self.unit, self.properties) = (unit, properties) }

    /// The first value of `key`.
    public subscript(key: String) -> String? { properties.first { $0.key == key }?.value }

    public var json: JSONValue {
        .object([("unit", .string(unit)), ("properties", .array(properties.map { .array([.string($0.key), .string($0.value)]) }))])
    }

    public init(_ json: JSONValue) {
        self.init(unit: json.string("unit"), properties: (json["properties"]?.arrayValue ?? []).compactMap { pair in
            guard let items = pair.arrayValue, items.count == 2, let key = items[0].stringValue, let value = items[1].stringValue else { return nil }
            return Property(key, value)
        })
    }
}

/// `cat`'s answer for one unit: each file it was loaded from, nil contents when unreadable now.
public struct UnitSources: Equatable, Sendable {
    public struct File: Equatable, Sendable {
        public var path: String
        public var contents: String?
        public init(path: String, contents: String?) { (self.path, self.contents) = (path, contents) }
    }

    public var unit: String
    public var files: [File]

    public init(unit: String, files: [File]) { (self.unit, self.files) = (unit, files) }

    public var json: JSONValue {
        .object([("unit", .string(unit)), ("files", .array(files.map {
            .object([("path", .string($0.path)), ("contents", $0.contents.map { .string($0) } ?? .null)])
        }))])
    }

    public init(_ json: JSONValue) {
        self.init(unit: json.string("unit"), files: (json["files"]?.arrayValue ?? []).map {
            File(path: $0.string("path"), contents: $0["contents"]?.stringValue)
        })
    }
}

/// Numbers from the wire, clamped into range (a double is never trusted to fit).
enum Saturating {
    static func int64(_ value: Double) -> Int64 {
        guard value.isFinite else { return 0 }
        if value >= 9.2e18 { return Int64.max }
        if value <= -9.2e18 { return Int64.min }
        return Int64(value)
    }

    static func int32(_ value: Double) -> Int32 { Int32(clamping: int64(value)) }
    static func uint64(_ value: Double) -> UInt64 { UInt64(clamping: max(0, int64(value))) }
}

extension JSONValue {
    func string(_ key: String) -> String { self[key]?.stringValue ?? "" }
    func strings(_ key: String) -> [String] { (self[key]?.arrayValue ?? []).compactMap { $0.stringValue } }
    func int64(_ key: String) -> Int64? { self[key]?.numberValue.map(Saturating.int64) }
    func int32(_ key: String) -> Int32? { self[key]?.numberValue.map(Saturating.int32) }
    func uint64(_ key: String) -> UInt64? { self[key]?.numberValue.map(Saturating.uint64) }

    /// A number, or null for nil.
    static func optional<N: BinaryInteger>(_ value: N?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
}

/// The members of a successful response, by verb: the one place that knows the wire's keys.
public enum ControlResponse {
    /// `list-units`, `status`, `list-sockets` (its key is `sockets`).
    public static func units(_ response: JSONValue) -> [UnitReport] {
        (response["units"]?.arrayValue ?? response["sockets"]?.arrayValue ?? []).map(UnitReport.init)
    }
    /// `status` without units.
    public static func system(_ response: JSONValue) -> SystemReport? { response["system"].map(SystemReport.init) }
    public static func jobs(_ response: JSONValue) -> [JobReport] { (response["jobs"]?.arrayValue ?? []).map(JobReport.init) }
    public static func properties(_ response: JSONValue) -> [UnitProperties] { (response["units"]?.arrayValue ?? []).map(UnitProperties.init) }
    public static func sources(_ response: JSONValue) -> [UnitSources] { (response["units"]?.arrayValue ?? []).map(UnitSources.init) }
    public static func dependencies(_ response: JSONValue) -> [DependencyNode] { (response["units"]?.arrayValue ?? []).map { DependencyNode($0) } }
    /// `logs`: the buffered lines (each streamed line after it is a `LogLine` object by itself).
    public static func lines(_ response: JSONValue) -> [LogLine] { (response["lines"]?.arrayValue ?? []).map(LogLine.init) }
    /// `is-system-running`.
    public static func state(_ response: JSONValue) -> String? { response["state"]?.stringValue }
    /// `daemon-reload`: the load errors.
    public static func errors(_ response: JSONValue) -> [String] { response.strings("errors") }
    /// A failure's message.
    public static func message(_ response: JSONValue) -> String { response["error"]?.stringValue ?? "unknown error" }
    /// Whether this object is a response (it has `ok`), not a streamed log line.
    public static func isResponse(_ object: JSONValue) -> Bool { object["ok"] != nil }
}
