import CWick
import Glibc
import WickUnits

/// The socket options of systemd.socket(5) that apply when an endpoint is created.
public struct BindOptions: Sendable {
    /// systemd's default `Backlog=` is SOMAXCONN_DELUXE (INT_MAX, socket_init()): the kernel caps
    /// it at net.core.somaxconn, whatever that is set to.
    public var backlog: Int32 = Int32.max
    public var bindIPv6Only = SocketSection.BindIPv6Only.default
    public var socketMode: UInt32 = 0o666
    public var directoryMode: UInt32 = 0o755
    /// New parent directories get exactly `directoryMode` (PID 1's umask of 0), or that mode
    /// under the process's umask (`wick activate`, as systemd-socket-activate's mkdir_parents()).
    public var exactDirectoryMode = true
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
    /// `KeepAliveTimeSec=`, `KeepAliveIntervalSec=` (whole seconds) and `KeepAliveProbes=`.
    public var keepAliveTime: Int32?
    public var keepAliveInterval: Int32?
    public var keepAliveProbes: Int32?
    public var passPacketInfo = false
    public var timestamping = SocketSection.Timestamping.off
    /// `SOCK_NONBLOCK` from creation: listeners wick accepts on itself (its control and metrics
    /// sockets, `Accept=yes` sockets), never one passed to a service.
    public var nonBlocking = false
    /// An open cgroup directory to create IP sockets in (systemd's socket_address_listen_in_cgroup()):
    /// their traffic, and that of connections accepted from them, meets the cgroup's programs.
    public var controlGroup: Int32?

    public init() {}

    /// The options of a socket unit.
    public init(_ socket: SocketSection) {
        // systemd passes its unsigned Backlog= to listen(2) as an int (above INT_MAX: negative,
        // which the kernel caps like any value above net.core.somaxconn).
        backlog = socket.backlog.map { Int32(bitPattern: $0) } ?? Int32.max
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
        // systemd's socket_apply_socket_options() sets these only when above 0 (0 keeps the
        // kernel's default buffer) and a priority only when not negative.
        receiveBuffer = socket.receiveBuffer.flatMap { $0 > 0 ? $0 : nil }
        sendBuffer = socket.sendBuffer.flatMap { $0 > 0 ? $0 : nil }
        priority = socket.priority.flatMap { $0 >= 0 ? $0 : nil }
        writable = socket.writable
        keepAliveTime = socket.keepAliveTime.map { Self.seconds($0) }
        keepAliveInterval = socket.keepAliveInterval.map { Self.seconds($0) }
        keepAliveProbes = socket.keepAliveProbes.map { Int32(clamping: $0) }
        passPacketInfo = socket.passPacketInfo
        timestamping = socket.timestamping
    }

    /// systemd passes `usec / USEC_PER_SEC` to TCP_KEEPIDLE and TCP_KEEPINTVL.
    static func seconds(_ span: TimeSpan) -> Int32 { Int32(clamping: span.microseconds / 1_000_000) }

    /// Whether socket_apply_socket_options() has anything to set (an `Accept=yes` connection
    /// makes no system call for it otherwise).
    public var setsSocketOptions: Bool {
        keepAlive || keepAliveTime != nil || keepAliveInterval != nil || keepAliveProbes != nil || noDelay || broadcast
            || passCredentials || passSecurity || passPacketInfo || timestamping != .off || priority != nil
            || receiveBuffer != nil || sendBuffer != nil
    }
}

/// Creates the fd for one `Listen*=` line (systemd's `socket_address_listen()`): close-on-exec,
/// blocking (services expect blocking listeners unless `NonBlocking=`), bound and listening.
public enum SocketBinder {
    /// Opens one endpoint of wick's own (no per-unit socket options, so nothing to warn about).
    public static func open(_ spec: ListenSpec, options: BindOptions) throws(SystemError) -> Int32 {
        var warnings: [String] = []
        return try open(spec, options: options, warnings: &warnings)
    }

