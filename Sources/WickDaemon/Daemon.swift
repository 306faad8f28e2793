import CWick
import Glibc
import WickControl
import WickCore
import WickSystem
import WickUnits

/// What `wick daemon` was asked to do.
public struct DaemonConfiguration: Sendable {
    public var unitDirectories: [String]
    /// Without `--units`: systemd's search path, and only the units enabled in it start
    /// (`BootUnits`); `unitDirectories` are its directories in loader order.
    public var searchPath: UnitSearchPath?
    public var runtimeDirectory: String
    /// How long an orderly shutdown may take before everything left is killed (below the usual
    /// 10 s container grace period).
    public var shutdownTimeout: TimeSpan
    /// The control socket (`--control`): RUNTIME/wick/control by default.
    public var controlPath: String
    /// `--exit-with UNIT`: wick shuts down when this unit ends and exits with its status.
    public var exitWith: String?
    /// `--control-group GROUP`: members may use the read-only verbs (status, logs...).
    public var controlGroup: String?
    /// `--watch`: reload when a unit directory changes (inotify), debounced.
    public var watch = false
    /// `--metrics ADDR`: serve Prometheus metrics at http://ADDR/metrics.
    public var metricsAddress: SocketAddress?
    /// `--sandbox=best-effort`: sandbox settings the system does not allow are left out (logged,
    /// shown by `status`) instead of failing the start.
    public var sandboxBestEffort = false
    /// `--log-level` (or `WICK_LOG_LEVEL`): wick's own lines above it are not written; debug
    /// adds the per-connection lines of `Accept=yes` instances.
    public var logLevel = LogLevel.info
    /// `--log-format`: text lines, or one JSON object per line.
    public var logFormat = LogFormat.text
    /// `--log-target=journal`: journald's native socket at this path instead of the console.
    public var journalSocket: String?

    public init(
        unitDirectories: [String], runtimeDirectory: String, shutdownTimeout: TimeSpan, controlPath: String? = nil,
        exitWith: String? = nil, controlGroup: String? = nil
    ) {
        self.unitDirectories = unitDirectories
        self.runtimeDirectory = runtimeDirectory
        self.shutdownTimeout = shutdownTimeout
        self.controlPath = controlPath ?? runtimeDirectory + "/wick/control"
        self.exitWith = exitWith
        self.controlGroup = controlGroup
    }
}

/// `wick daemon`: one thread, one epoll loop (signalfd, listeners), sleeping until the next event
/// or the earliest unit deadline, never polling. Signals: SIGCHLD reaps; SIGTERM, SIGINT and SIGQUIT
/// stop every service and exit; the rest are blocked and ignored (PID 1 has no default actions).
public final class Daemon {
    let configuration: DaemonConfiguration
    private let epoll: Epoll
    private let signals: SignalDescriptor
    var port: DaemonPort
    var manager: Manager
    var shutdownDeadline: Instant?
    /// The exit status decided by `--exit-with` (tini's exit-code propagation).
    private var exitStatus: Int32?
    private let notifySocket: NotifySocket
    /// The warnings about notifications no unit takes (malformed, refused, with stray fds): any
    /// process that can reach the socket can send them, a line each. systemd's lines go to
    /// journald, which limits them; wick's are limited here, 20 in 10 s, and the rest counted.
    private var notifyWarnings = RateLimit(interval: .seconds(10), burst: 20)
    private var notifyWarningsSuppressed = 0
    let control: ControlServer
    /// Alias names (`Alias=`, symlinks) to the units they name.
    var aliases: [String: String]
    /// The unit definitions the manager was made from (the last load, and what was loaded on
    /// demand since): what a unit loaded on demand is added to.
    var definitions: [LoadedUnit] = []
    /// When the daemon started, on the wall clock (µs).
    let startedAt = WallClock.microseconds()
    /// The same on the monotonic clock (systemd-analyze's origin).
    let startedAtMonotonic = Instant(nanoseconds: MonotonicClock.nanoseconds())
    static let signalToken: UInt64 = 1
    static let notifyToken: UInt64 = 2
    static let watchToken: UInt64 = 4
    /// `--watch` debounce: reload once the directories were quiet this long...
    static let watchQuiet: UInt64 = 250_000_000
    /// ...or this long after the first change, whichever comes first (a steady writer cannot
    /// postpone the reload forever).
    static let watchLongest: UInt64 = 2_000_000_000
    private let watcher: DirectoryWatcher?
    private let metricsServer: MetricsServer?
    private let metrics = Metrics()
    private var pendingWatchReload: (first: Instant, due: Instant)?

