import CWick
import Glibc
import WickUnits

/// The socket options of systemd.socket(5) that apply when an endpoint is created.
public struct BindOptions: Sendable {
    public var backlog: Int32 = SOMAXCONN
    public var bindIPv6Only = SocketSection.BindIPv6Only.default
    public var socketMode: UInt32 = 0o666
    public var directoryMode: UInt32 = 0o755
    public var reusePort = false
    public var freeBind = false
    public var transparent = false
    public var broadcast = false
    public var keepAlive = false
    public var noDelay = false
    public var passCredentials = false
    public var passSecurity = false
    public var receiveBuffer: UInt64?
    public var sendBuffer: UInt64?
    public var priority: Int32?
    public var writable = false
    /// `SOCK_NONBLOCK` from creation: listeners wick accepts on itself (its control and metrics
    /// sockets, `Accept=yes` sockets), never one passed to a service.
    public var nonBlocking = false

    public init() {}

    /// The options of a socket unit.
    public init(_ socket: SocketSection) {
        backlog = socket.backlog.map { Int32($0) } ?? SOMAXCONN
        bindIPv6Only = socket.bindIPv6Only
        socketMode = socket.socketMode
        directoryMode = socket.directoryMode
        reusePort = socket.reusePort
        freeBind = socket.freeBind
        transparent = socket.transparent
        broadcast = socket.broadcast
        keepAlive = socket.keepAlive
        noDelay = socket.noDelay
        passCredentials = socket.passCredentials
        passSecurity = socket.passSecurity
        receiveBuffer = socket.receiveBuffer
        sendBuffer = socket.sendBuffer
        priority = socket.priority
        writable = socket.writable
    }
}

/// Creates the fd for one `Listen*=` line (systemd's `socket_address_listen()`): close-on-exec,
/// blocking (services expect blocking listeners unless `NonBlocking=`), bound and listening.
public enum SocketBinder {
    public static func open(_ spec: ListenSpec, options: BindOptions) throws(SystemError) -> Int32 {
        switch spec {
        case .stream(let address): return try socket(address, type: SOCK_STREAM, options: options, listen: true)
        case .sequentialPacket(let address): return try socket(address, type: SOCK_SEQPACKET, options: options, listen: true)
        case .datagram(let address): return try socket(address, type: SOCK_DGRAM, options: options, listen: false)
        case .fifo(let path): return try fifo(path, options: options)
        case .special(let path):
            let flags = (options.writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY
            return try retrying("open(\(path))") { Glibc.open(path, flags) }
        case .netlink(_, let protocolNumber, let group):
            let fd = try retrying("socket(AF_NETLINK)") {
                Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), protocolNumber)
            }
            var address = sockaddr_nl()
            address.nl_family = sa_family_t(AF_NETLINK)
            address.nl_groups = group == 0 ? 0 : 1 << (group - 1)
            do throws(SystemError) {
                try applyOptions(fd, options: options, isIP: false)
                _ = try retrying("bind(netlink \(spec))") {
                    withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                        }
                    }
                }
            } catch {
                closeDescriptor(fd)
                throw error
            }
            return fd
        case .messageQueue(let name):
            return try retrying("mq_open(\(name))") { cwick_mq_open(name, options.socketMode, 0, 0) }
        }
    }

    static func socket(_ address: SocketAddress, type: __socket_type, options: BindOptions, listen: Bool) throws(SystemError) -> Int32 {
        if case .anyPort(let port) = address {
            do throws(SystemError) {
                return try socket(.ipv6(bytes: Array(repeating: 0, count: 16), port: port), type: type,
                                  options: options, listen: listen, dualStack: options.bindIPv6Only != .ipv6Only)
            } catch where error.code == EAFNOSUPPORT {
                return try socket(.ipv4(bytes: [0, 0, 0, 0], port: port), type: type, options: options, listen: listen)
            }
        }
        return try socket(address, type: type, options: options, listen: listen, dualStack: options.bindIPv6Only == .both)
    }

    static func socket(
        _ address: SocketAddress, type: __socket_type, options: BindOptions, listen: Bool, dualStack: Bool
    ) throws(SystemError) -> Int32 {
        let storage = try SocketAddressStorage(address)
        let fd = try retrying("socket(\(address))") {
            Glibc.socket(storage.family, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | (options.nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0), 0)
        }
        do throws(SystemError) {
            let isIP = !address.isUnix
            if isIP { try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR") }
            if case .ipv6 = address, options.bindIPv6Only != .default || dualStack {
                try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, dualStack ? 0 : 1, "IPV6_V6ONLY")
            }
            try applyOptions(fd, options: options, isIP: isIP)
            if case .unixPath(let path) = address {
                try makeParentDirectories(path, mode: options.directoryMode)
                _ = unlink(path)
            }
            _ = try retrying("bind(\(address))") { storage.withSockaddr { Glibc.bind(fd, $0, $1) } }
            if case .unixPath(let path) = address {
                _ = try retrying("chmod(\(path))") { chmod(path, mode_t(options.socketMode)) }
            }
            if listen {
                _ = try retrying("listen(\(address))") { Glibc.listen(fd, options.backlog) }
            }
        } catch {
            closeDescriptor(fd)
            throw error
        }
        return fd
    }

    static func applyOptions(_ fd: Int32, options: BindOptions, isIP: Bool) throws(SystemError) {
        if options.reusePort { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT") }
        if options.broadcast { try setOption(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST") }
        if options.keepAlive { try setOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE") }
        if options.passCredentials { try setOption(fd, SOL_SOCKET, SO_PASSCRED, 1, "SO_PASSCRED") }
        if options.passSecurity { try setOption(fd, SOL_SOCKET, SO_PASSSEC, 1, "SO_PASSSEC") }
        if let priority = options.priority { try setOption(fd, SOL_SOCKET, SO_PRIORITY, priority, "SO_PRIORITY") }
        if let size = options.receiveBuffer { try setOption(fd, SOL_SOCKET, SO_RCVBUF, Int32(clamping: size), "SO_RCVBUF") }
        if let size = options.sendBuffer { try setOption(fd, SOL_SOCKET, SO_SNDBUF, Int32(clamping: size), "SO_SNDBUF") }
        if isIP {
            if options.freeBind { try setOption(fd, Int32(IPPROTO_IP), IP_FREEBIND, 1, "IP_FREEBIND") }
            if options.noDelay { try setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1, "TCP_NODELAY") }
        }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws(SystemError) {
        var value = value
        _ = try retrying("setsockopt(\(label))") {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    static func fifo(_ path: String, options: BindOptions) throws(SystemError) -> Int32 {
        try makeParentDirectories(path, mode: options.directoryMode)
        if mkfifo(path, mode_t(options.socketMode)) < 0 && errno != EEXIST { throw SystemError("mkfifo(\(path))") }
        _ = chmod(path, mode_t(options.socketMode))
        return try retrying("open(\(path))") { Glibc.open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK) }
    }

    /// Removes a POSIX message queue (`RemoveOnStop=` for `ListenMessageQueue=`).
    public static func removeMessageQueue(_ name: String) {
        _ = cwick_mq_unlink(name)
    }

    /// Creates missing parent directories with `mode` (systemd's `DirectoryMode=`).
    public static func makeParentDirectories(_ path: String, mode: UInt32) throws(SystemError) {
        var prefix = ""
        for component in path.split(separator: "/").dropLast() {
            prefix += "/" + component
            if mkdir(prefix, mode_t(mode)) < 0 && errno != EEXIST { throw SystemError("mkdir(\(prefix))") }
        }
    }
}
