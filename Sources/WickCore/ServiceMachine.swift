import WickUnits

/// One service's state machine (systemd's `service.c`): start-pre → start → start-post → running
/// → stop → stop-sigterm → stop-sigkill → stop-post → dead/failed/auto-restart. Every change goes
/// through `setState(_:)`; "first failure wins" for the result; time is an argument and each
/// timed state has an absolute `deadline`.
///
/// Types: `simple`, `exec`, `idle` and `dbus` are running once the main process has been exec'd;
/// `notify` stays in `start` until the service sends `READY=1` (sd_notify(3)); `oneshot` runs its
/// `ExecStart=` commands one after another and is then `exited` (`RemainAfterExit=yes`) or `dead`;
/// `forking` treats the successful exit of the starting process as the end of start-up and
/// follows the pid in `PIDFile=`, or without one the pid guessed by the port (`GuessMainPID=`);
/// with no pid found the service runs with no main pid.
public struct ServiceMachine: Sendable {
    /// The exit status systemd reports when a command could not be executed (`EXIT_EXEC`).
    public static let execFailedStatus: Int32 = 203
    static let sigkill: Int32 = 9

    public let name: UnitID
    /// One reference (`ServiceSection` keeps its fields behind one): a machine is copied on every
    /// event that reaches it.
    public private(set) var settings: ServiceSection
    public private(set) var state = ServiceState.dead
    public private(set) var result = ServiceResult.success
    public private(set) var mainPID: Int32?
    public private(set) var controlPID: Int32?
    /// The process group of the main process (its pid: every service starts a new session).
    public private(set) var processGroup: Int32?
    public private(set) var deadline: Instant?
    public private(set) var restartCount = 0
    /// How the last reload ended (systemd's `ReloadResult=`), and how many reloads have ended.
    public private(set) var reloadResult = ServiceResult.success
    public private(set) var reloadsEnded: UInt64 = 0
    /// A reload was asked for during a reload: it runs when that one has ended.
    private var reloadPending = false
    /// Counts the starts: the processes of one start share an `$INVOCATION_ID`.
    public private(set) var invocation: UInt64 = 0
    /// Starts refused by the start limit (`StartLimitIntervalSec=`, `StartLimitBurst=`).
    public private(set) var startLimitHits: UInt64 = 0
    public private(set) var lastExit: ProcessExit?
    /// The last main process (systemd's `ExecMainPID`, kept after it exits) and its command
    /// (systemctl status's `Process:` line); the pid is nil when the command could not be spawned.
    public private(set) var execMainPID: Int32?
    public private(set) var execMainCommand: ExecCommand?
    public private(set) var lastSpawnError: SpawnError?
    /// Started as another unit's `OnFailure=`: that unit, for the processes of this start.
    public private(set) var monitor: Monitor?
    private var nextMonitor: Monitor?
    /// `STATUS=` from sd_notify(3).
    public private(set) var statusText: String?
    /// `ERRNO=`: the error the service reports (`StatusErrno=`), 0 for none; reset at each start.
    public private(set) var statusErrno: Int32 = 0
    /// `NOTIFYACCESS=` from the service: its `NotifyAccess=` until it next stops or starts
    /// (systemd's notify_access_override, reset by service_enter_dead() and service_start()).
    public private(set) var notifyAccessOverride: ServiceSection.NotifyAccess?
    /// Who may notify now: the override, else `NotifyAccess=` in force.
    public var notifyAccess: ServiceSection.NotifyAccess { notifyAccessOverride ?? settings.effectiveNotifyAccess }
    /// When the active state last changed (systemctl's "since"), and the other unit timestamps.
    public private(set) var timestamps = UnitTimestamps()
    public var activeStateChangedAt: Instant? { timestamps.since(activeState: state.activeState) }
    private var watchdogInterval: TimeSpan
    /// When the current state was entered, and the watchdog's last ping (or the start of running).
    private var stateEntered: Instant?
    private var watchdogPinged: Instant?
    /// The service set its own interval with `WATCHDOG_USEC=`: a reload keeps it.
    private var watchdogOverridden = false
    /// EXTEND_TIMEOUT_USEC=: the state's timer (a start, stop or reload timeout, `RuntimeMaxSec=`
    /// while running) no earlier than this until the state changes, the watchdog's until its next
    /// ping.
    private var timeoutExtendedUntil: Instant?
    private var watchdogExtendedUntil: Instant?
    /// A WATCHDOG=1 armed the watchdog outside the states it runs in, until the state changes.
    private var watchdogArmedByPing = false
    /// stop-sigterm was entered by STOPPING=1: nothing has been signalled yet.
    private var stoppingByNotify = false
    /// The last of READY=1, RELOADING=1 and STOPPING=1 this run (systemd's notify_state), which
    /// service_enter_running() acts on when the start or a reload ends.
    private var notifyState = NotifyState.unknown
    private enum NotifyState { case unknown, ready, reloading, stopping }
    private var startLimit: RateLimit
    private var queue: [ExecCommand] = []
    private var currentCommand: ExecCommand?
    private var pendingStart: [ExecCommand] = []
    private var stopRequested = false
    private var transitions: [ServiceTransition] = []

    public init(name: UnitID, settings: ServiceSection, unit: UnitSection) {
        self.name = name
        self.settings = settings
        watchdogInterval = settings.watchdog
        startLimit = RateLimit(interval: unit.startLimitInterval, burst: unit.startLimitBurst)
    }

