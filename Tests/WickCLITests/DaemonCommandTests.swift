import Foundation
import Glibc
import Testing

/// `wick daemon` end to end: real unit files, real sockets, the libsystemd test service.
@Suite(.serialized) struct DaemonCommandTests {
    struct Running {
        let wick: BackgroundProcess
        let directory: URL

        func stop() -> Int32 {
            let status = wick.stop()
            try? FileManager.default.removeItem(at: directory)
            return status
        }
    }

    func daemon(_ files: [String: String], extra: [String] = []) throws -> Running {
        let directory = try BinaryRunner.directory(files)
        let runtime = directory.appendingPathComponent("run").path
        let wick = try BackgroundProcess(BinaryRunner.wick, ["daemon", "--units", directory.path, "--runtime-dir", runtime] + extra)
        return Running(wick: wick, directory: directory)
    }

    func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            usleep(20_000)
        }
        return false
    }

    @Test func fdsInListenOrderThenOtherSocketsWithNamesAndNothingElse() throws {
        let (a, b, c) = (TestClient.freePort(), TestClient.freePort(), TestClient.freePort())
        let running = try daemon([
            "web.socket": "[Socket]\nListenStream=127.0.0.1:\(a)\nListenStream=127.0.0.1:\(b)\nFileDescriptorName=web\n",
            "admin.socket": "[Socket]\nListenStream=127.0.0.1:\(c)\nService=web.service\n",
            "web.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(a) && TestClient.waitListening(c), "\(running.wick.log)")
        let report = TestClient.report(TestClient.readAll(TestClient.connectTCP(c)))
        #expect(report["listen_fds"] == "3")
        #expect(report["names"] == "web:web:admin.socket")
        #expect(report["pid_matches"] == "1")
        #expect(report["open"] == "0,1,2,3,4,5", "no fd of the daemon reaches the service")
    }

    @Test func theSocketListensAgainAfterTheServiceExits() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "idle.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "idle.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        let fds = (0..<4).map { _ in TestClient.connectTCP(port) }
        let reports = fds.map { TestClient.report(TestClient.readAll($0)) }
        #expect(reports.allSatisfy { $0["names"] == "idle.socket" && $0["listen_fds"] == "1" })
        #expect(Set(reports.compactMap { $0["pid"] }).count == 4, "\(running.wick.log)")
    }

    @Test func acceptYesStartsOneInstancePerConnectionAndReapsThem() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "conn.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "conn@.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        let fds = (0..<50).map { _ in TestClient.connectTCP(port) }
        let locals = fds.map(TestClient.localPort)
        let reports = fds.map { TestClient.report(TestClient.readAll($0)) }
        for (report, local) in zip(reports, locals) {
            #expect(report["names"] == "connection" && report["kinds"] == "connection")
            #expect(report["remote"] == "127.0.0.1:\(local)")
            #expect(report["pid_matches"] == "1")
        }
        #expect(waitFor { running.wick.children().isEmpty }, "no zombies or leftovers")
        #expect(!running.wick.log.contains("conn@0-"), "per-connection lines are debug: \(running.wick.log)")
    }

    /// An `Accept=no` socket's pair for each activation (`listening -> running`, `running ->
    /// listening`) is debug, as systemd logs socket state changes; the service's lines and the
    /// socket's others stay info.
    @Test func aSocketsActivationPairIsDebug() throws {
        let port = TestClient.freePort()
        let files = [
            "once.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "once.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
        ]
        for level in ["info", "debug"] {
            let running = try daemon(files, extra: ["--log-level", level])
            #expect(TestClient.waitListening(port))
            #expect(TestClient.report(TestClient.readAll(TestClient.connectTCP(port)))["listen_fds"] == "1")
            #expect(waitFor { running.wick.log.contains("once.service: running -> dead") }, "\(running.wick.log)")
            // The whole log, read once the daemon has exited (stop() removes it).
            kill(running.wick.pid, SIGTERM)
            #expect(running.wick.waitForExit(seconds: 10) == 0)
            let log = running.wick.log
            _ = running.stop()
            #expect(log.contains("once.service: dead -> running") && log.contains("once.socket: dead -> listening"), "\(log)")
            #expect(log.contains("once.socket: listening -> running") == (level == "debug"), "\(level): \(log)")
            #expect(log.contains("once.socket: running -> listening") == (level == "debug"), "\(level): \(log)")
        }
    }

    /// A connection whose instance a `Condition*=` skips is closed at once (the peer reads EOF,
    /// it does not hang), and `MaxConnections=` is not used up by such instances.
    @Test func aConnectionWhoseInstanceIsSkippedGetsEOF() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "skip.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\nMaxConnections=1\n",
            "skip@.service": "[Unit]\nConditionPathExists=/nonexistent-\(getpid())\n[Service]\nExecStart=/bin/echo hi\nStandardOutput=socket\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        for _ in 0..<3 {
            let fd = TestClient.connectTCP(port)
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            #expect(poll(&ready, 1, 5_000) == 1, "no EOF within 5 s: \(running.wick.log)")
            var byte: UInt8 = 0
            #expect(read(fd, &byte, 1) == 0, "EOF, not data")
            close(fd)
        }
        #expect(waitFor { running.wick.log.contains("condition not met: ConditionPathExists=/nonexistent-") }, "\(running.wick.log)")
    }

    /// systemd's service_spawn(): an `Accept=yes` instance's control commands get its connection
    /// on their stdio too (`StandardInput=socket`), and every command REMOTE_ADDR; the connection
    /// is held until `ExecStopPost=` has run.
    @Test func anInstancesControlCommandsGetItsConnection() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "io.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "io@.service": "[Service]\nExecStartPre=/bin/sh -c 'echo pre $REMOTE_ADDR'\nExecStart=/bin/sh -c 'read line; echo main $line'\n"
                + "ExecStopPost=/bin/sh -c 'echo post $REMOTE_ADDR'\nStandardInput=socket\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        let fd = TestClient.connectTCP(port)
        _ = "hi\n".withCString { send(fd, $0, 3, Int32(MSG_NOSIGNAL)) }
        #expect(TestClient.readAll(fd) == "pre 127.0.0.1\nmain hi\npost 127.0.0.1\n", "\(running.wick.log)")
        #expect(!running.wick.log.contains("Got no socket"), "\(running.wick.log)")
    }

    /// `wick restart` of a live `Accept=yes` instance runs it again on the same connection, as
    /// systemd keeps the connection of an instance that goes dead with a job installed.
    @Test func restartingAnInstanceKeepsItsConnection() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "io.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "io@.service": "[Service]\nExecStart=/bin/sh -c 'echo run; read line; echo got $line'\nStandardInput=socket\n",
        ])
        defer { _ = running.stop() }
        let control = running.directory.appendingPathComponent("run/wick/control").path
        #expect(TestClient.waitListening(port))
        let fd = TestClient.connectTCP(port)
        let unit = "io@0-127.0.0.1:\(port)-127.0.0.1:\(TestClient.localPort(fd)).service"
        var first = [UInt8](repeating: 0, count: 4)
        #expect(recv(fd, &first, 4, Int32(MSG_WAITALL)) == 4 && first == Array("run\n".utf8), "the first run is up")
        let restart = try BinaryRunner.wick("restart", "--control", control, unit)
        #expect(restart.status == 0, "\(restart.stderr)")
        _ = "hi\n".withCString { send(fd, $0, 3, Int32(MSG_NOSIGNAL)) }
        #expect(TestClient.readAll(fd) == "run\ngot hi\n", "the second run on the same connection: \(running.wick.log)")
    }

    /// `MAINPID=` naming a process that is not wick's child (its shell reaps it): wick cannot see
    /// it exit, so a stop does not wait for it once it has gone, and watches it while it runs
    /// (systemd's `main_pid_alien` and `main_pid_good()`); the stop ended at the full
    /// `TimeoutStopSec=`, failed with `timeout`.
    @Test func aStopDoesNotWaitForAMainProcessAnotherOneReaps() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try """
            import os, socket, sys, time
            address = os.environ["NOTIFY_SOCKET"]
            if address.startswith("@"): address = "\\0" + address[1:]
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(("READY=1\\nMAINPID=%d" % os.getpid()).encode(), address)
            time.sleep(float(sys.argv[1]))
            """.write(toFile: "\(out)/notify.py", atomically: true, encoding: .utf8)
        func unit(_ seconds: String) -> String {
            "[Service]\nType=notify\nNotifyAccess=all\nTimeoutStopSec=10\nExecStart=/bin/sh -c 'python3 \(out)/notify.py \(seconds); exec sleep 300'\n"
        }
        let live = try ControlVerbTests.start(["gone.service": unit("0.3"), "alive.service": unit("300")])
        defer { live.stop() }
        for name in ["gone.service", "alive.service"] {
            #expect(try live.run("start", name).status == 0, "\(live.wick.log)")
            if name == "gone.service" { usleep(1_000_000) }   // the main process has exited, reaped by its shell
            #expect(try live.run("stop", name).status == 0, "\(live.wick.log)")
            let state = try live.run("show", name, "-p", "ActiveState", "-p", "Result", "--value").stdout
            #expect(state == "inactive\nsuccess\n", "\(name): \(state) \(live.wick.log)")
        }
    }

    /// A forking service whose main process writes another pid to its `PIDFile=` and exits
    /// runs on with that one as its main process (systemd's service_sigchld_event() reads the
    /// file again), and nothing is logged as refused.
    @Test func aForkingServiceMovesToTheNewPIDOfItsPIDFile() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try "sleep 1\nsleep 100 &\necho $! > \"$1\"\nexit 0\n".write(toFile: "\(out)/daemon.sh", atomically: true, encoding: .utf8)
        let live = try ControlVerbTests.start([
            "moving.service": "[Service]\nType=forking\nPIDFile=\(out)/pid\n"
                + "ExecStart=/bin/sh -c '/bin/sh \(out)/daemon.sh \(out)/pid & echo $$! > \(out)/pid'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "moving.service").status == 0, "\(live.wick.log)")
        let first = try live.run("show", "moving.service", "-p", "MainPID", "--value").stdout
        var moved = ""
        #expect(ControlVerbTests.waitFor {
            moved = ExecEnvironmentTests.read("\(out)/pid").trimmingCharacters(in: .whitespacesAndNewlines)
            return !moved.isEmpty && "\(moved)\n" != first
                && (try? live.run("show", "moving.service", "-p", "MainPID", "--value").stdout) == "\(moved)\n"
        }, "\(first) -> \(moved): \(live.wick.log)")
        #expect(try live.run("show", "moving.service", "-p", "ActiveState", "--value").stdout == "active\n")
        #expect(!live.wick.log.contains("refused"), "\(live.wick.log)")
    }

    /// A reload that adds an address to a socket keeps the listener of the address it had, as
    /// systemd keeps the fds of unchanged ports: its `Accept=no` service, which holds that
    /// listener, is not in the way of the reopen (a new bind of the address failed with
    /// EADDRINUSE and the socket with it), and the new address listens.
    @Test func aReloadThatAddsAnAddressKeepsTheListenerItsServiceHolds() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (first, second) = (TestClient.freePort(), TestClient.freePort())
        let path = "\(out)/held.sock"
        let live = try ControlVerbTests.start([
            "held.socket": "[Socket]\nListenStream=127.0.0.1:\(first)\nListenStream=\(path)\nRemoveOnStop=yes\n",
            "held.service": "[Service]\nExecStart=/bin/sleep 1000\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(first))
        // Started, not triggered: nothing waits in the backlog to wake the socket after the reload.
        #expect(try live.run("start", "held.service").status == 0)
        #expect(try live.run("show", "held.socket", "-p", "SubState", "--value").stdout == "running\n")
        try "[Socket]\nListenStream=127.0.0.1:\(first)\nListenStream=\(path)\nListenStream=127.0.0.1:\(second)\nRemoveOnStop=yes\n"
            .write(to: live.directory.appendingPathComponent("held.socket"), atomically: true, encoding: .utf8)
        #expect(try live.run("daemon-reload").status == 0)
        #expect(try live.run("show", "held.socket", "-p", "ActiveState", "-p", "SubState", "--value").stdout == "active\nrunning\n",
                "handed over to its running service, as before the reload: \(live.wick.log)")
        #expect(TestClient.waitListening(second), "\(live.wick.log)")
        #expect(FileManager.default.fileExists(atPath: path), "the kept Unix socket keeps its path (RemoveOnStop= is for a stop)")
        #expect(try live.run("show", "held.service", "-p", "ActiveState", "--value").stdout == "active\n")
    }

    /// Listeners a reload kept for a socket that does not open again within it close at the
    /// reload's end: here its new `ExecStartPre=` fails, the socket fails, and the address it
    /// had listens no more (a kept fd would hold it, connections queueing to no one).
    @Test func aReloadedSocketThatDoesNotReopenLeavesNoListenerBehind() throws {
        let (kept, added) = (TestClient.freePort(), TestClient.freePort())
        let live = try ControlVerbTests.start([
            "pre.socket": "[Socket]\nListenStream=127.0.0.1:\(kept)\n",
            "pre.service": "[Service]\nExecStart=/bin/sleep 1000\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(kept))
        let before = try live.settledDescriptors()
        try "[Socket]\nListenStream=127.0.0.1:\(kept)\nListenStream=127.0.0.1:\(added)\nExecStartPre=/bin/false\n"
            .write(to: live.directory.appendingPathComponent("pre.socket"), atomically: true, encoding: .utf8)
        #expect(try live.run("daemon-reload").status == 0)
        #expect(ControlVerbTests.waitFor { (try? live.run("show", "pre.socket", "-p", "ActiveState", "--value").stdout) == "failed\n" }, "\(live.wick.log)")
        let probe = TestClient.connectTCP(kept)
        defer { if probe >= 0 { close(probe) } }
        #expect(probe < 0, "the kept address was closed")
        #expect(try live.settledDescriptors() == before - 1, "its listener is gone: \(live.wick.log)")
    }

    /// An address moved from one socket to another in one reload: the socket that gives it up
    /// closes it before any socket opens, so the one that takes it binds it (its kept fd was in
    /// the way, and the taking socket failed with its other address).
    @Test func aReloadMovesAnAddressFromOneSocketToAnother() throws {
        let (a, b, c) = (TestClient.freePort(), TestClient.freePort(), TestClient.freePort())
        let sleeper = "[Service]\nExecStart=/bin/sleep 1000\n"
        let live = try ControlVerbTests.start([
            "p.socket": "[Socket]\nListenStream=127.0.0.1:\(a)\n", "p.service": sleeper,
            "q.socket": "[Socket]\nListenStream=127.0.0.1:\(b)\nListenStream=127.0.0.1:\(c)\n", "q.service": sleeper,
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(a) && TestClient.waitListening(b) && TestClient.waitListening(c))
        try "[Socket]\nListenStream=127.0.0.1:\(a)\nListenStream=127.0.0.1:\(b)\n".write(
            to: live.directory.appendingPathComponent("p.socket"), atomically: true, encoding: .utf8)
        try "[Socket]\nListenStream=127.0.0.1:\(c)\n".write(to: live.directory.appendingPathComponent("q.socket"), atomically: true, encoding: .utf8)
        #expect(try live.run("daemon-reload").status == 0)
        let states = try live.run("show", "p.socket", "q.socket", "-p", "ActiveState", "--value").stdout
        #expect(states == "active\n\nactive\n" || states == "active\nactive\n", "\(states) \(live.wick.log)")
        #expect(!live.wick.log.contains("Address already in use"), "\(live.wick.log)")
    }

    /// A reload that reopens an `Accept=yes` socket counts its live instances' connections
    /// again (systemd's service_deserialize_item() does `n_connections++`): `MaxConnections=`
    /// holds across it.
    @Test func aReloadThatReopensAnAcceptSocketKeepsCountingItsConnections() throws {
        let (port, added) = (TestClient.freePort(), TestClient.freePort())
        let live = try ControlVerbTests.start([
            "limited.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\nMaxConnections=2\n",
            "limited@.service": "[Service]\nExecStart=/bin/sh -c 'echo up; exec sleep 1000'\nStandardOutput=socket\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for _ in 0..<2 {
            let fd = TestClient.connectTCP(port)
            var up = [UInt8](repeating: 0, count: 3)
            #expect(recv(fd, &up, 3, Int32(MSG_WAITALL)) == 3)
            held.append(fd)
        }
        try "[Socket]\nListenStream=127.0.0.1:\(port)\nListenStream=127.0.0.1:\(added)\nAccept=yes\nMaxConnections=2\n"
            .write(to: live.directory.appendingPathComponent("limited.socket"), atomically: true, encoding: .utf8)
        #expect(try live.run("daemon-reload").status == 0)
        #expect(try live.run("show", "limited.socket", "-p", "NConnections", "--value").stdout == "2\n", "\(live.wick.log)")
        #expect(TestClient.readAll(TestClient.connectTCP(added)) == "", "a third connection is refused (closed at once)")
    }

    /// A reload loads a live `Accept=yes` instance anew from its template, as systemd loads every
    /// unit anew: the instance runs on, on its connection, and its stop runs the new file's
    /// `ExecStopPost=` with the new file's `Environment=`.
    @Test func aReloadGivesALiveInstanceItsTemplatesNewDefinition() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let port = TestClient.freePort()
        func template(_ word: String) -> String {
            "[Service]\nEnvironment=WORD=\(word)\nExecStart=/bin/sh -c 'echo run; exec sleep 1000'\nStandardOutput=socket\n"
                + "ExecStopPost=/bin/sh -c 'echo \(word) $$WORD >> \(out)/post'\n"
        }
        let live = try ControlVerbTests.start([
            "hold.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "hold@.service": template("old"),
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        let fd = TestClient.connectTCP(port)
        defer { close(fd) }
        let unit = "hold@0-127.0.0.1:\(port)-127.0.0.1:\(TestClient.localPort(fd)).service"
        var first = [UInt8](repeating: 0, count: 4)
        #expect(recv(fd, &first, 4, Int32(MSG_WAITALL)) == 4 && first == Array("run\n".utf8), "the instance is up")
        let pid = try live.run("show", unit, "-p", "MainPID", "--value").stdout
        try template("new").write(to: live.directory.appendingPathComponent("hold@.service"), atomically: true, encoding: .utf8)
        #expect(try live.run("daemon-reload").status == 0)
        #expect(try live.run("show", unit, "-p", "MainPID", "--value").stdout == pid, "it runs on")
        #expect(try live.run("stop", unit).status == 0, "\(live.wick.log)")
        #expect(ExecEnvironmentTests.read("\(out)/post") == "new new\n", "the new ExecStopPost= in the new Environment=: \(live.wick.log)")
    }

    /// Each instance of a template gets its own `INVOCATION_ID` and `REMOTE_PORT` (the request
    /// its socket's instances share is taken with a fresh environment), and an
    /// `EnvironmentFile=` is read again at each start, as systemd does.
    @Test func eachInstanceGetsItsOwnEnvironment() throws {
        let port = TestClient.freePort(), other = TestClient.freePort()
        let running = try daemon([
            "plain.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "plain@.service": "[Service]\nExecStart=/bin/sh -c 'echo $INVOCATION_ID $REMOTE_PORT'\nStandardOutput=socket\n",
            "filed.socket": "[Socket]\nListenStream=127.0.0.1:\(other)\nAccept=yes\n",
            "filed@.service": "[Service]\nEnvironmentFile=%t/wick-test-env\nExecStart=/bin/sh -c 'echo $GREETING'\nStandardOutput=socket\n",
        ])
        defer { _ = running.stop() }
        let file = running.directory.appendingPathComponent("run/wick-test-env").path
        #expect(TestClient.waitListening(port) && TestClient.waitListening(other))
        var seen: Set<String> = []
        for _ in 0..<3 {
            let fd = TestClient.connectTCP(port)
            let local = TestClient.localPort(fd)
            let words = TestClient.readAll(fd).split(separator: " ").map(String.init)
            #expect(words.count == 2 && words.last == "\(local)\n", "\(words)")
            if let id = words.first { seen.insert(id) }
        }
        #expect(seen.count == 3 && seen.allSatisfy { $0.count == 32 }, "\(seen)")
        for greeting in ["hello", "bonjour"] {
            try "GREETING=\(greeting)\n".write(toFile: file, atomically: true, encoding: .utf8)
            #expect(TestClient.readAll(TestClient.connectTCP(other)) == "\(greeting)\n", "\(running.wick.log)")
        }
        // A reload that changes the template: the next instance is built from the new settings.
        try "[Service]\nEnvironment=REMOTE_PORT=fixed\nExecStart=/bin/sh -c 'echo $REMOTE_PORT'\nStandardOutput=socket\n"
            .write(to: running.directory.appendingPathComponent("plain@.service"), atomically: true, encoding: .utf8)
        let control = running.directory.appendingPathComponent("run/wick/control").path
        #expect(try BinaryRunner.wick("daemon-reload", "--control", control).status == 0)
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "fixed\n", "Environment= after REMOTE_PORT, as systemd orders them")
    }

    /// A service's main command reuses the request of its last start only for what did not
    /// change: each start has its own `INVOCATION_ID`, an `EnvironmentFile=` is read at each
    /// start (as systemd's exec_spawn() does), and a reload's new `Environment=` is taken.
    @Test func eachStartOfAServiceGetsItsOwnEnvironment() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "plain.service": "[Service]\nType=oneshot\nEnvironment=GREETING=hello\nExecStart=/bin/sh -c 'echo $INVOCATION_ID $GREETING >> \(out)/plain'\n",
            "filed.service": "[Service]\nType=oneshot\nEnvironmentFile=\(out)/env\nExecStart=/bin/sh -c 'echo $GREETING >> \(out)/filed'\n",
        ])
        defer { live.stop() }
        for _ in 0..<3 { #expect(try live.run("start", "plain.service").status == 0, "\(live.wick.log)") }
        let runs = ExecEnvironmentTests.read("\(out)/plain").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(runs.count == 3 && runs.allSatisfy { $0.count == 2 && $0[0].count == 32 && $0[1] == "hello" }, "\(runs)")
        #expect(Set(runs.compactMap(\.first)).count == 3, "a new INVOCATION_ID at each start: \(runs)")
        for greeting in ["hello", "bonjour"] {
            try "GREETING=\(greeting)\n".write(toFile: "\(out)/env", atomically: true, encoding: .utf8)
            #expect(try live.run("start", "filed.service").status == 0, "\(live.wick.log)")
            #expect(ExecEnvironmentTests.read("\(out)/filed").hasSuffix("\(greeting)\n"))
        }
        try "[Service]\nType=oneshot\nEnvironment=GREETING=changed\nExecStart=/bin/sh -c 'echo $INVOCATION_ID $GREETING >> \(out)/plain'\n"
            .write(to: live.directory.appendingPathComponent("plain.service"), atomically: true, encoding: .utf8)
        #expect(try live.run("daemon-reload").status == 0)
        #expect(try live.run("start", "plain.service").status == 0)
        #expect(ExecEnvironmentTests.read("\(out)/plain").hasSuffix(" changed\n"), "the reloaded Environment=")
    }

    /// A kept request (`PreparedExec`) runs each command with its own path and arguments: the
    /// `ExecStart=` lines of a oneshot in turn, at every start, and `$VAR` arguments expanded
    /// from each instance's own environment.
    @Test func aKeptRequestRunsEachCommandWithItsOwnArguments() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "steps.service": "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo one >> \(out)/steps'\nExecStart=/bin/sh -c 'echo two >> \(out)/steps'\n",
            "port.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "port@.service": "[Service]\nExecStart=/bin/echo $REMOTE_PORT\nStandardOutput=socket\n",
        ])
        defer { live.stop() }
        for _ in 0..<2 { #expect(try live.run("start", "steps.service").status == 0, "\(live.wick.log)") }
        #expect(ExecEnvironmentTests.read("\(out)/steps") == "one\ntwo\none\ntwo\n", "\(live.wick.log)")
        #expect(TestClient.waitListening(port))
        for _ in 0..<3 {
            let fd = TestClient.connectTCP(port)
            let local = TestClient.localPort(fd)
            #expect(TestClient.readAll(fd) == "\(local)\n", "\(live.wick.log)")
        }
    }

    /// `--log-level=debug` (or WICK_LOG_LEVEL) adds the per-connection lines; `warning` leaves
    /// out the info lines; a bad level is refused before anything starts.
    @Test func logLevelSelectsTheLines() throws {
        let port = TestClient.freePort()
        let files = [
            "conn.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "conn@.service": "[Service]\nExecStart=/bin/echo hi\nStandardOutput=socket\n",
        ]
        let debug = try daemon(files, extra: ["--log-level", "debug"])
        #expect(TestClient.waitListening(port))
        let fd = TestClient.connectTCP(port)
        let local = TestClient.localPort(fd)
        #expect(TestClient.readAll(fd) == "hi\n")
        #expect(waitFor { debug.wick.log.contains("conn@0-127.0.0.1:\(port)-127.0.0.1:\(local).service: running -> dead") }, "\(debug.wick.log)")
        _ = debug.stop()
        let quiet = try daemon(files, extra: ["--log-level", "warning"])
        #expect(TestClient.waitListening(port))
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "hi\n")
        let quietLog = quiet.wick.log    // stop() removes the log
        _ = quiet.stop()
        #expect(!quietLog.contains("loaded 2 units") && !quietLog.contains("conn@0-"), "\(quietLog)")
        let refused = try BinaryRunner.wick("daemon", "--units", "/nonexistent", "--log-level", "chatty")
        #expect(refused.status != 0 && refused.stderr.contains("--log-level/WICK_LOG_LEVEL: expected emerg"), "\(refused.stderr)")
    }

    @Test func inetdStyleServiceGetsTheConnectionOnStdio() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "greet.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "greet@.service": "[Service]\nExecStart=/bin/sh -c 'echo \"hi $${REMOTE_ADDR} %i\"'\nStandardInput=socket\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        let fd = TestClient.connectTCP(port)
        let local = TestClient.localPort(fd)
        #expect(TestClient.readAll(fd) == "hi 127.0.0.1 0-127.0.0.1:\(port)-127.0.0.1:\(local)\n")
    }

    @Test func aCrashLoopHitsTheStartLimitAndTheSocketStopsListening() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "crash.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "crash.service": "[Service]\nExecStart=/bin/false\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        let held = TestClient.connectTCP(port)
        defer { close(held) }
        #expect(waitFor { running.wick.log.contains("unit failed: service-start-limit-hit") }, "\(running.wick.log)")
        #expect(running.wick.log.components(separatedBy: "crash.service: dead -> running").count - 1
            + running.wick.log.components(separatedBy: "crash.service: failed -> running").count - 1 == 5)
        #expect(waitFor { !((try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? "").contains(String(format: "0100007F:%04X 00000000:0000 0A", port)) })
        let probe = try BinaryRunner.wick("is-system-running", "--control", running.directory.appendingPathComponent("run/wick/control").path)
        #expect(probe.status == 1 && probe.stdout == "degraded\n")
        // `wick reset-failed` forgets the start limit and the socket listens again.
        let control = running.directory.appendingPathComponent("run/wick/control").path
        let reset = try BinaryRunner.wick("reset-failed", "--control", control, "crash.socket", "crash.service")
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(TestClient.waitListening(port), "\(running.wick.log)")
        let degraded = try BinaryRunner.wick("is-system-running", "--control", control)
        #expect(degraded.status == 0 && degraded.stdout == "running\n", "reset-failed healed it: \(degraded.stdout)")
        let unknown = try BinaryRunner.wick("reset-failed", "--control", control, "nope.service")
        #expect(unknown.status == 4)
        #expect(unknown.stderr == "wick reset-failed: no such unit: nope.service (see `wick list-units`)\n")
    }

    @Test func controlSocketRefusesBadInputAndStaysUp() throws {
        let running = try daemon(["x.service": "[Service]\nExecStart=/bin/true\n"])
        defer { _ = running.stop() }
        let control = running.directory.appendingPathComponent("run/wick/control").path
        #expect(waitFor { FileManager.default.fileExists(atPath: control) })
        var info = stat()
        #expect(stat(control, &info) == 0 && info.st_mode & 0o777 == 0o600)
        func exchange(_ payload: [UInt8]) -> String { TestClient.exchangeUnix(control, payload) }
        #expect(exchange(Array("garbage\n".utf8)).contains(#""ok":false"#))
        #expect(exchange(Array(#"{"verb":"frobnicate"}"#.utf8) + [10]).contains("unknown verb"))
        #expect(exchange(Array(repeating: UInt8(ascii: "a"), count: 1_000_000)).contains("request longer than"))
        #expect(exchange(Array(#"{"version":1,"verb":"ping"}"#.utf8) + [10]).hasPrefix(#"{"ok":true,"version":1,"pid":"#))
    }

    @Test func aMissingBinaryFailsTheServiceWithAClearMessage() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "gone.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "gone.service": "[Service]\nExecStart=/nonexistent/daemon\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        close(TestClient.connectTCP(port))
        #expect(waitFor { running.wick.log.contains("gone.service: dead -> failed (result: exit-code)") }, "\(running.wick.log)")
    }

    @Test func aPortInUseFailsOnlyThatSocket() throws {
        let taken = TestClient.freePort(), free = TestClient.freePort()
        let holder = TestClient.holdPort(taken)
        defer { close(holder) }
        let running = try daemon([
            "taken.socket": "[Socket]\nListenStream=127.0.0.1:\(taken)\n",
            "taken.service": "[Service]\nExecStart=/bin/true\n",
            "fine.socket": "[Socket]\nListenStream=127.0.0.1:\(free)\n",
            "fine.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(free))
        #expect(waitFor { running.wick.log.contains("taken.socket: bind(127.0.0.1:\(taken)): Address already in use (unit failed: resources)") })
        #expect(TestClient.report(TestClient.readAll(TestClient.connectTCP(free)))["listen_fds"] == "1")
    }

    @Test func notifyServiceRunsAfterReadyFromLibsystemd() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "note.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "note.service": "[Service]\nType=notify\nExecStart=\(BinaryRunner.testService) notify\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        let report = TestClient.report(TestClient.readAll(TestClient.connectTCP(port)))
        #expect(report["listen_fds"] == "1" && report["pid_matches"] == "1")
        #expect(running.wick.log.contains("note.service: dead -> start\n"))
        #expect(waitFor { running.wick.log.contains("note.service: start -> running") }, "\(running.wick.log)")
    }

    @Test func notifyServiceExitingBeforeReadyFailsWithProtocol() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "early.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "early.service": "[Service]\nType=notify\nExecStart=\(BinaryRunner.testService) notify-exit\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        close(TestClient.connectTCP(port))
        #expect(waitFor { running.wick.log.contains("(result: protocol)") }, "\(running.wick.log)")
    }

    @Test func serviceOutputIsPrefixedWithUnitAndPid() throws {
        let running = try daemon([
            "talk.service": "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo out; echo err >&2; printf \"%%010000d\" 0; echo; printf tail'\n[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { _ = running.stop() }
        #expect(waitFor { running.wick.log.contains("talk.service: start -> dead") }, "\(running.wick.log)")
        #expect(waitFor { running.wick.log.contains("]: tail\n") })
        let lines = running.wick.log.split(separator: "\n").filter { $0.hasPrefix("talk.service[") }
        let texts = lines.map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "" }
        #expect(texts.first == "out" && texts.contains("err") && texts.last == "tail", "\(texts.map { $0.prefix(20) })")
        #expect(texts.map(\.count).max() == 4096, "long lines are split at 4096 bytes")
        #expect(texts.filter { $0.hasPrefix("0") }.map(\.count) == [4096, 4096, 1808])
    }

    @Test func socketOwnershipModeAndSymlinks() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wick-own-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("sub/s.sock").path
        let link = scratch.appendingPathComponent("links/s.link").path
        let running = try daemon([
            "own.socket": "[Socket]\nListenStream=\(path)\nSocketUser=nobody\nSocketGroup=nogroup\nSocketMode=0660\nSymlinks=\(link)\nRemoveOnStop=yes\n",
            "own.service": "[Service]\nExecStart=/bin/true\n",
        ])
        #expect(waitFor { running.wick.log.contains("loaded") })
        if getuid() == 0 {
            #expect(waitFor { FileManager.default.fileExists(atPath: link) }, "\(running.wick.log)")
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_uid == 65534 && info.st_mode & 0o777 == 0o660)
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == path)
            _ = running.stop()
            #expect(!FileManager.default.fileExists(atPath: path), "RemoveOnStop=yes removes the socket file")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == nil, "and the symlink")
        } else {
            #expect(waitFor { running.wick.log.contains("own.socket: chown(\(path)): Operation not permitted") })
            _ = running.stop()
        }
    }

    /// systemd's socket_symlink() and socket_close_fds(): what is already at a `Symlinks=` path
    /// stays (a warning) unless `RemoveOnStop=yes`; the links go at the stop with `RemoveOnStop=yes`
    /// only. wick replaced and removed whatever was there (a regular file a user kept was deleted).
    @Test func symlinksLeaveWhatIsThereUnlessRemoveOnStop() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wick-links-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = { (name: String) in scratch.appendingPathComponent(name).path }
        try "precious".write(toFile: path("kept"), atomically: true, encoding: .utf8)
        try "replaced".write(toFile: path("replaced"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path("same"), withDestinationPath: path("a.sock"))
        let running = try daemon([
            "a.socket": "[Socket]\nListenStream=\(path("a.sock"))\nSymlinks=\(path("kept")) \(path("same")) \(path("new-a"))\n",
            "a.service": "[Service]\nExecStart=/bin/true\n",
            "b.socket": "[Socket]\nListenStream=\(path("b.sock"))\nSymlinks=\(path("replaced")) \(path("new-b"))\nRemoveOnStop=yes\n",
            "b.service": "[Service]\nExecStart=/bin/true\n",
        ])
        #expect(waitFor { running.wick.log.contains("a.socket: cannot create symlink \(path("a.sock")) -> \(path("kept")), ignoring: File exists") },
                "\(running.wick.log)")
        #expect(waitFor { (try? FileManager.default.destinationOfSymbolicLink(atPath: path("replaced"))) == path("b.sock") }, "\(running.wick.log)")
        #expect((try? String(contentsOfFile: path("kept"), encoding: .utf8)) == "precious")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path("same"))) == path("a.sock"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path("new-a"))) == path("a.sock"))
        #expect(!running.wick.log.contains("\(path("same")), ignoring"), "a link already right is no failure")
        #expect(FileManager.default.fileExists(atPath: path("a.sock")), "the socket listens despite the failed link")
        _ = running.stop()
        #expect((try? String(contentsOfFile: path("kept"), encoding: .utf8)) == "precious", "\(running.wick.log)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path("new-a"))) == path("a.sock"), "no RemoveOnStop=: links stay")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path("replaced"))) == nil, "RemoveOnStop=yes: links go")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path("new-b"))) == nil)
    }

    @Test func forkingServiceIsFollowedThroughItsPIDFile() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wick-fork-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let pidFile = scratch.appendingPathComponent("d.pid").path
        let running = try daemon([
            "d.service": "[Service]\nType=forking\nPIDFile=\(pidFile)\nExecStart=/bin/sh -c 'sleep 1000 & echo $$! > \(pidFile)'\n[Install]\nWantedBy=multi-user.target\n",
        ])
        #expect(waitFor { running.wick.log.contains("d.service: start -> running") }, "\(running.wick.log)")
        let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(pid > 1 && kill(pid, 0) == 0)
        kill(running.wick.pid, SIGTERM)
        #expect(running.wick.waitForExit(seconds: 10) == 0)
        #expect(running.wick.log.contains("d.service: stop-sigterm -> dead"), "\(running.wick.log)")
        #expect(kill(pid, 0) != 0, "the daemonized process was stopped")
        _ = running.stop()
    }

    @Test func reloadRunsExecReloadWithMainPID() throws {
        let running = try daemon([
            "r.service": "[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/sh -c 'echo reloading $$MAINPID'\n[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { _ = running.stop() }
        #expect(waitFor { running.wick.log.contains("r.service: dead -> running") })
        let control = running.directory.appendingPathComponent("run/wick/control").path
        let reload = try BinaryRunner.wick("reload", "--control", control, "r.service")
        #expect(reload.status == 0, "\(reload.stderr)")
        let mainPID = running.wick.children().first ?? 0
        #expect(waitFor { running.wick.log.contains("reloading \(mainPID)") }, "\(running.wick.log)")
        #expect(waitFor { running.wick.log.contains("r.service: reload -> running") })
        let missing = try BinaryRunner.wick("reload", "--control", control, "nope.service")
        #expect(missing.status == 4)
    }

    @Test func forkingServiceWithoutPIDFileHasItsMainPIDGuessed() throws {
        let running = try daemon([
            "g.service": "[Service]\nType=forking\nExecStart=/bin/sh -c '/bin/sleep 1000 >/dev/null 2>&1 &'\n[Install]\nWantedBy=multi-user.target\n",
        ])
        #expect(waitFor { running.wick.log.contains("g.service: start -> running") }, "\(running.wick.log)")
        let children = running.wick.children()
        #expect(children.count == 1)
        kill(children.first ?? 0, SIGKILL)
        #expect(waitFor { running.wick.log.contains("g.service: running -> failed (result: signal)") }, "the guessed main pid is followed: \(running.wick.log)")
        _ = running.stop()
    }

    @Test func messageQueueEndpointIsCreated() throws {
        let name = "/wick-test-\(getpid())"
        let running = try daemon([
            "mq.socket": "[Socket]\nListenMessageQueue=\(name)\nRemoveOnStop=yes\n",
            "mq.service": "[Service]\nExecStart=/bin/true\n",
        ])
        defer { _ = running.stop() }
        let control = running.directory.appendingPathComponent("run/wick/control").path
        #expect(waitFor { FileManager.default.fileExists(atPath: control) })
        let units = TestClient.exchangeUnix(control, Array(#"{"version":1,"verb":"list-units"}"#.utf8) + [10])
        #expect(units.contains(#""unit":"mq.socket","description":"mq.socket","load":"loaded","unit_file_state":"enabled","type":"socket","active":"active","sub":"listening","result":"success""#), "\(units) \(running.wick.log)")
    }

    /// An instance another unit names (`Wants=b@x.service`) is loaded from its template and
    /// started with it, as systemd loads every unit a dependency names (it was unknown: `wick
    /// status b@x.service` said "no such unit", and it never ran).
    @Test func anInstanceAnotherUnitWantsIsLoadedAndStarted() throws {
        let running = try daemon([
            "a.service": "[Unit]\nWants=b@x.service\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n",
            "b@.service": "[Service]\nExecStart=/bin/sleep 1001\n",
        ])
        defer { _ = running.stop() }
        let control = running.directory.appendingPathComponent("run/wick/control").path
        #expect(waitFor { running.wick.log.contains("b@x.service: dead -> running") }, "\(running.wick.log)")
        #expect(try BinaryRunner.wick("status", "--control", control, "b@x.service").status == 0)
        // No longer named after a reload, but running: it stays (systemd keeps an active unit).
        try "[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n".write(
            to: running.directory.appendingPathComponent("a.service"), atomically: true, encoding: .utf8)
        #expect(try BinaryRunner.wick("daemon-reload", "--control", control).status == 0)
        #expect(try BinaryRunner.wick("status", "--control", control, "b@x.service").stdout.contains("active (running)"), "\(running.wick.log)")
    }

    /// `wick start` of an instance nothing names loads it from its template, as systemd loads a
    /// unit on demand (systemctl start getty@tty2.service); a reload keeps it while it runs and
    /// lets it go once it is inactive, as systemd collects it.
    @Test func anInstanceStartedByNameIsLoadedOnDemand() throws {
        let running = try daemon(["b@.service": "[Service]\nExecStart=/bin/sh -c 'echo %i; exec sleep 1000'\n"])
        defer { _ = running.stop() }
        let control = running.directory.appendingPathComponent("run/wick/control").path
        #expect(waitFor { FileManager.default.fileExists(atPath: control) })
        #expect(try BinaryRunner.wick("start", "--control", control, "b@y.service").status == 0, "\(running.wick.log)")
        #expect(running.wick.log.contains("loaded b@y.service from its template") && running.wick.log.contains("b@y.service: dead -> running"))
        #expect(try BinaryRunner.wick("daemon-reload", "--control", control).status == 0)
        #expect(try BinaryRunner.wick("status", "--control", control, "b@y.service").stdout.contains("active (running)"), "kept while active")
        #expect(try BinaryRunner.wick("stop", "--control", control, "b@y.service").status == 0)
        #expect(try BinaryRunner.wick("daemon-reload", "--control", control).status == 0)
        #expect(try BinaryRunner.wick("status", "--control", control, "b@y.service").status == 4, "collected once inactive")
        #expect(try BinaryRunner.wick("start", "--control", control, "nothere@y.service").status == 4, "no template: no such unit")
    }

    @Test func startKillRestartStopThroughTheControlSocket() throws {
        let running = try daemon(["w.service": "[Service]\nExecStart=/bin/sh -c '/bin/sleep 1000 & wait'\n"])
        defer { _ = running.stop() }
        let control = running.directory.appendingPathComponent("run/wick/control").path
        #expect(waitFor { FileManager.default.fileExists(atPath: control) })
        #expect(try BinaryRunner.wick("start", "--control", control, "w.service").status == 0)
        #expect(waitFor { running.wick.log.contains("w.service: dead -> running") })
        let shell = running.wick.children().first ?? 0
        var sleeper: Int32 = 0
        #expect(waitFor {
            let text = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
            sleeper = Int32(text.split(separator: " ").first ?? "") ?? 0
            return sleeper > 0
        })
        let killed = try BinaryRunner.wick("kill", "--signal", "SIGKILL", "--control", control, "w.service")
        #expect(killed.status == 0, "\(killed.stderr)")
        #expect(waitFor { running.wick.log.contains("w.service: running -> failed (result: signal)") }, "\(running.wick.log)")
        #expect(waitFor { kill(sleeper, 0) != 0 }, "the wrapper's child is in the process group and got the signal too")
        #expect(try BinaryRunner.wick("restart", "--control", control, "w.service").status == 0)
        #expect(waitFor { running.wick.log.contains("w.service: failed -> running") }, "a restart of a failed unit is a start: \(running.wick.log)")
        #expect(try BinaryRunner.wick("stop", "--control", control, "w.service").status == 0)
        // The shell's child may still be dying when the shell's exit is handled: the stop then
        // waits for it in final-sigterm, as systemd's does for its cgroup.
        #expect(waitFor { running.wick.log.contains("w.service: stop-sigterm -> dead") || running.wick.log.contains("w.service: final-sigterm -> dead") },
                "\(running.wick.log)")
        #expect(try BinaryRunner.wick("stop", "--control", control, "nope.service").status == 4)
    }

    @Test func sighupReloadsTheUnitDirectories() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "keep.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "keep.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
            "gone.service": "[Service]\nExecStart=/bin/sleep 1001\n[Install]\nWantedBy=multi-user.target\n",
            "edit.service": "[Service]\nExecStart=/bin/sleep 1002\n[Install]\nWantedBy=multi-user.target\n",
            "broken.service": "[Service]\nExecStart=/bin/sleep 1003\n[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { _ = running.stop() }
        #expect(TestClient.waitListening(port))
        #expect(waitFor { running.wick.log.contains("broken.service: dead -> running") })
        func inode() -> String? {
            let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
            let line = table.split(separator: "\n").first { $0.contains(String(format: "0100007F:%04X 00000000:0000 0A", port)) }
            return line?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(9).first.map(String.init)
        }
        let before = inode()
        let directory = running.directory
        try FileManager.default.removeItem(at: directory.appendingPathComponent("gone.service"))
        try "[Service]\nExecStart=/bin/sleep 1004\n[Install]\nWantedBy=multi-user.target\n".write(to: directory.appendingPathComponent("new.service"), atomically: true, encoding: .utf8)
        try "[Service]\nExecStart=/bin/sleep 1005\n[Install]\nWantedBy=multi-user.target\n".write(to: directory.appendingPathComponent("edit.service"), atomically: true, encoding: .utf8)
        try "[Service]\nExecStart=\"/bin/sleep\n".write(to: directory.appendingPathComponent("broken.service"), atomically: true, encoding: .utf8)
        kill(running.wick.pid, SIGHUP)
        #expect(waitFor { running.wick.log.contains("wick: reloaded ") }, "\(running.wick.log)")
        #expect(running.wick.log.contains("gone.service: removed, stopping"))
        #expect(running.wick.log.contains("new.service: new, starting"))
        #expect(running.wick.log.contains("broken.service: not reloaded (bad-setting), keeping the running definition"))
        #expect(waitFor { running.wick.log.contains("new.service: dead -> running") })
        #expect(waitFor { running.wick.log.contains("gone.service: stop-sigterm -> dead") })
        #expect(inode() == before, "an unchanged socket keeps its fd")
        func commands() -> [String] {
            running.wick.children().compactMap { try? String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8) }
                .map { $0.replacingOccurrences(of: "\u{0}", with: " ").trimmingCharacters(in: .whitespaces) }
        }
        #expect(commands().contains("/bin/sleep 1002"), "a running service keeps its definition until it stops")
        let control = directory.appendingPathComponent("run/wick/control").path
        #expect(try BinaryRunner.wick("restart", "--control", control, "edit.service").status == 0)
        #expect(waitFor { commands().contains("/bin/sleep 1005") }, "\(commands())")
        #expect(commands().contains("/bin/sleep 1003"), "the broken file left the old definition running")
        #expect(TestClient.report(TestClient.readAll(TestClient.connectTCP(port)))["listen_fds"] == "1")
    }

    @Test func aDependencyCycleIsReportedAndBrokenAndAMissingRequirementRefusesTheStart() throws {
        let running = try daemon([
            "a.service": "[Unit]\nAfter=b.service\nRequires=b.service\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n",
            "b.service": "[Unit]\nAfter=a.service\nWants=a.service\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n",
            "needy.service": "[Unit]\nRequires=absent.service\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { _ = running.stop() }
        #expect(waitFor { running.wick.log.contains("ordering cycle found: ") }, "\(running.wick.log)")
        #expect(running.wick.log.contains("breaking it by dropping the ordering b.service After=a.service"))
        #expect(waitFor { running.wick.log.contains("a.service: dead -> running") && running.wick.log.contains("b.service: dead -> running") })
        #expect(running.wick.log.contains("needy.service: refusing to start: required unit absent.service is not loaded (job result: dependency)"))
    }

    @Test func sigusr1WritesEveryUnitsState() throws {
        let running = try daemon(["s.service": "[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n"])
        defer { _ = running.stop() }
        #expect(waitFor { running.wick.log.contains("s.service: dead -> running") })
        kill(running.wick.pid, SIGUSR1)
        #expect(waitFor { running.wick.log.contains("state: s.service active (running) result=success main-pid=") }, "\(running.wick.log)")
    }

    @Test func sigtermStopsServicesAndExitsZero() throws {
        let port = TestClient.freePort()
        let running = try daemon([
            "slow.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "slow.service": "[Service]\nExecStart=/bin/sleep 1000\n",
        ])
        #expect(TestClient.waitListening(port))
        let fd = TestClient.connectTCP(port)
        defer { close(fd) }
        #expect(waitFor { running.wick.log.contains("slow.service: dead -> running") })
        kill(running.wick.pid, SIGTERM)
        #expect(running.wick.waitForExit(seconds: 10) == 0)
        #expect(running.wick.log.contains("slow.service: stop-sigterm -> dead"))
        _ = running.stop()
    }
}
