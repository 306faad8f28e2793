import WickUnits

/// A socket unit's state, with systemd's names (systemd.socket(5), `systemctl status`). The
/// listeners are open from `start-post` to `stop-pre`, as in systemd's `socket_set_state()`.
public enum SocketState: String, Sendable, Equatable {
    case dead
    case startPre = "start-pre"
    case startPost = "start-post"
    case listening, running
    case stopPre = "stop-pre"
    case stopPost = "stop-post"
    case failed

    public var activeState: String {
        switch self {
        case .dead: return "inactive"
        case .startPre, .startPost: return "activating"
        case .listening, .running: return "active"
        case .stopPre, .stopPost: return "deactivating"
        case .failed: return "failed"
        }
    }
}

/// Why a socket unit failed (systemd.socket(5) `Result=`).
public enum SocketResult: String, Sendable, Equatable {
    case success
    case resources
    case timeout
    case exitCode = "exit-code"
    case signal
    case triggerLimitHit = "trigger-limit-hit"
    case serviceStartLimitHit = "service-start-limit-hit"
}

/// What the manager should do about a readable listener.
public enum SocketReaction: Equatable, Sendable {
    /// Accept=no: start the service and stop polling.
    case activateService
    /// Accept=yes: accept one connection.
    case accept
    /// The trigger limit was hit: stop listening, the unit failed.
    case fail
    /// The poll limit was hit: stop polling until the given instant, then listen again.
    case pause(until: Instant)
    case ignore
}

/// One socket unit's state machine (systemd's `socket.c`), with the counters systemd shows in
/// `list-sockets` (`NAccepted=`, `NConnections=`, `NRefused=`). It owns its listeners: the one
/// state setter polls them exactly in `listening` (unless paused or refused traffic) and closes
/// them when the state leaves `start-post ... stop-pre`.
///
/// Starting runs `ExecStartPre=` (listeners closed), opens the listeners, runs `ExecStartPost=`
/// (listeners open, not polled) and listens; stopping runs `ExecStopPre=` (listeners still open),
/// closes them and runs `ExecStopPost=`. Each command runs as a control process with `TimeoutSec=`
/// (systemd.socket(5)); a failing command (without the `-` prefix) or a timeout fails the unit:
/// in `start-pre` at once, in `start-post` through the stop commands.
public struct SocketMachine: Sendable {
    public let name: UnitID
    /// Lent, not copied, when read: a machine is copied on every event that reaches it.
    public var settings: SocketSection { _read { yield settingsStorage.value } }
    private var settingsStorage: CopyOnWrite<SocketSection>
    public private(set) var state = SocketState.dead
    public private(set) var result = SocketResult.success
    public private(set) var acceptedCount: UInt64 = 0
    public private(set) var connectionCount: UInt32 = 0
    public private(set) var refusedCount: UInt64 = 0
    public private(set) var activationCount: UInt64 = 0
    /// When the active state last changed (systemctl's "since"), and the other unit timestamps.
    public private(set) var timestamps = UnitTimestamps()
    public var activeStateChangedAt: Instant? { timestamps.since(activeState: state.activeState) }
    /// The running `Exec*=` command's process, and when it times out.
    public private(set) var controlPID: Int32?
    private var commandDeadline: Instant?
    private var commandStarted: Instant?
    /// The poll limit or a shortage of resources paused polling until then.
    public private(set) var pausedUntil: Instant?
    /// Shutdown began: traffic starts nothing any more, though the listeners stay open until the
    /// socket stops after its service.
    private var trafficRefused = false
    /// What the port was last told: whether the listeners are polled, and whether they are open.
    private var polling = false
    private var listenersOpen = false
    private var queue: [ExecCommand] = []
    private var currentCommand: ExecCommand?
    private var triggerLimit: RateLimit
    private var pollLimit: RateLimit
    private var connectionsPerSource: [String: UInt32] = [:]

    public init(name: UnitID, settings: SocketSection) {
        self.name = name
        settingsStorage = CopyOnWrite(settings)
        let limit = settings.effectiveTriggerLimit
        triggerLimit = RateLimit(interval: limit.interval, burst: limit.burst)
        let poll = settings.effectivePollLimit
        pollLimit = RateLimit(interval: poll.interval, burst: poll.burst)
    }