    /// daemon-reload: the new definition applies at once, as systemd loads the unit anew and
    /// deserializes its state into it (`service_deserialize_item()`): state, processes and counts
    /// stay, so do the start limit's history ("start-ratelimit") and an interval the service set
    /// with `WATCHDOG_USEC=` ("watchdog-override-usec"). The deadline is the new settings' from
    /// when the state began, the watchdog's from its last ping (`service_coldplug_timeout()`);
    /// the commands of a chain under way finish as they were queued.
    public mutating func reloaded(with new: ServiceSection, unit: UnitSection) {
        settings = new
        startLimit.interval = unit.startLimitInterval
        startLimit.burst = unit.startLimitBurst
        if !watchdogOverridden { watchdogInterval = new.watchdog }
        deadline = stateDeadline()
    }

    // MARK: Events

    /// Starts the service (a socket's traffic, a start request, or the restart timer). Returns the
    /// transitions it caused.
    public mutating func start(now: Instant, processes: inout some ProcessPort) -> [ServiceTransition] {
        switch state {
        case .dead, .failed, .autoRestart:
            break
        case .condition, .startPre, .start, .startPost, .running, .exited, .reload, .stop, .stopSigterm, .stopSigkill, .stopPost,
             .finalSigterm, .finalSigkill:
            return []
        }
        stopRequested = false
        if !startLimit.allow(now: now) {
            startLimitHits += 1
            result = .startLimitHit
            setState(.failed, now: now)
            return takeTransitions()
        }
        if state == .autoRestart { restartCount += 1 }
        invocation &+= 1
        monitor = nextMonitor
        nextMonitor = nil
        result = .success
        reloadResult = .success
        lastExit = nil
        lastSpawnError = nil
        // service_start(): the last run's STATUS= and WATCHDOG_USEC= end with it.
        statusText = nil
        statusErrno = 0
        notifyState = .unknown
        notifyAccessOverride = nil
        watchdogInterval = settings.watchdog
        watchdogOverridden = false
        enterCondition(now: now, processes: &processes)
        return takeTransitions()
    }

    /// Stops the service on request (`wick stop`, shutdown): no restart follows.
    public mutating func stop(now: Instant, processes: inout some ProcessPort) -> [ServiceTransition] {
        stopRequested = true
        switch state {
        case .dead, .failed:
            break
        case .autoRestart:
            setState(.dead, now: now)
        case .condition, .startPre, .start, .startPost:
            if let controlPID { processes.kill(pid: controlPID, signal: settings.kill.signal.number, group: true, unit: name) }
            enterSignal(.stopSigterm, now: now, processes: &processes)
        case .reload:
            // service_stop(): during a reload, straight to the stop signal (no ExecStop=); the
            // reload command gets it too (unit_kill_context() signals the control process).
            if let controlPID { processes.kill(pid: controlPID, signal: settings.kill.signal.number, group: true, unit: name) }
            controlPID = nil
            queue = []
            enterSignal(.stopSigterm, now: now, processes: &processes)
        case .running, .exited:
            enterStop(now: now, processes: &processes)
        case .stop, .stopSigterm, .stopSigkill, .stopPost, .finalSigterm, .finalSigkill:
            break
        }
        return takeTransitions()
    }

    /// A process of this service ended (reaped by the daemon).
    public mutating func processExited(
        pid: Int32, exit: ProcessExit, now: Instant, processes: inout some ProcessPort
    ) -> [ServiceTransition] {
        if pid == mainPID {
            // A service with PIDFile= may have moved to a new main process, written to the file
            // before the old one exited (service_sigchld_event()); the start process of a
            // `forking` start is followed by the start's own adoption below.
            if state != .start, let pidFile = settings.pidFile, let moved = processes.movedMainPID(unit: name, pidFile: pidFile, from: pid) {
                mainPID = moved
                return takeTransitions()
            }
            mainPID = nil
            lastExit = exit
            mainExited(exit, now: now, processes: &processes)
        } else if pid == controlPID {
            controlPID = nil
            controlExited(exit, now: now, processes: &processes)
        } else if state == .finalSigterm || state == .finalSigkill || (mainPID == nil && (state == .stopSigterm || state == .stopSigkill)) {
            // A process wick started for the unit (one a `MAINPID=` replaced) ended while what
            // is left of the unit is waited for (in the final states, a main process that is
            // not wick's child has ended or is a leftover like the others).
            return leftoversMayHaveGone(now: now, processes: &processes)
        } else if let mainPID, !processes.watchExit(of: mainPID, unit: name) {
            // Another process of the unit ended, and the main process, which is not wick's child
            // (`MAINPID=`), has gone meanwhile: systemd finds it so at its cgroup's events
            // (main_pid_good() in service_enter_running()). A clean end, its status unknown.
            self.mainPID = nil
            lastExit = .exited(0)
            mainExited(.exited(0), now: now, processes: &processes)
        }
        return takeTransitions()
    }

    /// The kernel's OOM killer killed a process of the service's cgroup (its `memory.events`
    /// `oom_kill` count rose): systemd's service_notify_cgroup_oom_event() under `OOMPolicy=`:
    /// `continue` logs only, `stop` stops the service with result `oom-kill`, `kill` kills it.
    public mutating func controlGroupOOM(now: Instant, processes: inout some ProcessPort) -> [ServiceTransition] {
        guard settings.oomPolicy != .continue else { return takeTransitions() }
        fail(.oomKill)
        switch state {
        case .condition, .startPre, .start, .startPost, .running, .exited, .reload, .stop, .stopSigterm:
            enterSignal(settings.oomPolicy == .kill ? .stopSigkill : .stopSigterm, now: now, processes: &processes)
        case .stopSigkill, .stopPost, .finalSigterm, .finalSigkill, .dead, .failed, .autoRestart:
            break
        }
        return takeTransitions()
    }

