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

    /// Every pending message with its sender's pid (0 when unknown), until EAGAIN.
    public func receiveAll() -> [(pid: Int32, bytes: ArraySlice<UInt8>)] {
        var messages: [(pid: Int32, bytes: ArraySlice<UInt8>)] = []
        while true {
            var pid: pid_t = 0
            let length = buffer.withUnsafeMutableBytes { cwick_receive_with_credentials(fd, $0.baseAddress, $0.count, &pid) }
            if length < 0 { return messages }
            messages.append((pid, buffer[..<length]))
        }
    }
}
