import Glibc
import WickCore
import WickSystem
import WickUnits

/// The system side of the manager in `wick daemon`: listeners and their epoll registrations,
/// accepted connections, and spawning with the fds, environment and standard streams systemd
/// gives a service (sd_listen_fds(3), systemd.exec(5)).
final class DaemonPort: ManagerPort {
    let epoll: Epoll
    /// The unit directories as of the last load; a reload replaces it and forgets the templates.
    var loader: UnitDirectoryLoader {
        didSet {
            templateInstances = TemplateInstances()
            reusableRequests = [:]
        }
    }
    private var templateInstances = TemplateInstances()
    /// Settings of every loaded unit and instance, by name.
    var units: [UnitID: LoadedUnit]
    /// `JoinsNamespaceOf=` the other way: the units that name each unit (it works both ways,
    /// systemd.unit(5)); rebuilt when units are loaded, not per process start.
    private(set) var joinedBy: [String: [String]] = [:]
    /// Accept=no: the sockets of each service in fd order (from the manager).
    var socketsOfService: [UnitID: [UnitID]] = [:]
    /// The unit that owns each live pid.
    var unitOfPID: [Int32: UnitID] = [:]
    /// `NOTIFY_SOCKET=` for services whose `NotifyAccess=` is not `none`.
    var notifySocketPath: String?
    private(set) var listeners: [UnitID: [Int32]] = [:]
    /// epoll token → socket unit. Tokens are never reused, so a stale event cannot hit a new fd.
    private(set) var socketOfToken: [UInt64: UnitID] = [:]
    private var tokensOfSocket: [UnitID: [UInt64]] = [:]
    private var nextToken: UInt64 = 16
    private var connections: [UInt64: HeldConnection] = [:]
    /// The socket options of the `Accept=yes` sockets that set any, for each connection they
    /// accept (systemd's socket_dispatch_io() applies them to every accepted fd).
    private var connectionOptions: [UnitID: BindOptions] = [:]
    /// An accepted connection wick holds for its instance (systemd's `s->socket_fd`), looked up
    /// by reference: a tuple of it was copied four times a spawn.
    private final class HeldConnection {
        let fd: Int32
        let remote: PeerAddress
        let socket: UnitID

        init(fd: Int32, remote: PeerAddress, socket: UnitID) {
            (self.fd, self.remote, self.socket) = (fd, remote, socket)
        }
    }
    /// `IPAccounting=` of `Accept=yes` sockets without cgroup programs: the traffic of their
    /// closed connections (TCP_INFO).
    private var tcpCounters: [UnitID: IPCounters] = [:]
    /// The `Accept=yes` sockets whose connections are counted from TCP_INFO.
    private var tcpAccountedSockets: Set<UnitID> = []
    /// Per unit, its main process when it is not wick's child (`MAINPID=` of a process another
    /// one reaps): a pidfd opened when wick took it, through which it is signalled and checked,
    /// so that its number, once free, reaches no other process; and the epoll token while its
    /// exit is watched.
    private var alienMains: [UnitID: (pid: Int32, fd: Int32, token: UInt64?)] = [:]
    /// The units whose alien main process is watched, by epoll token.
    private var exitWatches: [UInt64: UnitID] = [:]
    /// Listeners a reload keeps for their socket's reopen, with the address each was opened for.
    private var keptListeners: [UnitID: [(spec: ListenSpec, fd: Int32)]] = [:]
    /// Live `Accept=yes` instances whose template a reload found gone (said once each).
    private var instancesWithoutTemplate: Set<UnitID> = []
    /// Units whose unenforceable resource settings were logged (once per unit).
    private var reportedResources: Set<String> = []
    /// Templates named by the loaded socket units, parsed once (a name's parse never changes).
    private var templateNames: [UnitID: UnitName] = [:]
    private var connectionOfInstance: [UnitID: UInt64] = [:]
    private var instanceOfConnection: [UInt64: UnitID] = [:]
    private var nextConnection: UInt64 = 0
    /// The execution request a service's main command was last built with, and the context it
    /// was built from: per service, and per socket for its `Accept=yes` instances. The next start
    /// (the next instance) takes it, with its own environment, while its context is that one (the
    /// same storage: a template's settings do not depend on the instance) and the request depends
    /// on nothing read or made at each start (`ExecRequest.isReusable(for:)`); a reload makes new
    /// contexts.
    private var reusableRequests: [UnitID: PreparedExec] = [:]

    let output: OutputRouter
    /// Users, the manager's environment, invocation ids, dynamic users: what processes start with.
    let execEnvironment: ExecEnvironment
    /// Per-unit cgroups, where the unified hierarchy is writable.
    let controlGroups = ControlGroups()
    /// The services' file descriptor stores (`FDSTORE=1`).
    let fdStores: FDStores
    /// The units' compiled system-call filters.
    private let seccompCompiler = SeccompCompiler()
    /// The monotonic time of the current loop iteration, for log lines.
    var now = Instant(nanoseconds: 0)
    /// The socket whose readiness is being handled and when the loop woke for it: the start of an
    /// activation, measured to the service's successful exec.
    var activationTrigger: (socket: UnitID, at: Instant)?
    /// Per socket: nanoseconds from the last activation's wake-up to its service's exec.
    private(set) var lastActivationLatency: [UnitID: UInt64] = [:]
    /// Called with each activation's socket and latency (nanoseconds): the metrics histogram.
    var onActivation: ((UnitID, UInt64) -> Void)?

    /// wick's own messages and its services' output (`--log-format`, `--log-target`).
    let messages: LogSink