    /// The signals wick takes through its signalfd: every asynchronous one, so none kills PID 1.
    static let handledSignals: [Int32] = [
        SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGWINCH, SIGTTIN, SIGTTOU,
        SIGURG, SIGIO, SIGPWR, SIGVTALRM, SIGPROF,
    ]

    public init(_ configuration: DaemonConfiguration) throws(SystemError) {
        self.configuration = configuration
        signals = try SignalDescriptor(signals: Self.handledSignals)
        epoll = try Epoll()
        try epoll.add(signals.fd, token: Self.signalToken)
        if getpid() != 1 { try Reaper.becomeSubreaper() }
        SpawnPlan.raiseOpenFilesLimit()
        notifySocket = try NotifySocket(path: configuration.runtimeDirectory + "/wick/notify")
        try epoll.add(notifySocket.fd, token: Self.notifyToken)
        var readerGroup: gid_t?
        if let group = configuration.controlGroup {
            guard let id = UserDatabase.groupID(group) else {
                throw SystemError("--control-group \(group): no such group in /etc/group", code: ENOENT)
            }
            readerGroup = id
        }
        control = try ControlServer(path: configuration.controlPath, epoll: epoll, readerGroup: readerGroup)
        if configuration.watch {
            let watcher = try DirectoryWatcher(directories: configuration.unitDirectories)
            try epoll.add(watcher.fd, token: Self.watchToken)
            self.watcher = watcher
        } else {
            watcher = nil
        }
        if let address = configuration.metricsAddress {
            do throws(SystemError) {
                metricsServer = try MetricsServer(address: address, epoll: epoll)
            } catch {
                throw SystemError("--metrics \(address): \(error.operation)", code: error.code)
            }
        } else {
            metricsServer = nil
        }
        var journal: JournalSocket?
        if let path = configuration.journalSocket {
            journal = JournalSocket(path: path)
        }
        let messages = LogSink(format: configuration.logFormat, journal: journal)
        if let path = configuration.journalSocket, journal == nil {
            messages.wick(.warning, "--log-target=journal: no journal at \(path) (\(String(cString: strerror(errno)))), logging to the console")
        }
        let (loader, loaded, aliases, _, boot) = Self.loadUnits(configuration, previous: [:], log: messages)
        self.aliases = aliases
        definitions = loaded
        manager = Manager(units: loaded, aliases: aliases, bootUnits: boot)
        port = DaemonPort(epoll: epoll, loader: loader, units: loaded, messages: messages)
        if let reason = port.controlGroups.unavailable { messages.wick(.warning, reason) }
        port.output.onLine = { [unowned control] unit, line in control.publish(unit: unit, line: line) }
        // The latency histogram is read only by the metrics endpoint: not kept without one.
        if metricsServer != nil {
            port.onActivation = { [unowned metrics] socket, nanoseconds in metrics.recordActivation(socket: socket.name, nanoseconds: nanoseconds) }
        }
        port.socketsOfService = manager.socketsOfService
        port.notifySocketPath = notifySocket.path
        port.execEnvironment.sandboxBestEffort = configuration.sandboxBestEffort
        port.logLevel = configuration.logLevel
        // Not `joined(separator:)`: its generic code's first call cost 190,000 instructions here.
        port.log("loaded \(loaded.count) units from " + configuration.unitDirectories.reduce("") { $0.isEmpty ? $1 : $0 + ", " + $1 })
        if let unit = configuration.exitWith, !manager.services.contains(UnitID(unit)) {
            throw SystemError("--exit-with \(unit): no such service is loaded", code: ENOENT)
        }
    }

