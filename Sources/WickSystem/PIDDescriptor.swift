import CWick
import Glibc

/// pidfd_open(2) and its companions (kernel 5.3+): a descriptor for one process, which epoll
/// reports readable once it has exited and through which it is signalled, never a process that
/// took its number since (wick's handle on a main process that is not its child).
public enum PIDDescriptor {
    public enum Opened {
        case descriptor(Int32)
        /// The process has exited (ESRCH).
        case gone
        /// No descriptor to be had (a kernel before 5.3, no fd left): the pid is all there is.
        case unavailable
    }

    public static func open(_ pid: Int32) -> Opened {
        let fd = cwick_pidfd_open(pid)
        if fd >= 0 { return .descriptor(fd) }
        return errno == ESRCH ? .gone : .unavailable
    }

    /// Sends `signal`; false when the process has exited.
    public static func signal(_ fd: Int32, _ signal: Int32) -> Bool {
        cwick_pidfd_send_signal(fd, signal) == 0
    }

    /// Whether the process has exited.
    public static func exited(_ fd: Int32) -> Bool {
        cwick_pidfd_exited(fd) == 1
    }
}
