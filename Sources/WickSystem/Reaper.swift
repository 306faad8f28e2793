import CWick
import Glibc

/// How a process ended (wait(2)).
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus: Int32) {
        if cwick_wifsignaled(waitStatus) != 0 {
            self = .signaled(cwick_wtermsig(waitStatus))
        } else {
            self = .exited(cwick_wexitstatus(waitStatus))
        }
    }

    /// Shell convention: the exit code, or 128 + the signal number.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}

/// Reaps every exited child, adopted orphans included (tini's reap_zombies): `waitpid(-1, WNOHANG)`
/// until nothing is left.
public enum Reaper {
    public static func reapAll() -> [(pid: Int32, status: ExitStatus)] {
        var reaped: [(pid: Int32, status: ExitStatus)] = []
        while let exited = reapOne() { reaped.append(exited) }
        return reaped
    }

    /// One exited child, or nil when none is left.
    public static func reapOne() -> (pid: Int32, status: ExitStatus)? {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 { return (pid, ExitStatus(waitStatus: status)) }
            if pid < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Waits for one specific child (blocking), for one-off tools and tests.
    public static func wait(for pid: Int32) throws(SystemError) -> ExitStatus {
        var status: Int32 = 0
        _ = try retrying("waitpid(\(pid))") { waitpid(pid, &status, 0) }
        return ExitStatus(waitStatus: status)
    }

    /// Makes wick the reaper of orphaned descendants when it is not PID 1.
    public static func becomeSubreaper() throws(SystemError) {
        _ = try retrying("prctl(PR_SET_CHILD_SUBREAPER)") { cwick_set_child_subreaper() }
    }
}