    /// Reads every unit directory. A unit that fails to load keeps its `previous` definition when
    /// it had one (the running definition stays, the error is reported). Returns the errors too.
    static func loadUnits(
        _ configuration: DaemonConfiguration, previous: [UnitID: LoadedUnit], demanded: Set<String> = [], log writer: LogSink
    ) -> (UnitDirectoryLoader, [LoadedUnit], [String: String], [String], Set<String>?) {
        let host = HostFactsReader.read(runtimeDirectory: configuration.runtimeDirectory)
        let loader = UnitDirectoryLoader(directories: configuration.unitDirectories, host: host, searchPath: configuration.searchPath != nil)
        var loaded: [LoadedUnit] = []
        var aliases: [String: String] = [:]
        var errors: [String] = []
        let log = { (message: String) in writer.wick(.err, message) }
        for diagnostic in loader.diagnostics {
            writer.wick(diagnostic.severity == .error ? .err : .warning, diagnostic.description)
            if diagnostic.severity == .error { errors.append(diagnostic.description) }
        }
        for unit in loader.loadAll() {
            for diagnostic in unit.diagnostics where diagnostic.severity == .error {
                log(diagnostic.description)
                errors.append(diagnostic.description)
            }
            if unit.loadState != .loaded {
                if let old = previous[unit.id] {
                    log("\(unit.name.name): not reloaded (\(unit.loadState.rawValue)), keeping the running definition")
                    loaded.append(old)
                } else {
                    log("\(unit.name.name): not loaded (\(unit.loadState.rawValue))")
                }
                continue
            }
            loaded.append(unit)
        }
        let boot = bootUnits(configuration, loader, log: writer)
        // An enabled instance of a template (`systemctl enable foo@bar.service`, or a template's
        // DefaultInstance=) has no file of its own: it is loaded from the template here.
        let files = Set(loader.unitNames)
        for name in (boot ?? []).sorted() where !files.contains(name) {
            let unit = loader.load(name)
            if unit.loadState == .loaded, unit.name.instance?.isEmpty == false {
                loaded.append(unit)
            } else if !loader.masked.contains(name) {
                log("\(name): enabled, but not loaded (\(unit.loadState.rawValue)): not started")
            }
        }
        // Active instances loaded from their templates stay loaded (above, `reloadUnits`); one
        // that no longer loads keeps its running definition, as a unit file does.
        var names = Set(loaded.map(\.name.name))
        for name in demanded.sorted() where !files.contains(name) && !names.contains(name) {
            let unit = loader.load(name)
            if unit.loadState == .loaded {
                loaded.append(unit)
            } else if let old = previous[UnitID(name)] {
                log("\(name): not reloaded (\(unit.loadState.rawValue)), keeping the running definition")
                loaded.append(old)
            }
            names.insert(name)
        }
        // Instances the loaded units name (Wants=, BindsTo=, a socket's service ...), from their
        // templates, as systemd loads every unit named in a dependency.
        for unit in loader.loadNamedInstances(of: loaded, known: names.union(files)) {
            for diagnostic in unit.diagnostics where diagnostic.severity == .error {
                log(diagnostic.description)
                errors.append(diagnostic.description)
            }
            if unit.loadState == .loaded { loaded.append(unit) } else { log("\(unit.name.name): not loaded (\(unit.loadState.rawValue))") }
        }
        for conflict in ListenConflicts.diagnostics(for: loaded) { log(conflict.description) }
        for unit in loaded {
            for alias in unit.settings.install.alias { aliases[alias] = unit.name.name }
        }
        for (alias, target) in loader.symlinkAliases { aliases[alias] = target }
        return (loader, loaded, aliases, errors, boot)
    }

    /// In search-path mode, the units enabled through the targets' `.wants/` links; nil for the
    /// drop-in rule of `--units`.
    static func bootUnits(_ configuration: DaemonConfiguration, _ loader: UnitDirectoryLoader, log writer: LogSink) -> Set<String>? {
        guard configuration.searchPath != nil else { return nil }
        let boot = BootUnits.resolve(loader)
        writer.wick(.info, "enabled at boot (through \(boot.targets.joined(separator: ", "))): " + (boot.units.isEmpty ? "nothing" : boot.units.sorted().joined(separator: " ")))
        return boot.units
    }

    /// SIGHUP and `daemon-reload`: re-read the unit directories and take the new definitions.
    /// Returns the load errors (their units keep the running definition).
    @discardableResult
    func reloadUnits(now current: Instant) -> [String] {
        guard shutdownDeadline == nil else {
            port.log("reload refused: wick is shutting down")
            return ["reload refused: wick is shutting down"]
        }
        let previous = port.units
        // The instances loaded from their templates (named by a unit, or started by name) that
        // are active or have a job stay loaded whether or not anything names them now (systemd
        // keeps an active unit; an inactive one is collected).
        let active = definitions.filter(\.isFromTemplate).map(\.id).filter { id in
            if manager.queue[id] != nil { return true }
            if let service = manager.services[id] { return service.state != .dead }
            if let socket = manager.sockets[id] { return socket.state != .dead }
            return false
        }
        let (loader, loaded, aliases, errors, boot) = Self.loadUnits(configuration, previous: previous, demanded: Set(active.map(\.name)), log: port.messages)
        self.aliases = aliases
        definitions = loaded
        port.loader = loader
        for unit in loaded { port.units[unit.id] = unit }
        let instances = port.reloadInstances()
        port.rebuildJoins()
        let changes = manager.reload(
            units: loaded, instances: instances, aliases: aliases, bootUnits: boot, now: current, port: &port)
        port.closeKeptListeners()
        port.fdStores.reloaded(max: { [port] unit in port.units[unit].map { $0.settings.service.fileDescriptorStoreMax } }, log: port.log)
        port.socketsOfService = manager.socketsOfService
        port.controlGroups.prune(keeping: Set(loaded.map { $0.name.name }))
        port.log("reloaded \(loaded.count) units" + (changes.isEmpty ? "" : ": " + changes.joined(separator: "; ")))
        ProgramImage.releaseFreeHeap()
        return errors
    }

