import WickUnits

/// How one process of a unit starts, besides its fds and standard streams: the environment,
/// credentials, limits, capabilities and directories of systemd.exec(5), resolved from the unit
/// and the system. Built by `ExecRequest.build` (pure, tested without a fork), applied by the C
/// shim (`cwick_apply_context`) between clone and exec in the order of systemd's `exec_child()`.
public struct ExecRequest: Equatable, Sendable {
    public struct Credentials: Equatable, Sendable {
        public var uid: UInt32
        public var gid: UInt32
        public var groups: [UInt32]
    }

    /// One `setrlimit(2)`; `UInt64.max` is `RLIM_INFINITY`.
    public struct Limit: Equatable, Sendable {
        public var resource: Int32
        public var soft: UInt64
        public var hard: UInt64
    }

    /// A `RuntimeDirectory=` ... `ConfigurationDirectory=` entry: created with its parents (0755),
    /// its mode set and owned by the unit's user and group (`directoryOwner`) at every start; an
    /// existing one is left as it is when `keepExisting` (`ConfigurationDirectory=`).
    public struct Directory: Equatable, Sendable {
        public var path: String
        public var mode: UInt32
        public var keepExisting: Bool
        public var exitStatus: Int32
    }

    /// The environment, in order; the spawn writes each `NAME=value` straight into the child's
    /// memory (a `String` made per variable first cost 4,600 instructions a spawn).
    public var variables: [EnvironmentVariable] = []
    /// `NAME=value`, in order.
    public var environment: [String] { variables.map { $0.name + "=" + $0.value } }
    public struct CredentialFile: Equatable, Sendable {
        public var id: String
        public var contents: [UInt8]
    }

    public struct Scheduling: Equatable, Sendable {
        public var policy: Int32
        public var priority: Int32
        public var resetOnFork: Bool
    }

    public struct CapabilitySets: Equatable, Sendable {
        public var permitted: UInt64
        public var inheritable: UInt64
    }

    /// The user and group that own the exec directories (the unit's, even for a `+` command).
    public struct Owner: Equatable, Sendable {
        public var uid: UInt32
        public var gid: UInt32
    }

    /// Nil: the process keeps wick's user and groups.
    public var credentials: Credentials?
    public var limits: [Limit] = []
    public var umask: UInt32 = 0o022
    public var nice: Int32?
    public var oomScoreAdjust: Int32?
    /// sched_setscheduler(2): policy, priority, `SCHED_RESET_ON_FORK`.
    public var scheduling: Scheduling?
    /// ioprio_set(2) value: class << 13 | priority.
    public var ioPriority: Int32?
    public var cpuAffinity: [Int32] = []
    /// personality(2).
    public var personality: UInt32?
    public var directories: [Directory] = []
    public var directoryOwner: Owner?
    /// `LoadCredential=`/`SetCredential=`: the files of `$CREDENTIALS_DIRECTORY`
    /// (/run/credentials/UNIT, mode 0500, files 0400, owned by the unit's user), written by the
    /// daemon before the clone.
    public var credentialsDirectory: String?
    public var credentialFiles: [CredentialFile] = []
    public var rootDirectory: String?
    public var workingDirectory: String?
    public var workingDirectoryOptional = false
    /// `CapabilityBoundingSet=` as a mask; nil leaves the bounding set alone.
    public var boundingSet: UInt64?
    /// The permitted (and effective) and inheritable sets to install before raising `ambient`;
    /// nil when there are no ambient capabilities.
    public var capabilitySets: CapabilitySets?
    public var ambient: UInt64 = 0
    public var secureBits: UInt32?
    public var noNewPrivileges = false
    public var ignoreSIGPIPE = true
    /// Namespaces and mounts (`Sandbox.plan`), and the system-call filters, loaded last.
    public var sandbox = Sandbox()
    public var seccompFilters: [SeccompFilter] = []
    /// `PrivateNetwork=`/`PrivateIPC=` of a unit whose namespace exists already (made by another
    /// of its processes, or by a unit it joins): joined, not made.
    public var networkNamespaceFD: Int32?
    public var ipcNamespaceFD: Int32?
    /// `--sandbox=best-effort`: the settings left out because the system does not allow them.
    public var skippedSandbox: [String] = []
    /// What was adjusted and should be logged (a limit lowered to what wick may set).
    public var notes: [String] = []
    /// `$RUNTIME_DIRECTORY` and the like, as the directories above make them.
    var directoryVariables: [EnvironmentVariable] = []
    /// Built from its context and the daemon's fixed facts alone, for these privileges: see
    /// `isReusable(for:)`.
    private var reusableFor: CommandPrivileges?
    /// Where a reusable request's own variables are in `variables`: see `startVariables(_:)`.
    private var startSlots: StartSlots?

