import WickUnits

/// What a service machine asks of the system: start a command, signal processes. The daemon
/// implements it with the spawn shim and kill(2); tests use a fake process table.
public protocol ProcessPort {
    /// Starts `command` for `unit`. `role` says whether it is the main process (which gets the
    /// sockets) or a control process (`ExecStartPre=` and friends, which get `$MAINPID` when there
    /// is a main process). Returns the pid, or an error message when the command could not run.
    mutating func spawn(unit: String, command: ExecCommand, role: ProcessRole, mainPID: Int32?) -> Result<Int32, SpawnError>
    /// Sends `signal` to `pid`, or to its whole process group when `group` is true. False when no
    /// process received it (ESRCH).
    @discardableResult
    mutating func kill(pid: Int32, signal: Int32, group: Bool) -> Bool
    /// `Type=forking`, once the starting process has exited: the pid in `pidFile`, or without one
    /// a guess (the one process newly re-parented to wick). The port starts routing that pid's
    /// exit to `unit` (wick reaps it as subreaper or PID 1).
    mutating func adoptMainPID(unit: String, pidFile: String?) -> Int32?
    /// `MAINPID=` from sd_notify(3): whether `pid` may become `unit`'s main process. systemd
    /// refuses the manager itself, PID 1, a process that is not alive, and one that is not the
    /// unit's (its cgroup); the port refuses the same, with "a descendant of wick that no other
    /// unit owns" standing in for the cgroup, says why in the log, and when it accepts routes the
    /// pid's exit to `unit`.
    mutating func claimMainPID(_ pid: Int32, unit: String) -> Bool
}

public enum ProcessRole: Equatable, Sendable {
    case main
    case control
}

/// Why a command could not start: "exec failed: /usr/bin/x: No such file or directory".
public struct SpawnError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// The child that failed to exec (it exited and will be reaped), when fork succeeded.
    public var pid: Int32?
    /// The system ran out of fds, memory or processes (EMFILE, ENFILE, ENOMEM, EAGAIN): systemd's
    /// result `resources`, and a reason to stop accepting for a while.
    public var outOfResources: Bool

    public init(message: String, pid: Int32? = nil, outOfResources: Bool = false) {
        self.message = message
        self.pid = pid
        self.outOfResources = outOfResources
    }

    public var description: String { message }
}
