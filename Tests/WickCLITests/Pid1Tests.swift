import Foundation
import Glibc
import Testing
import WickSystem

/// wick as PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`), as in a container.
/// Signals go to the inner wick by its host pid, and only after checking that it is PID 1 of its own
/// namespace (`unshare --fork` itself ignores SIGTERM; the machine's PID 1 is never signalled).
@Suite(.serialized) struct Pid1Tests {
    struct Namespace {
        let unshare: BackgroundProcess
        let directory: URL
        let wickPID: Int32

        func stop() {
            if wickPID > 0 { kill(wickPID, SIGKILL) }
            unshare.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Starts wick as PID 1 and finds its host pid (NSpid ends in 1).
    func start(_ files: [String: String], _ extra: [String] = []) throws -> Namespace {
        let directory = try BinaryRunner.directory(files)
        var arguments = ["--pid", "--fork", "--mount-proc"]
        if getuid() != 0 { arguments = ["--user", "--map-root-user"] + arguments }
        arguments += [BinaryRunner.wick.path, "daemon", "--units", directory.path, "--runtime-dir", directory.appendingPathComponent("run").path] + extra
        let unshare = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/unshare"), arguments)
        var wickPID: Int32 = 0
        for _ in 0..<500 where wickPID == 0 {
            for child in unshare.children() {
                let status = (try? String(contentsOfFile: "/proc/\(child)/status", encoding: .utf8)) ?? ""
                if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("NSpid:") }),
                   line.split(separator: "\t").last == "1", line.split(separator: "\t").count == 3 {
                    wickPID = child
                }
            }
            if wickPID == 0 { usleep(10_000) }
        }
        return Namespace(unshare: unshare, directory: directory, wickPID: wickPID)
    }

    /// Python lines that make the next pid of the namespace the number held in `variable`
    /// (`ns_last_pid`) and fork a process with it, in a session and group of its own: it writes
    /// `impostor` ("same" when it got the number) and, if it is sent SIGTERM, `signalled`, in the
    /// directory `out`. (At the left margin of a script.)
    static func impostor(taking variable: String) -> String {
        """
        with open("/proc/sys/kernel/ns_last_pid", "w") as f: f.write(str(\(variable) - 1))
        impostor = os.fork()
        if impostor == 0:
            os.setsid()
            def hit(*_):
                open(out + "/signalled", "w").write("TERM")
                os._exit(0)
            signal.signal(signal.SIGTERM, hit)
            open(out + "/impostor", "w").write("same" if os.getpid() == \(variable) else "other")
            time.sleep(100)
            os._exit(0)
        time.sleep(100)
        """
    }