    /// The names a start sets itself (`INVOCATION_ID` when there is one, then the manager's
    /// variables in order), and per name the index in `variables` that holds its value, or nil
    /// where a later setting decides the value (`Environment=`, `PassEnvironment=` ...).
    struct StartSlots: Equatable, Sendable {
        var names: [String]
        var slots: [Int?]
        /// The number of variables the slots index: a request whose `variables` were changed
        /// since has none that fit.
        var count: Int
    }

    public init() {}
}

/// Why a process cannot start, found before the clone: the exit status systemd's child would
/// have ended with (217 `EXIT_USER` ...) and a message naming the directive.
public struct ExecFailure: Error, Equatable, Sendable {
    public var status: Int32
    public var message: String
}

/// The command prefixes that change privileges (systemd.service(5) "Command lines"), and
/// `PermissionsStartOnly=`.
public enum CommandPrivileges: Equatable, Sendable {
    case normal
    /// `+`, or a command other than `ExecStart=` with `PermissionsStartOnly=yes`: no user, group,
    /// capability or privilege restriction applies.
    case full
    /// `!`: the user and group are not changed; the other restrictions apply.
    case keepCredentials

    public static func of(_ flags: ExecCommand.Flags, role: ProcessRole, permissionsStartOnly: Bool) -> CommandPrivileges {
        if flags.contains(.fullPrivileges) || (permissionsStartOnly && role == .control) { return .full }
        // `!!` only differs from no prefix on kernels without ambient capabilities (before 4.3).
        if flags.contains(.privilegedNoSetuid) && !flags.contains(.ambientFallback) { return .keepCredentials }
        return .normal
    }
}

/// What the request is built from.
public struct ExecInputs: Sendable {
    public var unit: String
    public var context: ExecContext
    public var privileges: CommandPrivileges = .normal
    public var users: UserRecords
    /// `DynamicUser=yes`: the user the daemon allocated for this unit.
    public var dynamicUser: UserRecords.User?
    /// wick's own uid (the process keeps it when only `Group=` is set).
    public var managerUID: UInt32 = 0
    /// `SHELL` of `User=root` (systemd's default_root_shell(): /bin/bash where it exists).
    public var rootShell = "/bin/sh"
    /// `EnvironmentFile=` in order: the variables of each file, nil when it could not be read.
    public var environmentFiles: [(file: EnvironmentFile, variables: [(String, String)]?)] = []
    /// The manager's environment for every service (`PATH`, `LANG`), in order.
    public var managerEnvironment: [(String, String)] = []
    /// wick's own environment, for `PassEnvironment=`.
    public var passSource: [String: String] = [:]
    /// `%t`: /run for the system manager; wick's `--runtime-dir`.
    public var runtimeDirectory = "/run"
    /// `$NOTIFY_SOCKET`, kept reachable inside a mount namespace.
    public var notifySocket: String?
    /// Where the sandbox is assembled; nil when the daemon cannot sandbox at all.
    public var sandboxHost: Sandbox.Host?
    /// What this system allows: namespaces (CAP_SYS_ADMIN) and seccomp filters.
    public var canUseNamespaces = true
    public var canUseSeccomp = true
    /// `--sandbox=best-effort`: what the system does not allow is left out and reported, instead
    /// of failing the start.
    public var sandboxBestEffort = false
    /// The unit's network and IPC namespaces, when one of its processes (or a unit it joins)
    /// made them.
    public var networkNamespaceFD: Int32?
    public var ipcNamespaceFD: Int32?
    /// `LoadCredential=` contents by ID, as the daemon could read them (missing when it could not).
    public var loadedCredentials: [String: [UInt8]] = [:]
    /// `INVOCATION_ID=` of this start (32 hex digits).
    public var invocationID: String = ""
    /// What the manager tells this process (`NOTIFY_SOCKET`, `LISTEN_*`, `WATCHDOG_USEC`,
    /// `REMOTE_*`, `MAINPID`, `SERVICE_RESULT` ...), in order.
    public var managerVariables: [(String, String)] = []
    /// wick's hard limits by resource, and whether wick may raise them (root, CAP_SYS_RESOURCE).
    public var hardLimits: [Int32: UInt64] = [:]
    public var canRaiseLimits = true

