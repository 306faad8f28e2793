import Glibc
import Testing
import WickSystem

/// Both ends of an accepted connection as systemd writes them in instance names and
/// `REMOTE_ADDR`: dotted quads for IPv4, and for an IPv4 peer of a dual-stack IPv6 listener
/// (an IPv4-mapped address) as well.
@Suite struct AcceptorTests {
    /// A listener on `address` (family AF_INET or AF_INET6, port 0), one connection to 127.0.0.1
    /// at its port, accepted: both ends and the client's own port.
    /// Nil for AF_INET6 on a host without IPv6 (the socket or its bind refused).
    static func acceptOne(family: Int32) throws -> (AcceptedConnection, clientPort: UInt16, listenPort: UInt16)? {
        let listener = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if listener < 0 && family == AF_INET6 { return nil }
        #expect(listener >= 0)
        defer { close(listener) }
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_any
            var off: Int32 = 0
            _ = setsockopt(listener, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(MemoryLayout<Int32>.size))
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            if bound != 0 { return nil }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        #expect(listen(listener, 4) == 0)
        var bound = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let listenPort = UInt16(bigEndian: bound.sin6_port)  // sin_port and sin6_port share their offset

        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(client) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = listenPort.bigEndian
        target.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(connected == 0)
        var mine = sockaddr_in()
        var mineLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &mine) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(client, $0, &mineLength) } }
        let connection = try #require(try Acceptor.accept(listener))
        return (connection, UInt16(bigEndian: mine.sin_port), listenPort)
    }

    @Test(arguments: [AF_INET, AF_INET6])
    func bothEndsAreDottedQuadsWithTheirPorts(family: Int32) throws {
        guard let (connection, clientPort, listenPort) = try Self.acceptOne(family: family) else {
            #expect(family == AF_INET6, "only IPv6 may be missing")
            return
        }
        defer { close(connection.fd) }
        #expect(connection.remote == .ip(address: "127.0.0.1", port: clientPort))
        #expect(connection.local == .ip(address: "127.0.0.1", port: listenPort))
    }
}