    /// Runs until shutdown; returns the exit status (0 after a clean stop, 1 when something had
    /// to be killed at the deadline).
    public func run() -> Int32 {
        manager.startAll(now: now(), port: &port)
        // What start-up alone ran (argument reading, unit loading, binding) stays out of the
        // idle daemon's resident set (docs/performance.md "Footprint").
        ProgramImage.releaseStartupPages()
        ProgramImage.releaseFreeHeap()
        var tokens: [UInt64] = []
        while true {
            let timeout = timeoutMilliseconds()
            do throws(SystemError) {
                try epoll.wait(timeoutMilliseconds: timeout, into: &tokens)
            } catch {
                port.log("\(error)")
                continue
            }
            let current = now()
            port.now = current
            // Notifications before exits (systemd's EVENT_PRIORITY_NOTIFY is above SIGCHLD's): a
            // process's last message, queued before it ended, is judged while it is still the
            // unit's main or control process.
            if tokens.contains(Self.notifyToken) { handleNotifications(now: current) }
            for token in tokens {
                if port.output.owns(token) {
                    port.output.readable(token, now: current)
                } else if control.owns(token) {
                    control.ready(token, now: current, log: port.log) { request in handleControl(request, now: current) }
                } else if token == Self.signalToken {
                    handleSignals(now: current)
                } else if token == Self.notifyToken {
                    continue
                } else if let metricsServer, metricsServer.owns(token) {
                    metricsServer.ready(token, now: current, log: port.log) { metrics.render(manager, ipCounters: port.allIPCounters, usage: port.controlGroups.usage) }
                } else if token == Self.watchToken {
                    unitDirectoriesChanged(now: current)
                } else if port.fdStores.owns(token) {
                    port.fdStores.hungUp(token, log: port.log)
                } else if let (unit, pid) = port.watchedExit(token) {
                    // Not wick's child: how it ended is unknown, a clean exit as far as wick knows.
                    manager.processExited(unit: unit, pid: pid, exit: .exited(0), now: current, port: &port)
                } else if let socket = port.socketOfToken[token] {
                    port.activationTrigger = (socket, current)
                    manager.socketReadable(socket, now: current, port: &port)
                    port.activationTrigger = nil
                }
            }
            // One clock reading for every deadline, after the events (which may have taken time).
            let settled = now()
            manager.timersFired(now: settled, port: &port)
            control.expire(now: settled)
            completeWaits(now: settled)
            metricsServer?.expire(now: settled)
            if let pending = pendingWatchReload, settled >= pending.due, shutdownDeadline == nil {
                pendingWatchReload = nil
                port.log("unit directories changed, reloading")
                reloadUnits(now: settled)
                watcher?.rescan(configuration.unitDirectories)
            }
            checkExitWith(now: settled)
            if let deadline = shutdownDeadline {
                if manager.allStopped {
                    port.output.closeAll(now: current)
                    port.closeAll()
                    port.log("all units stopped, exiting")
                    // Without --exit-with: non-zero when a unit had to be killed after its timeout.
                    return exitStatus ?? (manager.services.values.contains { $0.result == .timeout } ? 1 : 0)
                }
                if now() >= deadline {
                    control.completeAll(ControlProtocol.failure("wick is exiting: the shutdown deadline passed before the jobs finished"), now: current)
                    killEverything()
                    port.closeAll()
                    port.log("shutdown deadline passed, killed what was left")
                    return exitStatus ?? 1
                }
            }
        }
    }