    public init(unit: String, context: ExecContext, users: UserRecords) {
        self.unit = unit
        self.context = context
        self.users = users
    }
}

extension ExecRequest {
    /// systemd's `RLIMIT_*` numbers by `Limit*=` resource name.
    public static let resources: [String: Int32] = [
        "CPU": 0, "FSIZE": 1, "DATA": 2, "STACK": 3, "CORE": 4, "RSS": 5, "NPROC": 6, "NOFILE": 7, "MEMLOCK": 8,
        "AS": 9, "LOCKS": 10, "SIGPENDING": 11, "MSGQUEUE": 12, "NICE": 13, "RTPRIO": 14, "RTTIME": 15,
    ]

    /// systemd's default limits for services: `LimitNOFILE=1024:524288` (1024 soft for
    /// select(2)) and `LimitMEMLOCK=8M`.
    public static let defaultLimits: [(name: String, resource: Int32, value: (soft: UInt64, hard: UInt64))] = [
        ("NOFILE", 7, (1024, 524_288)), ("MEMLOCK", 8, (8 << 20, 8 << 20)),
    ]

    /// Where the exec directories live for the system manager, with the variable naming them and
    /// the exit status of a failure (systemd.exec(5) "RuntimeDirectory=").
    static func directoryKinds(_ context: ExecContext, runtimeDirectory: String) -> [(base: String, variable: String, names: [String], mode: UInt32, status: Int32, keepExisting: Bool)] {
        [
            (runtimeDirectory, "RUNTIME_DIRECTORY", context.runtimeDirectory, context.runtimeDirectoryMode, SetupStatus.runtimeDirectory, false),
            ("/var/lib", "STATE_DIRECTORY", context.stateDirectory, context.stateDirectoryMode, SetupStatus.stateDirectory, false),
            ("/var/cache", "CACHE_DIRECTORY", context.cacheDirectory, context.cacheDirectoryMode, SetupStatus.cacheDirectory, false),
            ("/var/log", "LOGS_DIRECTORY", context.logsDirectory, context.logsDirectoryMode, SetupStatus.logsDirectory, false),
            ("/etc", "CONFIGURATION_DIRECTORY", context.configurationDirectory, context.configurationDirectoryMode,
             SetupStatus.configurationDirectory, true),
        ]
    }

    /// `$CREDENTIALS_DIRECTORY` of a unit (and `%d`).
    public static func credentialsDirectory(_ unit: String, runtimeDirectory: String) -> String { runtimeDirectory + "/credentials/" + unit }

    /// Where a relative `LoadCredential=` path is looked for, in order.
    public static let credentialStores = ["/etc/credstore", "/run/credstore", "/usr/lib/credstore"]

    /// The runtime directories of a context (removed when the unit stops, per `RuntimeDirectoryPreserve=`).
    public static func runtimeDirectories(_ context: ExecContext, runtimeDirectory: String) -> [String] {
        context.runtimeDirectory.map { runtimeDirectory + "/" + $0 }
    }