    /// daemon-reload with the same `Listen*=`, `Accept=` and `Service=`: the listeners, state and
    /// counters stay and the other settings apply at once, as systemd loads the unit anew and
    /// deserializes its state into it (`socket_deserialize_item()`: fds, counts and the trigger
    /// limit's history carry over; the poll limit belongs to the event sources made anew). What
    /// only opening uses (`Backlog=`, socket options, `SocketUser=`...) reaches the listeners when
    /// they are next opened. A running command's timeout is the new `TimeoutSec=` from its start
    /// (`socket_coldplug()` arms it anew).
    public mutating func reloaded(with new: SocketSection) {
        settingsStorage = CopyOnWrite(new)
        if controlPID != nil, let commandStarted {
            commandDeadline = new.timeout.isInfinite ? nil : commandStarted.adding(new.timeout.nanoseconds)
        }
        let limit = new.effectiveTriggerLimit
        triggerLimit.interval = limit.interval
        triggerLimit.burst = limit.burst
        let poll = new.effectivePollLimit
        pollLimit = RateLimit(interval: poll.interval, burst: poll.burst)
    }

    // MARK: Starting and stopping (socket_enter_start_pre() ... socket_enter_dead())

    /// Starts the unit from `dead` or `failed`; returns false in any other state.
    @discardableResult
    public mutating func start(now: Instant, port: inout some ManagerPort) -> Bool {
        guard state == .dead || state == .failed else { return false }
        result = .success
        if !enter(.startPre, running: settings.execStartPre, now: now, port: &port) { openListeners(now: now, port: &port) }
        return true
    }

    /// `Accept=yes` and the connection's service instance could not be loaded (no template):
    /// systemd fails the socket with `resources` ("Failed to queue service startup job (Maybe the
    /// service file is missing or not a template unit?)").
    public mutating func instanceCouldNotStart(now: Instant, port: inout some ManagerPort) {
        record(.resources)
        enterStopPre(now: now, port: &port)
    }

    /// Stops the unit (its listeners close); returns false when it is not started.
    @discardableResult
    public mutating func stop(now: Instant, port: inout some ManagerPort) -> Bool {
        switch state {
        case .listening, .running, .startPost:
            abandonControlProcess(port: &port)
            enterStopPre(now: now, port: &port)
            return true
        case .startPre:
            abandonControlProcess(port: &port)
            finish(now: now, port: &port)
            return true
        case .dead, .failed, .stopPre, .stopPost:
            return false
        }
    }

    /// Stopping while a start command runs: it is signalled and forgotten (its exit is not ours).
    private mutating func abandonControlProcess(port: inout some ManagerPort) {
        if let controlPID { port.kill(pid: controlPID, signal: settings.kill.signal.number, group: true, unit: name) }
        controlPID = nil
        commandDeadline = nil
        queue = []
    }

    /// A process of this unit exited; false when it was not the control process.
    @discardableResult
    public mutating func controlExited(pid: Int32, exit: ProcessExit, now: Instant, port: inout some ManagerPort) -> Bool {
        guard pid == controlPID else { return false }
        controlPID = nil
        commandDeadline = nil
        let ignored = currentCommand?.flags.contains(.ignoreFailure) ?? false
        switch exit {
        case .exited(0): break
        case .exited: if !ignored { record(.exitCode) }
        case .signaled: if !ignored { record(.signal) }
        }
        let failed = exit != .exited(0) && !ignored
        if !failed && !queue.isEmpty {
            runNext(now: now, port: &port)
            return true
        }
        queue = []
        switch state {
        case .startPre: failed ? fail(.exitCode, now: now, port: &port) : openListeners(now: now, port: &port)
        case .startPost: failed ? enterStopPre(now: now, port: &port) : enterListening(now: now, port: &port)
        case .stopPre: enterStopPost(now: now, port: &port)
        case .stopPost: finish(now: now, port: &port)
        case .dead, .listening, .running, .failed: break
        }
        return true
    }

    /// The earliest instant this unit has something to do: a command's timeout or a pause's end.
    public var deadline: Instant? {
        switch (commandDeadline, pausedUntil) {
        case let (command?, paused?): return min(command, paused)
        case let (command, paused): return command ?? paused
        }
    }

    /// A pause ended (polled again), or `TimeoutSec=` passed: the control process is killed, and
    /// its exit fails the unit.
    public mutating func timerFired(now: Instant, port: inout some ManagerPort) {
        if let pausedUntil, pausedUntil <= now {
            self.pausedUntil = nil
            syncListeners(port: &port)
        }
        guard let commandDeadline, commandDeadline <= now else { return }
        self.commandDeadline = nil
        record(.timeout)
        if let controlPID {
            port.log("\(name): \(currentCommand?.path ?? "command") timed out (TimeoutSec=\(settings.timeout)), killing it")
            port.kill(pid: controlPID, signal: settings.kill.finalSignal.number, group: true, unit: name)
        }
    }

    private mutating func openListeners(now: Instant, port: inout some ManagerPort) {
        switch port.openListeners(socket: name, settings: settings) {
        case .success:
            listenersOpen = true
            if !enter(.startPost, running: settings.execStartPost, now: now, port: &port) { enterListening(now: now, port: &port) }
        case .failure(let error):
            port.log("\(name): \(error.message) (unit failed: resources)")
            record(.resources)
            enterStopPre(now: now, port: &port)
        }
    }

