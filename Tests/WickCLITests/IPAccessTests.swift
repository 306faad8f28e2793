import Foundation
import Glibc
import Testing

/// Issue 13 (first part): IPAddressDeny=any with IPAddressAllow=127.0.0.2/32 on wick's own
/// sockets: a client from 127.0.0.2 is served, one from 127.0.0.1 never reaches the socket (the
/// socket filter drops its SYN or datagram), for Accept=no over TCP and UDP and for Accept=yes.
@Suite(.serialized) struct IPAccessTests {
    /// Connects from `source` to 127.0.0.1:port and reads the answer; "" when nothing answers
    /// within `seconds`.
    static func exchange(from source: String, port: UInt16, datagram: Bool, seconds: Int = 1) -> String {
        let fd = socket(AF_INET, Int32((datagram ? SOCK_DGRAM : SOCK_STREAM).rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = port.bigEndian
        remote.sin_addr.s_addr = inet_addr("127.0.0.1")
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard withUnsafePointer(to: &local, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }) == 0,
              withUnsafePointer(to: &remote, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) } }) == 0 else { return "" }
        if datagram { _ = "ping".withCString { send(fd, $0, 4, 0) } }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
    }

    @Test func onlyTheAllowedSourceReachesTheService() throws {
        let tcp = TestClient.freePort(), udp = TestClient.freePort(), each = TestClient.freePort()
        let rules = "IPAddressDeny=any\nIPAddressAllow=127.0.0.2/32\n"
        let live = try ControlVerbTests.start([
            "tcp.socket": "[Socket]\nListenStream=127.0.0.1:\(tcp)\n\(rules)",
            "tcp.service": "[Service]\nExecStart=/usr/bin/python3 -c \"import socket\\ns=socket.socket(fileno=3)\\nwhile True:\\n c,_=s.accept(); c.sendall(b'tcp'); c.close()\"\n",
            "udp.socket": "[Socket]\nListenDatagram=127.0.0.1:\(udp)\n",
            "udp.service": "[Service]\n\(rules)ExecStart=/usr/bin/python3 -c \"import socket\\ns=socket.socket(fileno=3)\\nwhile True:\\n d,a=s.recvfrom(64); s.sendto(b'udp',a)\"\n",
            "each.socket": "[Socket]\nListenStream=127.0.0.1:\(each)\nAccept=yes\n\(rules)",
            "each@.service": "[Service]\nExecStart=/bin/echo each\nStandardInput=socket\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(tcp) && TestClient.waitListening(each), "\(live.wick.log)")
        #expect(Self.exchange(from: "127.0.0.2", port: tcp, datagram: false, seconds: 5) == "tcp", "\(live.wick.log)")
        #expect(Self.exchange(from: "127.0.0.1", port: tcp, datagram: false) == "", "the SYN never reaches the socket")
        #expect(Self.exchange(from: "127.0.0.2", port: udp, datagram: true, seconds: 5) == "udp", "the service's rules apply to its socket: \(live.wick.log)")
        #expect(Self.exchange(from: "127.0.0.1", port: udp, datagram: true) == "")
        #expect(Self.exchange(from: "127.0.0.2", port: each, datagram: false, seconds: 5) == "each\n")
        #expect(Self.exchange(from: "127.0.0.1", port: each, datagram: false) == "")
        let show = try live.run("show", "tcp.socket").stdout
        #expect(show.contains("IPAddressAllow=127.0.0.2/32") && show.contains("IPAddressDeny=0.0.0.0/0 ::/0"), "\(show)")
        #expect(show.contains("NAccepted=0"), "\(show)")
    }

    /// IPAccounting= on an Accept=yes socket: the bytes of its connections, read with TCP_INFO
    /// when wick closes its copy, match what the client sent and got back.
    @Test func ipAccountingCountsTheConnectionsOfAnAcceptYesSocket() throws {
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "echo.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\nIPAccounting=yes\n",
            "echo@.service": "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port), "\(live.wick.log)")
        let payload = [UInt8](repeating: 0x61, count: 100_000)
        let fd = TestClient.connectTCP(port)
        var sent = 0
        while sent < payload.count {
            let count = payload[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            sent += count
        }
        shutdown(fd, Int32(SHUT_WR))
        let echoed = TestClient.readAll(fd)
        #expect(sent == payload.count && echoed.utf8.count == payload.count)
        var show = ""
        #expect(ControlVerbTests.waitFor {
            show = (try? live.run("show", "echo.socket").stdout) ?? ""
            return show.contains("IPIngressBytes=") && !show.contains("IPIngressBytes=[no data]")
        }, "\(show)")
        func value(_ name: String) -> Double {
            Double(show.split(separator: "\n").first { $0.hasPrefix(name + "=") }?.dropFirst(name.count + 1) ?? "") ?? -1
        }
        #expect(show.contains("IPAccounting=yes"))
        #expect(abs(value("IPIngressBytes") - 100_000) < 3_000 && abs(value("IPEgressBytes") - 100_000) < 3_000, "\(show)")
        #expect(value("IPIngressPackets") > 0 && value("IPEgressPackets") > 0)
        let status = try live.run("status", "echo.socket").stdout
        #expect(status.contains("IP: 9") && status.contains("K in, ") && status.contains("K out"), "systemctl's IP line: \(status)")
    }
}