    public static func build(_ inputs: ExecInputs) -> Result<ExecRequest, ExecFailure> {
        let context = inputs.context
        var request = ExecRequest()
        request.umask = context.umask
        request.ignoreSIGPIPE = context.ignoreSIGPIPE
        request.nice = context.nice
        request.oomScoreAdjust = context.oomScoreAdjust
        if context.cpuSchedulingPolicy != nil || context.cpuSchedulingPriority != nil || context.cpuSchedulingResetOnFork {
            request.scheduling = Scheduling(policy: context.cpuSchedulingPolicy ?? 0, priority: context.cpuSchedulingPriority ?? 0,
                                            resetOnFork: context.cpuSchedulingResetOnFork)
        }
        if context.ioSchedulingClass != nil || context.ioSchedulingPriority != nil {
            // systemd's ioprio_normalize(): class none is best-effort 4; the idle class has no level.
            var ioClass = context.ioSchedulingClass ?? 2, level = context.ioSchedulingPriority ?? 4
            if ioClass == 0 { (ioClass, level) = (2, 4) }
            if ioClass == 3 { level = 0 }
            request.ioPriority = ioClass << 13 | level
        }
        request.cpuAffinity = context.cpuAffinity
        request.personality = context.personality

        // Credentials (systemd's get_fixed_user(), get_fixed_group(), get_supplementary_groups()).
        var user: UserRecords.User?
        if let dynamic = inputs.dynamicUser {
            user = dynamic
        } else if let name = context.user {
            guard let found = inputs.users.user(name) else {
                return .failure(ExecFailure(status: SetupStatus.user, message: "User=\(name): no such user in /etc/passwd"))
            }
            user = found
        }
        var gid = user?.gid
        if let name = context.group, inputs.dynamicUser == nil {
            guard let found = inputs.users.group(name) else {
                return .failure(ExecFailure(status: SetupStatus.group, message: "Group=\(name): no such group in /etc/group"))
            }
            gid = found.gid
        }
        // get_supplementary_groups(): initgroups(3) of User= with the final gid (not for gid 0),
        // which puts that gid in the list with the groups naming the user.
        var groups: [UInt32] = []
        if let user, let gid, gid != 0 {
            groups = [gid] + inputs.users.memberships(of: user.name).filter { $0 != gid }
        }
        for name in context.supplementaryGroups {
            guard let found = inputs.users.group(name) else {
                return .failure(ExecFailure(status: SetupStatus.group, message: "SupplementaryGroups=\(name): no such group in /etc/group"))
            }
            if !groups.contains(found.gid) { groups.append(found.gid) }
        }
        // The directories belong to User= and Group= (root where one is missing), for every
        // command whatever its prefix.
        if user != nil || gid != nil { request.directoryOwner = Owner(uid: user?.uid ?? 0, gid: gid ?? 0) }
        if inputs.privileges == .normal, let gid {
            request.credentials = Credentials(uid: user?.uid ?? inputs.managerUID, gid: gid, groups: groups)
        }

        // Capabilities and privileges (systemd.exec(5) "Capabilities", "Security").
        if inputs.privileges != .full {
            request.boundingSet = context.capabilityBoundingSet?.mask
            let ambient = (context.ambientCapabilities?.mask ?? 0) & (request.boundingSet ?? CapabilitySet.all.mask)
            if ambient != 0 {
                request.ambient = ambient
                let changesUser = (request.credentials?.uid ?? inputs.managerUID) != 0
                request.capabilitySets = CapabilitySets(permitted: changesUser ? ambient : request.boundingSet ?? CapabilitySet.all.mask, inheritable: ambient)
            }
            request.secureBits = context.secureBits == 0 ? nil : context.secureBits
            request.noNewPrivileges = context.noNewPrivileges
        }

        // Limits: every Limit*= as given, with systemd's defaults for LimitNOFILE= (1024:524288)
        // and LimitMEMLOCK= (8M), lowered to wick's hard limit where that is lower. A `+` command
        // keeps wick's limits, as systemd's does.
        var limits: [(name: String, limit: ResourceLimit)] = []
        if inputs.privileges != .full {
            let given = context.limits
            limits.reserveCapacity(given.count + Self.defaultLimits.count)
            limits += given.map { ($0.key, $0.value) }
            for (name, resource, value) in Self.defaultLimits where given[name] == nil {
                let hard = min(value.hard, inputs.hardLimits[resource] ?? value.hard)
                limits.append((name, ResourceLimit(soft: min(value.soft, hard), hard: hard)))
            }
            limits.sort { $0.name < $1.name }
        }
        request.limits.reserveCapacity(limits.count)
        for (name, limit) in limits {
            guard let resource = Self.resources[name] else { continue }
            var soft = limit.soft ?? .max, hard = limit.hard ?? .max
            // systemd's setrlimit_closest(): above a hard limit wick may not raise, the limit is
            // lowered to it (said in the log, as Debian units ask for LimitNOFILE=524288 in
            // containers that allow less).
            if !inputs.canRaiseLimits, let current = inputs.hardLimits[resource], hard > current {
                request.notes.append("Limit\(name)=\(hard == .max ? "infinity" : String(hard)) is above wick's hard limit \(current), which it may not raise: lowered to \(current)")
                hard = current
                soft = min(soft, current)
            }
            request.limits.append(Limit(resource: resource, soft: soft, hard: hard))
        }

        // Directories, working directory, root.
        let hasDirectories = !context.runtimeDirectory.isEmpty || !context.stateDirectory.isEmpty || !context.cacheDirectory.isEmpty
            || !context.logsDirectory.isEmpty || !context.configurationDirectory.isEmpty
        for kind in hasDirectories ? directoryKinds(context, runtimeDirectory: inputs.runtimeDirectory) : [] where !kind.names.isEmpty {
            var paths: [String] = []
            for name in kind.names {
                let path = kind.base + "/" + name
                paths.append(path)
                request.directories.append(Directory(path: path, mode: kind.mode, keepExisting: kind.keepExisting, exitStatus: kind.status))
            }
            request.directoryVariables.append(EnvironmentVariable(name: kind.variable, value: paths.joined(separator: ":")))
        }
        request.rootDirectory = context.rootDirectory
        if var directory = context.workingDirectory {
            if directory.hasPrefix("-") {
                request.workingDirectoryOptional = true
                directory.removeFirst()
            }
            request.workingDirectory = directory == "~" ? (user?.home ?? inputs.users.user("0")?.home ?? "/root") : directory
        } else {
            request.workingDirectory = "/"
        }

        // The sandbox (systemd.exec(5) "Sandboxing", "System Call Filtering"); none for `+`.
        if inputs.privileges != .full {
            if let failure = sandbox(inputs, request: &request) { return .failure(failure) }
        }

        // Credentials: LoadCredential= wins, SetCredential= is its fallback (systemd.exec(5)).
        var credentialIDs: [String] = []
        for id in context.loadCredentials.map({ $0.id }) + context.setCredentials.map({ $0.id }) where !credentialIDs.contains(id) { credentialIDs.append(id) }
        for id in credentialIDs {
            if let contents = inputs.loadedCredentials[id] ?? context.setCredentials.last(where: { $0.id == id })?.value {
                request.credentialFiles.append(CredentialFile(id: id, contents: contents))
            } else {
                let path = context.loadCredentials.last { $0.id == id }?.path ?? id
                return .failure(ExecFailure(status: SetupStatus.credentials, message: "LoadCredential=\(id):\(path) cannot be read"))
            }
        }
        if !credentialIDs.isEmpty { request.credentialsDirectory = Self.credentialsDirectory(inputs.unit, runtimeDirectory: inputs.runtimeDirectory) }

        // What nothing but the context and the daemon's fixed facts decide: no user or group to
        // look up, no file to read (`EnvironmentFile=`, credentials), nothing made per start
        // (`PrivateTmp=`, network and IPC namespaces), no home directory.
        let contextAlone = user == nil && gid == nil && groups.isEmpty && !context.dynamicUser
            && context.environmentFiles.isEmpty && credentialIDs.isEmpty && !context.privateTmp
            && request.sandbox.namespaces.isDisjoint(with: [.network, .ipc]) && request.networkNamespaceFD == nil
            && request.ipcNamespaceFD == nil && !(context.workingDirectory?.hasSuffix("~") ?? false)
        request.reusableFor = contextAlone ? inputs.privileges : nil
        switch environment(inputs, user: user, request: request) {
        case .success(let variables): request.variables = variables
        case .failure(let failure): return .failure(failure)
        }
        if contextAlone { request.startSlots = startSlots(inputs, request: request) }
        return .success(request)
    }