    private mutating func enterListening(now: Instant, port: inout some ManagerPort) {
        flushIfPending(port: &port)
        setState(.listening, now: now, port: &port)
    }

    /// `FlushPending=yes` with `Accept=no` (systemd's socket_enter_listening()): what is queued
    /// when the socket starts listening again (at start, and when its service has ended) is
    /// discarded, so that it does not activate the service at once.
    private func flushIfPending(port: inout some ManagerPort) {
        if settings.flushPending && !settings.accept { port.flushListeners(socket: name) }
    }

    private mutating func enterStopPre(now: Instant, port: inout some ManagerPort) {
        if !enter(.stopPre, running: settings.execStopPre, now: now, port: &port) { enterStopPost(now: now, port: &port) }
    }

    private mutating func enterStopPost(now: Instant, port: inout some ManagerPort) {
        if !enter(.stopPost, running: settings.execStopPost, now: now, port: &port) { finish(now: now, port: &port) }
    }

    /// Enters a command phase and runs its first command; false (and nothing done) when the phase
    /// has no commands, so the caller moves straight on.
    private mutating func enter(_ phase: SocketState, running commands: [ExecCommand], now: Instant, port: inout some ManagerPort) -> Bool {
        guard !commands.isEmpty else { return false }
        queue = commands
        setState(phase, now: now, port: &port)
        runNext(now: now, port: &port)
        return true
    }

    private mutating func finish(now: Instant, port: inout some ManagerPort) {
        setState(result == .success ? .dead : .failed, now: now, port: &port)
    }

    /// Runs the next queued command as the control process; one that cannot start counts as a
    /// command that exited with 203 (systemd's EXIT_EXEC).
    private mutating func runNext(now: Instant, port: inout some ManagerPort) {
        let command = queue.removeFirst()
        currentCommand = command
        switch port.spawn(SpawnRequest(unit: name, command: command, role: .control)) {
        case .success(let pid):
            controlPID = pid
            commandStarted = now
            commandDeadline = settings.timeout.isInfinite ? nil : now.adding(settings.timeout.nanoseconds)
        case .failure(let error):
            // The port has logged why; the command counts as exited with 203 (EXIT_EXEC).
            let pid = error.pid ?? -1
            controlPID = pid
            controlExited(pid: pid, exit: .exited(error.status ?? ServiceMachine.execFailedStatus), now: now, port: &port)
        }
    }

    /// A listener is readable. Counts towards the poll limit (systemd 255: pause for the rest of
    /// the interval) and the trigger limit (fail).
    public mutating func readable(now: Instant, port: inout some ManagerPort) -> SocketReaction {
        guard state == .listening, polling else { return .ignore }
        if !pollLimit.allow(now: now), let end = pollLimit.windowEnd {
            pause(until: end, port: &port)
            return .pause(until: end)
        }
        if !triggerLimit.allow(now: now) {
            fail(.triggerLimitHit, now: now, port: &port)
            return .fail
        }
        if settings.accept { return .accept }
        activationCount += 1
        setState(.running, now: now, port: &port)
        return .activateService
    }

    /// Stops polling until `until` (the poll limit, or a shortage of fds or processes); the
    /// listeners stay open and connections wait in the backlog.
    public mutating func pause(until: Instant, port: inout some ManagerPort) {
        pausedUntil = until
        syncListeners(port: &port)
    }

    /// Shutdown began: no traffic starts anything any more (systemd refuses new start jobs then);
    /// the listeners stay open until the socket's own stop.
    public mutating func refuseTraffic(port: inout some ManagerPort) {
        trafficRefused = true
        syncListeners(port: &port)
    }

    /// A reload replaced this unit's listeners: they close now, whatever the state, and the
    /// machine is dropped (a new one opens the new listeners).
    public mutating func closeForReload(port: inout some ManagerPort) {
        trafficRefused = true
        state = .dead
        syncListeners(port: &port)
    }

    /// Accept=yes: whether one more connection may get its own service instance
    /// (`MaxConnections=`, `MaxConnectionsPerSource=`); a refused one is counted.
    public mutating func admitConnection(source: String?, allowedByAddress: Bool = true) -> Bool {
        guard allowedByAddress else {
            // IPAddressAllow=/IPAddressDeny= refused the peer: counted as systemd's NRefused.
            refusedCount &+= 1
            return false
        }
        // systemd's socket_enter_running(): a connection refused by MaxConnections= or
        // MaxConnectionsPerSource= counts in NRefused only, never in NAccepted.
        guard connectionCount < settings.maxConnections else {
            refusedCount &+= 1
            return false
        }
        // Peers are counted only while a per-source limit is set (socket_acquire_peer() runs
        // only with `max_connections_per_source > 0`): no table, and no hash of the source, a
        // connection otherwise; and only IP peers (a Unix peer has no source there).
        if let perSource = perSourceLimit, let source {
            let fromSource = connectionsPerSource[source, default: 0]
            guard fromSource < perSource else {
                refusedCount &+= 1
                return false
            }
            connectionsPerSource[source] = fromSource + 1
        }
        acceptedCount &+= 1
        connectionCount += 1
        activationCount += 1
        return true
    }

