import CWick
import Glibc
import Testing
@testable import WickSystem
import WickUnits

/// How the nodes and sockets of `Listen*=` lines are made, as systemd's socket_address_listen(),
/// fifo_address_create() and mq_address_create() make them under PID 1's umask of 0.
@Suite(.serialized) struct SocketNodeTests {
    private func directory() -> String {
        let path = "/tmp/wick-node-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(path, 0o700)
        return path
    }

    private func mode(_ path: String) -> UInt32 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt32(info.st_mode & 0o7777) : 0
    }

    private func withProcessUmask<T>(_ mask: mode_t, _ body: () throws -> T) rethrows -> T {
        let previous = umask(mask)
        defer { umask(previous) }
        return try body()
    }

    /// The socket is bound under umask(~SocketMode=): exactly its permission bits, no sticky
    /// bit; new parent directories get exactly `DirectoryMode=` whatever wick's own umask; and
    /// SO_REUSEADDR is set on Unix sockets too.
    @Test func socketAndDirectoryModesAreExact() throws {
        let root = directory()
        defer { _ = system("rm -rf \(root)") }
        var options = BindOptions()
        options.socketMode = 0o1777
        options.directoryMode = 0o777
        let path = root + "/made/s.sock"
        let fd = try withProcessUmask(0o022) { try SocketBinder.open(.stream(.unixPath(path)), options: options) }
        defer { close(fd) }
        #expect(mode(path) == 0o777)
        #expect(mode(root + "/made") == 0o777)
        var reuse: Int32 = 0
        var length = socklen_t(4)
        #expect(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, &length) == 0 && reuse == 1)
    }

    /// fifo_address_create(): a FIFO already at the path with another mode fails the socket
    /// (EEXIST); a new one has exactly `SocketMode=`, and is taken again as it is.
    @Test func aFIFOWithAnotherModeIsRefused() throws {
        let root = directory()
        defer { _ = system("rm -rf \(root)") }
        var options = BindOptions()
        options.socketMode = 0o666
        let other = root + "/other.fifo"
        mkfifo(other, 0o600)
        #expect(throws: SystemError.self) { try SocketBinder.open(.fifo(path: other), options: options) }
        #expect(mode(other) == 0o600, "not changed")
        let fresh = root + "/fresh.fifo"
        let fd = try withProcessUmask(0o022) { try SocketBinder.open(.fifo(path: fresh), options: options) }
        close(fd)
        #expect(mode(fresh) == 0o666)
        let again = try SocketBinder.open(.fifo(path: fresh), options: options)
        close(again)
    }

    /// mq_address_create(): the queue is made under umask(~SocketMode=).
    @Test func aMessageQueueHasExactlyItsMode() throws {
        let name = "/wick-node-\(getpid())"
        var options = BindOptions()
        options.socketMode = 0o666
        let fd: Int32
        do { fd = try withProcessUmask(0o022) { try SocketBinder.open(.messageQueue(name: name), options: options) } } catch {
            // No POSIX message queues on this kernel: nothing to check.
            #expect((error as? SystemError)?.code == ENOSYS, "\(error)")
            return
        }
        defer { close(fd); SocketBinder.removeMessageQueue(name) }
        var info = stat()
        #expect(fstat(fd, &info) == 0 && info.st_mode & 0o777 == 0o666)
    }

    /// socket_address_parse_netlink(): the group is the `nl_groups` mask as written (3 is groups
    /// 1 and 2), and a number names a family; names outside systemd 252's table are refused.
    @Test func netlinkGroupsAndFamiliesAsSystemdReadsThem() throws {
        func listen(_ value: String) -> LoadedUnit {
            UnitBuilder.build(name: try! UnitName("n.socket"), fragment: UnitSourceFile(path: "/units/n.socket", text: "[Socket]\nListenNetlink=\(value)\n"))
        }
        let spec = try #require(listen("route 3").settings.socket.listen.first)
        let fd = try SocketBinder.open(spec, options: BindOptions())
        defer { close(fd) }
        var address = sockaddr_nl()
        var length = socklen_t(MemoryLayout<sockaddr_nl>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        #expect(address.nl_groups == 3)
        #expect(listen("15 1").settings.socket.listen == [.netlink(family: "15", protocolNumber: 15, group: 1)])
        #expect(listen("usersock").diagnostics.contains { $0.message.contains("unknown netlink family") })
    }

    /// systemd's default `Backlog=` is SOMAXCONN_DELUXE (INT_MAX), capped by the kernel.
    @Test func theDefaultBacklogIsTheKernelsLimit() {
        let unit = UnitBuilder.build(name: try! UnitName("a.socket"), fragment: UnitSourceFile(path: "/units/a.socket", text: "[Socket]\nListenStream=80\n"))
        #expect(BindOptions(unit.settings.socket).backlog == Int32.max)
        #expect(BindOptions().backlog == Int32.max)
    }

    /// get_user_creds() for `SocketUser=`: the primary group comes with the user; a number that
    /// is no user is refused; root and nobody are known without /etc/passwd.
    @Test func socketUserCredentials() throws {
        #expect(UserDatabase.userCredentials("root")! == (0, 0))
        #expect(UserDatabase.userCredentials("nobody")! == (65534, 65534))
        #expect(UserDatabase.userCredentials("4000000123") == nil)
        let line = try #require(UserDatabase.entries("/etc/passwd").first { $0.count > 3 && $0[0] != "root" && $0[0] != "nobody" })
        let expected = (UInt32(line[2])!, UInt32(line[3])!)
        #expect(UserDatabase.userCredentials(line[0])! == expected)
        #expect(UserDatabase.userCredentials(line[2])! == expected)
    }
}