    /// The deadline passed.
    public mutating func timerFired(now: Instant, processes: inout some ProcessPort) -> [ServiceTransition] {
        guard let deadline, deadline <= now else { return [] }
        self.deadline = nil
        // service_dispatch_watchdog(): a missed ping, whatever the state (the watchdog runs from
        // ExecStartPost= on, or where a ping armed it); RuntimeMaxSec= first when both passed.
        if state != .running || !(runtimeMaxDeadline().map { $0 <= now } ?? false), watchdogExpired(now) {
            fail(.watchdog)
            enterSignal(.stopSigterm, now: now, processes: &processes, signal: settings.kill.watchdogSignal.number)
            return takeTransitions()
        }
        switch state {
        case .reload:
            // systemd's service_dispatch_timer(): "Reload operation timed out. Killing reload
            // process." The reload failed, not the service: service_enter_running() goes on
            // running, or stops when the main process ended meanwhile.
            if let controlPID { processes.kill(pid: controlPID, signal: Self.sigkill, group: false, unit: name) }
            controlPID = nil
            queue = []
            reloadResult = .timeout
            enterRunning(afterStart: false, now: now, processes: &processes)
        case .condition, .startPre, .start, .startPost, .stop:
            fail(.timeout)
            if let controlPID { processes.kill(pid: controlPID, signal: settings.kill.signal.number, group: true, unit: name) }
            enterSignal(.stopSigterm, now: now, processes: &processes)
        case .stopSigterm:
            fail(.timeout)
            if settings.kill.sendSIGKILL {
                enterSignal(.stopSigkill, now: now, processes: &processes)
            } else {
                enterStopPost(now: now, processes: &processes)
            }
        case .stopSigkill:
            // "Processes still around after SIGKILL. Ignoring."
            fail(.timeout)
            mainPID = nil
            controlPID = nil
            enterStopPost(now: now, processes: &processes)
        case .stopPost:
            // service_dispatch_timer(): the stop-post command timed out; it and what is left get
            // the final signals.
            fail(.timeout)
            if let controlPID { processes.kill(pid: controlPID, signal: settings.kill.signal.number, group: true, unit: name) }
            controlPID = nil
            enterFinalSignal(.finalSigterm, now: now, processes: &processes)
        case .finalSigterm:
            // "State 'final-sigterm' timed out. Killing." (or, without SendSIGKILL=, failed).
            fail(.timeout)
            if settings.kill.sendSIGKILL {
                enterFinalSignal(.finalSigkill, now: now, processes: &processes)
            } else {
                enterDead(now: now)
            }
        case .finalSigkill:
            // "Processes still around after final SIGKILL. Entering failed mode."
            fail(.timeout)
            enterDead(now: now)
        case .running:
            fail(.timeout)
            enterStop(now: now, processes: &processes)
        case .autoRestart:
            return start(now: now, processes: &processes)
        case .dead, .exited, .failed:
            break
        }
        return takeTransitions()
    }

    /// `reload` (systemctl reload): runs `ExecReload=` in state `reload`, back to `running` when
    /// it ends (a failing reload command ends the chain, is `reloadResult` and leaves the service
    /// running, as in systemd); one asked for during a reload is that reload. `reloadsEnded`
    /// counts the reloads that ended: the one asked for now has ended once it passed the count it
    /// had before the call. False when the service is not running or has no `ExecReload=`.
    public mutating func reload(now: Instant, processes: inout some ProcessPort) -> (accepted: Bool, transitions: [ServiceTransition]) {
        // systemd 252 runs a reload asked for during a reload once that one has ended (a reload
        // job does not merge into a running one, job_type_allows_late_merge()): one more, for
        // every request made meanwhile.
        if state == .reload && !settings.execReload.isEmpty {
            reloadPending = true
            return (true, [])
        }
        // service_reload(): running, or `exited` (RemainAfterExit=yes, as Debian's nftables).
        guard state == .running || state == .exited, !settings.execReload.isEmpty else { return (false, []) }
        startReload(now: now, processes: &processes)
        return (true, takeTransitions())
    }

    private mutating func startReload(now: Instant, processes: inout some ProcessPort) {
        reloadResult = .success
        queue = settings.execReload
        switch runNextControl(.reload, now: now, processes: &processes) {
        case .started:
            break
        case .finished, .failed:
            reloadsEnded &+= 1
        }
    }

    /// The reload asked for during the one that just ended, now that the service is active again.
    private mutating func runPendingReload(now: Instant, processes: inout some ProcessPort) {
        guard reloadPending, state == .running || state == .exited else { return }
        reloadPending = false
        startReload(now: now, processes: &processes)
    }