    init(epoll: Epoll, loader: UnitDirectoryLoader, units: [LoadedUnit], messages: LogSink) {
        self.epoll = epoll
        execEnvironment = ExecEnvironment(runtimeDirectory: loader.host.runtimeDirectory)
        self.messages = messages
        output = OutputRouter(epoll: epoll, sink: messages)
        fdStores = FDStores(epoll: epoll)
        self.loader = loader
        self.units = Dictionary(units.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        rebuildJoins()
        // JoinsNamespaceOf= works both ways (systemd.unit(5)).
        execEnvironment.joinedUnits = { [unowned self] unit in
            ((self.units[unit]?.settings.unit.joinsNamespaceOf ?? []) + (self.joinedBy[unit.name] ?? [])).map { UnitID($0) }
        }
    }

    /// After the units were (re)loaded.
    func rebuildJoins() {
        joinedBy = [:]
        for (name, unit) in units {
            for other in unit.settings.unit.joinsNamespaceOf { joinedBy[other, default: []].append(name.name) }
        }
    }

    // MARK: Sockets

    /// `IPAccounting=` on the socket unit or on the service it activates.
    func accountsIP(_ socket: UnitID) -> Bool {
        guard let loaded = units[socket] else { return false }
        return loaded.settings.socket.exec.ipAccounting
            || (loaded.activatedServiceName.flatMap { units[UnitID($0)] }?.settings.service.exec.ipAccounting ?? false)
    }

    /// `IPAddressAllow=`/`IPAddressDeny=` of the socket unit and of the service it activates
    /// (the template for `Accept=yes`): both apply.
    func ipAccessRules(socket: UnitID, settings: SocketSection) -> [IPAccessFilter.Rules] {
        let service = units[socket]?.activatedServiceName.flatMap { units[UnitID($0)] }?.settings.service.exec
        return [settings.exec, service].compactMap { $0 }.map { IPAccessFilter.Rules(allow: $0.ipAddressAllow, deny: $0.ipAddressDeny) }
    }

    /// `IPAccounting=` counters of a unit: from its cgroup programs, or the TCP_INFO sums of an
    /// `Accept=yes` socket; nil when nothing is counted.
    func ipCounters(_ unit: UnitID) -> IPCounters? {
        controlGroups.ipCounters(unit.name) ?? tcpCounters[unit]
    }

    /// Every unit with IP counters, for the metrics endpoint.
    var allIPCounters: [UnitID: IPCounters] {
        var all = tcpCounters
        for name in units.keys { if let counters = controlGroups.ipCounters(name.name) { all[name] = counters } }
        return all
    }

    /// What a unit's cgroup gets: a service its own settings; a socket unit (its sockets and its
    /// commands) its IP rules with its service's and its accounting.
    func cgroupSetup(_ loaded: LoadedUnit) -> CgroupSetup {
        if loaded.isService {
            let exec = loaded.settings.service.exec
            return CgroupSetup(resources: exec.resources, ipRules: [IPAccessFilter.Rules(allow: exec.ipAddressAllow, deny: exec.ipAddressDeny)],
                               ipAccounting: exec.ipAccounting, guardsConnect: true)
        }
        let socket = loaded.id
        return CgroupSetup(resources: ResourceControl(), ipRules: ipAccessRules(socket: socket, settings: loaded.settings.socket),
                           ipAccounting: accountsIP(socket), guardsConnect: false)
    }

    /// Logs, once per unit, the resource settings this host cannot enforce (`ResourceSupport`).
    /// An `Accept=yes` instance is reported once for its template.
    func reportResources(_ loaded: LoadedUnit, acceptInstance: Bool = false) {
        let key = acceptInstance ? (loaded.name.templateName ?? loaded.name.name) : loaded.name.name
        guard reportedResources.insert(key).inserted else { return }
        let exec = loaded.isService ? loaded.settings.service.exec : loaded.settings.socket.exec
        for report in ResourceSupport.unenforced(exec, isService: loaded.isService, acceptInstance: acceptInstance, abilities: controlGroups.abilities) {
            log(.warning, "\(key): \(report.message)")
        }
    }

    func openListeners(socket: UnitID, settings: SocketSection) -> Result<Void, SocketOpenError> {
        var opened: [Int32] = []
        // Listeners a reload kept (the addresses that stay): each takes its fd again.
        var kept = keptListeners.removeValue(forKey: socket) ?? []
        defer { kept.forEach { closeDescriptor($0.fd) } }
        var options = BindOptions(settings)
        options.nonBlocking = settings.accept
        let rules = ipAccessRules(socket: socket, settings: settings)
        let filter = IPAccessFilter.program(rules)
        if let loaded = units[socket] { reportResources(loaded) }
        // IP sockets are born in the socket unit's cgroup when it has programs for them.
        let accounting = accountsIP(socket)
        switch controlGroups.prepareSocket(socket.name, rules: rules, accounting: accounting) {
        case .success(let cgroup):
            options.controlGroup = cgroup
            // Counted from TCP_INFO at each close, unless the socket's cgroup counts it.
            if accounting && cgroup == nil { tcpAccountedSockets.insert(socket) } else { tcpAccountedSockets.remove(socket) }
        case .failure(let failure): return .failure(SocketOpenError("\(failure)"))
        }
        defer { options.controlGroup.map(closeDescriptor) }
        for spec in settings.listen {
            do throws(SystemError) {
                let fd: Int32
                if let index = kept.firstIndex(where: { $0.spec == spec }) {
                    fd = kept.remove(at: index).fd
                    opened.append(fd)
                    // Non-blocking for wick's accepts; an `Accept=no` listener keeps the mode its
                    // running service may have set on the open file they share (NonBlocking=).
                    if options.nonBlocking { try SocketBinder.setNonBlocking(fd, true) }
                    // The filter is the new rules' (attached below), or none.
                    if filter == nil, spec.isInternet { try SocketFilter.detach(from: fd) }
                } else {
                    var warnings: [String] = []
                    fd = try SocketBinder.open(spec, options: options, warnings: &warnings)
                    for warning in warnings { log("\(socket): \(warning)") }
                    opened.append(fd)
                }
                if let filter, spec.isInternet { try SocketFilter.attach(filter, to: fd) }
            } catch {
                opened.forEach(closeDescriptor)
                return .failure(SocketOpenError(error.description))
            }
        }
        listeners[socket] = opened
        if settings.accept && options.setsSocketOptions {
            var perConnection = options
            perConnection.controlGroup = nil  // closed below; the connection is in its cgroup already
            connectionOptions[socket] = perConnection
        } else {
            connectionOptions[socket] = nil
        }
        if let error = applyOwnershipAndSymlinks(settings, socket: socket) {
            opened.forEach(closeDescriptor)
            listeners[socket] = nil
            return .failure(error)
        }
        return .success(())
    }

    /// The file-system paths of a socket unit's Unix sockets and FIFOs.
    static func paths(_ listen: [ListenSpec]) -> [String] { listen.compactMap(\.fileSystemPath) }

    /// `SocketUser=`/`SocketGroup=` (chown of the socket files) and `Symlinks=` (links to the one
    /// socket path), as systemd.socket(5) describes them.
    private func applyOwnershipAndSymlinks(_ settings: SocketSection, socket: UnitID) -> SocketOpenError? {
        let paths = Self.paths(settings.listen)
        if settings.socketUser != nil || settings.socketGroup != nil {
            var uid = uid_t.max, gid = gid_t.max
            // systemd's socket_chown(): get_user_creds() gives the user's primary group too (a
            // `SocketGroup=` replaces it), and a number that is not a user fails the socket.
            if let user = settings.socketUser {
                guard let credentials = UserDatabase.userCredentials(user) else {
                    return SocketOpenError("SocketUser=\(user): no such user in /etc/passwd")
                }
                (uid, gid) = credentials
            }
            if let group = settings.socketGroup {
                guard let id = UserDatabase.groupID(group) else { return SocketOpenError("SocketGroup=\(group): no such group in /etc/group") }
                gid = id
            }
            // lchown: a symlink planted at a socket or FIFO path must not make wick chown its target.
            for path in paths where lchown(path, uid, gid) != 0 {
                return SocketOpenError("\(SystemError("chown(\(path))"))")
            }
        }
        if !settings.symlinks.isEmpty {
            guard paths.count == 1, let target = paths.first else {
                return SocketOpenError("Symlinks= needs exactly one socket path or FIFO in the unit")
            }
            // systemd's socket_symlink(): a link already there to the target is kept; anything
            // else at the path is replaced only with RemoveOnStop=yes; a link that cannot be made
            // is a warning, the socket listens anyway.
            for link in settings.symlinks {
                try? SocketBinder.makeParentDirectories(link, mode: settings.directoryMode)
                var made = Self.symlinkIdempotent(target, link)
                if made == EEXIST && settings.removeOnStop && unlink(link) == 0 { made = Self.symlinkIdempotent(target, link) }
                if made != 0 {
                    log(.warning, "\(socket): cannot create symlink \(target) -> \(link), ignoring: \(SystemError("", code: made).reason)")
                }
            }
        }
        return nil
    }

    /// systemd's symlink_idempotent(): 0 when `link` is now, or already was, a symlink to
    /// `target`; EEXIST when something else is there; the errno otherwise.
    static func symlinkIdempotent(_ target: String, _ link: String) -> Int32 {
        if symlink(target, link) == 0 { return 0 }
        let error = errno
        guard error == EEXIST else { return error }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(link, &buffer, buffer.count - 1)
        guard length >= 0 else { return EEXIST }
        let existing = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return existing == target ? 0 : EEXIST
    }

    func closeListeners(socket: UnitID) {
        setPolling(socket: socket, false)
        listeners.removeValue(forKey: socket)?.forEach(closeDescriptor)
        connectionOptions[socket] = nil
        if let settings = units[socket]?.settings.socket {
            if settings.removeOnStop {
                // Symlinks= too, with RemoveOnStop= only (systemd's socket_close_fds()): without
                // it they stay, as the socket files do.
                for link in settings.symlinks { _ = unlink(link) }
                // Not the paths of listeners a reload keeps for the reopen.
                let keptPaths = Set(Self.paths(keptListeners[socket]?.map(\.spec) ?? []))
                Self.paths(settings.listen).filter { !keptPaths.contains($0) }.forEach { _ = unlink($0) }
                for case .messageQueue(let name) in settings.listen { SocketBinder.removeMessageQueue(name) }
            }
        }
    }

    func keepListenersForReopen(socket: UnitID, listen: [ListenSpec], staying: [ListenSpec]) {
        guard let fds = listeners[socket], fds.count == listen.count else { return }
        setPolling(socket: socket, false)
        listeners[socket] = nil
        var kept: [(spec: ListenSpec, fd: Int32)] = []
        for (spec, fd) in zip(listen, fds) {
            if staying.contains(spec) { kept.append((spec, fd)) } else { closeDescriptor(fd) }
        }
        keptListeners[socket] = kept
    }

    /// The end of a reload: listeners kept for a socket that did not open again within it (its
    /// `ExecStartPre=` runs first, or its start failed) close; it opens anew when it starts.
    func closeKeptListeners() {
        for (_, kept) in keptListeners { kept.forEach { closeDescriptor($0.fd) } }
        keptListeners = [:]
    }

    func flushListeners(socket: UnitID) {
        for fd in listeners[socket] ?? [] { SocketBinder.flush(fd) }
    }

    func setPolling(socket: UnitID, _ polling: Bool) {
        if polling {
            guard tokensOfSocket[socket] == nil, let fds = listeners[socket] else { return }
            var tokens: [UInt64] = []
            tokens.reserveCapacity(fds.count)
            socketOfToken.reserveCapacity(socketOfToken.count + fds.count)
            for fd in fds {
                nextToken += 1
                if (try? epoll.add(fd, token: nextToken)) != nil {
                    socketOfToken[nextToken] = socket
                    tokens.append(nextToken)
                }
            }
            tokensOfSocket[socket] = tokens
        } else {
            guard let tokens = tokensOfSocket.removeValue(forKey: socket) else { return }
            tokens.forEach { socketOfToken[$0] = nil }
            listeners[socket]?.forEach(epoll.remove)
        }
    }

    func accept(socket: UnitID) -> AcceptOutcome {
        for fd in listeners[socket] ?? [] {
            let accepted: AcceptedConnection?
            do throws(SystemError) {
                accepted = try Acceptor.accept(fd)
            } catch {
                return .exhausted(error.description)
            }
            guard let connection = accepted else { continue }
            if !connectionOptions.isEmpty, let options = connectionOptions[socket] {
                var warnings: [String] = []
                SocketBinder.applyOptions(connection.fd, options: options, family: connection.family, warnings: &warnings)
                for warning in warnings { log(.warning, "\(socket): \(warning)") }
            }
            nextConnection += 1
            connections[nextConnection] = HeldConnection(fd: connection.fd, remote: connection.remote, socket: socket)
            return .accepted(AcceptedConnectionID(id: nextConnection, instanceSuffix: Self.instanceSuffix(connection), source: Self.source(connection)))
        }
        return .nothingPending
    }

    /// systemd 252's instance name for a connection: `LOCAL-REMOTE` for IP (IPv6 without
    /// brackets), `PID-UID` of the peer for Unix sockets.
    static func instanceSuffix(_ connection: AcceptedConnection) -> String {
        switch (connection.local, connection.remote) {
        case (.ip(let localAddress, let localPort), .ip(let remoteAddress, let remotePort)):
            // Written into the string's storage: the interpolation cost 2,500 instructions a connection.
            return String(assembling: localAddress.utf8.count + remoteAddress.utf8.count + 13) { text in
                text.append(localAddress)
                text.append(byte: UInt8(ascii: ":"))
                text.append(decimal: UInt(localPort))
                text.append(byte: UInt8(ascii: "-"))
                text.append(remoteAddress)
                text.append(byte: UInt8(ascii: ":"))
                text.append(decimal: UInt(remotePort))
            }
        case (_, .unix(let pid, let uid)):
            return "\(pid)-\(uid)"
        case (_, .ip(let remoteAddress, let remotePort)):
            return "\(remoteAddress):\(remotePort)"
        }
    }

    /// The peer as `MaxConnectionsPerSource=` counts it: the IP address; a Unix peer is not
    /// counted (socket_acquire_peer() takes AF_INET, AF_INET6 and AF_VSOCK peers only).
    static func source(_ connection: AcceptedConnection) -> String? {
        switch connection.remote {
        case .ip(let address, _): return address
        case .unix: return nil
        }
    }

    /// Closes wick's copy of a connection, its TCP counters added to its socket's first.
    func closeConnection(_ connection: AcceptedConnectionID) {
        if let entry = connections.removeValue(forKey: connection.id) {
            if tcpAccountedSockets.contains(entry.socket), let counters = IPCounters.read(entry.fd) {
                tcpCounters[entry.socket, default: IPCounters()].add(counters)
            }
            closeDescriptor(entry.fd)
        }
    }

    /// The instance left the manager (also with a restart job still queued, which it never
    /// runs): nothing of it stays per connection.
    func instanceRemoved(_ connection: AcceptedConnectionID) {
        if let instance = instanceOfConnection.removeValue(forKey: connection.id) {
            fdStores.release(instance, log: log)
            connectionOfInstance[instance] = nil
            units[instance] = nil
            execEnvironment.forget(instance)
            if !instancesWithoutTemplate.isEmpty { instancesWithoutTemplate.remove(instance) }
        }
    }

    func instantiate(template: UnitID, instance: String, connection: AcceptedConnectionID) -> (UnitID, LoadedUnit)? {
        let templateName: UnitName?
        if let known = templateNames[template] {
            templateName = known
        } else {
            templateName = try? UnitName(template.name)
            templateNames[template] = templateName
        }
        guard let name = try? templateName?.instantiated(instance) else { return nil }
        let unit = templateInstances.load(name, with: loader)
        for diagnostic in unit.diagnostics where diagnostic.severity == .error { log(diagnostic.description) }
        guard unit.loadState == .loaded else { return nil }
        let id = unit.id
        units[id] = unit
        connectionOfInstance[id] = connection.id
        instanceOfConnection[connection.id] = id
        return (id, unit)
    }

    /// A reload loads every live `Accept=yes` instance anew from its template, as systemd loads
    /// every unit anew: one that loads takes the new definition here (its settings, commands and
    /// execution context) and is returned for the manager; one that does not keeps its own.
    func reloadInstances() -> [LoadedUnit] {
        var reloaded: [LoadedUnit] = []
        for id in connectionOfInstance.keys {
            guard let current = units[id] else { continue }
            let fresh = templateInstances.load(current.name, with: loader)
            if fresh.loadState == .notFound {
                // Its template was removed: said once, not as an error at every reload.
                if instancesWithoutTemplate.insert(id).inserted {
                    log("\(id): its template is no longer in the unit directories; it runs on with the definition it started with")
                }
                continue
            }
            for diagnostic in fresh.diagnostics where diagnostic.severity == .error { log(diagnostic.description) }
            guard fresh.loadState == .loaded else { continue }
            instancesWithoutTemplate.remove(id)
            units[id] = fresh
            reloaded.append(fresh)
        }
        return reloaded
    }

    // MARK: Processes

    func serviceStopped(_ unit: UnitID, restarting: Bool) {
        forgetAlienMain(of: unit)
        controlGroups.remove(unit.name)
        guard let loaded = units[unit], loaded.isService else { return }
        // FileDescriptorStorePreserve=: `no` releases the store at every stop (systemd's
        // service_enter_dead()), `restart` once no restart or job follows
        // (service_release_resources()), `yes` keeps it while the unit is loaded.
        switch loaded.settings.service.fileDescriptorStorePreserve {
        case .no: fdStores.release(unit, log: log)
        case .restart: if !restarting { fdStores.release(unit, log: log) }
        case .yes: break
        }
        execEnvironment.unitStopped(unit, context: loaded.settings.service.exec, restarting: restarting, log: log)
    }

    /// Starts a command of a unit; a failure is logged with its reason (and reaches `status`
    /// through the machine's `lastSpawnError`).
    func spawn(_ request: SpawnRequest) -> Result<Int32, SpawnError> {
        let result = start(request)
        if case .failure(let error) = result { log(.err, "\(request.unit): \(error.message)") }
        return result
    }

    private func start(_ request: SpawnRequest) -> Result<Int32, SpawnError> {
        let (unit, command, role) = (request.unit, request.command, request.role)
        guard let loaded = units[unit] else { return .failure(SpawnError(message: "\(unit): not loaded")) }
        // The connection of an `Accept=yes` instance (looked up once: several uses below).
        let instanceConnection = connectionOfInstance[unit]
        let held = instanceConnection.flatMap { connections[$0] }
        // A socket unit's own commands (ExecStartPre= ...) run in its [Socket] execution context.
        let exec = loaded.isSocket ? loaded.settings.socket.exec : loaded.settings.service.exec
        let privileges = CommandPrivileges.of(command.flags, role: role, permissionsStartOnly: loaded.isService && loaded.settings.service.permissionsStartOnly)
        let invocationID = execEnvironment.invocationID(unit: unit, invocation: request.invocation)
        // A main command takes the request its service's last start (an `Accept=yes` instance:
        // its socket's last instance) was built with while it is reusable (`reusableRequests`);
        // otherwise it is built.
        let reuseKey: UnitID?
        if role != .main || !loaded.isService {
            reuseKey = nil
        } else if instanceConnection != nil {
            reuseKey = held?.socket
        } else {
            reuseKey = unit
        }
        let kept = reuseKey.flatMap { reusableRequests[$0] }.flatMap { $0.context.isIdentical(to: exec) && $0.request.isReusable(for: privileges) ? $0 : nil }
        var variables = OrderedEnvironment()
        func set(_ name: String, _ value: String) { variables.set(name, value) }
        // systemd's service_exec_needs_notify_socket(): the main process unless access is
        // `none`, a control process with `exec` or `all` only.
        let access = request.notifyAccessOverride ?? loaded.settings.service.effectiveNotifyAccess
        var notifySocket: String?
        if loaded.isService, role == .main ? access != .none : access == .exec || access == .all, let notifySocketPath {
            set("NOTIFY_SOCKET", notifySocketPath)
            notifySocket = notifySocketPath
            // systemd's service_spawn_internal(): the store's size next to the socket.
            let storeMax = loaded.settings.service.fileDescriptorStoreMax
            if storeMax > 0 { set("FDSTORE", String(storeMax)) }
        }
        if role == .control, let mainPID = request.mainPID { set("MAINPID", String(mainPID)) }
        // systemd.service(5) WatchdogSec=: the main process gets WATCHDOG_USEC and WATCHDOG_PID
        // (its own pid, written by the child like LISTEN_PID), as sd_watchdog_enabled(3) reads them.
        let watchdog = role == .main && loaded.isService && loaded.settings.service.hasWatchdog
        if watchdog { set("WATCHDOG_USEC", String(loaded.settings.service.watchdog.microseconds)) }
        if request.result != nil || request.monitor != nil { setResultVariables(request, in: &variables) }

        var fds: [Int32] = []
        var names: [String] = []
        var stdin = SpawnPlan.Stream.null
        var connectionFD: Int32?
        // An Accept=yes instance's connection, while it is open (systemd's service_spawn()):
        // every command gets REMOTE_ADDR/REMOTE_PORT; the main command gets the connection as
        // LISTEN_FDS or on its stdio, a control command (ExecStartPre=, ExecStopPost= ...) on its
        // stdio when a Standard*=socket asks for it.
        let stdioSocket = exec.effectiveStandardInput == .socket || exec.effectiveStandardOutput == .socket || exec.standardError == .socket
        if let connection = held {
            if case .ip(let address, let port) = connection.remote {
                set("REMOTE_ADDR", address)
                set("REMOTE_PORT", String(port))
            }
            if role == .main || stdioSocket { connectionFD = connection.fd }
            if exec.effectiveStandardInput == .socket {
                stdin = .fd(connection.fd)
            } else if role == .main {
                fds = [connection.fd]
                names = ["connection"]
            }
        } else if role == .main, let sockets = socketsOfService[unit], !sockets.isEmpty {
            for socket in sockets {
                let socketFDs = listeners[socket] ?? []
                fds += socketFDs
                let name = units[socket]?.settings.socket.fileDescriptorName ?? socket.name
                names += Array(repeating: name, count: socketFDs.count)
            }
        }
        // systemd's service_collect_fds(): the fd store after the sockets, for ExecStart= only
        // and not with a Standard*=socket stream (below).
        let socketCount = fds.count
        if role == .main, loaded.isService, !stdioSocket {
            for entry in fdStores.entries(of: unit) {
                fds.append(entry.fd)
                names.append(entry.name)
            }
        }
        if !fds.isEmpty {
            set("LISTEN_FDS", String(fds.count))
            set("LISTEN_FDNAMES", names.joined(separator: ":"))
        }
        // The inetd "wait" style (systemd 252 exec_spawn()): with Accept=no, StandardInput=,
        // StandardOutput= or StandardError=socket connects the one listening socket to the stdio
        // (blocking) and passes no LISTEN_FDS; with more or fewer sockets the command does not
        // start ("Got more than one socket.", result resources).
        if connectionFD == nil, loaded.isService, stdioSocket {
            let only: Int32
            switch onlySocket(of: unit) {
            case .success(let fd): only = fd
            case .failure(let error): return .failure(error)
            }
            fds = []
            variables.remove("LISTEN_FDS")
            variables.remove("LISTEN_FDNAMES")
            connectionFD = only
            if exec.effectiveStandardInput == .socket { stdin = .fd(only) }
        }
        // The whole request first: nothing is opened for a process that cannot start.
        let managerVariables = variables.pairs
        // A kept request takes this start's own variables at their slots; otherwise the request
        // is made (reused with a new environment, or built) and prepared.
        let prepared: PreparedExec
        var startVariables: [(slot: Int, variable: EnvironmentVariable)] = []
        if let kept, let changes = kept.request.startVariables(invocationID: invocationID, managerVariables: managerVariables) {
            prepared = kept
            startVariables = changes
        } else {
            switch prepare(request, loaded: loaded, exec: exec, privileges: privileges, invocationID: invocationID,
                           managerVariables: managerVariables, notifySocket: notifySocket, kept: kept, reuseKey: reuseKey,
                           acceptInstance: instanceConnection != nil) {
            case .success(let made): prepared = made
            case .failure(let error): return .failure(error)
            }
        }
        // The unit's cgroup, at every start (a reused request included). Not for Accept=yes
        // instances (docs/resources.md): each instance is a new unit, and a cgroup made for a spawn
        // and removed after it costs about 200 µs in the kernel (docs/performance.md "Cold
        // start"), too much per connection.
        var controlGroup: ContextPlan.ControlGroup?
        if instanceConnection == nil {
            var warnings: [String] = []
            switch controlGroups.prepare(unit.name, cgroupSetup(loaded), warnings: &warnings) {
            case .success(let procs):
                controlGroup = procs.map { ContextPlan.ControlGroup(procs: $0, joinByWrite: controlGroups.wasKilled(unit.name)) }
            case .failure(let failure):
                return .failure(SpawnError(message: "\(failure) (\(SetupStatus.describe(SetupStatus.cgroup)))", status: SetupStatus.cgroup))
            }
            for warning in warnings { log("\(unit): \(warning)") }
        }
        for note in prepared.request.notes { log("\(unit): \(note)") }
        if !prepared.request.skippedSandbox.isEmpty {
            log("\(unit): --sandbox=best-effort: not applied: \(prepared.request.skippedSandbox.joined(separator: ", ")) (the system does not allow them)")
        }
        if let error = execEnvironment.writeCredentials(prepared, unit: unit) {
            return .failure(SpawnError(message: "credentials could not be written: \(error) (\(SetupStatus.describe(SetupStatus.credentials)))",
                                       status: SetupStatus.credentials))
        }
        // $VAR and ${VAR} in the arguments: the environment is needed only when one has a '$'.
        // Before anything is opened for the child: arguments the kernel would refuse are refused
        // here, before they are built (a value referenced 20,000 times in one line asked wick
        // for gigabytes).
        var arguments = command.arguments
        if arguments.contains(where: { $0.containsByte(UInt8(ascii: "$")) }) {
            guard let expanded = Self.expandedArguments(command, prepared.request, startVariables) else {
                return .failure(SpawnError(message: "exec failed: \(command.path): Argument list too long (the expanded arguments exceed "
                                           + "\(ExecCommand.maximumArgumentBytes) bytes for one or \(ExecCommand.maximumArgumentsBytes) for all)",
                                           status: SetupStatus.exec))
            }
            arguments = expanded
        }
        // StandardInput=data: the data in a memfd, read from its start.
        var dataFD: Int32?
        if exec.effectiveStandardInput == .data {
            switch MemoryFile.holding(exec.standardInputData) {
            case .success(let fd):
                dataFD = fd
                stdin = .fd(fd)
            case .failure(let error):
                return .failure(SpawnError(message: "StandardInputData=: \(error) (208/STDIN)", status: 208))
            }
        }
        defer { if let dataFD { closeDescriptor(dataFD) } }
        var capture: (writeEnd: Int32, readEnd: Int32)?
        let stdout = stream(exec.effectiveStandardOutput, stdin: stdin, connection: connectionFD, capture: &capture)
        let stderr = exec.standardError == .inherit
            ? stdout : stream(exec.standardError, stdin: stdin, connection: connectionFD, capture: &capture)
        let plan = prepared.plan(path: command.path, arguments: arguments)
        let result = plan.spawn(fds: fds, socketCount: socketCount, stdin: stdin, stdout: stdout, stderr: stderr, replacing: startVariables,
                                setListenPID: !fds.isEmpty, setWatchdogPID: watchdog, setExecPID: prepared.setsExecPID,
                                nonBlocking: fds.isEmpty ? nil : exec.nonBlocking,
                                context: prepared.contextPlan, controlGroup: controlGroup)
        var opened = Set<Int32>()
        for case .fd(let fd) in [stdout, stderr] where fd > 2 && fd != connectionFD { opened.insert(fd) }
        opened.forEach(closeDescriptor)
        switch result {
        case .success(let pid):
            unitOfPID[pid] = unit
            execEnvironment.processStarted(unit: unit, pid: pid, prepared: prepared)
            if let capture { output.attach(readEnd: capture.readEnd, unit: unit.name, pid: pid, exec: exec, executable: command.path) }
            if let trigger = activationTrigger, connectionOfInstance[unit] != nil || socketsOfService[unit]?.contains(trigger.socket) == true {
                let latency = MonotonicClock.nanoseconds() - trigger.at.nanoseconds
                lastActivationLatency[trigger.socket] = latency
                onActivation?(trigger.socket, latency)
                activationTrigger = nil
            }
            return .success(pid)
        case .failure(let failure):
            if let capture { closeDescriptor(capture.readEnd) }
            if let pid = failure.pid { unitOfPID[pid] = unit }
            return .failure(Self.spawnError(failure, path: command.path))
        }
    }

    // The parts of `start` that most spawns pass over, out of its line (`@inline(never)`): the
    // code a connection runs stays on fewer instruction-cache lines (docs/performance.md,
    // eleventh session).

    /// The request of a start without a kept one that fits: the kept request with this start's
    /// environment made anew, or one built (and kept when it is reusable), prepared.
    @inline(never)
    private func prepare(
        _ spawn: SpawnRequest, loaded: LoadedUnit, exec: ExecContext, privileges: CommandPrivileges, invocationID: String,
        managerVariables: [(String, String)], notifySocket: String?, kept: PreparedExec?, reuseKey: UnitID?, acceptInstance: Bool
    ) -> Result<PreparedExec, SpawnError> {
        let unit = spawn.unit
        var inputs = execEnvironment.baseInputs(unit: unit, context: exec, privileges: privileges, invocationID: invocationID)
        inputs.managerVariables = managerVariables
        inputs.notifySocket = notifySocket
        if kept == nil { execEnvironment.completeInputs(&inputs, unit: unit) }
        let request: ExecRequest
        if let kept {
            request = kept.request.reused(with: inputs)
        } else {
            switch ExecRequest.build(inputs) {
            case .success(let built): request = built
            case .failure(let failure):
                return .failure(SpawnError(message: "\(failure.message) (\(SetupStatus.describe(failure.status)))", status: failure.status))
            }
            reportResources(loaded, acceptInstance: acceptInstance)
        }
        let filters: [CompiledFilter]
        switch seccompCompiler.compile(request.seccompFilters) {
        case .success(let compiled): filters = compiled
        case .failure(let error): return .failure(SpawnError(message: "\(error) (228/SECCOMP)", status: 228))
        }
        guard let made = PreparedExec(context: exec, request: request, filters: filters) else {
            return .failure(SpawnError(message: "cannot start \(spawn.command.path): \(SystemError("", code: ENOMEM).reason)", outOfResources: true))
        }
        if kept == nil, let reuseKey, request.isReusable(for: privileges) { reusableRequests[reuseKey] = made }
        return .success(made)
    }

    /// ExecStop=/ExecStopPost= (systemd's EXEC_SETENV_RESULT): how the service ended; an
    /// OnFailure= unit learns which unit failed and how (EXEC_SETENV_MONITOR_RESULT).
    @inline(never)
    private func setResultVariables(_ request: SpawnRequest, in variables: inout OrderedEnvironment) {
        if let result = request.result {
            variables.set("SERVICE_RESULT", result.rawValue)
            for (name, value) in Self.exitVariables(request.mainExit) { variables.set(name, value) }
        }
        if let monitor = request.monitor {
            variables.set("MONITOR_SERVICE_RESULT", monitor.result.rawValue)
            for (name, value) in Self.exitVariables(monitor.exit) { variables.set("MONITOR_" + name, value) }
            let id = execEnvironment.currentInvocationID(monitor.unit)
            if !id.isEmpty { variables.set("MONITOR_INVOCATION_ID", id) }
            variables.set("MONITOR_UNIT", monitor.unit.name)
        }
    }

    /// The inetd "wait" style's one listening socket, or why the command does not start.
    @inline(never)
    private func onlySocket(of unit: UnitID) -> Result<Int32, SpawnError> {
        var socketFDs: [Int32] = []
        for socket in socketsOfService[unit] ?? [] { socketFDs += listeners[socket] ?? [] }
        guard socketFDs.count == 1, let only = socketFDs.first else {
            return .failure(SpawnError(message: socketFDs.isEmpty ? "Got no socket." : "Got more than one socket."))
        }
        return .success(only)
    }

    /// `$VAR` and `${VAR}` in the arguments, from the environment this start has.
    @inline(never)
    private static func expandedArguments(
        _ command: ExecCommand, _ request: ExecRequest, _ startVariables: [(slot: Int, variable: EnvironmentVariable)]
    ) -> [String]? {
        var variables = request.variables
        for (slot, variable) in startVariables where variables.indices.contains(slot) { variables[slot] = variable }
        var environment: [String: String] = [:]
        for variable in variables { environment[variable.name] = variable.value }
        return command.expandedArguments(environment: environment)
    }

    /// Why a spawn failed, as `status` shows it.
    @inline(never)
    private static func spawnError(_ failure: SpawnPlan.Failure, path: String) -> SpawnError {
        let message: String
        if failure.pid == nil {
            message = "cannot start \(path): \(failure.error.reason)"
        } else if failure.status == SetupStatus.exec {
            message = "exec failed: \(path): \(failure.error.reason)"
        } else {
            message = "\(path) could not be set up: \(SetupStatus.step(failure.status)): \(failure.error.reason) (\(SetupStatus.describe(failure.status)))"
        }
        // A shortage of fds, memory or processes is `resources` whichever step met it (the
        // child needs fds for the cgroup, /proc and the namespaces too).
        let shortage = [EMFILE, ENFILE, ENOMEM, EAGAIN].contains(failure.error.code)
        return SpawnError(message: message, pid: failure.pid, status: failure.pid == nil ? nil : failure.status, outOfResources: shortage)
    }

    /// `EXIT_CODE=` (exited, killed) and `EXIT_STATUS=` (a number, or a signal name without SIG).
    private static func exitVariables(_ exit: ProcessExit?) -> [(String, String)] {
        switch exit {
        case .exited(let status)?: return [("EXIT_CODE", "exited"), ("EXIT_STATUS", String(status))]
        case .signaled(let signal)?: return [("EXIT_CODE", "killed"), ("EXIT_STATUS", String(Signal(signal).description.trimmingPrefix("SIG")))]
        case nil: return []
        }
    }

    /// Where a standard output or error stream goes (systemd.exec(5)). `journal` and the other
    /// log targets mean a pipe into wick (`OutputRouter`), shared by stdout and stderr.
    private func stream(
        _ stream: StandardStream, stdin: SpawnPlan.Stream, connection: Int32?,
        capture: inout (writeEnd: Int32, readEnd: Int32)?
    ) -> SpawnPlan.Stream {
        switch stream {
        case .inherit:
            if case .fd = stdin { return stdin }
            return .null
        case .null: return .null
        case .socket: return connection.map { .fd($0) } ?? .null
        case .file(let path), .truncate(let path):
            return openOutput(path, O_WRONLY | O_CREAT | (stream == .truncate(path) ? O_TRUNC : 0))
        case .append(let path):
            return openOutput(path, O_WRONLY | O_CREAT | O_APPEND)
        case .tty, .ttyForce, .ttyFail, .data, .journal, .kmsg, .journalConsole, .kmsgConsole, .fd:
            if capture == nil { capture = output.makePipe() }
            return capture.map { .fd($0.writeEnd) } ?? .fd(2)
        }
    }

    /// `StandardOutput=file:`/`append:`/`truncate:`. systemd opens the file in the child; wick
    /// opens it here, in PID 1, so never blocking: a FIFO without a reader fails (ENXIO) instead
    /// of holding the loop, and the flag is cleared again so that the service writes normally.
    /// What cannot be opened is logged and the stream goes to /dev/null.
    private func openOutput(_ path: String, _ flags: Int32) -> SpawnPlan.Stream {
        let fd = open(path, flags | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0o644)
        guard fd >= 0 else {
            log("cannot open \(path) for output without blocking: \(SystemError("", code: errno).reason); using /dev/null")
            return .null
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return .fd(fd)
    }

    func adoptMainPID(unit: UnitID, pidFile: String?) -> Int32? {
        guard let pidFile else {
            // The one unknown process that has been re-parented to wick (it is subreaper or PID
            // 1), and guesses nothing otherwise; with a cgroup of the unit's, only one in it, as
            // systemd's unit_search_main_pid() looks in the unit's cgroup alone (another unit's
            // orphan became this unit's main process, and its stop signalled it).
            var candidates = ProcessTable.children(of: getpid()).filter { unitOfPID[$0] == nil }
            if controlGroups.isInUse(unit.name) { candidates = candidates.filter { controlGroups.unit(of: $0) == unit.name } }
            guard candidates.count == 1 else { return nil }
            unitOfPID[candidates[0]] = unit
            return candidates[0]
        }
        guard let pid = Self.readPIDFile(pidFile) else {
            log("\(unit): PIDFile=\(pidFile) is missing or names no process")
            return nil
        }
        return claimMainPID(pid, unit: unit) ? pid : nil
    }

    func movedMainPID(unit: UnitID, pidFile: String, from old: Int32) -> Int32? {
        guard let pid = Self.readPIDFile(pidFile), pid != old, claim(pid, unit: unit, quiet: true) else { return nil }
        log("\(unit): main PID changing: \(old) -> \(pid)")
        return pid
    }

    /// The pid a PID file names: one number (4 KiB is more than enough to read).
    private static func readPIDFile(_ path: String) -> Int32? {
        guard let bytes = try? FileSystemUnitSource(maximumFileSize: 4096).contents(of: path),
              let word = bytes.split(whereSeparator: { [9, 10, 13, 32].contains($0) }).first,
              let pid = Int32(String(decoding: word, as: UTF8.self)), pid > 0 else { return nil }
        return pid
    }

    func claimMainPID(_ pid: Int32, unit: UnitID) -> Bool { claim(pid, unit: unit, quiet: false) }

    /// `MAINPID=`'s checks; `quiet`: a refusal is not logged (a PID file read again at the old
    /// main's exit usually names the old one, as systemd's service_load_pid_file(s, false)).
    private func claim(_ pid: Int32, unit: UnitID, quiet: Bool) -> Bool {
        let refusal: String?
        if pid <= 1 {
            refusal = "it is PID 1"
        } else if pid == getpid() {
            refusal = "it is wick itself"
        } else if let owner = unitOfPID[pid], owner != unit {
            refusal = "it belongs to \(owner)"
        } else if let parents = ProcessTable.lineage(of: pid, below: getpid()) {
            // No cgroups: a process descending from another unit's process is that unit's.
            refusal = parents.compactMap { unitOfPID[$0] }.first { $0 != unit }.map { "it descends from a process of \($0)" }
        } else {
            refusal = "it is not a living descendant of wick"
        }
        if let refusal {
            if !quiet { log(.warning, "\(unit): MAINPID=\(pid) refused: \(refusal)") }
            return false
        }
        forgetAlienMain(of: unit)
        if ProcessTable.entry(of: pid)?.parent != getpid() {
            switch PIDDescriptor.open(pid) {
            case .descriptor(let fd):
                alienMains[unit] = (pid, fd, nil)
            case .gone:
                if !quiet { log(.warning, "\(unit): MAINPID=\(pid) refused: it is not alive") }
                return false
            case .unavailable:
                // Taken by its number, as before pidfds: signalled by pid, its exit unseen.
                break
            }
        }
        unitOfPID[pid] = unit
        return true
    }

    /// The unit's alien main process is no longer its main one (another took its place, or the
    /// unit stopped): its pidfd closes and its number is no longer the unit's, so that a process
    /// that takes the number later is nobody's (wick never reaps that one: its parent does).
    private func forgetAlienMain(of unit: UnitID) {
        if let pid = alienMains[unit]?.pid, unitOfPID[pid] == unit, ProcessTable.entry(of: pid)?.parent != getpid() {
            unitOfPID[pid] = nil
        }
        releaseAlienMain(of: unit)
    }

    /// The alien main's pidfd closes (and its exit watch ends).
    private func releaseAlienMain(of unit: UnitID) {
        guard let alien = alienMains.removeValue(forKey: unit) else { return }
        if let token = alien.token {
            exitWatches[token] = nil
            epoll.remove(alien.fd)
        }
        closeDescriptor(alien.fd)
    }

    func watchExit(of pid: Int32, unit: UnitID) -> Bool {
        guard let alien = alienMains[unit], alien.pid == pid else {
            // wick's child: its exit comes with SIGCHLD (a zombie one is about to be reaped).
            return ProcessTable.entry(of: pid)?.parent == getpid()
        }
        // Asked through the pidfd wick took it with: a process that took the number since is
        // not it.
        if PIDDescriptor.exited(alien.fd) { return false }
        if alien.token != nil { return true }
        nextToken += 1
        guard (try? epoll.add(alien.fd, token: nextToken)) != nil else { return false }
        alienMains[unit]?.token = nextToken
        exitWatches[nextToken] = unit
        return true
    }

    /// A watched main process has exited (its pidfd polled readable): its unit and pid, when the
    /// pid is still the unit's (not reaped meanwhile by wick, as subreaper, with its status).
    func watchedExit(_ token: UInt64) -> (unit: UnitID, pid: Int32)? {
        guard let unit = exitWatches[token], let pid = alienMains[unit]?.pid else { return nil }
        releaseAlienMain(of: unit)
        // Re-parented to wick before it exited: its reap (SIGCHLD) tells how it ended.
        guard unitOfPID[pid] == unit, ProcessTable.entry(of: pid)?.parent != getpid() else { return nil }
        unitOfPID[pid] = nil
        return (unit, pid)
    }

    /// kill(2), never towards PID 1, wick itself or its process group, or every process (-1):
    /// whatever a unit's state says, those are not the unit's to signal.
    func kill(pid: Int32, signal: Int32, group: Bool, unit: UnitID) -> Bool {
        guard Self.maySignal(pid, group: group) else {
            log(.warning, "refused to signal \(group ? "process group" : "pid") \(pid): not a process of a unit")
            return false
        }
        // An alien main process through its pidfd: its number may belong to another process now.
        if !group, let alien = alienMains.values.first(where: { $0.pid == pid }) { return PIDDescriptor.signal(alien.fd, signal) }
        var sent = false
        if group && Self.groupNumberReused(pid, leaderOwner: unitOfPID[pid], unit: unit) {
            log(.warning, "\(unit): not signalling process group \(pid): its leader has gone and another process has its number now")
        } else {
            sent = Glibc.kill(group ? -pid : pid, signal) == 0
        }
        // KillMode=control-group with a cgroup: also the processes that left the process group.
        if group, controlGroups.signal(unit.name, signal, signalledGroup: sent ? pid : nil) { return true }
        return sent
    }

    /// The group's members by kill(2) first (no /proc read while it is empty, as at the end of
    /// most runs), then, while exits are being reaped, whether one of them is alive: a zombie not
    /// reaped yet has left the unit, as it has left a cgroup.
    func remains(group: Int32?, unit: UnitID) -> Bool {
        if let pgid = group, Self.maySignal(pgid, group: true), !Self.groupNumberReused(pgid, leaderOwner: unitOfPID[pgid], unit: unit),
           Glibc.kill(-pgid, 0) == 0 || errno == EPERM, !reaping || ProcessTable.hasLiveMember(group: pgid) {
            return true
        }
        return !controlGroups.processes(unit.name).isEmpty
    }

    /// Set while the daemon reaps and handles exits one at a time: a zombie of wick's not reaped
    /// yet may still be in a group, so `remains` reads /proc then (once per exit handled, not
    /// once per leftover: after the reaping no such zombie is left, and kill(2) alone says).
    var reaping = false

    func signalControlGroup(unit: UnitID, signal: Int32) -> Bool {
        controlGroups.signal(unit.name, signal)
    }

    /// Whether the process group `pgid` that `unit` made can no longer be its own: the leader
    /// (the spawned process, whose pid is the group's number) is tracked for another unit, or is
    /// untracked and alive: the unit's leader was reaped, so that process is a new one with the
    /// old number, which the kernel gives out only once no process is left in the old group. (A
    /// group whose leader was reaped and whose number nobody holds is still the unit's, or gone.)
    static func groupNumberReused(_ pgid: Int32, leaderOwner: UnitID?, unit: UnitID) -> Bool {
        if let leaderOwner { return leaderOwner != unit }
        return Glibc.kill(pgid, 0) == 0 || errno == EPERM
    }

    static func maySignal(_ pid: Int32, group: Bool) -> Bool {
        pid > 1 && pid != ownPID && !(group && pid == ownGroup)
    }

    /// wick's pid and process group, read once: neither changes after wick's exec (wick calls
    /// neither setsid(2) nor setpgid(2), and its parent may no longer move it: setpgid(2) EACCES).
    private static let ownPID = getpid()
    private static let ownGroup = getpgrp()

    func checkPath(_ check: String, _ path: String) -> Bool {
        PathCheck.holds(check, path)
    }

    /// `--log-level`: wick's own lines above it are not written.
    var logLevel = LogLevel.info
    var logsDebug: Bool { logLevel >= .debug }

    func log(_ level: LogLevel, _ message: String) {
        if level <= logLevel { messages.wick(level, message) }
    }

    func log(_ message: String) { log(.info, message) }

    func closeAll() {
        controlGroups.removeAll()
        for socket in Array(listeners.keys) { closeListeners(socket: socket) }
        for (_, connection) in connections { closeDescriptor(connection.fd) }
        connections.removeAll()
    }
}
