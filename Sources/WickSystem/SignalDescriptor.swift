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

    /// Every pending signal number, up to 8 per read(2) into a buffer on the stack. A read that
    /// returns fewer than it had room for emptied the queue: no second read for its EAGAIN (a
    /// signal that arrives later keeps the level-triggered fd readable for the next wake-up).
    public func drain() -> [Int32] {
        var signals: [Int32] = []
        withUnsafeTemporaryAllocation(of: signalfd_siginfo.self, capacity: 8) { infos in
            let room = infos.count
            while true {
                let count = read(fd, infos.baseAddress, room * MemoryLayout<signalfd_siginfo>.stride)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                let whole = min(count / MemoryLayout<signalfd_siginfo>.stride, room)
                for index in 0..<whole { signals.append(Int32(infos[index].ssi_signo)) }
                if whole < room { return }
            }
        }
        return signals
    }
}
