import Glibc

/// How a `readAvailable` pass ended.
public enum ReadEnd: Equatable {
    /// Nothing more to read now (EAGAIN).
    case wouldBlock
    /// The writer closed its end.
    case endOfFile
    /// read(2) failed with this errno.
    case failed(Int32)
    /// `budget` reads were done and more may be waiting: the fd stays readable (level-triggered),
    /// so the loop comes back after serving everything else.
    case budgetSpent
}

/// The one read-until-EAGAIN loop of the daemon's non-blocking fds: reads into `buffer` and hands
/// each chunk to `consume`, at most `budget` times, so that a peer that writes without pause
/// cannot hold the loop.
public func readAvailable(_ fd: Int32, into buffer: inout [UInt8], budget: Int = 16, _ consume: (ArraySlice<UInt8>) -> Void) -> ReadEnd {
    var reads = 0
    while reads < budget {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            reads += 1
            consume(buffer[..<count])
        } else if count == 0 {
            return .endOfFile
        } else if errno == EINTR {
            continue
        } else if errno == EAGAIN {
            return .wouldBlock
        } else {
            return .failed(errno)
        }
    }
    return .budgetSpent
}
