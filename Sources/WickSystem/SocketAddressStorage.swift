import Glibc
import WickUnits

/// A `SocketAddress` as the kernel takes it (`sockaddr_in`, `sockaddr_in6`, `sockaddr_un`).
/// A Unix path that does not fit `sun_path` (107 bytes and the NUL, 107 for an abstract name
/// after its leading NUL) is refused with ENAMETOOLONG, never copied past the structure.
struct SocketAddressStorage {
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    var family: Int32 = AF_UNSPEC

    init(_ address: SocketAddress) throws(SystemError) {
        switch address {
        case .anyPort(let port):
            self = try SocketAddressStorage(.ipv6(bytes: Array(repeating: 0, count: 16), port: port))
        case .ipv4(let bytes, let port):
            var value = sockaddr_in()
            value.sin_family = sa_family_t(AF_INET)
            value.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &value.sin_addr) { $0.copyBytes(from: bytes) }
            set(value, family: AF_INET)
        case .ipv6(let bytes, let port):
            var value = sockaddr_in6()
            value.sin6_family = sa_family_t(AF_INET6)
            value.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &value.sin6_addr) { $0.copyBytes(from: bytes) }
            set(value, family: AF_INET6)
        case .unixPath(let path):
            try setUnix(Array(path.utf8), abstract: false, shown: path)
        case .unixAbstract(let name):
            try setUnix(Array(name.utf8), abstract: true, shown: "@" + name)
        }
    }

    private mutating func set<T>(_ value: T, family: Int32) {
        var value = value
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: &value) { target.copyBytes(from: $0) }
        }
        length = socklen_t(MemoryLayout<T>.size)
        self.family = family
    }

    /// Abstract names start with a NUL byte and are not NUL-terminated; the length counts exactly
    /// the name (as systemd does).
    private mutating func setUnix(_ bytes: [UInt8], abstract: Bool, shown: String) throws(SystemError) {
        var value = sockaddr_un()
        value.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: value.sun_path)
        // A path needs its NUL; an abstract name needs its leading NUL.
        guard bytes.count + 1 <= capacity, !bytes.contains(0) || abstract else {
            throw SystemError("socket path \(shown) is \(bytes.count) bytes, longer than sun_path allows (\(capacity - 1))",
                              code: ENAMETOOLONG)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.size - capacity
        withUnsafeMutableBytes(of: &value.sun_path) { path in
            path.copyBytes(from: (abstract ? [0] : []) + bytes)
        }
        set(value, family: AF_UNIX)
        length = socklen_t(pathOffset + bytes.count + 1)
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
