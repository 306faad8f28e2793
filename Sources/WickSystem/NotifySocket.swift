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

    /// Hands `handle` each pending message with its sender's pid (0 when unknown) and the fds sent
    /// with it (the handler's to keep or close, before the next message is read: a sender cannot
    /// make wick hold more than one message's fds), until EAGAIN or `messagesPerWakeUp`. A datagram longer
    /// than the buffer (4 KiB, systemd's `NOTIFY_BUFFER_MAX`) is dropped whole with its fds, as
    /// systemd drops it ("overly long"), and counted; so is one whose fds did not fit (more than
    /// the kernel's 253), as systemd ignores it ("truncated control data").
    public func receiveAll(_ handle: (_ pid: Int32, _ bytes: ArraySlice<UInt8>, _ fds: [Int32]) -> Void) {
        var fds = [Int32](repeating: -1, count: Int(CWICK_NOTIFY_FDS_MAX))
        for _ in 0..<Self.messagesPerWakeUp {
            var pid: pid_t = 0
            var fdCount = 0
            var truncated: Int32 = 0
            let length = buffer.withUnsafeMutableBytes { bytes in
                fds.withUnsafeMutableBufferPointer { cwick_receive_with_credentials(fd, bytes.baseAddress, bytes.count, &pid, $0.baseAddress, &fdCount, &truncated) }
            }
            if length < 0 { break }
            let received = Array(fds[..<min(fdCount, fds.count)])
            if truncated != 0 {
                controlTruncated &+= 1
                continue
            }
            if length > buffer.count {
                overlong &+= 1
                received.forEach(closeDescriptor)
                continue
            }
            handle(pid, buffer[..<length], received)
        }
    }

    /// Datagrams dropped for being longer than 4 KiB.
    public private(set) var overlong: UInt64 = 0
    /// Datagrams dropped because their fds did not fit.
    public private(set) var controlTruncated: UInt64 = 0
}
