import CWick
import Glibc

/// pidfd_open(2): a descriptor for a process that is not wick's child, which epoll reports
/// readable once the process has exited (kernel 5.3+).
public enum PIDDescriptor {
    /// The descriptor, or nil when the process is gone (ESRCH) or the kernel has no pidfds.
    public static func open(_ pid: Int32) -> Int32? {
        let fd = cwick_pidfd_open(pid)
        return fd >= 0 ? fd : nil
    }
}