    private func timeoutMilliseconds() -> Int32 {
        // The earliest of them, without an array per wake-up.
        func earlier(_ first: Instant?, _ second: Instant?) -> Instant? {
            guard let first, let second else { return first ?? second }
            return min(first, second)
        }
        let earliest = earlier(earlier(earlier(manager.nextDeadline(), shutdownDeadline), earlier(control.nextDeadline, metricsServer?.nextDeadline)),
                               pendingWatchReload?.due)
        guard let next = earliest else { return -1 }
        let current = now()
        if next <= current { return 0 }
        let milliseconds = (next.nanoseconds - current.nanoseconds + 999_999) / 1_000_000
        return Int32(min(milliseconds, UInt64(Int32.max)))
    }

    private func handleSignals(now current: Instant) {
        for signal in signals.drain() {
            switch signal {
            case SIGCHLD:
                port.output.drainAll(now: current)
                // Each exit handled as it is reaped, as systemd's manager_dispatch_sigchld()
                // (one child at a time): a process spawned meanwhile cannot take the number of
                // an exit not yet handled (it is a zombie until then), and an `Accept=yes`
                // instance's connection closes one wait4(2) sooner (docs/performance.md,
                // thirteenth session).
                var leftoverReaped = false
                port.reaping = true
                while let (pid, status) = Reaper.reapOne() {
                    guard let unit = port.unitOfPID.removeValue(forKey: pid) else {
                        leftoverReaped = true
                        continue
                    }
                    let exit: ProcessExit
                    switch status {
                    case .exited(let code): exit = .exited(code)
                    case .signaled(let number): exit = .signaled(number)
                    }
                    // An OOM kill in the unit's cgroup is told before the exit it caused.
                    if case .signaled(SIGKILL) = exit, port.controlGroups.newOOMKill(unit.name) {
                        port.log("\(unit): a process of the unit was killed by the OOM killer")
                        manager.controlGroupOOM(unit: unit, now: current, port: &port)
                    }
                    manager.processExited(unit: unit, pid: pid, exit: exit, now: current, port: &port)
                }
                // Once for all the leftovers this wake-up reaped (a prefork server's workers end
                // together): the units waiting for theirs look once, with no zombie of wick's
                // left to count.
                port.reaping = false
                if leftoverReaped { manager.leftoverReaped(now: current, port: &port) }
            case SIGTERM, SIGINT, SIGQUIT:
                beginShutdown("received signal \(signal)", now: current)
            case SIGHUP:
                reloadUnits(now: current)
            case SIGUSR1:
                for (name, socket) in manager.sockets.sorted(by: { $0.key < $1.key }) {
                    port.log("state: \(name) \(socket.state.activeState) (\(socket.state.rawValue)) result=\(socket.result.rawValue)")
                }
                for (name, service) in manager.services.sorted(by: { $0.key < $1.key }) {
                    port.log("state: \(name) \(service.state.activeState) (\(service.state.rawValue)) result=\(service.result.rawValue)"
                             + (service.mainPID.map { " main-pid=\($0)" } ?? ""))
                }
            default:
                break
            }
        }
    }

    /// `--watch`: an inotify event; the reload waits for the directories to be quiet.
    private func unitDirectoriesChanged(now current: Instant) {
        guard let watcher, watcher.drain() else { return }
        let first = pendingWatchReload?.first ?? current
        pendingWatchReload = (first, min(current.adding(Self.watchQuiet), first.adding(Self.watchLongest)))
    }

    func beginShutdown(_ reason: String, now current: Instant) {
        guard shutdownDeadline == nil else { return }
        port.log("\(reason), stopping all units")
        shutdownDeadline = current.adding(configuration.shutdownTimeout.nanoseconds)
        _ = manager.stopAll(now: current, port: &port)
    }

    /// `--exit-with`: once the unit has ended, shut down and exit with its status: its exit code,
    /// 128 + the signal that killed it, or 0 when it ended cleanly (SIGTERM from wick's stop
    /// included, systemd's clean signals).
    private func checkExitWith(now current: Instant) {
        guard let unit = configuration.exitWith, exitStatus == nil, let service = manager.services[UnitID(unit)],
              service.state == .dead || service.state == .failed, let exit = service.lastExit ?? (service.result == .success ? nil : .exited(1))
        else { return }
        if service.result == .success {
            exitStatus = 0
        } else {
            switch exit {
            case .exited(let code): exitStatus = code
            case .signaled(let signal): exitStatus = 128 + signal
            }
        }
        beginShutdown("\(unit) ended (exit status \(exitStatus ?? 0))", now: current)
    }