    /// Opens one `Listen*=` endpoint. A socket option the socket refuses is a warning appended to
    /// `warnings` ("TCP_NODELAY failed: Operation not supported"), not a failure, as in systemd's
    /// socket_apply_socket_options(); only what socket_address_listen() treats as fatal
    /// (SO_REUSEADDR, IPV6_V6ONLY, bind, listen) throws.
    public static func open(_ spec: ListenSpec, options: BindOptions, warnings: inout [String]) throws(SystemError) -> Int32 {
        switch spec {
        case .stream(let address): return try socket(address, type: SOCK_STREAM, options: options, listen: true, warnings: &warnings)
        case .sequentialPacket(let address): return try socket(address, type: SOCK_SEQPACKET, options: options, listen: true, warnings: &warnings)
        case .datagram(let address): return try socket(address, type: SOCK_DGRAM, options: options, listen: false, warnings: &warnings)
        case .fifo(let path): return try fifo(path, options: options)
        case .special(let path):
            // systemd's special_address_create(): never blocking, not through a symlink, and only
            // a regular file or a character device.
            let flags = (options.writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW
            let fd = try retrying("open(\(path))") { Glibc.open(path, flags) }
            var info = stat()
            guard fstat(fd, &info) == 0, [S_IFREG, S_IFCHR].contains(info.st_mode & S_IFMT) else {
                closeDescriptor(fd)
                throw SystemError("ListenSpecial=\(path): not a regular file or character device", code: EEXIST)
            }
            return fd
        case .netlink(_, let protocolNumber, let group):
            let fd = try retrying("socket(AF_NETLINK)") {
                Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), protocolNumber)
            }
            var address = sockaddr_nl()
            address.nl_family = sa_family_t(AF_NETLINK)
            // socket_address_parse_netlink(): the group is the `nl_groups` bit mask as written.
            address.nl_groups = group
            do throws(SystemError) {
                try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
                applyOptions(fd, options: options, family: AF_NETLINK, warnings: &warnings)
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
            // systemd's mq_address_create(): made under umask(~SocketMode=), and refused (EEXIST)
            // when a queue already there has another mode or owner.
            let mode = options.socketMode & 0o777
            let fd = try withUmask(~mode & 0o777) { () throws(SystemError) in try retrying("mq_open(\(name))") { cwick_mq_open(name, mode, 0, 0) } }
            guard isOwnNode(fd, type: nil, mode: mode) else {
                closeDescriptor(fd)
                throw SystemError("ListenMessageQueue=\(name): exists with another mode or owner", code: EEXIST)
            }
            return fd
        }
    }

    static func socket(
        _ address: SocketAddress, type: __socket_type, options: BindOptions, listen: Bool, warnings: inout [String]
    ) throws(SystemError) -> Int32 {
        if case .anyPort(let port) = address {
            do throws(SystemError) {
                return try socket(.ipv6(bytes: Array(repeating: 0, count: 16), port: port), type: type,
                                  options: options, listen: listen, dualStack: options.bindIPv6Only == .both, warnings: &warnings)
            } catch where error.code == EAFNOSUPPORT {
                return try socket(.ipv4(bytes: [0, 0, 0, 0], port: port), type: type, options: options, listen: listen, warnings: &warnings)
            }
        }
        return try socket(address, type: type, options: options, listen: listen, dualStack: options.bindIPv6Only == .both, warnings: &warnings)
    }