    func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            usleep(20_000)
        }
        return false
    }

    func zombies(of parent: Int32) -> [Int32] { HostileNotifyTests.zombies(of: parent) }

    /// The children of `pid` that are not zombies.
    static func liveChildren(of pid: Int32) -> Int {
        ProcessTable.children(of: pid).filter { ProcessTable.entry(of: $0).map { $0.state != "Z" } ?? false }.count
    }

    func exitStatus(_ namespace: Namespace) -> Int32? {
        namespace.unshare.waitForExit(seconds: 15)
    }

    @Test func orphansAreReapedAndSigtermStopsInReverseOrder() throws {
        let order = FileManager.default.temporaryDirectory.appendingPathComponent("wick-order-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: order) }
        let namespace = try start([
            "b.service": "[Service]\nExecStart=/bin/sleep 1000\nExecStop=/bin/sh -c 'echo b >> \(order)'\n[Install]\nWantedBy=multi-user.target\n",
            "a.service": "[Unit]\nAfter=b.service\n[Service]\nExecStart=/bin/sleep 1000\nExecStop=/bin/sh -c 'echo a >> \(order)'\n[Install]\nWantedBy=multi-user.target\n",
            "orphans.service": "[Service]\nExecStart=/bin/sh -c '(/bin/sleep 0.2 &); (/bin/sleep 0.3 &); exec /bin/sleep 1000'\n[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { namespace.stop() }
        #expect(namespace.wickPID > 0, "wick is PID 1 of the new namespace")
        guard namespace.wickPID > 0 else { return }
        #expect(waitFor { namespace.unshare.log.contains("a.service: dead -> running") }, "\(namespace.unshare.log)")
        usleep(800_000)
        #expect(zombies(of: namespace.wickPID).isEmpty, "double-forked grandchildren are reaped by PID 1")
        kill(namespace.wickPID, SIGTERM)
        #expect(exitStatus(namespace) == 0, "\(namespace.unshare.log)")
        #expect((try? String(contentsOfFile: order, encoding: .utf8)) == "a\nb\n", "a is ordered after b, so it stops first")
    }

    @Test func aServiceIgnoringSigtermIsKilledAfterItsTimeout() throws {
        let namespace = try start([
            "stubborn.service": "[Service]\nExecStart=/bin/sh -c 'trap \"\" TERM; while :; do /bin/sleep 0.1; done'\nTimeoutStopSec=1\n[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { namespace.stop() }
        guard namespace.wickPID > 0 else { Issue.record("wick did not start as PID 1"); return }
        #expect(waitFor { namespace.unshare.log.contains("stubborn.service: dead -> running") })
        usleep(200_000)
        kill(namespace.wickPID, SIGTERM)
        #expect(exitStatus(namespace) == 1, "something had to be killed: \(namespace.unshare.log)")
        #expect(namespace.unshare.log.contains("stubborn.service: stop-sigterm -> stop-sigkill"))
    }

    /// What a stopped service leaves in its process group is killed (systemd's final-sigterm,
    /// then final-sigkill at `TimeoutStopSec=`; `KillMode=mixed`: SIGKILL at once): a child that
    /// ignores SIGTERM lived on after `wick stop` (re-parented to wick), one more at each run
    /// under `Restart=`. In a PID namespace, so that what is left is easy to count.
    @Test(arguments: ["control-group", "mixed"])
    func aStopKillsWhatTheMainProcessLeftBehind(mode: String) throws {
        let script = "(trap \"\" TERM; while :; do /bin/sleep 0.1; done) & trap \"exit 0\" TERM; while :; do /bin/sleep 0.1; done"
        let namespace = try start([
            "leaves.service": "[Service]\nExecStart=/bin/sh -c '\(script)'\nKillMode=\(mode)\nTimeoutStopSec=1\n[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { namespace.stop() }
        guard namespace.wickPID > 0 else { Issue.record("wick did not start as PID 1"); return }
        #expect(waitFor { namespace.unshare.log.contains("leaves.service: dead -> running") }, "\(namespace.unshare.log)")
        usleep(300_000)
        let control = namespace.directory.appendingPathComponent("run/wick/control").path
        let stop = try BinaryRunner.run(BinaryRunner.wick, ["stop", "leaves.service", "--control", control])
        #expect(stop.status == 0, "\(stop.stderr)")
        func descendants() -> Int { Self.liveChildren(of: namespace.wickPID) }
        #expect(waitFor { descendants() == 0 }, "left behind: \(descendants()) processes; \(namespace.unshare.log)")
        let expected = mode == "mixed" ? "leaves.service: stop-sigterm -> final-sigkill" : "leaves.service: final-sigterm -> final-sigkill"
        #expect(namespace.unshare.log.contains(expected), "\(namespace.unshare.log)")
    }

    /// A client waiting for a stop when the shutdown deadline passes gets an answer (the
    /// connection was closed without one).
    @Test func aClientWaitingAtTheShutdownDeadlineIsAnswered() throws {
        let namespace = try start([
            "stubborn.service": "[Service]\nExecStart=/bin/sh -c 'trap \"\" TERM; while :; do /bin/sleep 0.1; done'\nTimeoutStopSec=60\n"
                + "[Install]\nWantedBy=multi-user.target\n",
        ], ["--shutdown-timeout", "1s"])
        defer { namespace.stop() }
        guard namespace.wickPID > 0 else { Issue.record("wick did not start as PID 1"); return }
        #expect(waitFor { namespace.unshare.log.contains("stubborn.service: dead -> running") })
        let control = namespace.directory.appendingPathComponent("run/wick/control").path
        let client = ControlAccessTests.connectUnix(control)
        defer { close(client) }
        let request = Array(#"{"version":1,"verb":"stop","units":["stubborn.service"]}"#.utf8) + [10]
        _ = request.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        usleep(200_000)
        kill(namespace.wickPID, SIGTERM)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let answer = TestClient.readAll(client)
        #expect(answer.contains(#""ok":false"#) && answer.contains("shutdown deadline"), "\(answer) \(namespace.unshare.log)")
    }

    @Test(arguments: [("exit 3", Int32(3)), ("kill -9 $$$$", Int32(137)), ("exit 0", Int32(0))])
    func exitWithPropagatesTheStatus(script: String, expected: Int32) throws {
        let namespace = try start([
            "job.service": "[Service]\nExecStart=/bin/sh -c 'sleep 0.2; \(script)'\n[Install]\nWantedBy=multi-user.target\n",
            "other.service": "[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n",
        ], ["--exit-with", "job.service"])
        defer { namespace.stop() }
        #expect(namespace.wickPID > 0)
        #expect(exitStatus(namespace) == expected, "\(namespace.unshare.log)")
    }

    @Test func exitWithReportsZeroForAnOrderlyStop() throws {
        let namespace = try start([
            "main.service": "[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n",
        ], ["--exit-with", "main.service"])
        defer { namespace.stop() }
        guard namespace.wickPID > 0 else { Issue.record("wick did not start as PID 1"); return }
        #expect(waitFor { namespace.unshare.log.contains("main.service: dead -> running") })
        kill(namespace.wickPID, SIGTERM)
        #expect(exitStatus(namespace) == 0, "a service ending on wick's SIGTERM is a clean stop, not 143")
    }

    /// MAINPID=1 from a service (here wick is PID 1 itself): refused, so that stopping the unit and
    /// the shutdown deadline never signal PID 1 or -1 (issue 9). Inside a PID namespace, so that a
    /// regression could only hurt the namespace.
    /// `MAINPID=` of a process that is not wick's child: once it has gone and another process
    /// took its number (outside the unit's process group), the stop does not signal that one.
    /// wick took a pidfd when it accepted the pid and signals through it, as systemd 255 keeps a
    /// pidfd in its PidRef; it signalled the number. (PID reuse is forced with the namespace's
    /// `ns_last_pid`, which is why this runs as PID 1 of its own namespace.)
    @Test func aStopNeverSignalsAProcessThatTookAGoneMainPIDsNumber() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try """
            import os, signal, socket, sys, time
            out = sys.argv[1]
            child = os.fork()
            if child == 0:
                time.sleep(100)
                os._exit(0)
            address = os.environ["NOTIFY_SOCKET"]
            if address.startswith("@"): address = "\\0" + address[1:]
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(("READY=1\\nMAINPID=%d" % child).encode(), address)
            time.sleep(0.5)
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            \(Self.impostor(taking: "child"))
            """.write(toFile: "\(out)/reuse.py", atomically: true, encoding: .utf8)
        let namespace = try start([
            "reuse.service": "[Service]\nType=notify\nNotifyAccess=all\nKillMode=process\nTimeoutStopSec=3\n"
                + "ExecStart=/usr/bin/python3 \(out)/reuse.py \(out)\n[Install]\nWantedBy=multi-user.target\n",
        ], ["--shutdown-timeout", "6s"])
        defer { namespace.stop() }
        guard namespace.wickPID > 0 else { Issue.record("wick did not start as PID 1"); return }
        #expect(waitFor { ExecEnvironmentTests.read("\(out)/impostor") == "same" }, "the impostor took the number: \(namespace.unshare.log)")
        kill(namespace.wickPID, SIGTERM)
        #expect(exitStatus(namespace) == 0, "\(namespace.unshare.log)")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/signalled"), "the impostor was signalled: \(namespace.unshare.log)")
    }

    /// A unit whose process-group leader has gone (`Type=oneshot` with `RemainAfterExit=yes`,
    /// a forking daemon that left its group) keeps the group's number; once another process took
    /// that number and made a group of its own, the unit's stop does not signal that group (it
    /// sent SIGTERM to `-pgid` and stopped another unit's process). PID reuse forced with
    /// `ns_last_pid`, as above.
    @Test func aStopNeverSignalsAGroupWhoseNumberWasReused() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try """
            import os, signal, sys, time
            out = sys.argv[1]
            while not os.path.exists(out + "/leader"): time.sleep(0.01)
            leader = int(open(out + "/leader").read())
            while os.path.exists("/proc/%d" % leader): time.sleep(0.01)   # reaped by wick
            \(Self.impostor(taking: "leader"))
            """.write(toFile: "\(out)/driver.py", atomically: true, encoding: .utf8)
        let namespace = try start([
            "once.service": "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'echo $$$$ > \(out)/leader'\n"
                + "[Install]\nWantedBy=multi-user.target\n",
            "driver.service": "[Service]\nExecStart=/usr/bin/python3 \(out)/driver.py \(out)\n[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { namespace.stop() }
        guard namespace.wickPID > 0 else { Issue.record("wick did not start as PID 1"); return }
        #expect(waitFor { ExecEnvironmentTests.read("\(out)/impostor") == "same" }, "the impostor took the number: \(namespace.unshare.log)")
        let control = namespace.directory.appendingPathComponent("run/wick/control").path
        #expect(try BinaryRunner.run(BinaryRunner.wick, ["stop", "once.service", "--control", control]).status == 0)
        usleep(300_000)
        #expect(!FileManager.default.fileExists(atPath: "\(out)/signalled"), "the impostor was signalled: \(namespace.unshare.log)")
        #expect(namespace.unshare.log.contains("once.service: not signalling process group"), "\(namespace.unshare.log)")
    }

    /// A main process handed over by `MAINPID=` and handed back leaves nothing of itself in wick:
    /// once it has gone and a process of another unit took its number, that process's
    /// notifications are not the first unit's (wick kept the old number as the first unit's, took
    /// "STATUS=hijacked" from the newcomer for it, and would have SIGKILLed it at a shutdown
    /// deadline). PID reuse forced with `ns_last_pid`, as above.
    @Test func aMainPIDHandedBackLeavesNoTraceOfTheOldOne() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try """
            import os, signal, socket, sys, time
            out = sys.argv[1]
            address = os.environ["NOTIFY_SOCKET"]
            def send(text): socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(text.encode(), address)
            child = os.fork()
            if child == 0:
                time.sleep(100)
                os._exit(0)
            send("READY=1\\nMAINPID=%d" % child)
            time.sleep(0.3)
            send("MAINPID=%d" % os.getpid())
            time.sleep(0.3)
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            open(out + "/old", "w").write(str(child))
            with open("/proc/sys/kernel/ns_last_pid", "w") as f: f.write(str(child - 1))
            open(out + "/go", "w").write("")
            time.sleep(100)
            """.write(toFile: "\(out)/handback.py", atomically: true, encoding: .utf8)
        try """
            import os, socket, sys, time
            out = sys.argv[1]
            while not os.path.exists(out + "/go"): time.sleep(0.01)
            newcomer = os.fork()
            if newcomer == 0:
                open(out + "/newcomer", "w").write(str(os.getpid()))
                socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"STATUS=hijacked", os.environ["NOTIFY_SOCKET"])
                time.sleep(100)
                os._exit(0)
            time.sleep(100)
            """.write(toFile: "\(out)/other.py", atomically: true, encoding: .utf8)
        let namespace = try start([
            "handback.service": "[Service]\nType=notify\nNotifyAccess=all\nExecStart=/usr/bin/python3 \(out)/handback.py \(out)\n[Install]\nWantedBy=multi-user.target\n",
            "other.service": "[Service]\nNotifyAccess=all\nExecStart=/usr/bin/python3 \(out)/other.py \(out)\n[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { namespace.stop() }
        guard namespace.wickPID > 0 else { Issue.record("wick did not start as PID 1"); return }
        #expect(waitFor { !ExecEnvironmentTests.read("\(out)/newcomer").isEmpty }, "\(namespace.unshare.log)")
        #expect(ExecEnvironmentTests.read("\(out)/newcomer") == ExecEnvironmentTests.read("\(out)/old"), "the newcomer took the number")
        let control = namespace.directory.appendingPathComponent("run/wick/control").path
        func status(_ unit: String) -> String {
            let shown = (try? BinaryRunner.run(BinaryRunner.wick, ["show", unit, "--control", control]).stdout) ?? ""
            return shown.split(separator: "\n").first { $0.hasPrefix("StatusText=") }.map(String.init) ?? ""
        }
        #expect(waitFor { status("other.service") == "StatusText=hijacked" }, "\(namespace.unshare.log)")
        #expect(status("handback.service") == "StatusText=", "\(namespace.unshare.log)")
    }

    /// Two main processes that ended together: the first exit's `ExecStopPost=` is spawned
    /// before the second exit is handled, and must not take the second's number (wick reaped
    /// both, then handled them in turn: the post process took the freed number, the second exit
    /// was taken for its, and the second unit stayed `running` with no process). Each exit is
    /// handled as it is reaped, as systemd's manager_dispatch_sigchld(). wick is held with
    /// SIGSTOP until both are zombies, and the namespace's `ns_last_pid` hands the second's
    /// number to the next process (root only: written from outside through nsenter).
    @Test(.enabled(if: getuid() == 0)) func anExitIsHandledBeforeItsNumberCanBeTaken() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        mkfifo("\(out)/go", 0o600)
        let wait = "read line < \(out)/go; exit 0"
        let namespace = try start([
            "first.service": "[Service]\nExecStart=/bin/sh -c 'echo $$$$ > \(out)/first; \(wait)'\n"
                + "ExecStopPost=/bin/sh -c 'echo $$$$ > \(out)/post; exec sleep 100'\n[Install]\nWantedBy=multi-user.target\n",
            "second.service": "[Unit]\nAfter=first.service\n[Service]\nExecStart=/bin/sh -c 'echo $$$$ > \(out)/second; \(wait)'\n"
                + "[Install]\nWantedBy=multi-user.target\n",
        ])
        defer { namespace.stop() }
        guard namespace.wickPID > 0 else { Issue.record("wick did not start as PID 1"); return }
        let second = ExecEnvironmentTests.waitForPID("\(out)/second")
        #expect(ExecEnvironmentTests.waitForPID("\(out)/first") > 0 && second > 0, "\(namespace.unshare.log)")
        kill(namespace.wickPID, SIGSTOP)
        let writer = open("\(out)/go", O_WRONLY)
        _ = write(writer, "go\ngo\n", 6)
        close(writer)
        #expect(waitFor { zombies(of: namespace.wickPID).count == 2 }, "both main processes ended")
        let setter = try BinaryRunner.run(URL(fileURLWithPath: "/usr/bin/nsenter"),
                                          ["-t", String(namespace.wickPID), "-p", "-m", "/bin/sh", "-c", "echo \(second - 1) > /proc/sys/kernel/ns_last_pid"])
        #expect(setter.status == 0, "\(setter.stderr)")
        kill(namespace.wickPID, SIGCONT)
        let post = ExecEnvironmentTests.waitForPID("\(out)/post")
        #expect(post > 0 && post != second, "the post process took \(post), the second main process was \(second)")
        #expect(waitFor { namespace.unshare.log.contains("second.service: running -> dead") }, "\(namespace.unshare.log)")
    }

    @Test func mainPIDOfPID1IsRefusedAndShutdownStaysOrderly() throws {
        let notifier = BinaryRunner.repositoryRoot.appendingPathComponent("Tests/scripts/hostile-notify.py").path
        let namespace = try start([
            "hostile.service": "[Service]\nType=notify\nNotifyAccess=all\nExecStart=/usr/bin/python3 \(notifier) MAINPID=1 READY=1\nTimeoutStopSec=2\n[Install]\nWantedBy=multi-user.target\n",
            "other.service": "[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n",
        ], ["--shutdown-timeout", "4s"])
        defer { namespace.stop() }
        guard namespace.wickPID > 0 else { Issue.record("wick did not start as PID 1"); return }
        #expect(waitFor { namespace.unshare.log.contains("hostile.service: start -> running") }, "\(namespace.unshare.log)")
        #expect(namespace.unshare.log.contains("hostile.service: MAINPID=1 refused: it is PID 1"), "\(namespace.unshare.log)")
        kill(namespace.wickPID, SIGTERM)
        #expect(exitStatus(namespace) == 0, "an orderly stop, nothing killed at the deadline: \(namespace.unshare.log)")
        #expect(!namespace.unshare.log.contains("shutdown deadline passed"))
    }
}
