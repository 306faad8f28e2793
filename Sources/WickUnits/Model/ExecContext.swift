/// Where a standard stream of a spawned process goes (systemd.exec(5) "Logging and Standard
/// Input/Output"). `journal` and its variants mean "captured by wick" (per-unit log buffer and the
/// daemon's stdout).
public enum StandardStream: Hashable, Sendable, CustomStringConvertible {
    case inherit, null, tty, ttyForce, ttyFail, data, journal, kmsg, journalConsole, kmsgConsole, socket
    case file(String), append(String), truncate(String), fd(String)

    public var description: String {
        switch self {
        case .inherit: return "inherit"
        case .null: return "null"
        case .tty: return "tty"
        case .ttyForce: return "tty-force"
        case .ttyFail: return "tty-fail"
        case .data: return "data"
        case .journal: return "journal"
        case .kmsg: return "kmsg"
        case .journalConsole: return "journal+console"
        case .kmsgConsole: return "kmsg+console"
        case .socket: return "socket"
        case .file(let path): return "file:" + path
        case .append(let path): return "append:" + path
        case .truncate(let path): return "truncate:" + path
        case .fd(let name): return "fd:" + name
        }
    }

    static let inputWords: [String: StandardStream] = [
        "null": .null, "tty": .tty, "tty-force": .ttyForce, "tty-fail": .ttyFail, "data": .data, "socket": .socket,
    ]
    static let outputWords: [String: StandardStream] = [
        "inherit": .inherit, "null": .null, "tty": .tty, "journal": .journal, "syslog": .journal,
        "kmsg": .kmsg, "journal+console": .journalConsole, "syslog+console": .journalConsole,
        "kmsg+console": .kmsgConsole, "socket": .socket,
    ]

    static func parse(_ value: String, input: Bool) throws(ValueError) -> StandardStream {
        if let word = (input ? inputWords : outputWords)[value] { return word }
        for (prefix, make) in [("file:", StandardStream.file), ("fd:", StandardStream.fd)] + (input ? [] : [
            ("append:", StandardStream.append), ("truncate:", StandardStream.truncate),
        ]) where value.hasPrefix(prefix) {
            let operand = String(value.dropFirst(prefix.count))
            if prefix != "fd:" { _ = try ListenSpec.absolutePath(operand) }
            return make(operand)
        }
        let words = (input ? inputWords : outputWords).keys.sorted() + (input ? ["file:PATH", "fd:NAME"] : ["file:PATH", "append:PATH", "truncate:PATH", "fd:NAME"])
        throw .expected("one of \(words.joined(separator: ", "))", got: value)
    }
}

/// One `NAME=value` of `Environment=`.
public struct EnvironmentVariable: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// `LoadCredential=ID:PATH`: PATH absolute, or nil/relative to look up in the credential stores.
public struct LoadCredential: Hashable, Sendable {
    public var id: String
    public var path: String
}

/// `SetCredential=ID:VALUE`: the value, C escapes decoded.
public struct SetCredential: Hashable, Sendable {
    public var id: String
    public var value: [UInt8]
}

/// One `EnvironmentFile=` entry, in order of appearance (later entries win).
public struct EnvironmentFile: Hashable, Sendable {
    public var path: String
    /// `-` prefix: a missing file is not an error.
    public var optional: Bool

    public init(path: String, optional: Bool) {
        self.path = path
        self.optional = optional
    }
}