    static func socket(
        _ address: SocketAddress, type: __socket_type, options: BindOptions, listen: Bool, dualStack: Bool, warnings: inout [String]
    ) throws(SystemError) -> Int32 {
        let storage = try SocketAddressStorage(address)
        let flags = Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | (options.nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        let fd: Int32
        if let cgroup = options.controlGroup, !address.isUnix {
            let created = cwick_socket_in_cgroup(cgroup, storage.family, flags, 0)
            guard created >= 0 else { throw SystemError("socket(\(address)) in the socket unit's cgroup", code: -created) }
            fd = created
        } else {
            fd = try retrying("socket(\(address))") { Glibc.socket(storage.family, flags, 0) }
        }
        do throws(SystemError) {
            // socket_address_listen(): IPV6_V6ONLY only when BindIPv6Only= is not `default`
            // (net.ipv6.bindv6only decides then), the bind-time IP options, then SO_REUSEADDR on
            // every socket.
            if case .ipv6 = address, options.bindIPv6Only != .default || dualStack {
                try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, dualStack ? 0 : 1, "IPV6_V6ONLY")
            }
            applyBindOptions(fd, options: options, family: storage.family, warnings: &warnings)
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
            applyOptions(fd, options: options, family: storage.family, warnings: &warnings)
            if case .unixPath(let path) = address {
                try makeParentDirectories(path, mode: options.directoryMode, exact: options.exactDirectoryMode)
                _ = unlink(path)
                // Bound under umask(~SocketMode=), as systemd does: the node is made with exactly
                // the mode's permission bits (no sticky or set-id bit), never wider for a moment.
                _ = try withUmask(~options.socketMode & 0o777) { () throws(SystemError) in
                    try retrying("bind(\(address))") { storage.withSockaddr { Glibc.bind(fd, $0, $1) } }
                }
            } else {
                _ = try retrying("bind(\(address))") { storage.withSockaddr { Glibc.bind(fd, $0, $1) } }
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

    /// The non-fatal part of socket_address_listen(), for IP sockets only: `ReusePort=` and
    /// `FreeBind=`; a refusal is a warning.
    static func applyBindOptions(_ fd: Int32, options: BindOptions, family: Int32, warnings: inout [String]) {
        guard family == AF_INET || family == AF_INET6 else { return }
        func set(_ level: Int32, _ name: Int32, _ value: Int32, _ label: String) {
            do throws(SystemError) { try setOption(fd, level, name, value, label) } catch { warnings.append("\(label) failed: \(error.reason)") }
        }
        if options.reusePort { set(SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT") }
        if options.freeBind {
            family == AF_INET6 ? set(Int32(IPPROTO_IPV6), IPV6_FREEBIND, 1, "IPV6_FREEBIND") : set(Int32(IPPROTO_IP), IP_FREEBIND, 1, "IP_FREEBIND")
        }
    }

    /// systemd's socket_apply_socket_options(), on a listener and (`Accept=yes`) on each
    /// connection accepted from it (socket_dispatch_io()): every option is tried on every
    /// socket, whatever its type (as systemd does), and a refusal is a warning.
    public static func applyOptions(_ fd: Int32, options: BindOptions, family: Int32, warnings: inout [String]) {
        func set(_ level: Int32, _ name: Int32, _ value: Int32, _ label: String) {
            do throws(SystemError) { try setOption(fd, level, name, value, label) } catch { warnings.append("\(label) failed: \(error.reason)") }
        }
        if options.keepAlive { set(SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE") }
        if let seconds = options.keepAliveTime, seconds > 0 { set(Int32(IPPROTO_TCP), TCP_KEEPIDLE, seconds, "TCP_KEEPIDLE") }
        if let seconds = options.keepAliveInterval, seconds > 0 { set(Int32(IPPROTO_TCP), TCP_KEEPINTVL, seconds, "TCP_KEEPINTVL") }
        if let probes = options.keepAliveProbes, probes > 0 { set(Int32(IPPROTO_TCP), TCP_KEEPCNT, probes, "TCP_KEEPCNT") }
        if options.noDelay { set(Int32(IPPROTO_TCP), TCP_NODELAY, 1, "TCP_NODELAY") }
        if options.broadcast { set(SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST") }
        if options.passCredentials { set(SOL_SOCKET, SO_PASSCRED, 1, "SO_PASSCRED") }
        if options.passSecurity { set(SOL_SOCKET, SO_PASSSEC, 1, "SO_PASSSEC") }
        if options.passPacketInfo {
            // socket_set_recvpktinfo(): per family, EAFNOSUPPORT for the others.
            let option: (level: Int32, name: Int32)? = switch family {
            case AF_INET: (Int32(IPPROTO_IP), IP_PKTINFO)
            case AF_INET6: (Int32(IPPROTO_IPV6), IPV6_RECVPKTINFO)
            case AF_NETLINK: (SOL_NETLINK, NETLINK_PKTINFO)
            default: nil
            }
            if let option {
                do throws(SystemError) { try setOption(fd, option.level, option.name, 1, "packet info") } catch {
                    warnings.append("Failed to enable packet info socket option: \(error.reason)")
                }
            } else {
                warnings.append("Failed to enable packet info socket option: \(SystemError("", code: EAFNOSUPPORT).reason)")
            }
        }
        if options.timestamping != .off {
            let name = options.timestamping == .ns ? SO_TIMESTAMPNS : SO_TIMESTAMP
            do throws(SystemError) { try setOption(fd, SOL_SOCKET, name, 1, "timestamping") } catch {
                warnings.append("Failed to enable timestamping socket option, ignoring: \(error.reason)")
            }
        }
        if let priority = options.priority { set(SOL_SOCKET, SO_PRIORITY, priority, "SO_PRIORITY") }
        if let size = options.receiveBuffer { setBuffer(fd, SO_RCVBUF, SO_RCVBUFFORCE, size, "SO_RCVBUF/SO_RCVBUFFORCE", &warnings) }
        if let size = options.sendBuffer { setBuffer(fd, SO_SNDBUF, SO_SNDBUFFORCE, size, "SO_SNDBUF/SO_SNDBUFFORCE", &warnings) }
    }

    /// systemd's fd_set_rcvbuf()/fd_set_sndbuf(): the plain option, and the FORCE one when the
    /// kernel capped it below what was asked (it reads back double the value it keeps).
    static func setBuffer(_ fd: Int32, _ plain: Int32, _ force: Int32, _ size: UInt64, _ label: String, _ warnings: inout [String]) {
        let wanted = Int32(clamping: size)
        var value = wanted
        if setsockopt(fd, SOL_SOCKET, plain, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 {
            var actual: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fd, SOL_SOCKET, plain, &actual, &length) == 0, Int64(actual) >= 2 * Int64(wanted) { return }
        }
        value = wanted
        if setsockopt(fd, SOL_SOCKET, force, &value, socklen_t(MemoryLayout<Int32>.size)) != 0 && errno != EPERM {
            warnings.append("\(label) failed: \(SystemError("", code: errno).reason)")
        }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws(SystemError) {
        var value = value
        _ = try retrying("setsockopt(\(label))") {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// systemd's fifo_address_create(): made under umask(~SocketMode=); the path, never followed
    /// through a symlink, must then be a FIFO with exactly that mode, owned by wick's user and
    /// group, or the socket fails with EEXIST (as systemd's does: also a FIFO a `SocketUser=`
    /// gave away at an earlier start, docs/daemon.md).
    static func fifo(_ path: String, options: BindOptions) throws(SystemError) -> Int32 {
        try makeParentDirectories(path, mode: options.directoryMode, exact: options.exactDirectoryMode)
        let mode = options.socketMode & 0o777
        let made = withUmask(~mode & 0o777) { mkfifo(path, mode_t(mode)) == 0 || errno == EEXIST }
        if !made { throw SystemError("mkfifo(\(path))") }
        let fd = try retrying("open(\(path))") { Glibc.open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW) }
        guard isOwnNode(fd, type: S_IFIFO, mode: mode) else {
            closeDescriptor(fd)
            throw SystemError("ListenFIFO=\(path): exists and is not a FIFO of mode \(String(mode, radix: 8)) owned by wick", code: EEXIST)
        }
        return fd
    }

    /// Whether the open node is of `type` (any when nil), has exactly the permission bits
    /// `mode`, and belongs to wick's user and group (the checks of fifo_address_create() and
    /// mq_address_create()).
    static func isOwnNode(_ fd: Int32, type: mode_t?, mode: UInt32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        if let type, info.st_mode & S_IFMT != type { return false }
        return UInt32(info.st_mode & 0o777) == mode && info.st_uid == getuid() && info.st_gid == getgid()
    }

    /// systemd's flush_accept() and flush_fd(): accepts and closes the connections waiting on a
    /// listening socket, reads and drops what waits on any other fd, without ever blocking (the
    /// fd may be blocking: each step polls first) and at most 4,096 steps.
    /// A kept listener that becomes an `Accept=yes` socket's: wick accepts on it and must not
    /// block there (an `Accept=no` service may have cleared O_NONBLOCK on the open file it
    /// shares, NonBlocking=no).
    public static func setNonBlocking(_ fd: Int32, _ nonBlocking: Bool) throws(SystemError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { throw SystemError("fcntl(F_GETFL)") }
        let wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if wanted != flags, fcntl(fd, F_SETFL, wanted) < 0 { throw SystemError("fcntl(F_SETFL)") }
    }

    public static func flush(_ fd: Int32) {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        let listening = getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting != 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<4096 {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 0) == 1, ready.revents & Int16(POLLIN) != 0 else { return }
            if listening {
                let connection = cwick_accept4(fd, nil, nil, Int32(SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue))
                guard connection >= 0 else { return }
                closeDescriptor(connection)
            } else {
                guard buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 else { return }
            }
        }
    }

    /// Removes a POSIX message queue (`RemoveOnStop=` for `ListenMessageQueue=`).
    public static func removeMessageQueue(_ name: String) {
        _ = cwick_mq_unlink(name)
    }

    /// Creates missing parent directories with exactly `mode` (systemd's `DirectoryMode=`, made
    /// by mkdir_parents_label() under PID 1's umask of 0), or under the process's umask when not
    /// `exact`; existing ones are left as they are.
    public static func makeParentDirectories(_ path: String, mode: UInt32, exact: Bool = true) throws(SystemError) {
        var prefix = ""
        for component in path.split(separator: "/").dropLast() {
            prefix += "/"
            prefix += String(component)  // `String + Substring` took the generic append: 186,000 instructions at start-up
            let made = exact
                ? withUmask(0) { mkdir(prefix, mode_t(mode & 0o7777)) == 0 || errno == EEXIST }
                : mkdir(prefix, mode_t(mode & 0o7777)) == 0 || errno == EEXIST
            if !made { throw SystemError("mkdir(\(prefix))") }
        }
    }

    /// Runs `body` with the process's umask set to `mask` (the daemon is one thread; the umask
    /// of its children is their unit's `UMask=`, set in the spawn).
    static func withUmask<T, E: Error>(_ mask: UInt32, _ body: () throws(E) -> T) throws(E) -> T {
        let previous = umask(mode_t(mask))
        defer { umask(previous) }
        return try body()
    }
}