    /// The names a start sets itself, in the order `environment()` sets them.
    private static func startNames(_ inputs: ExecInputs) -> [String] {
        (inputs.invocationID.isEmpty ? [] : ["INVOCATION_ID"]) + inputs.managerVariables.map(\.0)
    }

    /// Where each of the start's own variables is in the request's `variables`: nil (no slots,
    /// each start makes its environment anew) when a name comes twice or `UnsetEnvironment=`
    /// names one (an `UnsetEnvironment=NAME=value` depends on the start's value).
    private static func startSlots(_ inputs: ExecInputs, request: ExecRequest) -> StartSlots? {
        let context = inputs.context
        let names = startNames(inputs)
        guard Set(names).count == names.count else { return nil }
        var slots: [Int?] = []
        for name in names {
            if context.unsetEnvironment.contains(where: { $0 == name || $0.hasPrefix(name + "=") }) { return nil }
            // What environment() sets after the start's own variables decides the value.
            let overridden = request.directoryVariables.contains { $0.name == name }
                || (request.credentialsDirectory != nil && name == "CREDENTIALS_DIRECTORY")
                || (context.passEnvironment.contains(name) && inputs.passSource[name] != nil)
                || context.environment.contains { $0.name == name }
            if overridden {
                slots.append(nil)
            } else {
                guard let index = request.variables.firstIndex(where: { $0.name == name }) else { return nil }
                slots.append(index)
            }
        }
        return StartSlots(names: names, slots: slots, count: request.variables.count)
    }

