import CWick
import Glibc

/// Writes pending bytes to a non-blocking socket without ever waiting (MSG_DONTWAIT), and without
/// SIGPIPE (MSG_NOSIGNAL): what the daemon's servers use to answer clients from the epoll loop.
public enum SocketWriter {
    public enum Outcome {
        /// Everything was written.
        case done
        /// The socket is full; the rest stays in the buffer until it is writable again.
        case wouldBlock
        /// The peer is gone (or another error): close it.
        case failed
    }

    public static func write(_ fd: Int32, _ pending: inout [UInt8]) -> Outcome {
        while !pending.isEmpty {
            let written = pending.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
            if written > 0 {
                pending.removeFirst(written)
                continue
            }
            if written < 0 && errno == EINTR { continue }
            return written < 0 && errno == EAGAIN ? .wouldBlock : .failed
        }
        return .done
    }
}
