import CWick
import Glibc

/// The socket services send sd_notify(3) messages to (`NOTIFY_SOCKET=`): a Unix datagram socket
/// with `SO_PASSCRED`, so each message comes with the sender's pid.
public final class NotifySocket {
    public let fd: Int32
    public let path: String
    private var buffer = [UInt8](repeating: 0, count: 4096)

    public init(path: String) throws(SystemError) {
        self.path = path
        try SocketBinder.makeParentDirectories(path, mode: 0o755)
        _ = unlink(path)
        fd = try retrying("socket(notify)") {
            socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        }
        do throws(SystemError) {
            try SocketBinder.setOption(fd, SOL_SOCKET, SO_PASSCRED, 1, "SO_PASSCRED")
            let storage = try SocketAddressStorage(.unixPath(path))
            _ = try retrying("bind(\(path))") { storage.withSockaddr { bind(fd, $0, $1) } }
            _ = chmod(path, 0o777)
        } catch {
            closeDescriptor(fd)
            throw error
        }
    }

    deinit {
        closeDescriptor(fd)
        _ = unlink(path)
    }

    /// Messages received per wake-up at most: a service that floods the socket cannot hold the
    /// loop (the socket stays readable and the rest comes at the next turn).
    public static let messagesPerWakeUp = 256

    /// The pending messages with their senders' pids (0 when unknown), until EAGAIN or
    /// `messagesPerWakeUp`. A datagram longer than the buffer (4 KiB, systemd's
    /// `NOTIFY_BUFFER_MAX`) is dropped whole, as systemd drops it ("overly long"), and counted.
    public func receiveAll() -> [(pid: Int32, bytes: [UInt8])] {
        var messages: [(pid: Int32, bytes: [UInt8])] = []
        for _ in 0..<Self.messagesPerWakeUp {
            var pid: pid_t = 0
            let length = buffer.withUnsafeMutableBytes { cwick_receive_with_credentials(fd, $0.baseAddress, $0.count, &pid) }
            if length < 0 { break }
            if length > buffer.count {
                overlong &+= 1
                continue
            }
            messages.append((pid, Array(buffer[..<length])))
        }
        return messages
    }

    /// Datagrams dropped for being longer than 4 KiB.
    public private(set) var overlong: UInt64 = 0
}