    /// For another start of a context the request `isReusable` for: the start's own variables
    /// (`INVOCATION_ID`, `LISTEN_FDS`, `REMOTE_ADDR` ...) with the index in `variables` each
    /// replaces, which makes the environment `environment()` would make for that start. Nil when
    /// the start sets other names than the one the request was built for: then `reused(with:)`.
    public func startVariables(invocationID: String, managerVariables: [(String, String)]) -> [(slot: Int, variable: EnvironmentVariable)]? {
        guard let startSlots, startSlots.count == variables.count else { return nil }
        let names = startSlots.names
        let hasInvocation = !invocationID.isEmpty
        guard names.count == managerVariables.count + (hasInvocation ? 1 : 0) else { return nil }
        var result: [(slot: Int, variable: EnvironmentVariable)] = []
        result.reserveCapacity(names.count)
        var position = 0
        func take(_ name: String, _ value: String) -> Bool {
            defer { position += 1 }
            guard names[position] == name else { return false }
            if let slot = startSlots.slots[position] { result.append((slot, EnvironmentVariable(name: name, value: value))) }
            return true
        }
        if hasInvocation, !take("INVOCATION_ID", invocationID) { return nil }
        for (name, value) in managerVariables where !take(name, value) { return nil }
        return result
    }

    /// Whether another start of the same context (the same storage: the instances of a template
    /// whose settings do not depend on the instance) may take this request with its own
    /// environment (`reused(with:)`) instead of building it again: true when the request was
    /// built from the context and the daemon's fixed facts alone (above), for the same
    /// privileges. Reading users, `EnvironmentFile=` and credentials at each start, as systemd
    /// does, is kept for the units that have them.
    public func isReusable(for privileges: CommandPrivileges) -> Bool { reusableFor == privileges }

    /// This request for another start of a context it `isReusable` for: the environment made
    /// anew with the start's `INVOCATION_ID` and manager variables.
    public func reused(with inputs: ExecInputs) -> ExecRequest {
        var request = self
        if let changes = startVariables(invocationID: inputs.invocationID, managerVariables: inputs.managerVariables) {
            for (slot, variable) in changes { request.variables[slot] = variable }
            return request
        }
        // Cannot fail: only EnvironmentFile= can, and a reusable request has none.
        if case .success(let variables) = Self.environment(inputs, user: nil, request: self) { request.variables = variables }
        // Its variables have another order: its slots are not the build's.
        request.startSlots = nil
        return request
    }

