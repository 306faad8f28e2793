import Glibc
import Testing
import WickSystem

/// The daemon's signalfd drains every pending signal, several per read(2).
@Suite struct SignalDescriptorTests {
    /// Real-time signals queue one entry per raise, so 20 of them take three reads of the
    /// 8-entry buffer (8, 8, 4); standard ones pending together are read in the same drain.
    /// raise(3) directs each at this thread, where the descriptor blocked them (no other thread
    /// of the test runner can take them).
    @Test func drainsMoreThanOneBufferAndStopsWhenEmpty() throws {
        let realtime = __libc_current_sigrtmin() + 3
        let descriptor = try SignalDescriptor(signals: [realtime, SIGUSR2, SIGWINCH])
        defer {
            var set = sigset_t()
            sigemptyset(&set)
            for signal in [realtime, SIGUSR2, SIGWINCH] { sigaddset(&set, signal) }
            sigprocmask(SIG_UNBLOCK, &set, nil)
        }
        #expect(descriptor.drain().isEmpty)
        for _ in 0..<20 { raise(realtime) }
        raise(SIGUSR2)
        raise(SIGWINCH)
        let drained = descriptor.drain()
        #expect(drained.count == 22)
        #expect(drained.filter { $0 == realtime }.count == 20)
        #expect(Set(drained.filter { $0 != realtime }) == [SIGUSR2, SIGWINCH])
        #expect(descriptor.drain().isEmpty)
    }
}
