import Foundation
import Glibc
import Testing
@testable import WickCLI
import WickDaemon
import WickUnits

/// `wick activate` end to end: the real binary, real sockets, the libsystemd test service.
@Suite(.serialized) struct ActivateCommandTests {
    func start(_ arguments: [String]) throws -> BackgroundProcess {
        try BackgroundProcess(BinaryRunner.wick, ["activate"] + arguments)
    }

    /// Many `-l` are gathered before swift-argument-parser sees them (it is quadratic in repeated
    /// options): in order, and never the command's own arguments.
    @Test func listensAreCondensedInOrderBeforeTheCommand() {
        #expect(Activate.condensingListens(["activate", "-l", "80", "--accept", "--listen", "/run/a", "--listen=@b", "-E", "-l", "cat", "-l", "x"])
                == ["activate", "--listen-condensed", "80\0/run/a\0@b", "--accept", "-E", "-l", "cat", "-l", "x"])
        #expect(Activate.condensingListens(["activate", "-l", "80", "--", "ls", "-l"]) == ["activate", "--listen-condensed", "80", "--", "ls", "-l"])
        #expect(Activate.condensingListens(["status", "-l", "80"]) == ["status", "-l", "80"])
    }

    /// The condensed list is cut at its NUL bytes only, empty entries and non-ASCII kept, and the
    /// `-l` given after it follow; `LISTEN_FDNAMES` keeps an empty name and names the rest `unknown`.
    @Test func condensedListensAreCutAtNULsAndUnnamedFdsAreUnknown() throws {
        let parsed = try Activate.parse(["--listen-condensed", "80\0\0/run/\u{E9}t\u{E9}\0@b", "-l", "81", "cat"])
        #expect(parsed.listens == ["80", "", "/run/\u{E9}t\u{E9}", "@b", "81"])
        let specs = [ListenSpec.stream(.anyPort(1)), .stream(.anyPort(2)), .stream(.anyPort(3))]
        let configuration = ActivateConfiguration(listens: specs, accept: false, inetd: false, fdNames: ["web", ""], environment: [], command: ["cat"])
        #expect(configuration.listenFDNames == "web::unknown")
    }

    @Test func withoutAcceptTheServiceGetsEveryFdInOrderWithNamesAndNothingElse() throws {
        let first = TestClient.freePort(), second = TestClient.freePort()
        let wick = try start(["-l", "127.0.0.1:\(first)", "-l", "127.0.0.1:\(second)", "--fdname=web:admin",
                              BinaryRunner.testService, "report"])
        defer { wick.stop() }
        #expect(TestClient.waitListening(first) && TestClient.waitListening(second), "\(wick.log)")
        let report = TestClient.report(TestClient.readAll(TestClient.connectTCP(second)))
        #expect(report["listen_fds"] == "2")
        #expect(report["names"] == "web:admin")
        #expect(report["pid_matches"] == "1")
        #expect(report["kinds"] == "listening,listening")
        #expect(report["open"] == "0,1,2,3,4", "the service must get exactly its fds: \(report)")
        #expect(wick.log.contains("wick activate: Listening on 127.0.0.1:\(first) as fd 3.\nwick activate: Listening on 127.0.0.1:\(second) as fd 4.\n"), "\(wick.log)")
    }

    @Test func exitOnIdleWithRearmLosesNoConnection() throws {
        let port = TestClient.freePort()
        let wick = try start(["--rearm", "-l", "127.0.0.1:\(port)", BinaryRunner.testService, "report"])
        defer { wick.stop() }
        #expect(TestClient.waitListening(port))
        // Five clients connect at once; each service run takes one and exits; the rest wait in the
        // backlog and start the next run.
        let fds = (0..<5).map { _ in TestClient.connectTCP(port) }
        let reports = fds.map { TestClient.report(TestClient.readAll($0)) }
        #expect(reports.allSatisfy { $0["listen_fds"] == "1" && $0["names"] == "unknown" && $0["pid_matches"] == "1" })
        #expect(Set(reports.compactMap { $0["pid"] }).count == 5, "one run per connection: \(reports)")
    }

    @Test func acceptModeServesFiftyConcurrentClients() throws {
        let port = TestClient.freePort()
        let wick = try start(["--accept", "-l", "127.0.0.1:\(port)", BinaryRunner.testService, "report"])
        defer { wick.stop() }
        #expect(TestClient.waitListening(port))
        let fds = (0..<50).map { _ in TestClient.connectTCP(port) }
        let localPorts = fds.map(TestClient.localPort)
        let reports = fds.map { TestClient.report(TestClient.readAll($0)) }
        for (report, localPort) in zip(reports, localPorts) {
            #expect(report["listen_fds"] == "1")
            #expect(report["names"] == "connection")
            #expect(report["kinds"] == "connection")
            #expect(report["pid_matches"] == "1")
            #expect(report["remote"] == "127.0.0.1:\(localPort)")
            #expect(report["open"] == "0,1,2,3")
        }
        #expect(Set(reports.compactMap { $0["pid"] }).count == 50)
        var leftovers = wick.children()
        for _ in 0..<200 where !leftovers.isEmpty {
            usleep(10_000)
            leftovers = wick.children()
        }
        #expect(leftovers.isEmpty, "every child is reaped")
    }

    @Test func inetdModeUsesStdinAndStdout() throws {
        let port = TestClient.freePort()
        let wick = try start(["--inetd", "--accept", "-l", "127.0.0.1:\(port)", BinaryRunner.testService, "report"])
        defer { wick.stop() }
        #expect(TestClient.waitListening(port))
        let fd = TestClient.connectTCP(port)
        let local = TestClient.localPort(fd)
        let report = TestClient.report(TestClient.readAll(fd))
        #expect(report["listen_fds"] == "0")
        #expect(report["remote"] == "127.0.0.1:\(local)")
    }

    @Test func unixAndDatagramSocketsMix() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wick-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("sub/s.sock").path
        let udp = TestClient.freePort()
        let wick = try start(["-l", path, "-l", "datagram:127.0.0.1:\(udp)", BinaryRunner.testService, "report"])
        defer { wick.stop(); try? FileManager.default.removeItem(at: directory) }
        // The file exists from bind(2) on, before the mode is set and listen(2) is called: a
        // client retries until it is accepted (under load the first try can come in between).
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        var fd: Int32 = -1, connected: Int32 = -1, attempts = 0
        while connected != 0 && attempts < 250 {
            if fd >= 0 { close(fd); usleep(20_000) }
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            attempts += 1
        }
        #expect(connected == 0, "\(wick.log)")
        let report = TestClient.report(TestClient.readAll(fd))
        #expect(report["listen_fds"] == "2")
        #expect(report["names"] == "unknown:unknown")
        #expect(report["kinds"] == "listening,connection", "a datagram socket does not listen")
        #expect(wick.log.contains("wick activate: Listening on \(path) as fd 3.\nwick activate: Listening on 127.0.0.1:\(udp) as fd 4.\n"),
                "a path and a datagram address are written as their description: \(wick.log)")
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o644, "make_socket_fd(): 0644")
    }

    /// Without --accept (and without --rearm) the command replaces wick at the first traffic, as
    /// with systemd-socket-activate: it runs once, with LISTEN_PID its own (wick's) pid, and its
    /// exit status is wick's.
    @Test func withoutAcceptTheCommandRunsOnceInPlaceAndItsStatusIsWicks() throws {
        let port = TestClient.freePort()
        let wick = try start(["-l", "127.0.0.1:\(port)", "/bin/sh", "-c", "[ \"$LISTEN_PID\" = \"$$\" ] && exit 7; exit 1"])
        defer { wick.stop() }
        #expect(TestClient.waitListening(port))
        let pid = wick.pid
        close(TestClient.connectTCP(port))
        #expect(wick.waitForExit(seconds: 10) == 7, "LISTEN_PID is the exec'd process, which is wick's pid \(pid): \(wick.log)")
        #expect(wick.log.contains("Communication attempt on fd 3."))
    }

    /// --rearm with a command that exits at once and leaves the traffic queued: the trigger
    /// limit (20 starts in 2 s) ends it, instead of starting it again for ever.
    @Test func rearmStopsAtTheTriggerLimit() throws {
        let port = TestClient.freePort()
        let wick = try start(["--rearm", "-l", "127.0.0.1:\(port)", "/bin/true"])
        defer { wick.stop() }
        #expect(TestClient.waitListening(port))
        let client = TestClient.connectTCP(port)
        defer { close(client) }
        #expect(wick.waitForExit(seconds: 10) == 1, "\(wick.log)")
        #expect(wick.log.contains("trigger limit hit (more than 20 starts in 2 s), exiting"))
    }

    /// --inetd without --accept: the one listening socket is stdin and stdout; a UDP service in
    /// the inetd "wait" style is served twice in a row with --rearm.
    @Test func inetdWithoutAcceptPassesTheListeningSocketAsStdio() throws {
        let port = TestClient.freePort()
        let script = BinaryRunner.repositoryRoot.appendingPathComponent("Tests/scripts/udp-wait-service.py").path
        let wick = try start(["--inetd", "--datagram", "--rearm", "-l", "127.0.0.1:\(port)", "/usr/bin/python3", script])
        defer { wick.stop() }
        #expect(TestClient.waitBoundUDP(port), "\(wick.log)")
        let first = TestClient.udpExchange(port, "one")
        #expect(first.hasSuffix("listen_fds=none got=one"), "\(first) \(wick.log)")
        usleep(600_000)
        let second = TestClient.udpExchange(port, "two")
        #expect(second.hasSuffix("listen_fds=none got=two"), "\(second) \(wick.log)")
        #expect(first.split(separator: " ").first != second.split(separator: " ").first, "two runs")
        let two = try BinaryRunner.wick("activate", "--inetd", "-l", "127.0.0.1:9", "-l", "127.0.0.1:10", "/bin/cat")
        #expect(two.status == 64 && two.stderr.contains("--inetd without --accept needs exactly one -l ADDRESS"))
    }

    @Test func missingCommandExits127AndSaysWhy() throws {
        let port = TestClient.freePort()
        let wick = try start(["-l", "127.0.0.1:\(port)", "/nonexistent/server"])
        defer { wick.stop() }
        #expect(TestClient.waitListening(port))
        close(TestClient.connectTCP(port))
        #expect(wick.waitForExit(seconds: 10) == 127)
        #expect(wick.log.contains("wick activate: exec /nonexistent/server: No such file or directory"))
    }

    @Test func portInUseFailsWithAClearMessage() throws {
        let port = TestClient.freePort()
        let holder = TestClient.holdPort(port)
        defer { close(holder) }
        let wick = try start(["-l", "127.0.0.1:\(port)", "/bin/true"])
        defer { wick.stop() }
        #expect(wick.waitForExit(seconds: 10) == 1)
        #expect(wick.log.contains("bind(127.0.0.1:\(port)): Address already in use"))
    }

    @Test func badArgumentsAreRefused() throws {
        let noCommand = try BinaryRunner.wick("activate", "-l", "8080")
        #expect(noCommand.status == 64)
        let acceptDatagram = try BinaryRunner.wick("activate", "-a", "-d", "-l", "127.0.0.1:9", "/bin/true")
        #expect(acceptDatagram.status == 64)
        #expect(acceptDatagram.stderr.contains("--accept needs stream or sequential-packet sockets"))
        let vsock = try BinaryRunner.wick("activate", "-l", "vsock:1:2", "/bin/true")
        #expect(vsock.stderr.contains("AF_VSOCK"))
    }
}
