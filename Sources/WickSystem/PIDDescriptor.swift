import CWick
import Glibc

/// pidfd_open(2) and its companions (kernel 5.3+): a descriptor for one process, which epoll
/// reports readable once it has exited and through which it is signalled, never a process that
/// took its number since (wick's handle on a main process that is not its child).
public enum PIDDescriptor {
    /// The descriptor, or nil when the process is gone (ESRCH) or the kernel has no pidfds.
    public static func open(_ pid: Int32) -> Int32? {
        let fd = cwick_pidfd_open(pid)
        return fd >= 0 ? fd : nil
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