    /// `HOME` and `SHELL` as systemd's get_fixed_user() takes them (get_user_creds() with
    /// USER_CREDS_CLEAN): root (`User=root` or `0`) is /root and `rootShell` without a look at
    /// the user database, nobody (`nobody` or `65534`) has neither; otherwise a home that is `/`, empty
    /// or relative and a shell that is empty, relative or a nologin shell are left out ("not
    /// particularly enlightening"). A dynamic user has neither.
    static func loginPaths(_ user: UserRecords.User, configured: String?, dynamic: Bool, rootShell: String) -> (home: String?, shell: String?) {
        if dynamic { return (nil, nil) }
        if configured == "root" || configured == "0" { return ("/root", rootShell) }
        if configured == "nobody" || configured == "65534" { return (nil, nil) }
        let home = user.home.hasPrefix("/") && user.home.contains(where: { $0 != "/" }) ? user.home : nil
        let shell = user.shell.hasPrefix("/") && !nologinShells.contains(user.shell) ? user.shell : nil
        return (home, shell)
    }

    /// is_nologin_shell(): where distributions put nologin, and true and false.
    static let nologinShells: Set<String> = [
        "/bin/nologin", "/sbin/nologin", "/usr/bin/nologin", "/usr/sbin/nologin", "/bin/false", "/usr/bin/false", "/bin/true", "/usr/bin/true",
    ]

    /// The environment (systemd's exec_child(): the manager's, then what it sets for this
    /// process, then PassEnvironment=, Environment=, EnvironmentFile=; UnsetEnvironment= last).
    static func environment(_ inputs: ExecInputs, user: UserRecords.User?, request: ExecRequest) -> Result<[EnvironmentVariable], ExecFailure> {
        let context = inputs.context
        var environment = OrderedEnvironment()
        for (name, value) in inputs.managerEnvironment { environment.set(name, value) }
        if let user {
            environment.set("USER", user.name)
            environment.set("LOGNAME", user.name)
            let (home, shell) = loginPaths(user, configured: context.user, dynamic: inputs.dynamicUser != nil, rootShell: inputs.rootShell)
            if let home { environment.set("HOME", home) }
            if let shell { environment.set("SHELL", shell) }
        }
        if !inputs.invocationID.isEmpty { environment.set("INVOCATION_ID", inputs.invocationID) }
        for (name, value) in inputs.managerVariables { environment.set(name, value) }
        for variable in request.directoryVariables { environment.set(variable.name, variable.value) }
        if let directory = request.credentialsDirectory { environment.set("CREDENTIALS_DIRECTORY", directory) }
        for name in context.passEnvironment {
            if let value = inputs.passSource[name] { environment.set(name, value) }
        }
        for variable in context.environment { environment.set(variable.name, variable.value) }
        for (file, variables) in inputs.environmentFiles {
            guard let variables else {
                if file.optional { continue }
                return .failure(ExecFailure(status: SetupStatus.exec, message: "EnvironmentFile=\(file.path) cannot be read"))
            }
            for (name, value) in variables { environment.set(name, value) }
        }
        for entry in context.unsetEnvironment { environment.unset(entry) }
        return .success(environment.variables)
    }
}

/// Assignments in the order their names first appeared; a later one replaces the value.
/// A service's environment is a few dozen variables at most: a linear search of short names costs
/// less than hashing them (this runs for every Accept=yes connection); beyond `indexedFrom`
/// assignments (a unit with hundreds of Environment= lines) a name index keeps `set` constant.
public struct OrderedEnvironment: Sendable {
    /// Removed variables keep their slot with a nil value, so that the order stays the first one.
    private var entries: [(name: String, value: String?)] = []
    private var index: [String: Int]?
    static let indexedFrom = 32

    /// Room for the variables a service usually gets (the manager's, LISTEN_*, INVOCATION_ID ...)
    /// in one allocation: grown one by one, the list was reallocated four times a spawn.
    public init() { entries.reserveCapacity(16) }

    private func slot(_ name: String) -> Int? {
        if let index { return index[name] }
        return entries.firstIndex { $0.name == name }
    }

