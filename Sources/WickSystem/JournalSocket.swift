import CWick
import Glibc
import WickUnits

/// A connection to journald's native socket (/run/systemd/journal/socket, bind-mounted into a
/// container from its host): one datagram per entry, sent without blocking. A full or vanished
/// journal makes `send` return false; the caller writes the line to its console instead.
public final class JournalSocket {
    public let path: String
    private let fd: Int32

    /// Nil when the socket cannot be reached (no journald).
    public init?(path: String) {
        self.path = path
        // Non-blocking, and written with write(2): a connected datagram socket raises no SIGPIPE.
        // (No MSG_* flags here: with CWick imported they would be owned by CWick's copy of
        // <sys/socket.h> in a whole-module build, and vanish from files that import only Glibc.)
        let socketFD = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard socketFD >= 0 else { return nil }
        guard let address = try? SocketAddressStorage(.unixPath(path)), address.withSockaddr({ connect(socketFD, $0, $1) }) == 0 else {
            closeDescriptor(socketFD)
            return nil
        }
        fd = socketFD
    }

    deinit { closeDescriptor(fd) }

    public func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) == $0.count }
    }
}