    /// An sd_notify(3) message, already checked against `NotifyAccess=` by the caller.
    public mutating func notify(_ message: NotifyMessage, now: Instant, processes: inout some ProcessPort) -> [ServiceTransition] {
        // In service_notify_message()'s order: MAINPID=, then STOPPING=/READY=/RELOADING=, then
        // the rest (so that an EXTEND_TIMEOUT_USEC= sent with STOPPING=1 extends the stop's timer).
        // MAINPID= while the service starts, runs or reloads only; the port refuses pid 1, wick
        // itself, a process that is gone or not wick's descendant, and another unit's process.
        if let pid = message.mainPID, pid != mainPID, [.start, .startPost, .running, .reload].contains(state),
           processes.claimMainPID(pid, unit: name) {
            mainPID = pid
            execMainPID = pid
        }
        // STOPPING=1 wins over the others, and READY=1 over RELOADING=1.
        if message.stopping {
            notifyState = .stopping
            // service_enter_stop_by_notify(), while running or reloading by notification: the
            // service says it is ending. wick waits for it (stop-sigterm, TimeoutStopSec=)
            // without signalling it or running ExecStop=, and how it ends decides Restart=.
            if state == .running || (state == .reload && controlPID == nil) {
                setState(.stopSigterm, now: now)
                stoppingByNotify = true
            }
        } else if message.ready {
            notifyState = .ready
            switch state {
            case .start where settings.type == .notify || settings.type == .notifyReload:
                enterStartPost(now: now, processes: &processes)
            case .reload where controlPID == nil:
                // The end of a reload the service announced (RELOADING=1); an ExecReload= command
                // ends its own.
                setState(.running, now: now)
                runPendingReload(now: now, processes: &processes)
            default:
                break
            }
        } else if message.reloading {
            notifyState = .reloading
            if state == .running { setState(.reload, now: now) }
        }
        // STATUS= (empty: no status text any more).
        if let status = message.status { statusText = status.isEmpty ? nil : status }
        // Not UTF-8: ignored, and the text so far is gone (systemd's free_and_replace() of NULL).
        if message.statusInvalid { statusText = nil }
        // NOTIFYACCESS=: an invalid word ends the override (systemd keeps the error, which reads
        // as "not overridden").
        if let access = message.notifyAccess { notifyAccessOverride = access }
        if message.notifyAccessInvalid { notifyAccessOverride = nil }
        if let number = message.errorNumber { statusErrno = number }
        if let usec = message.extendTimeoutMicroseconds {
            // service_extend_timeout(): the state's timer and the watchdog's, where armed, no
            // earlier than now + this. Saturating: EXTEND_TIMEOUT_USEC=18446744073709551615 means
            // "for ever", not a trap; without a timeout (infinity) there is nothing to extend.
            let extended = now.adding(TimeSpan(microseconds: usec).nanoseconds)
            switch state {
            case .condition, .startPre, .start, .startPost, .running, .reload, .stop, .stopSigterm, .stopSigkill, .stopPost,
                 .finalSigterm, .finalSigkill:
                timeoutExtendedUntil = max(timeoutExtendedUntil ?? extended, extended)
                if watchdogArmed { watchdogExtendedUntil = max(watchdogExtendedUntil ?? extended, extended) }
                deadline = stateDeadline()
            case .dead, .exited, .failed, .autoRestart:
                break
            }
        }
        // WATCHDOG=1 (service_reset_watchdog()): a ping arms the watchdog in any state, until the
        // state changes to one it does not run in; WATCHDOG=trigger (service_force_watchdog()) is
        // its action at once, in any state with processes to stop (not once the final kill or
        // ExecStopPost= runs).
        if message.watchdog, watchdogEnabled, Self.pingableStates.contains(state) {
            watchdogPinged = now
            watchdogExtendedUntil = nil
            if !Self.watchdogStates.contains(state) { watchdogArmedByPing = true }
            deadline = stateDeadline()
        }
        if message.watchdogTrigger, [.condition, .startPre, .start, .startPost, .running, .exited, .reload, .stop, .stopSigterm].contains(state) {
            fail(.watchdog)
            enterSignal(.stopSigterm, now: now, processes: &processes, signal: settings.kill.watchdogSignal.number)
        }
        if let usec = message.watchdogMicroseconds {
            // service_override_watchdog_timeout(): the new interval (0: off) applies at once,
            // from now where the watchdog runs.
            watchdogInterval = TimeSpan(microseconds: usec)
            watchdogOverridden = true
            if watchdogArmed {
                watchdogPinged = now
                watchdogExtendedUntil = nil
            }
            deadline = stateDeadline()
        }
        return takeTransitions()
    }

    /// `reset-failed`: back to dead, start-limit history forgotten.
    /// The next start is an `OnFailure=` start for `monitor`'s unit (systemd.unit(5)).
    public mutating func triggered(by monitor: Monitor) {
        nextMonitor = monitor
    }

    public mutating func resetFailed(now: Instant) -> [ServiceTransition] {
        startLimit.reset()
        reloadResult = .success
        if state == .failed {
            result = .success
            setState(.dead, now: now)
        }
        return takeTransitions()
    }

    // MARK: Transitions (systemd's service_enter_*)

    /// `ExecCondition=` (systemd.service(5)): each command must exit 0; 1-254 skips the unit
    /// (dead, result `exec-condition`, no failure, no restart), 255 or a signal fails it.
    private mutating func enterCondition(now: Instant, processes: inout some ProcessPort) {
        queue = settings.execCondition
        continueCondition(now: now, processes: &processes)
    }

    /// The next `ExecCondition=` command; `ExecStartPre=` once all passed.
    private mutating func continueCondition(now: Instant, processes: inout some ProcessPort) {
        switch runNextControl(.condition, now: now, processes: &processes) {
        case .started: break
        case .finished: enterStartPre(now: now, processes: &processes)
        case .failed: enterDead(now: now)
        }
    }

    private mutating func enterStartPre(now: Instant, processes: inout some ProcessPort) {
        queue = settings.execStartPre
        continueStartPre(now: now, processes: &processes)
    }

    /// The next `ExecStartPre=` command; the main process once all succeeded.
    private mutating func continueStartPre(now: Instant, processes: inout some ProcessPort) {
        switch runNextControl(.startPre, now: now, processes: &processes) {
        case .started: break
        case .finished: enterStart(now: now, processes: &processes)
        case .failed: enterDead(now: now)
        }
    }