    /// `MaxConnectionsPerSource=`: 0 (the default) is no limit, as in systemd.socket(5).
    private var perSourceLimit: UInt32? {
        guard let limit = settings.maxConnectionsPerSource, limit > 0 else { return nil }
        return limit
    }

    /// A reload reopened the socket while an instance still holds one of its connections: it
    /// counts again for `MaxConnections=` and `MaxConnectionsPerSource=`, as systemd's
    /// service_deserialize_item() counts an instance's connection back (`n_connections++`).
    public mutating func connectionCarriedOver(source: String?) {
        connectionCount += 1
        if perSourceLimit != nil, let source { connectionsPerSource[source, default: 0] += 1 }
    }

    /// A connection counted here closed; its source counts one less if it was counted (a
    /// reload may have set or removed the limit since).
    public mutating func connectionClosed(source: String?) {
        if connectionCount > 0 { connectionCount -= 1 }
        if !connectionsPerSource.isEmpty, let source, let count = connectionsPerSource[source] {
            connectionsPerSource[source] = count > 1 ? count - 1 : nil
        }
    }

    /// Accept=no: the service was started another way (boot, `wick start`): it holds the
    /// listeners now, so wick stops polling them.
    public mutating func serviceActive(now: Instant, port: inout some ManagerPort) {
        if state == .listening { setState(.running, now: now, port: &port) }
    }

    /// Accept=no: the service stopped (or waits to restart): listen again.
    public mutating func serviceIdle(now: Instant, port: inout some ManagerPort) {
        guard state == .running else { return }
        flushIfPending(port: &port)
        setState(.listening, now: now, port: &port)
    }

    /// The service hit its start limit: the socket fails and stops listening, as in systemd.
    public mutating func serviceHitStartLimit(now: Instant, port: inout some ManagerPort) {
        fail(.serviceStartLimitHit, now: now, port: &port)
    }

    /// `reset-failed`: back to dead with the trigger-limit history forgotten.
    public mutating func resetFailed(now: Instant, port: inout some ManagerPort) {
        triggerLimit.reset()
        pollLimit.reset()
        if state == .failed {
            result = .success
            setState(.dead, now: now, port: &port)
        }
    }

    /// The first failure wins, as in systemd.
    private mutating func record(_ newResult: SocketResult) {
        if result == .success { result = newResult }
    }

    private mutating func fail(_ newResult: SocketResult, now: Instant, port: inout some ManagerPort) {
        record(newResult)
        setState(.failed, now: now, port: &port)
    }

    /// The one setter (systemd's `socket_set_state`): logs the change like a service's, and
    /// brings polling and the listeners in line with the new state.
    private mutating func setState(_ new: SocketState, now: Instant, port: inout some ManagerPort) {
        let old = state
        timestamps.record(from: state.activeState, to: new.activeState, now: now)
        state = new
        if new == .dead || new == .failed { pausedUntil = nil }
        syncListeners(port: &port)
        guard old != new else { return }
        // The pair of every activation (traffic handed to the service and taken back) is debug, as
        // systemd logs every socket state change (socket_set_state(): "Changed %s -> %s"); the
        // others stay info. Below debug the pair is not even formatted: it precedes each spawn.
        let triggerPair = (old == .listening && new == .running) || (old == .running && new == .listening)
        if triggerPair && result == .success {
            if port.logsDebug { port.log(.debug, "\(name): \(old.rawValue) -> \(new.rawValue)") }
        } else {
            port.log("\(name): \(old.rawValue) -> \(new.rawValue)" + (result == .success ? "" : " (result: \(result.rawValue))"))
        }
    }

    /// Polled only while listening, not paused and not refusing traffic; open from `start-post`
    /// to `stop-pre` (systemd's `socket_set_state()` closes them in every other state).
    private mutating func syncListeners(port: inout some ManagerPort) {
        let poll = state == .listening && pausedUntil == nil && !trafficRefused
        if poll != polling {
            polling = poll
            port.setPolling(socket: name, poll)
        }
        if listenersOpen, ![.startPost, .listening, .running, .stopPre].contains(state) {
            listenersOpen = false
            port.closeListeners(socket: name)
        }
    }
}
