import WickUnits

/// What a service machine asks of the system: start a command, signal processes. The daemon
/// implements it with the spawn shim and kill(2); tests use a fake process table.
public protocol ProcessPort {
    /// Starts a command of a unit. Returns the pid, or why the command could not run.
    mutating func spawn(_ request: SpawnRequest) -> Result<Int32, SpawnError>
    /// Sends `signal` to `unit`'s process `pid`, or to its whole process group when `group` is
    /// true (and to the unit's cgroup, when it has one). A group whose leader `unit` no longer
    /// has, and whose number another process holds now, is not signalled: the number was reused.
    /// False when no process received it (ESRCH).
    @discardableResult
    mutating func kill(pid: Int32, signal: Int32, group: Bool, unit: UnitID) -> Bool
    /// `Type=forking`, once the starting process has exited: the pid in `pidFile`, or without one
    /// a guess (the one process newly re-parented to wick). The port starts routing that pid's
    /// exit to `unit` (wick reaps it as subreaper or PID 1).
    mutating func adoptMainPID(unit: UnitID, pidFile: String?) -> Int32?
    /// `MAINPID=` from sd_notify(3): whether `pid` may become `unit`'s main process. systemd
    /// refuses the manager itself, PID 1, a process that is not alive, and one that is not the
    /// unit's (its cgroup); the port refuses the same, with "a descendant of wick that no other
    /// unit owns" standing in for the cgroup, says why in the log, and when it accepts routes the
    /// pid's exit to `unit`.
    mutating func claimMainPID(_ pid: Int32, unit: UnitID) -> Bool
    /// The main process `old` of a unit with `PIDFile=` exited: the pid the file names now when
    /// it is another process the unit may take, as systemd's service_sigchld_event() reads the
    /// file again ("Forking services may occasionally move to a new PID"); nil, without a log
    /// line, otherwise.
    mutating func movedMainPID(unit: UnitID, pidFile: String, from old: Int32) -> Int32?
    /// A stop is about to wait for the main process `pid`: whether its exit will be seen. A child
    /// of wick's is reaped (SIGCHLD); a process another one reaps (`MAINPID=` of a process that
    /// is not wick's child, systemd's "main_pid_alien") is watched by the port until it exits,
    /// its exit routed to `unit` as a clean one; false when it has already gone, so that the
    /// stop does not wait for it (systemd's main_pid_good()).
    mutating func watchExit(of pid: Int32, unit: UnitID) -> Bool
    /// Whether a process is left in `unit`'s process group `group` (one whose number another
    /// process took is not the unit's) or in its cgroup, when it has one: what systemd's
    /// final-sigterm and final-sigkill wait to see empty.
    mutating func remains(group: Int32?, unit: UnitID) -> Bool
    /// Sends `signal` to every process of `unit`'s cgroup (a unit that has no process group:
    /// its main process never started). False when it has none or nobody was there.
    @discardableResult
    mutating func signalControlGroup(unit: UnitID, signal: Int32) -> Bool
}

public enum ProcessRole: Equatable, Sendable {
    case main
    case control
}

/// One process to start, with what systemd tells it about its unit (the parts of systemd's
/// `ExecParameters` that change from one start to the next).
public struct SpawnRequest: Equatable, Sendable {
    public var unit: UnitID
    public var command: ExecCommand
    /// The main process gets the sockets; a control process (`ExecStartPre=` and friends) gets
    /// `$MAINPID` when there is a main process.
    public var role: ProcessRole
    public var mainPID: Int32?
    /// Which start of the unit the process belongs to: each start has its own `$INVOCATION_ID`.
    public var invocation: UInt64
    /// `ExecStop=` and `ExecStopPost=`: the unit's result so far and how its main process ended
    /// (`$SERVICE_RESULT`, `$EXIT_CODE`, `$EXIT_STATUS`).
    public var result: ServiceResult?
    public var mainExit: ProcessExit?
    /// An `OnFailure=` unit: the unit whose failure started it (`$MONITOR_*`).
    public var monitor: Monitor?
    /// `NOTIFYACCESS=` the service sent this run, which decides with the role who gets
    /// `$NOTIFY_SOCKET` (nil: its `NotifyAccess=`).
    public var notifyAccessOverride: ServiceSection.NotifyAccess?

    public init(unit: UnitID, command: ExecCommand, role: ProcessRole, mainPID: Int32? = nil, invocation: UInt64 = 0,
                result: ServiceResult? = nil, mainExit: ProcessExit? = nil, monitor: Monitor? = nil,
                notifyAccessOverride: ServiceSection.NotifyAccess? = nil) {
        self.monitor = monitor
        self.notifyAccessOverride = notifyAccessOverride
        self.unit = unit
        self.command = command
        self.role = role
        self.mainPID = mainPID
        self.invocation = invocation
        self.result = result
        self.mainExit = mainExit
    }
}

/// The unit whose failure started an `OnFailure=` unit, as systemd passes it in
/// `$MONITOR_SERVICE_RESULT`, `$MONITOR_EXIT_CODE`, `$MONITOR_EXIT_STATUS`,
/// `$MONITOR_INVOCATION_ID` and `$MONITOR_UNIT` (systemd.exec(5)).
public struct Monitor: Equatable, Sendable {
    public var unit: UnitID
    public var result: ServiceResult
    public var exit: ProcessExit?
    public var invocation: UInt64

    public init(unit: UnitID, result: ServiceResult, exit: ProcessExit?, invocation: UInt64) {
        (self.unit, self.result, self.exit, self.invocation) = (unit, result, exit, invocation)
    }
}

/// Why a command could not start: "exec failed: /usr/bin/x: No such file or directory".
public struct SpawnError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// The child that failed to exec (it exited and will be reaped), when fork succeeded.
    public var pid: Int32?
    /// The exit status the command counts as having ended with: 203 (`EXIT_EXEC`) when the exec
    /// failed, or the status of the setup step that failed (217 `EXIT_USER` ...), even when the
    /// failure was found before the clone. Nil when nothing could start (fork failed).
    public var status: Int32?
    /// The system ran out of fds, memory or processes (EMFILE, ENFILE, ENOMEM, EAGAIN): systemd's
    /// result `resources`, and a reason to stop accepting for a while.
    public var outOfResources: Bool

    public init(message: String, pid: Int32? = nil, status: Int32? = nil, outOfResources: Bool = false) {
        self.message = message
        self.pid = pid
        self.status = status ?? (pid != nil ? 203 : nil)
        self.outOfResources = outOfResources
    }

    public var description: String { message }
}