    private mutating func enterStart(now: Instant, processes: inout some ProcessPort) {
        pendingStart = settings.execStart
        guard !pendingStart.isEmpty else {
            // systemd's service_enter_start() forces a transition through `start` for a oneshot
            // without ExecStart=: otherwise one with no command at all (SuccessAction= only)
            // would go from dead to dead with nothing that ends its start job.
            setState(.start, now: now)
            enterStartPost(now: now, processes: &processes)
            return
        }
        startNextMain(now: now, processes: &processes)
    }

    private mutating func startNextMain(now: Instant, processes: inout some ProcessPort) {
        let command = pendingStart.removeFirst()
        currentCommand = command
        execMainCommand = command
        execMainPID = nil
        switch processes.spawn(SpawnRequest(unit: name, command: command, role: .main, invocation: invocation, monitor: monitor, notifyAccessOverride: notifyAccessOverride)) {
        case .success(let pid):
            mainPID = pid
            execMainPID = pid
            processGroup = pid
            switch settings.type {
            case .oneshot, .forking, .notify, .notifyReload:
                setState(.start, now: now)
            case .simple, .exec, .dbus, .idle:
                enterStartPost(now: now, processes: &processes)
            }
        case .failure(let error):
            lastSpawnError = error
            if command.flags.contains(.ignoreFailure) && settings.type == .oneshot {
                continueOneshot(now: now, processes: &processes)
                return
            }
            failSpawn(error, main: true)
            enterStopPost(now: now, processes: &processes)
        }
    }

    private mutating func continueOneshot(now: Instant, processes: inout some ProcessPort) {
        if pendingStart.isEmpty {
            enterStartPost(now: now, processes: &processes)
        } else {
            startNextMain(now: now, processes: &processes)
        }
    }

    private mutating func enterStartPost(now: Instant, processes: inout some ProcessPort) {
        queue = settings.execStartPost
        continueStartPost(now: now, processes: &processes)
    }

    /// The next `ExecStartPost=` command; running once all succeeded.
    private mutating func continueStartPost(now: Instant, processes: inout some ProcessPort) {
        switch runNextControl(.startPost, now: now, processes: &processes) {
        case .started: break
        case .finished: enterRunning(now: now, processes: &processes)
        case .failed: enterStop(now: now, processes: &processes)
        }
    }

    /// systemd's service_enter_running(), after the start commands or a reload: a result that
    /// failed meanwhile (the main process ended with a failure during `ExecStartPost=` or the
    /// reload) goes to the stop signal, `ExecStop=` left out; else running while the main process
    /// is alive (or, a `forking` start without a known one, may be); else `exited` with
    /// `RemainAfterExit=yes`, whatever the type; else the stop.
    private mutating func enterRunning(afterStart: Bool = true, now: Instant, processes: inout some ProcessPort) {
        if result != .success {
            enterSignal(.stopSigterm, now: now, processes: &processes)
        } else if mainPID != nil || (afterStart && settings.type == .forking) {
            // service_enter_running(): a STOPPING=1 or RELOADING=1 that came while starting or
            // reloading takes effect now.
            switch notifyState {
            case .stopping:
                setState(.stopSigterm, now: now)
                stoppingByNotify = true
            case .reloading:
                setState(.reload, now: now)
            case .unknown, .ready:
                setState(.running, now: now)
            }
        } else if settings.remainAfterExit {
            setState(.exited, now: now)
        } else {
            enterStop(now: now, processes: &processes)
        }
        if !afterStart { runPendingReload(now: now, processes: &processes) }
    }

    private mutating func enterStop(now: Instant, processes: inout some ProcessPort) {
        queue = settings.execStop
        if runNextControl(.stop, now: now, processes: &processes) != .started {
            enterSignal(.stopSigterm, now: now, processes: &processes)
        }
    }

    /// Signals what is left of the service: its process group under `KillMode=control-group` or
    /// `mixed` (SIGKILL reaches the group for `mixed`), only the main process under `process`.
    private mutating func enterSignal(
        _ target: ServiceState, now: Instant, processes: inout some ProcessPort, signal override: Int32? = nil
    ) {
        let signal = override ?? (target == .stopSigkill ? settings.kill.finalSignal.number : settings.kill.signal.number)
        var reached = false
        if settings.kill.mode != .none {
            let group = settings.kill.mode == .controlGroup || (settings.kill.mode == .mixed && target == .stopSigkill)
            if let pid = group ? processGroup : mainPID {
                reached = processes.kill(pid: pid, signal: signal, group: group, unit: name)
                // Nothing left in the group (its leader was reaped): it can take no new member,
                // and the final signals have nothing to find (no system call more per stop).
                if group && !reached && mainPID == nil { processGroup = nil }
                if group, let mainPID, mainPID != pid { reached = processes.kill(pid: mainPID, signal: signal, group: false, unit: name) || reached }
                // unit_kill_context(): SIGCONT after the stop signal, so that a stopped process
                // sees it (not after SIGKILL, which needs none).
                if reached && signal != Self.sigkill && signal != 18 {
                    processes.kill(pid: pid, signal: 18, group: group, unit: name)
                    if group, let mainPID, mainPID != pid { processes.kill(pid: mainPID, signal: 18, group: false, unit: name) }
                }
            }
            if target == .stopSigterm && settings.kill.sendSIGHUP, let pid = processGroup {
                processes.kill(pid: pid, signal: 1, group: true, unit: name)
            }
        }
        if reached, let mainPID, processes.watchExit(of: mainPID, unit: name) {
            setState(target, now: now)
        } else if reached, mainPID == nil, controlPID == nil, processes.remains(group: processGroup, unit: name) {
            // No main process (it ended before the stop: `RemainAfterExit=yes`, a failure), but
            // what it left was signalled: the stop waits for it to end before `ExecStopPost=`,
            // as unit_kill_context() waits for the cgroup (`leftoversMayHaveGone`).
            setState(target, now: now)
        } else {
            // A main process that is not wick's child and has gone is not waited for.
            enterStopPost(now: now, processes: &processes)
        }
    }

