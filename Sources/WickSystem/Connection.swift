import CWick
import Glibc
import WickUnits

/// The far end of an accepted connection, formatted as systemd does for instance names and
/// `REMOTE_ADDR`/`REMOTE_PORT` (IPv4-mapped IPv6 addresses printed as IPv4).
public enum PeerAddress: Equatable, Sendable {
    case ip(address: String, port: UInt16)
    /// A Unix peer: its pid and uid (`SO_PEERCRED`), when known.
    case unix(pid: Int32, uid: UInt32)
}

/// An accepted connection: its fd (close-on-exec, blocking) and both ends.
public struct AcceptedConnection {
    public var fd: Int32
    /// The connection's address family (its listener's).
    public var family: Int32
    public var local: PeerAddress
    public var remote: PeerAddress
}

public enum Acceptor {
    /// `accept4(SOCK_CLOEXEC)`, and `SOCK_NONBLOCK` for the daemon's own clients; `nil` when no
    /// connection is pending (EAGAIN) or it was aborted. Other errors (EMFILE, ENFILE, ENOBUFS,
    /// ENOMEM...) are thrown: the caller backs off.
    public static func accept(_ listener: Int32, nonBlocking: Bool = false) throws(SystemError) -> AcceptedConnection? {
        let flags = Int32(SOCK_CLOEXEC.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var fd: Int32
        repeat {
            fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    cwick_accept4(listener, $0, &length, flags)
                }
            }
        } while fd < 0 && errno == EINTR
        if fd < 0 {
            switch errno {
            case EAGAIN, ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH:
                return nil
            default:
                throw SystemError("accept4")
            }
        }
        let remote = peer(storage, fd: fd)
        var localStorage = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &localStorage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &localLength) }
        }
        return AcceptedConnection(fd: fd, family: Int32(storage.ss_family), local: peer(localStorage, fd: fd), remote: remote)
    }

    static func peer(_ storage: sockaddr_storage, fd: Int32) -> PeerAddress {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { raw in
                let address = raw.load(as: sockaddr_in.self)
                return .ip(address: withUnsafeBytes(of: address.sin_addr) { IPAddress.formatIPv4($0) }, port: UInt16(bigEndian: address.sin_port))
            }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { raw in
                let address = raw.load(as: sockaddr_in6.self)
                let bytes = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
                let port = UInt16(bigEndian: address.sin6_port)
                if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                    return .ip(address: IPAddress.formatIPv4(Array(bytes[12...]), port: nil), port: port)
                }
                return .ip(address: formatIPv6(bytes), port: port)
            }
        default:
            var pid: pid_t = 0, uid: uid_t = 0, gid: gid_t = 0
            _ = cwick_peer_credentials(fd, &pid, &uid, &gid)
            return .unix(pid: pid, uid: uid)
        }
    }

    static func formatIPv6(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var copy = bytes
        _ = inet_ntop(AF_INET6, &copy, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