/// The fields of `ExecContext`, kept behind one reference (see `ExecContext`).
public struct ExecContextFields: Hashable, Sendable {
    public var user: String?
    public var group: String?
    public var supplementaryGroups: [String] = []
    public var dynamicUser = false
    public var workingDirectory: String?
    public var rootDirectory: String?
    public var umask: UInt32 = 0o022
    public var nice: Int32?
    public var oomScoreAdjust: Int32?
    /// `CPUSchedulingPolicy=` as sched(7)'s number (SCHED_OTHER 0, FIFO 1, RR 2, BATCH 3, IDLE 5).
    public var cpuSchedulingPolicy: Int32?
    public var cpuSchedulingPriority: Int32?
    public var cpuSchedulingResetOnFork = false
    /// `IOSchedulingClass=` (none 0, realtime 1, best-effort 2, idle 3) and `IOSchedulingPriority=` (0-7).
    public var ioSchedulingClass: Int32?
    public var ioSchedulingPriority: Int32?
    /// `Personality=`: personality(2)'s `PER_LINUX` (0) or `PER_LINUX32` (8).
    public var personality: UInt32?
    /// `CPUAffinity=`: CPU numbers, sorted.
    public var cpuAffinity: [Int32] = []
    /// `Environment=` assignments in order; a later one for the same name wins.
    public var environment: [EnvironmentVariable] = []
    public var environmentFiles: [EnvironmentFile] = []
    public var passEnvironment: [String] = []
    public var unsetEnvironment: [String] = []
    /// systemd's default input is `null`; output `journal` (captured); error `inherit` (= output).
    public var standardInput = StandardStream.null
    public var standardOutput: StandardStream?
    public var standardError = StandardStream.inherit
    /// `StandardInputText=` (C escapes decoded, each line with a newline) and
    /// `StandardInputData=` (base64 decoded), in order: what `StandardInput=data` reads.
    public var standardInputData: [UInt8] = []
    /// Whether `StandardInput=` was set (without it, data implies `StandardInput=data`).
    public var standardInputSet = false
    /// `IgnoreSIGPIPE=`: SIGPIPE ignored in the child (the default), so a write to a closed
    /// socket returns EPIPE instead of killing it.
    public var ignoreSIGPIPE = true
    /// `SyslogIdentifier=`: the name output lines are logged under (journald's
    /// SYSLOG_IDENTIFIER); nil for the process name.
    public var syslogIdentifier: String?
    /// `SyslogLevel=`: the priority of an output line without a `<N>` prefix.
    public var syslogLevel = LogLevel.info
    /// `SyslogLevelPrefix=`: a `<N>` at the start of a line is its priority, removed from the text.
    public var syslogLevelPrefix = true
    public var nonBlocking = false
    /// `Limit*=` by resource name (`NOFILE`).
    public var limits: [String: ResourceLimit] = [:]
    public var loadCredentials: [LoadCredential] = []
    public var setCredentials: [SetCredential] = []
    public var runtimeDirectory: [String] = []
    public var stateDirectory: [String] = []
    public var cacheDirectory: [String] = []
    public var logsDirectory: [String] = []
    public var configurationDirectory: [String] = []
    public var runtimeDirectoryMode: UInt32 = 0o755
    public var stateDirectoryMode: UInt32 = 0o755
    public var cacheDirectoryMode: UInt32 = 0o755
    public var logsDirectoryMode: UInt32 = 0o755
    public var configurationDirectoryMode: UInt32 = 0o755
    public var runtimeDirectoryPreserve = "no"
    /// Nil: not set (the bounding set is left alone).
    public var capabilityBoundingSet: CapabilitySet?
    public var ambientCapabilities: CapabilitySet?
    public var noNewPrivileges = false
    /// prctl(2) `PR_SET_SECUREBITS` bits; 0 leaves them alone.
    public var secureBits: UInt32 = 0
    public var privateNetwork = false
    public var privateTmp = false
    public var privateDevices = false
    public var privateUsers = false
    public var protectSystem = "no"
    public var protectHome = "no"
    /// `ProtectProc=` (default, noaccess, invisible, ptraceable) and `ProcSubset=` (all, pid).
    public var protectProc = "default"
    public var procSubset = "all"
    /// `IPAddressAllow=`/`IPAddressDeny=` (systemd.resource-control(5)), valid in `[Socket]` and
    /// `[Service]`.
    public var ipAddressAllow: [IPAddressPrefix] = []
    public var ipAddressDeny: [IPAddressPrefix] = []
    /// `IPAccounting=`: counted for the connections of `Accept=yes` sockets (TCP_INFO).
    public var ipAccounting = false
    /// The cgroup settings (systemd.resource-control(5)).
    public var resources = ResourceControl()
    public var privateIPC = false
    public var privateMounts = false
    public var protectHostname = false
    public var protectKernelTunables = false
    public var protectKernelModules = false
    public var protectKernelLogs = false
    public var protectControlGroups = false
    public var protectClock = false
    public var memoryDenyWriteExecute = false
    public var lockPersonality = false
    public var restrictRealtime = false
    public var restrictSUIDSGID = false
    /// `RestrictNamespaces=`: nil unset; the namespace types (clone flags) that stay allowed.
    public var restrictNamespaces: UInt32?
    /// `SystemCallErrorNumber=`: the errno a filtered call returns; nil kills the process.
    public var systemCallErrorNumber: Int32?
    /// `SystemCallArchitectures=`: only `native` is known to wick.
    public var systemCallArchitectures: [String] = []
    public var execPaths: [String] = []
    public var noExecPaths: [String] = []
    public var temporaryFileSystem: [String] = []
    public var bindPaths: [String] = []
    public var bindReadOnlyPaths: [String] = []
    public var readOnlyPaths: [String] = []
    public var readWritePaths: [String] = []
    public var inaccessiblePaths: [String] = []
    public var systemCallFilter: SyscallFilterSetting?
    public var restrictAddressFamilies: AddressFamilySetting?

    public init() {}
}

/// The execution environment shared by `[Service]` and `[Socket]` (systemd.exec(5)); what wick
/// applies is in docs/exec.md, and `wick verify` names every setting it does not enforce. Its fields live in
/// `ExecContextFields`, behind one shared reference until written (`CopyOnWrite`), so that a copy
/// of a context (each process start copies one) is one reference instead of over a hundred
/// (issue 14). Every field reads and writes as a stored property would (ExecContext+Fields.swift).
public struct ExecContext: Hashable, Sendable {
    // Not `@CopyOnWrite var`: a wrapped property's synthesized getter returns a copy of the
    // whole value; `CopyOnWrite.value` lends it (`_read`), so a field read copies one field.
    var fields = CopyOnWrite(ExecContextFields())

    public init() {}

    /// Whether both are one storage: the instances of a template whose settings do not depend on
    /// the instance share their template's (`TemplateInstances`).
    public func isIdentical(to other: ExecContext) -> Bool { fields.isIdentical(to: other.fields) }

    /// The effective `StandardInput=`: `data` when only data was given (systemd.exec(5)).
    public var effectiveStandardInput: StandardStream {
        !standardInputSet && !standardInputData.isEmpty ? .data : standardInput
    }

    /// The effective `StandardOutput=`: `inherit` (the socket) when `StandardInput=socket`, else
    /// `journal` (systemd.exec(5)).
    public var effectiveStandardOutput: StandardStream {
        standardOutput ?? (effectiveStandardInput == .socket ? .inherit : .journal)
    }
}

/// How processes are stopped (systemd.kill(5)).
public struct KillContext: Hashable, Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case controlGroup = "control-group", mixed, process, none
    }

    /// `control-group`: in wick, the service's whole process group and session.
    public var mode = Mode.controlGroup
    public var signal = Signal.terminate
    public var restartSignal: Signal?
    public var sendSIGHUP = false
    public var sendSIGKILL = true
    public var finalSignal = Signal.kill
    public var watchdogSignal = Signal(6)

    public init() {}
}