    private mutating func enterStopPost(now: Instant, processes: inout some ProcessPort) {
        queue = settings.execStopPost
        if runNextControl(.stopPost, now: now, processes: &processes) != .started {
            enterFinalSignal(.finalSigterm, now: now, processes: &processes)
        }
    }

    /// systemd's service_enter_signal() for FINAL_SIGTERM and FINAL_SIGKILL, after the stop
    /// commands: what is left of the unit (leftovers of its process group, its cgroup) gets
    /// `KillSignal=` (under `KillMode=mixed` nothing: its main process has gone), then, once
    /// `TimeoutStopSec=` passed or at once when nothing was signalled, `FinalKillSignal=`
    /// (`mixed`: to the whole group); the unit is dead once nothing is left
    /// (`leftoversMayHaveGone`). A stop that found the group empty signals nothing more.
    private mutating func enterFinalSignal(_ target: ServiceState, now: Instant, processes: inout some ProcessPort) {
        let group = settings.kill.mode == .controlGroup || (settings.kill.mode == .mixed && target == .finalSigkill)
        if group, processes.remains(group: processGroup, unit: name) {
            let signal = target == .finalSigkill ? settings.kill.finalSignal.number : settings.kill.signal.number
            var signals = [signal]
            if target == .finalSigterm && settings.kill.sendSIGHUP { signals.append(1) }
            for number in signals {
                // Without a process group (its main process never started), the cgroup alone.
                if let pgid = processGroup {
                    processes.kill(pid: pgid, signal: number, group: true, unit: name)
                } else {
                    processes.signalControlGroup(unit: name, signal: number)
                }
            }
            setState(target, now: now)
        } else if target == .finalSigterm && settings.kill.sendSIGKILL {
            enterFinalSignal(.finalSigkill, now: now, processes: &processes)
        } else {
            enterDead(now: now)
        }
    }

    /// A process wick did not start for a unit ended (a leftover, re-parented to wick): a unit
    /// waiting for its leftovers whose group and cgroup are now empty goes on (systemd's
    /// service_notify_cgroup_empty_event()): from final-sigterm or final-sigkill it is dead, from
    /// stop-sigterm or stop-sigkill without main and control process to `ExecStopPost=`.
    public mutating func leftoversMayHaveGone(now: Instant, processes: inout some ProcessPort) -> [ServiceTransition] {
        switch state {
        case .finalSigterm, .finalSigkill:
            if processes.remains(group: processGroup, unit: name) { return [] }
            enterDead(now: now)
        case .stopSigterm, .stopSigkill:
            guard mainPID == nil, controlPID == nil, !processes.remains(group: processGroup, unit: name) else { return [] }
            enterStopPost(now: now, processes: &processes)
        default:
            return []
        }
        return takeTransitions()
    }

    /// dead, failed or auto-restart (systemd's `service_enter_dead`): restart when the policy
    /// says so and the stop was not requested.
    private mutating func enterDead(now: Instant) {
        processGroup = nil
        notifyAccessOverride = nil
        if !stopRequested && ServicePolicy.shouldRestart(result: result, exit: lastExit, settings: settings) {
            setState(.autoRestart, now: now)
        } else {
            // Skipped by ExecCondition= is dead, not failed (service_enter_dead()).
            setState(result == .success || result == .execCondition ? .dead : .failed, now: now)
        }
    }

    // MARK: Process exits

    private mutating func mainExited(_ exit: ProcessExit, now: Instant, processes: inout some ProcessPort) {
        // service_sigchld_event(): a `-` on the main command (for a forking service, on the
        // ExecStart= that started it) makes any end of the main process a success, in every
        // state (systemd.service(5), "Command lines": "considered equivalent to success").
        let exitResult = execMainCommand?.flags.contains(.ignoreFailure) == true
            ? .success : ServicePolicy.result(of: exit, settings: settings, command: settings.type == .oneshot)
        switch state {
        case .start where settings.type == .notify || settings.type == .notifyReload:
            // Exiting before READY=1 is a failure even with status 0 (systemd's "protocol"),
            // unless READY=1 may still come from another process: a clean exit with
            // `RemainAfterExit=yes` and a `NotifyAccess=` other than `main`
            // (service_sigchld_event()); the start waits for it or for its timeout.
            if exitResult == .success && settings.remainAfterExit && notifyAccess != .main { break }
            fail(exitResult == .success ? .protocol : exitResult)
            enterSignal(.stopSigterm, now: now, processes: &processes)
        case .start:
            if exitResult != .success {
                fail(exitResult)
                enterSignal(.stopSigterm, now: now, processes: &processes)
            } else if settings.type == .oneshot {
                continueOneshot(now: now, processes: &processes)
            } else {
                if settings.type == .forking, settings.pidFile != nil || settings.guessMainPID {
                    mainPID = processes.adoptMainPID(unit: name, pidFile: settings.pidFile)
                    if let mainPID { execMainPID = mainPID }
                    if mainPID == nil && settings.pidFile != nil {
                        fail(.protocol)
                        enterSignal(.stopSigterm, now: now, processes: &processes)
                        return
                    }
                }
                enterStartPost(now: now, processes: &processes)
            }
        case .running:
            // service_enter_running(): a failure goes to the stop signal, ExecStop= left out; a
            // clean end is `exited` with RemainAfterExit=yes, else the stop.
            if exitResult != .success {
                fail(exitResult)
                enterSignal(.stopSigterm, now: now, processes: &processes)
            } else if settings.remainAfterExit {
                setState(.exited, now: now)
            } else {
                enterStop(now: now, processes: &processes)
            }
        case .startPost, .reload:
            if exitResult != .success { fail(exitResult) }
            if controlPID == nil { enterStop(now: now, processes: &processes) }
        case .stopSigterm, .stopSigkill:
            // service_sigchld_event(): the main process's end is the result in every state (an
            // exit 143 at `wick stop` fails, a SIGTERM does not: SuccessExitStatus= decides).
            if state == .stopSigterm { fail(exitResult) }
            if stoppingByNotify {
                // After STOPPING=1 nothing was signalled: what is left of the unit gets the stop
                // signal now, as systemd's final-sigterm does.
                enterSignal(.stopSigterm, now: now, processes: &processes)
            } else if controlPID == nil {
                enterStopPost(now: now, processes: &processes)
            }
        case .stop, .stopPost, .condition, .startPre, .dead, .failed, .autoRestart, .exited, .finalSigterm, .finalSigkill:
            break
        }
    }