    public mutating func set(_ name: String, _ value: String) {
        if let slot = slot(name) {
            entries[slot].value = value
            return
        }
        entries.append((name, value))
        if index != nil {
            index?[name] = entries.count - 1
        } else if entries.count >= Self.indexedFrom {
            index = Dictionary(entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public mutating func remove(_ name: String) {
        if let slot = slot(name) { entries[slot].value = nil }
    }

    public var pairs: [(String, String)] {
        var result: [(String, String)] = []
        result.reserveCapacity(entries.count)
        for (name, value) in entries {
            if let value { result.append((name, value)) }
        }
        return result
    }

    /// `UnsetEnvironment=`: a name removes the variable, `NAME=value` only that exact assignment.
    public mutating func unset(_ entry: String) {
        if let equals = entry.firstIndex(of: "=") {
            let name = String(entry[..<equals])
            guard let slot = slot(name), entries[slot].value == String(entry[entry.index(after: equals)...]) else { return }
            entries[slot].value = nil
        } else {
            remove(entry)
        }
    }

    /// The variables that are set, in order.
    public var variables: [EnvironmentVariable] {
        var result: [EnvironmentVariable] = []
        result.reserveCapacity(entries.count)
        for (name, value) in entries {
            if let value { result.append(EnvironmentVariable(name: name, value: value)) }
        }
        return result
    }
}

extension ExecRequest {
    /// Adds the namespaces, mounts and filters of the context to the request (in place: it is
    /// built per connection), or returns why it cannot (226/NAMESPACE, 228/SECCOMP), naming the
    /// settings and what the system lacks; with `--sandbox=best-effort` they are left out and listed.
    static func sandbox(_ inputs: ExecInputs, request: inout ExecRequest) -> ExecFailure? {
        let context = inputs.context
        do {
            // Without a place to assemble the tree (the runtime directory refused it), the
            // settings are planned anyway so that they fail or are reported, never skipped silently.
            let host = inputs.sandboxHost ?? Sandbox.Host(stagingRoot: "/", inaccessibleDirectory: "/", inaccessibleFile: "/")
            var sandbox = Sandbox.plan(context, host: host, writable: request.directories.map { $0.path }, notifySocket: inputs.notifySocket)
            if let fd = inputs.networkNamespaceFD, sandbox.namespaces.contains(.network) {
                sandbox.namespaces.remove(.network)
                request.networkNamespaceFD = fd
            }
            if let fd = inputs.ipcNamespaceFD, sandbox.namespaces.contains(.ipc) {
                sandbox.namespaces.remove(.ipc)
                request.ipcNamespaceFD = fd
            }
            if !sandbox.directives.isEmpty && (!inputs.canUseNamespaces || inputs.sandboxHost == nil) {
                guard inputs.sandboxBestEffort else {
                    let why = inputs.canUseNamespaces ? "but wick could not prepare its sandbox directory (%t/wick/unit-root)"
                        : "which this container does not allow (wick lacks CAP_SYS_ADMIN)"
                    return ExecFailure(status: 226, message: "\(sandbox.directives.joined(separator: ", ")) need namespaces, \(why)")
                }
                request.skippedSandbox += sandbox.directives
                sandbox = Sandbox()
                request.networkNamespaceFD = nil
                request.ipcNamespaceFD = nil
            }
            request.sandbox = sandbox
        }
        var filters = SeccompPolicy.filters(context)
        if !filters.isEmpty && !inputs.canUseSeccomp {
            guard inputs.sandboxBestEffort else {
                return ExecFailure(status: 228, message: "\(filters.map { $0.directive }.joined(separator: ", ")) need seccomp, which this kernel or container does not offer")
            }
            request.skippedSandbox += filters.map { $0.directive }
            filters = []
        }
        request.seccompFilters = filters
        // systemd drops what these settings make pointless from the bounding set.
        let dropped = SeccompPolicy.droppedCapabilities(context)
        if dropped != 0 { request.boundingSet = (request.boundingSet ?? CapabilitySet.all.mask) & ~dropped }
        // A filter can only be loaded with no_new_privs or CAP_SYS_ADMIN, which a process that
        // changed to another user no longer has (systemd.exec(5): "NoNewPrivileges=yes is implied").
        if !filters.isEmpty, (request.credentials?.uid ?? inputs.managerUID) != 0 { request.noNewPrivileges = true }
        return nil
    }
}
