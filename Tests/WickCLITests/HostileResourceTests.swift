import Foundation
import Glibc
import Testing

/// "PID 1 never dies" (issue 9): exhaustion, hostile clients and misbehaving services. Each test
/// ends with the daemon alive and answering; CPU is read from /proc (never timed against a clock).
@Suite(.serialized) struct HostileResourceTests {
    typealias Live = ControlVerbTests.Live

    /// Starts the daemon behind a wrapper that execs it (`prlimit`, `setpriv`): the pid is wick's.
    static func start(_ files: [String: String], wrapper: [String], extra: [String] = []) throws -> Live {
        let directory = try BinaryRunner.directory(files)
        _ = chmod(directory.path, 0o777)
        let runtime = directory.appendingPathComponent("run").path
        let arguments = Array(wrapper.dropFirst()) + [BinaryRunner.wick.path, "daemon", "--units", directory.path, "--runtime-dir", runtime] + extra
        let wick = try BackgroundProcess(URL(fileURLWithPath: wrapper[0]), arguments)
        let live = Live(wick: wick, directory: directory)
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: live.control) }, "\(wick.log)")
        return live
    }

    /// User plus system CPU time of `pid`, in clock ticks (/proc/PID/stat fields 14 and 15).
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return -1 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return -1 }
        return user + system
    }

    /// CPU ticks (1/100 s) the daemon used over `seconds`.
    static func cpuUsed(_ pid: Int32, over seconds: UInt32) -> Int {
        let before = cpuTicks(pid)
        sleep(seconds)
        return cpuTicks(pid) - before
    }

    @Test func hostileControlRequestsAreAnsweredAndTheDaemonStays() throws {
        let live = try ControlVerbTests.start(ControlAccessTests.units)
        defer { live.stop() }
        let baseline = try live.settledDescriptors()
        func exchange(_ text: String) -> String { TestClient.exchangeUnix(live.control, Array(text.utf8) + [10]) }
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(TestClient.exchangeUnix(live.control, Array(nested.utf8) + [10]).contains(#""ok":false"#))
        #expect(exchange(#"{"version":1,"verb":"status","lines":1e308}"#).contains(#""ok":false"#))
        #expect(exchange(#"{"version":1,"verb":"kill","units":["x.service"],"signal":-99999999999}"#).contains(#""ok":false"#))
        // A signal kill(2) would refuse is refused, not answered with "ok" (nothing was sent).
        for signal in ["4294967305", "-9", "0", "65"] {
            let unit = ControlAccessTests.units.keys.sorted().first { $0.hasSuffix(".service") } ?? "x.service"
            let answer = exchange(#"{"version":1,"verb":"kill","units":["\#(unit)"],"signal":\#(signal)}"#)
            #expect(answer.contains(#""ok":false"#) && answer.contains("invalid signal number"), "\(signal): \(answer)")
        }
        #expect(exchange(#"{"version":1e400,"verb":"ping"}"#).contains(#""ok":false"#))
        for name in ["../../etc/passwd", "a/b.service", "x.service\u{0}", "\u{0}", "..", String(repeating: "x", count: 60_000)] {
            let escaped = name.unicodeScalars.map { $0.value < 32 ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
            for verb in ["status", "start", "cat", "logs"] {
                let answer = exchange(#"{"version":1,"verb":"\#(verb)","units":["\#(escaped)"]}"#)
                #expect(answer.contains(#""ok":false"#), "\(verb) \(name.prefix(20)): \(answer.prefix(200))")
            }
        }
        #expect(TestClient.exchangeUnix(live.control, [0xff, 0xfe, 0x7b, 0x22, 0xc0, 0x0a]).contains(#""ok":false"#))
        // A client that asks for a large answer and never reads it does not hold anyone up.
        let reader = ControlAccessTests.connectUnix(live.control)
        let request = Array(#"{"version":1,"verb":"status"}"#.utf8) + [10]
        for _ in 0..<200 { _ = request.withUnsafeBytes { send(reader, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        #expect(try live.run("status").status == 0)
        close(reader)
        try HostileNotifyTests.expectHealthy(live, baseline: baseline)
    }

    /// 256 idle control clients of a --control-group member (not the owner) cannot lock root
    /// out: the last 16 places are kept for root and wick's uid.
    @Test(.enabled(if: getuid() == 0, "needs root to run clients as another uid"))
    func idleClientsOfAGroupMemberLeavePlacesForRoot() throws {
        let live = try ControlVerbTests.start(ControlAccessTests.units, extra: ["--control-group", "users"])
        defer { live.stop() }
        _ = chmod(live.directory.path, 0o755)
        _ = chmod(live.directory.appendingPathComponent("run").path, 0o755)
        _ = chmod(live.directory.appendingPathComponent("run/wick").path, 0o755)
        let script = "import socket, sys, time\nheld = []\nfor _ in range(256):\n    s = socket.socket(socket.AF_UNIX)\n"
            + "    try:\n        s.connect(sys.argv[1]); held.append(s)\n    except OSError:\n        pass\nprint(len(held), flush=True)\ntime.sleep(30)\n"
        let holder = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                           ["--reuid=65534", "--regid=65534", "--groups=100", "--", "/usr/bin/python3", "-c", script, live.control])
        defer { holder.stop() }
        #expect(ControlVerbTests.waitFor { !holder.log.isEmpty }, "\(holder.log)")
        #expect(ControlVerbTests.waitFor { live.control.isEmpty || ControlAccessTests.openDescriptors(live.wick.pid) > 200 })
        let root = try live.run("status")
        #expect(root.status == 0, "root is served while a member holds every other place: \(root.stderr)")
    }

    @Test func aMissingBinaryIsExplainedInTheLogStatusAndShow() throws {
        let live = try ControlVerbTests.start(["gone.service": "[Service]\nExecStart=/nonexistent/daemon\n"])
        defer { live.stop() }
        let start = try live.run("start", "gone.service")
        #expect(start.status == 1 && start.stderr.contains("Job for gone.service (result: exit-code) failed"), "\(start.stderr)")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("gone.service: exec failed: /nonexistent/daemon: No such file or directory") },
                "\(live.wick.log)")
        let status = try live.run("status", "gone.service")
        #expect(status.stdout.contains("    Process: ExecStart=/nonexistent/daemon (code=exited, status=203/EXEC)\n"), "\(status.stdout)")
        #expect(status.stdout.contains("Error: exec failed: /nonexistent/daemon: No such file or directory"), "\(status.stdout)")
        let show = try live.run("show", "gone.service")
        #expect(show.stdout.contains("Result=exit-code") && show.stdout.contains("ExecMainStatus=203"), "\(show.stdout)")
        #expect(show.stdout.contains("WickLastSpawnError=exec failed: /nonexistent/daemon: No such file or directory"), "\(show.stdout)")
    }

    /// sun_path holds 107 bytes and a NUL: longer control or runtime paths are refused at start,
    /// never copied past the structure (release builds used to smash the stack at 109-120 bytes).
    @Test(arguments: [108, 109, 115, 120, 300])
    func socketPathsLongerThanSunPathAreRefusedClearly(length: Int) throws {
        let directory = try BinaryRunner.directory(["x.service": "[Service]\nExecStart=/bin/true\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let prefix = directory.path + "/"
        let control = prefix + String(repeating: "c", count: max(1, length - prefix.utf8.count))
        let result = try BinaryRunner.run(BinaryRunner.wick, ["daemon", "--units", directory.path, "--runtime-dir", directory.path + "/run", "--control", control])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("longer than sun_path allows (107)"), "\(result.stderr)")
        #expect(!result.stderr.contains("stack smashing"))
        let runtime = prefix + String(repeating: "r", count: max(1, length - prefix.utf8.count - "/wick/notify".utf8.count))
        let notify = try BinaryRunner.run(BinaryRunner.wick, ["daemon", "--units", directory.path, "--runtime-dir", runtime, "--control", directory.path + "/c"])
        #expect(notify.status == 1 && notify.stderr.contains("/wick/notify is \(runtime.utf8.count + 12) bytes"), "\(notify.stderr)")
    }

    /// No fixed array in the spawn shim: 300 sockets reach one service, in order.
    @Test func threeHundredSocketsReachOneService() throws {
        let port = TestClient.freePort()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wick-fds-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        var listen = "ListenStream=127.0.0.1:\(port)\n"
        for index in 1..<300 { listen += "ListenStream=@wick-many-\(getpid())-\(index)\n" }
        let live = try ControlVerbTests.start([
            "many.socket": "[Socket]\n" + listen,
            "many.service": "[Service]\nExecStart=/bin/sh -c 'echo $$LISTEN_FDS > \(out); [ -S /proc/$$$$/fd/302 ] && echo last >> \(out); exec sleep 100'\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        close(TestClient.connectTCP(port))
        #expect(ControlVerbTests.waitFor { (try? String(contentsOfFile: out, encoding: .utf8)) == "300\nlast\n" },
                "\((try? String(contentsOfFile: out, encoding: .utf8)) ?? "nothing") \(live.wick.log.suffix(800))")
        #expect(try live.run("status", "many.service").stdout.contains("active (running)"))
    }

    /// Once shutdown began, `start`, `restart`, `daemon-reload` and SIGHUP are refused and
    /// traffic starts nothing: wick stops and exits 0.
    @Test func shutdownRefusesStartsReloadsAndActivations() throws {
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "slow.service": "[Service]\nExecStart=/bin/sleep 1000\nExecStop=/bin/sleep 1.5\n[Install]\nWantedBy=multi-user.target\n",
            "other.service": "[Service]\nExecStart=/bin/sleep 1000\n",
            "web.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "web.service": "[Service]\nExecStart=/bin/sleep 1000\n",
        ])
        defer { live.stop() }
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("slow.service: dead -> running") })
        kill(live.wick.pid, SIGTERM)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("slow.service: running -> stop") })
        let start = try live.run("start", "other.service")
        #expect(start.status != 0 && start.stderr.contains("start refused: wick is shutting down"), "\(start.stderr)")
        let reload = try live.run("daemon-reload")
        #expect(reload.status != 0 && reload.stderr.contains("daemon-reload refused: wick is shutting down"), "\(reload.stderr)")
        kill(live.wick.pid, SIGHUP)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("reload refused: wick is shutting down") }, "\(live.wick.log)")
        close(TestClient.connectTCP(port))
        #expect(live.wick.waitForExit(seconds: 10) == 0, "\(live.wick.log)")
        #expect(!live.wick.log.contains("other.service: dead"), "\(live.wick.log)")
        #expect(!live.wick.log.contains("web.service: dead"), "\(live.wick.log)")
    }

    /// 200 followers of a chatty unit that never read: dropped once 256 KiB wait for each, the
    /// daemon stays small and answers, and other sockets are served meanwhile.
    @Test func twoHundredFollowersThatNeverReadDoNotStallTheLoop() throws {
        let port = TestClient.freePort()
        let done = FileManager.default.temporaryDirectory.appendingPathComponent("wick-chatty-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: done) }
        let live = try ControlVerbTests.start([
            "chatty.service": "[Service]\nExecStart=/bin/sh -c 'yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -n 200000; touch \(done); sleep 100'\n",
            "echo.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "echo@.service": "[Service]\nExecStart=/bin/echo served\nStandardInput=socket\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        let request = Array(#"{"version":1,"verb":"logs","units":["chatty.service"],"follow":true}"#.utf8) + [10]
        let followers = (0..<200).map { _ in ControlAccessTests.connectUnix(live.control) }
        defer { followers.forEach { close($0) } }
        for fd in followers {
            var small: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        usleep(300_000)
        let before = ControlAccessTests.residentKilobytes(live.wick.pid)
        #expect(try live.run("start", "chatty").status == 0)
        var served = 0
        for _ in 0..<20 {
            if TestClient.readAll(TestClient.connectTCP(port)) == "served\n" { served += 1 }
            #expect(try live.run("is-system-running").status == 0)
        }
        #expect(served == 20, "other sockets are served while the unit floods its followers")
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: done) }, "the unit wrote its 200,000 lines (16 MB)")
        #expect(try live.run("is-system-running").status == 0)
        let grown = ControlAccessTests.residentKilobytes(live.wick.pid) - before
        #expect(grown < 100 * 1024, "RSS grew by \(grown) KiB")
        try HostileNotifyTests.expectHealthy(live)
    }

    /// Out of fds: the control listener pauses instead of spinning at 100 % CPU, and serves again.
    @Test func theControlListenerDoesNotSpinWhenOutOfFds() throws {
        let live = try Self.start(ControlAccessTests.units, wrapper: ["/usr/bin/prlimit", "--nofile=40:40"])
        defer { live.stop() }
        let clients = (0..<60).map { _ in ControlAccessTests.connectUnix(live.control) }
        usleep(300_000)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("Too many open files, pausing this listener for 200 ms at a time") }, "\(live.wick.log)")
        let used = Self.cpuUsed(live.wick.pid, over: 2)
        #expect(used < 40, "the daemon used \(used) ticks of 200 while out of fds")
        clients.forEach { if $0 >= 0 { close($0) } }   // closed once: a second close could hit another test's fd
        #expect(ControlVerbTests.waitFor { (try? live.run("status").status) == 0 }, "served again once fds are free")
        #expect(live.wick.log.components(separatedBy: "pausing this listener").count == 2, "said once: \(live.wick.log)")
    }

    /// Out of fds with an Accept=yes socket flooded: no spin, clients wait in the backlog, and
    /// the socket serves again when the flood ends.
    @Test func anAcceptYesFloodOutOfFdsPausesAndRecovers() throws {
        let port = TestClient.freePort()
        let live = try Self.start([
            "hold.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\nTriggerLimitIntervalSec=0\nPollLimitIntervalSec=0\nBacklog=200\n",
            "hold@.service": "[Service]\nExecStart=/bin/sh -c 'read line; echo served'\nStandardInput=socket\n",
        ], wrapper: ["/usr/bin/prlimit", "--nofile=48:48"])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        let flood = (0..<120).map { _ in TestClient.connectTCP(port) }
        usleep(500_000)
        // Whichever needs the last fd fails and pauses the socket: accept(2), or the instance's
        // spawn (its output pipe), whose instance then fails with result resources.
        let spawnFailed = "could not be spawned, not accepting for 200 ms", acceptFailed = "accept4: Too many open files, not accepting for 200 ms"
        #expect(ControlVerbTests.waitFor { live.wick.log.contains(spawnFailed) || live.wick.log.contains(acceptFailed) }, "\(live.wick.log.suffix(1500))")
        #expect(live.wick.log.contains("Too many open files"))
        #expect(!live.wick.log.contains(spawnFailed) || live.wick.log.contains("(result: resources)"))
        let used = Self.cpuUsed(live.wick.pid, over: 2)
        #expect(used < 60, "the daemon used \(used) ticks of 200 while out of fds")
        for fd in flood { _ = "bye\n".withCString { send(fd, $0, 4, Int32(MSG_NOSIGNAL)) } }
        var answered = 0
        for fd in flood where TestClient.readAll(fd) == "served\n" { answered += 1 }   // readAll closes fd
        // At most one connection per back-off is accepted and lost while fds are short; the
        // others wait in the backlog and are served once instances end.
        #expect(answered >= flood.count - 30, "\(answered) of \(flood.count) served")
        let late = TestClient.connectTCP(port)
        _ = "hi\n".withCString { send(late, $0, 3, Int32(MSG_NOSIGNAL)) }
        #expect(TestClient.readAll(late) == "served\n")
        try HostileNotifyTests.expectHealthy(live)
    }

    /// Out of processes (RLIMIT_NPROC, for a non-root daemon): the connection is closed and
    /// counted, the instance fails with result `resources` and a message, nothing leaks.
    @Test(.enabled(if: getuid() == 0, "needs root to run the daemon as another uid"))
    func aSpawnThatFailsForWantOfProcessesIsReported() throws {
        let port = TestClient.freePort()
        let live = try Self.start([
            "p.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "p@.service": "[Service]\nExecStart=/bin/echo served\nStandardInput=socket\n",
        ], wrapper: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/prlimit", "--nproc=1:1"])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        let baseline = try live.settledDescriptors()
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "", "closed unanswered")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("cannot start /bin/echo: Resource temporarily unavailable") }, "\(live.wick.log)")
        // The connection is closed before the instance's transition is logged (systemd's order).
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("(result: resources)") }, "\(live.wick.log)")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("could not be spawned, not accepting for 200 ms") }, "\(live.wick.log)")
        try HostileNotifyTests.expectHealthy(live, baseline: baseline)
    }
}