    /// errno values by name ("ENOENT": 2), read once from the C library.
    private static let errnoNumbers: [String: Int32] = {
        var numbers: [String: Int32] = [:]
        for number in Int32(1)...4095 {
            if let name = cwick_errno_name(number) { numbers[String(cString: name)] = numbers[String(cString: name)] ?? number }
        }
        return numbers
    }()

    /// A warning about a notification, within `notifyWarnings`; the first after a suppressed
    /// run says how many were left out.
    private func notifyWarning(_ level: LogLevel, _ text: String, now current: Instant) {
        guard notifyWarnings.allow(now: current) else {
            notifyWarningsSuppressed &+= 1
            return
        }
        if notifyWarningsSuppressed > 0 {
            port.log(.warning, "\(notifyWarningsSuppressed) more warning(s) about notifications were not logged (at most 20 in 10 s)")
            notifyWarningsSuppressed = 0
        }
        port.log(level, text)
    }

    private func handleNotifications(now current: Instant) {
        let overlong = notifySocket.overlong
        defer {
            if notifySocket.overlong != overlong {
                notifyWarning(.info, "dropped \(notifySocket.overlong &- overlong) notification(s) longer than 4096 bytes, as systemd does", now: current)
            }
        }
        let truncated = notifySocket.controlTruncated
        defer {
            if notifySocket.controlTruncated != truncated {
                notifyWarning(.warning, "Got message with truncated control data (too many fds sent?), ignoring.", now: current)
            }
        }
        notifySocket.receiveAll { pid, bytes, fds in
            var left = fds
            defer {
                // systemd's manager_dispatch_notify_fd(): what no fd store took is closed.
                if !left.isEmpty {
                    left.forEach(closeDescriptor)
                    notifyWarning(.warning, "Got extra auxiliary fds with notification message, closing them.", now: current)
                }
            }
            guard pid > 0 else { return }
            // manager_dispatch_notify_fd(): a message with a NUL byte is dropped whole; one
            // trailing NUL is allowed.
            let text = bytes.last == 0 ? bytes.dropLast() : bytes
            guard !text.contains(0) else {
                notifyWarning(.warning, "Received notify message with embedded NUL bytes. Ignoring.", now: current)
                return
            }
            var message = NotifyMessage.parse(text)
            // ERRNO=ENOENT: errno_from_name(), from the C library's names.
            if let name = message.errorName {
                message.errorNumber = Self.errnoNumbers[name]
                message.errorInvalid = message.errorNumber == nil
            }
            guard !message.unsplittable else {
                notifyWarning(.warning, "notification from pid \(pid) ignored: it ends with a backslash, as systemd cannot split it", now: current)
                return
            }
            // sd_notify_barrier(3): the one fd closes, which is the answer; nothing else is read.
            if message.barrier {
                if message.lineCount != 1 {
                    notifyWarning(.warning, "Extra notification messages sent with BARRIER=1, ignoring everything.", now: current)
                } else if fds.count != 1 {
                    notifyWarning(.warning, "Got incorrect number of fds with BARRIER=1, closing them.", now: current)
                }
                fds.forEach(closeDescriptor)
                left = []
                return
            }
            let group = getpgid(pid)
            // The unit the sender belongs to: a process wick tracks, else its cgroup's unit.
            let owner = port.unitOfPID[pid] ?? port.controlGroups.unit(of: pid).map { UnitID($0) }
            guard let unit = manager.notifyReceived(
                pid: pid, senderGroup: group > 0 ? group : nil, owner: owner, message: message,
                now: current, port: &port)
            else {
                notifyWarning(.info, "notification from pid \(pid) refused: not a process NotifyAccess= allows", now: current)
                return
            }
            let max = port.units[unit]?.settings.service.fileDescriptorStoreMax ?? 0
            left = port.fdStores.handle(message.fdStoreRequest, fds: fds, unit: unit, max: max, log: port.log)
        }
    }

    /// The shutdown deadline: SIGKILL to every process of every unit and to their process groups
    /// (never to PID 1, wick, or -1: `DaemonPort.kill` refuses those).
    private func killEverything() {
        for (pid, unit) in port.unitOfPID {
            _ = port.kill(pid: pid, signal: SIGKILL, group: true, unit: unit)
            _ = port.kill(pid: pid, signal: SIGKILL, group: false, unit: unit)
        }
        _ = Reaper.reapAll()
    }

    func now() -> Instant { Instant(nanoseconds: MonotonicClock.nanoseconds()) }
}