    private mutating func controlExited(_ exit: ProcessExit, now: Instant, processes: inout some ProcessPort) {
        let failed = !ServicePolicy.isSuccess(exit, settings: settings, command: true) && !(currentCommand?.flags.contains(.ignoreFailure) ?? false)
        switch state {
        case .condition:
            if case .exited(let code) = exit, failed, code > 0, code < 255 {
                fail(.execCondition)
                enterSignal(.stopSigterm, now: now, processes: &processes)
            } else if failed {
                fail(ServicePolicy.result(of: exit, settings: settings, command: true))
                enterSignal(.stopSigterm, now: now, processes: &processes)
            } else {
                continueCondition(now: now, processes: &processes)
            }
        case .startPre:
            if failed {
                fail(ServicePolicy.result(of: exit, settings: settings, command: true))
                enterSignal(.stopSigterm, now: now, processes: &processes)
            } else {
                continueStartPre(now: now, processes: &processes)
            }
        case .startPost:
            if failed {
                fail(ServicePolicy.result(of: exit, settings: settings, command: true))
                enterStop(now: now, processes: &processes)
            } else {
                continueStartPost(now: now, processes: &processes)
            }
        case .stop:
            // systemd's service_sigchld_event(): a failing ExecStop= sets the result and ends the
            // chain; the remaining processes get the stop signal.
            if failed {
                fail(ServicePolicy.result(of: exit, settings: settings, command: true))
                enterSignal(.stopSigterm, now: now, processes: &processes)
            } else if runNextControl(.stop, now: now, processes: &processes) != .started {
                enterSignal(.stopSigterm, now: now, processes: &processes)
            }
        case .reload:
            // service_sigchld_event(): a failing reload command ends the chain and is the
            // reload's result (`ReloadResult=`); the service runs on.
            if failed {
                reloadResult = ServicePolicy.result(of: exit, settings: settings, command: true)
                queue = []
                enterRunning(afterStart: false, now: now, processes: &processes)
            } else if runNextControl(.reload, now: now, processes: &processes) != .started {
                enterRunning(afterStart: false, now: now, processes: &processes)
            }
        case .stopPost:
            // A failing ExecStopPost= fails the unit and ends the chain (service_enter_dead()).
            if failed {
                fail(ServicePolicy.result(of: exit, settings: settings, command: true))
                enterFinalSignal(.finalSigterm, now: now, processes: &processes)
            } else if runNextControl(.stopPost, now: now, processes: &processes) != .started {
                enterFinalSignal(.finalSigterm, now: now, processes: &processes)
            }
        case .stopSigterm, .stopSigkill:
            if mainPID == nil { enterStopPost(now: now, processes: &processes) }
        case .dead, .start, .running, .exited, .failed, .autoRestart, .finalSigterm, .finalSigkill:
            break
        }
    }

    private enum ControlStart { case started, finished, failed }

    /// Runs the next queued control command in `target`. `finished`: the queue is empty;
    /// `failed`: a command could not be started for want of resources (systemd's "Failed to run
    /// 'X' task", result `resources`). A command whose exec failed counts as a control process
    /// that exited with 203 (`EXIT_EXEC`), handled at once as such an exit.
    private mutating func runNextControl(_ target: ServiceState, now: Instant, processes: inout some ProcessPort) -> ControlStart {
        while !queue.isEmpty {
            let command = queue.removeFirst()
            currentCommand = command
            // ExecStop= and ExecStopPost= learn how the service ended (systemd's EXEC_SETENV_RESULT).
            let stopping = target == .stop || target == .stopPost
            let request = SpawnRequest(unit: name, command: command, role: .control, mainPID: mainPID, invocation: invocation,
                                       result: stopping ? result : nil, mainExit: stopping ? lastExit : nil, monitor: monitor,
                                       notifyAccessOverride: notifyAccessOverride)
            switch processes.spawn(request) {
            case .success(let pid):
                controlPID = pid
                setState(target, now: now)
                return .started
            case .failure(let error):
                lastSpawnError = error
                if command.flags.contains(.ignoreFailure) { continue }
                if let status = error.status, !error.outOfResources {
                    setState(target, now: now)
                    controlExited(.exited(status), now: now, processes: &processes)
                    return .started
                }
                // A reload command that cannot run is the reload's result only ("Failed to run
                // 'reload' task", service_enter_reload()): the service runs on, not failed.
                if target == .reload { reloadResult = .resources } else { failSpawn(error, main: false) }
                queue = []
                return .failed
            }
        }
        return .finished
    }

