import CWick
import Glibc

/// Asynchronous signals as an fd (signalfd(2)): the signals are blocked for the whole process
/// before any thread exists and read from the epoll loop (skalibs selfpipe; SWIFT-NOTES).
public final class SignalDescriptor {
    public let fd: Int32

    /// Blocks `signals` and opens a signalfd for them.
    public init(signals: [Int32]) throws(SystemError) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        guard sigprocmask(SIG_BLOCK, &set, nil) == 0 else { throw SystemError("sigprocmask") }
        fd = try retrying("signalfd") { signalfd(-1, &set, Int32(SFD_CLOEXEC | SFD_NONBLOCK)) }
    }

    deinit { closeDescriptor(fd) }

    /// Every pending signal number, drained until EAGAIN.
    public func drain() -> [Int32] {
        var signals: [Int32] = []
        var info = signalfd_siginfo()
        while true {
            let count = read(fd, &info, MemoryLayout<signalfd_siginfo>.size)
            if count == MemoryLayout<signalfd_siginfo>.size {
                signals.append(Int32(info.ssi_signo))
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return signals
            }
        }
    }
}