    /// systemd: a command that could not be forked, or not set up for want of fds or memory,
    /// fails the unit with `resources`; one whose child could not exec exits with 203
    /// (`EXIT_EXEC`) and fails it with `exit-code`.
    private mutating func failSpawn(_ error: SpawnError, main: Bool) {
        if let status = error.status, !error.outOfResources {
            fail(.exitCode)
            if main { lastExit = .exited(status) }
        } else {
            fail(.resources)
        }
    }

    private mutating func fail(_ newResult: ServiceResult) {
        if result == .success { result = newResult }
    }

    // MARK: The one setter (systemd's service_set_state)

    private mutating func setState(_ new: ServiceState, now: Instant) {
        let old = state
        state = new
        if old == .reload && new != .reload {
            reloadsEnded &+= 1
            // The service left for a state a reload cannot run in: the one asked for meanwhile
            // has ended too, without running.
            if reloadPending && new != .running && new != .exited {
                reloadPending = false
                reloadsEnded &+= 1
            }
        }
        timestamps.record(from: old.activeState, to: new.activeState, now: now)
        stateEntered = now
        timeoutExtendedUntil = nil
        watchdogArmedByPing = false
        stoppingByNotify = false
        // The watchdog starts with ExecStartPost= (service_enter_start_post()) and runs on
        // through running and reloads (service_set_state() stops it elsewhere).
        if new == .startPost || (new == .running && old != .startPost && old != .reload) {
            watchdogPinged = now
            watchdogExtendedUntil = nil
        }
        deadline = stateDeadline()
        // Entering failed again (a start refused by the start limit) is news even without a change.
        if old != new || new == .failed {
            transitions.append(ServiceTransition(unit: name, from: old, to: new, result: result))
        }
    }

    /// `RuntimeMaxSec=`, counted from when the service became active (service_running_timeout():
    /// a reload does not restart it).
    private func runtimeMaxDeadline() -> Instant? {
        guard !settings.runtimeMax.isInfinite, let active = timestamps.activeEnter ?? stateEntered else { return nil }
        let deadline = active.adding(settings.runtimeMax.nanoseconds)
        return max(deadline, timeoutExtendedUntil ?? deadline)
    }

    /// The states the watchdog runs in (systemd's service_set_state() keeps it in these).
    static let watchdogStates: [ServiceState] = [.startPost, .running, .reload]
    /// The states a WATCHDOG=1 can arm it in: any with a process to send it.
    static let pingableStates: [ServiceState] = [.condition, .startPre, .start, .startPost, .running, .reload, .stop, .stopSigterm, .stopPost, .exited]

    private var watchdogArmed: Bool { watchdogEnabled && (Self.watchdogStates.contains(state) || watchdogArmedByPing) }

    /// The watchdog's deadline: its last ping (or its start) + the interval, or later when
    /// EXTEND_TIMEOUT_USEC= said so; nil when it is off.
    private func watchdogDeadline() -> Instant? {
        guard watchdogArmed, let since = watchdogPinged ?? stateEntered else { return nil }
        let pinged = since.adding(watchdogInterval.nanoseconds)
        return max(pinged, watchdogExtendedUntil ?? pinged)
    }

    private func watchdogExpired(_ now: Instant) -> Bool { watchdogDeadline().map { $0 <= now } ?? false }

    /// The deadline that passed at `now` is the watchdog's (for the manager's log line).
    public func watchdogDue(_ now: Instant) -> Bool {
        (state != .running || !(runtimeMaxDeadline().map { $0 <= now } ?? false)) && watchdogExpired(now)
    }

    /// The watchdog's interval in force (`WatchdogSec=`, or `WATCHDOG_USEC=`).
    public var watchdogLimit: TimeSpan { watchdogInterval }

    private var watchdogEnabled: Bool { watchdogInterval != .zero && !watchdogInterval.isInfinite }

    /// The current state's deadline, from when the state was entered (systemd's timeouts, and
    /// `service_coldplug_timeout()` after a reload), no earlier than an `EXTEND_TIMEOUT_USEC=`:
    /// `TimeoutStartSec=` for the start and reload states, `TimeoutStopSec=` for the stop states,
    /// `RestartSec=` waiting to restart, `RuntimeMaxSec=` from when the service became active
    /// while running; from `ExecStartPost=` through running and reloads the watchdog's too, from
    /// its last ping (`WatchdogSec=`, `WATCHDOG_USEC=`), when earlier.
    private func stateDeadline() -> Instant? {
        guard let since = stateEntered else { return nil }
        func after(_ span: TimeSpan) -> Instant? {
            guard !span.isInfinite else { return nil }
            let deadline = since.adding(span.nanoseconds)
            return max(deadline, timeoutExtendedUntil ?? deadline)
        }
        func earliest(_ first: Instant?, _ second: Instant?) -> Instant? {
            guard let first else { return second }
            return second.map { min(first, $0) } ?? first
        }
        switch state {
        case .condition, .startPre, .start, .startPost, .reload:
            return earliest(after(settings.effectiveTimeoutStart), watchdogDeadline())
        case .stop, .stopSigterm, .stopSigkill, .stopPost:
            return earliest(after(settings.timeoutStop), watchdogDeadline())
        case .finalSigterm, .finalSigkill:
            return after(settings.timeoutStop)
        case .autoRestart:
            return since.adding(settings.restartSec.nanoseconds)
        case .running:
            return earliest(runtimeMaxDeadline(), watchdogDeadline())
        case .exited:
            return watchdogDeadline()
        case .dead, .failed:
            return nil
        }
    }

    private mutating func takeTransitions() -> [ServiceTransition] {
        defer { transitions = [] }
        return transitions
    }
}
