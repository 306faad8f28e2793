import Foundation
import Glibc
import Testing

/// Behaviours real programs notice, compared with systemd 252 (issue 10), end to end.
@Suite(.serialized) struct SystemdFidelityTests {
    static func script(_ name: String) -> String {
        BinaryRunner.repositoryRoot.appendingPathComponent("Tests/scripts/\(name)").path
    }

    /// WatchdogSec= on a Type=simple service: WATCHDOG_USEC, WATCHDOG_PID (its own pid) and
    /// NOTIFY_SOCKET are set, and a service that pings is not killed.
    @Test func aWatchdogServiceGetsItsEnvironmentAndLivesWhilePinging() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wick-wd-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "wd.service": "[Service]\nExecStart=/usr/bin/python3 \(Self.script("watchdog-service.py")) \(out)\nWatchdogSec=2\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "wd.service").status == 0)
        #expect(ControlVerbTests.waitFor { (try? String(contentsOfFile: out, encoding: .utf8)) != nil })
        usleep(100_000)
        #expect((try? String(contentsOfFile: out, encoding: .utf8)) == "usec=2000000 own-pid=True notify=yes\n")
        sleep(5)
        #expect(!live.wick.log.contains("watchdog"), "\(live.wick.log)")
        #expect(try live.run("status", "wd.service").stdout.contains("active (running)"))
    }

    /// Issue 10 item 3: a UDP service in the inetd "wait" style, served twice in a row (it exits
    /// when idle and the socket activates it again); with two sockets it cannot start.
    @Test func aUDPServiceInTheInetdWaitStyleIsServedTwice() throws {
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "tftp.socket": "[Socket]\nListenDatagram=127.0.0.1:\(port)\n",
            "tftp.service": "[Service]\nExecStart=/usr/bin/python3 \(Self.script("udp-wait-service.py"))\nStandardInput=socket\n",
            "two.socket": "[Socket]\nListenDatagram=127.0.0.1:\(TestClient.freePort())\nListenDatagram=127.0.0.1:\(TestClient.freePort())\n",
            "two.service": "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitBoundUDP(port), "\(live.wick.log)")
        let first = TestClient.udpExchange(port, "one")
        #expect(first.hasSuffix("listen_fds=none got=one"), "\(first) \(live.wick.log)")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("tftp.service: running -> dead") })
        let second = TestClient.udpExchange(port, "two")
        #expect(second.hasSuffix("listen_fds=none got=two"), "\(second)")
        #expect(first.split(separator: " ").first != second.split(separator: " ").first, "a new process served the second datagram")
        let start = try live.run("start", "two.service")
        #expect(start.status == 1 && start.stderr.contains("Job for two.service (result: resources) failed"), "\(start.stderr)")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("two.service: Got more than one socket.") }, "\(live.wick.log)")
        #expect(live.wick.log.contains("two.service: dead -> failed (result: resources)"), "\(live.wick.log)")
    }

    /// Issue 10 item 13: ExecCondition= exit 1-254 skips the unit (dead, exec-condition, no
    /// OnFailure=), 255 fails it, 0 starts it.
    @Test func execConditionSkipsFailsOrStarts() throws {
        let live = try ControlVerbTests.start([
            "skip.service": "[Unit]\nOnFailure=alarm.service\n[Service]\nExecCondition=/bin/sh -c 'exit 1'\nExecStart=/bin/sleep 100\n",
            "fail.service": "[Unit]\nOnFailure=alarm.service\n[Service]\nExecCondition=/bin/sh -c 'exit 255'\nExecStart=/bin/sleep 100\n",
            "go.service": "[Service]\nExecCondition=/bin/true\nExecStart=/bin/sleep 100\n",
            "alarm.service": "[Service]\nExecStart=/bin/true\n",
        ])
        defer { live.stop() }
        _ = try live.run("start", "skip.service", "fail.service", "go.service")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("go.service: start-pre -> running") || live.wick.log.contains("go.service: condition -> running") },
                "\(live.wick.log)")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("fail.service: stop-sigterm -> failed") || live.wick.log.contains("fail.service: condition -> failed") })
        let skipped = try live.run("show", "skip.service").stdout
        #expect(skipped.contains("ActiveState=inactive") && skipped.contains("SubState=dead") && skipped.contains("Result=exec-condition"), "\(skipped)")
        #expect(try live.run("show", "fail.service").stdout.contains("Result=exit-code"))
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("fail.service: failed, starting OnFailure=alarm.service") })
        #expect(!live.wick.log.contains("skip.service: failed"), "a skip is not a failure: \(live.wick.log)")
    }

    /// Issue 10 items 4 and 9: the keep-alive, packet-info and timestamping options reach the
    /// sockets (read back from inside the service), and an option a socket refuses
    /// (NoDelay= on a datagram socket) is a warning, not a failure.
    @Test func socketOptionsReachTheSocketsAndARefusedOneIsAWarning() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wick-opt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "opt.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nListenDatagram=127.0.0.1:\(TestClient.freePort())\nKeepAlive=yes\n"
                + "KeepAliveTimeSec=77\nKeepAliveIntervalSec=11\nKeepAliveProbes=4\nNoDelay=yes\nPassPacketInfo=yes\nTimestamping=ns\n",
            "opt.service": "[Service]\nExecStart=/usr/bin/python3 \(Self.script("sockopt-report.py")) \(out)\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port), "\(live.wick.log)")
        #expect(live.wick.log.contains("opt.socket: TCP_NODELAY failed: "), "\(live.wick.log)")
        close(TestClient.connectTCP(port))
        #expect(ControlVerbTests.waitFor { (try? String(contentsOfFile: out, encoding: .utf8)) != nil })
        #expect((try? String(contentsOfFile: out, encoding: .utf8)) == "keepalive=1 keepidle=77 keepintvl=11 keepcnt=4 nodelay=1 pktinfo=1 timestampns=1\n")
    }

    /// FlushPending=yes: a connection the service left unanswered is dropped when the socket
    /// listens again, instead of starting the service again and again.
    @Test func flushPendingDropsWhatTheServiceLeft() throws {
        let flushed = TestClient.freePort(), kept = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "flushed.socket": "[Socket]\nListenStream=127.0.0.1:\(flushed)\nFlushPending=yes\n",
            "flushed.service": "[Service]\nExecStart=/bin/sleep 0.2\n",
            "kept.socket": "[Socket]\nListenStream=127.0.0.1:\(kept)\n",
            "kept.service": "[Service]\nExecStart=/bin/sleep 0.2\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(flushed) && TestClient.waitListening(kept))
        let clients = [TestClient.connectTCP(flushed), TestClient.connectTCP(kept)]
        defer { clients.forEach { close($0) } }
        sleep(2)
        let log = live.wick.log
        #expect(log.components(separatedBy: "flushed.service: dead -> running").count == 2, "started once: \(log)")
        #expect(log.components(separatedBy: "kept.service: dead -> running").count > 2, "without FlushPending the queued connection starts it again")
    }

    /// Issue 10 item 5: NonBlocking= sets O_NONBLOCK on every passed fd, and without it the fds
    /// (a FIFO included) are blocking; in [Socket] it is an unknown key, as in systemd.
    @Test(arguments: [("yes", "4000 4000"), ("no", "0 0")])
    func nonBlockingSetsOrClearsTheFlagOnEveryPassedFd(setting: String, expected: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wick-nb-\(UUID().uuidString)").path
        let fifo = out + ".fifo"
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: fifo) }
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "nb.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nListenFIFO=\(fifo)\n",
            "nb.service": "[Service]\nNonBlocking=\(setting)\nExecStart=\(Self.script("fd-flags.sh")) \(out)\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        close(TestClient.connectTCP(port))
        #expect(ControlVerbTests.waitFor { ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: " ").count == 2 }, "\(live.wick.log)")
        #expect((try? String(contentsOfFile: out, encoding: .utf8))?.trimmingCharacters(in: .whitespaces) == expected)
        let verify = try BinaryRunner.wick("verify", live.directory.path)
        #expect(!verify.stdout.contains("NonBlocking"), "NonBlocking= is a [Service] setting")
        let socketDirectory = try BinaryRunner.directory(["x.socket": "[Socket]\nListenStream=9\nNonBlocking=yes\n", "x.service": "[Service]\nExecStart=/bin/true\n"])
        defer { try? FileManager.default.removeItem(at: socketDirectory) }
        let unknown = try BinaryRunner.wick("verify", socketDirectory.path)
        #expect(unknown.stdout.contains("NonBlocking"), "\(unknown.stdout)")
    }

    /// The backlog of a listening TCP socket on 127.0.0.1:port, as `ss` shows it (Send-Q).
    static func backlog(_ port: UInt16) throws -> String {
        let result = try BinaryRunner.run(URL(fileURLWithPath: "/usr/bin/ss"), ["-Hltn", "sport = :\(port)"])
        return result.stdout.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first.map(String.init) ?? "?"
    }

    /// Issue 10 item 6: daemon-reload with unchanged Listen*= keeps the listening socket (and its
    /// old settings) while it runs; the new Backlog= applies at its next start.
    @Test func reloadedSocketSettingsApplyAtTheNextStart() throws {
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "b.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nBacklog=7\n",
            "b.service": "[Service]\nExecStart=/bin/sleep 100\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        #expect(try Self.backlog(port) == "7")
        try "[Socket]\nListenStream=127.0.0.1:\(port)\nBacklog=9\n".write(to: live.directory.appendingPathComponent("b.socket"), atomically: true, encoding: .utf8)
        #expect(try live.run("daemon-reload").status == 0)
        #expect(try Self.backlog(port) == "7", "the running socket keeps its fd")
        #expect(try live.run("stop", "b.socket").status == 0)
        #expect(try live.run("start", "b.socket").status == 0)
        #expect(ControlVerbTests.waitFor { (try? Self.backlog(port)) == "9" }, "the new Backlog= at the next start: \((try? Self.backlog(port)) ?? "?")")
    }

    /// Issue 10 item 1: with Requires= and After=, the dependent starts only after its backend's
    /// ExecStartPost= has finished, and never when the backend fails (job result dependency).
    @Test func aDependentStartsAfterItsBackendIsUpAndNeverWhenItFails() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wick-jobs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let install = "[Install]\nWantedBy=multi-user.target\n"
        let live = try ControlVerbTests.start([
            "backend.service": "[Service]\nExecStart=/bin/sleep 100\nExecStartPost=/bin/sh -c 'sleep 0.5; touch \(directory)/warm'\n" + install,
            "front.service": "[Unit]\nRequires=backend.service\nAfter=backend.service\n[Service]\nExecStart=/bin/sh -c "
                + "'if [ -e \(directory)/warm ]; then echo warm; else echo cold; fi > \(directory)/front; exec sleep 100'\n" + install,
            "broken.service": "[Service]\nExecStart=/bin/sleep 100\nExecStartPost=/bin/false\n" + install,
            "needy.service": "[Unit]\nRequires=broken.service\nAfter=broken.service\n[Service]\nExecStart=/bin/sh -c 'touch \(directory)/needy'\n" + install,
        ])
        defer { live.stop() }
        // The shell creates the file before it writes to it: wait for the line, not the file.
        #expect(ControlVerbTests.waitFor { ((try? String(contentsOfFile: directory + "/front", encoding: .utf8)) ?? "").hasSuffix("\n") }, "\(live.wick.log)")
        #expect((try? String(contentsOfFile: directory + "/front", encoding: .utf8)) == "warm\n", "front started after backend's ExecStartPost=")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("needy.service: start job failed: required unit broken.service did not start (job result: dependency)") },
                "\(live.wick.log)")
        usleep(300_000)
        #expect(!FileManager.default.fileExists(atPath: directory + "/needy"), "needy never ran")
    }

    /// Issue 10 item 2: start, stop and restart wait for their jobs, as systemctl does; a failed
    /// start returns 1; --no-block returns at once.
    @Test func startStopAndRestartWaitForTheirJobs() throws {
        let notifier = BinaryRunner.repositoryRoot.appendingPathComponent("Tests/scripts/hostile-notify.py").path
        let live = try ControlVerbTests.start([
            "slow.service": "[Service]\nType=notify\nExecStart=/usr/bin/python3 \(notifier) @sleep:0.7 READY=1\nExecStop=/bin/sleep 0.5\n",
            "bad.service": "[Service]\nExecStartPre=/bin/false\nExecStart=/bin/sleep 100\n",
            "skipped.service": "[Unit]\nConditionPathExists=/nonexistent\n[Service]\nExecStart=/bin/sleep 100\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "slow.service").status == 0)
        #expect(try live.run("status", "slow.service").stdout.contains("active (running)"), "start returned once READY=1 came")
        #expect(try live.run("stop", "slow.service").status == 0)
        #expect(try live.run("status", "slow.service").stdout.contains("inactive (dead)"), "stop returned once it was stopped")
        #expect(try live.run("start", "--no-block", "slow.service").status == 0)
        let pending = try live.run("status", "slow.service").stdout
        #expect(pending.contains("activating"), "--no-block returned at once: \(pending)")
        #expect(try live.run("restart", "slow.service").status == 0)
        #expect(try live.run("status", "slow.service").stdout.contains("active (running)"))
        let bad = try live.run("start", "bad.service")
        #expect(bad.status == 1 && bad.stderr.contains("Job for bad.service (result: exit-code) failed"), "\(bad.stderr)")
        #expect(try live.run("start", "skipped.service").status == 0, "a unmet condition is not a failed job")
    }

    /// `wick list-jobs`: a running start job and one waiting for it.
    @Test func listJobsShowsRunningAndWaitingStartJobs() throws {
        let notifier = BinaryRunner.repositoryRoot.appendingPathComponent("Tests/scripts/hostile-notify.py").path
        let live = try ControlVerbTests.start([
            "db.service": "[Service]\nType=notify\nExecStart=/usr/bin/python3 \(notifier) @sleep:1.5 READY=1\n",
            "app.service": "[Unit]\nRequires=db.service\nAfter=db.service\n[Service]\nExecStart=/bin/sleep 100\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "--no-block", "app.service").status == 0)
        let jobs = try live.run("list-jobs").stdout
        #expect(jobs.contains("app.service") && jobs.contains("waiting") && jobs.contains("db.service"), "\(jobs)")
        #expect(jobs.contains("running"), "\(jobs)")
        #expect(try live.run("start", "app.service").status == 0, "waits for the queued job")
        #expect(try live.run("list-jobs").stdout == "No jobs running.\n")
    }

    /// A stop spreads to the units that require the stopped one, and runs in reverse order: the
    /// dependent (ordered after) is down before its backend gets SIGTERM; `wick stop` returns once
    /// both are stopped.
    @Test func stopJobsRunInReverseOrderAndWickStopWaitsForThem() throws {
        let live = try ControlVerbTests.start([
            "db.service": "[Service]\nExecStart=/bin/sleep 100\n",
            "app.service": "[Unit]\nRequires=db.service\nAfter=db.service\n[Service]\nExecStart=/bin/sh -c 'trap \"sleep 1; exit 0\" TERM; sleep 100 & wait'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "app.service").status == 0)
        let stop = try live.run("stop", "db.service")
        #expect(stop.status == 0, "\(stop.stderr)")
        let log = live.wick.log
        let appDown = log.range(of: "app.service: stop-sigterm -> dead")
        let dbStops = log.range(of: "db.service: running -> stop-sigterm")
        #expect(appDown != nil && dbStops != nil && appDown!.lowerBound < dbStops!.lowerBound, "\(log)")
        #expect(log.contains("db.service: stop-sigterm -> dead"), "wick stop returned after the backend stopped: \(log)")
    }

    /// A notification queued before its sender ended is judged before that end, even when an
    /// earlier exit woke wick first (systemd's EVENT_PRIORITY_NOTIFY is above SIGCHLD's): an
    /// `ExecReload=` process's `STATUS=` under `NotifyAccess=exec` is taken although another
    /// unit's process ended before it sent it. wick is stopped (SIGSTOP) while both happen.
    @Test func aNotificationIsJudgedBeforeTheExitsThatFollowIt() throws {
        let live = try ControlVerbTests.start([
            "early.service": "[Service]\nExecStart=/bin/sleep 0.3\n",
            "late.service": "[Service]\nNotifyAccess=exec\nExecStart=/bin/sleep 60\n"
                + "ExecReload=/bin/sh -c 'sleep 0.8; exec \(BinaryRunner.testService) notify'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "late.service").status == 0)
        #expect(try live.run("start", "early.service").status == 0)
        let reload = try BackgroundProcess(BinaryRunner.wick, ["reload", "late.service", "--control", live.control])
        defer { reload.stop() }
        // The reload process has started once late.service is reloading.
        #expect(ControlVerbTests.waitFor { (try? live.run("show", "late.service").stdout.contains("SubState=reload")) == true })
        kill(live.wick.pid, SIGSTOP)
        sleep(2)   // early.service's sleep ends, then the reload process notifies and ends
        kill(live.wick.pid, SIGCONT)
        #expect(reload.waitForExit(seconds: 10) == 0, "\(live.wick.log)")
        #expect(try live.run("show", "late.service").stdout.contains("StatusText=serving"), "\(live.wick.log)")
        #expect(!live.wick.log.contains("refused"), "\(live.wick.log)")
    }

    /// sd_notify_barrier(3) with libsystemd: wick closes the one fd of `BARRIER=1` (the answer the
    /// client waits for) without taking it for stray fds, as systemd's manager_process_barrier_fd().
    @Test func aBarrierIsAnsweredQuietly() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "barrier.service": "[Service]\nType=notify\nExecStart=\(BinaryRunner.testService) barrier \(out)/barrier\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "barrier.service").status == 0)
        // Positive: answered (a timeout would be -110, after 5 s).
        #expect(ControlVerbTests.waitFor { ExecEnvironmentTests.read("\(out)/barrier") == "barrier=1\n" }, "\(live.wick.log)")
        #expect(!live.wick.log.contains("fds"), "\(live.wick.log)")
    }

    /// service_exec_needs_notify_socket(): `$NOTIFY_SOCKET` (and `$FDSTORE`) for the main process
    /// unless `NotifyAccess=none`, for a control process with `exec` or `all` only.
    @Test func controlProcessesGetTheNotifySocketWithExecOrAllOnly() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        func unit(_ access: String) -> String {
            "[Service]\nType=notify\nNotifyAccess=\(access)\nFileDescriptorStoreMax=2\n"
                + "ExecStartPre=/bin/sh -c 'echo ${NOTIFY_SOCKET:+socket} ${FDSTORE:-none} > \(out)/\(access)'\n"
                + "ExecStart=\(BinaryRunner.testService) notify\n"
        }
        let live = try ControlVerbTests.start(["main.service": unit("main"), "exec.service": unit("exec")])
        defer { live.stop() }
        #expect(try live.run("start", "main.service").status == 0, "\(live.wick.log)")
        #expect(try live.run("start", "exec.service").status == 0, "\(live.wick.log)")
        #expect(ExecEnvironmentTests.read("\(out)/main") == "none\n")
        #expect(ExecEnvironmentTests.read("\(out)/exec") == "socket 2\n")
    }

    /// `NotifyAccess=all` takes any process of the unit's cgroup, as systemd does: here one in a
    /// session of its own, neither main, control nor in the main process's group.
    @Test(.enabled(if: ControlGroupTests.writableUnifiedHierarchy, "needs a writable cgroup v2 hierarchy"))
    func notifyAccessAllTakesAnyProcessOfTheUnitsCgroup() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        // The sender stays alive after sending: its cgroup is read from /proc/PID/cgroup when the
        // message is handled (systemd's cg_pid_get_path() likewise), which a sender that has
        // already exited no longer has (under a loaded test run it had, sometimes).
        try "import os, socket, time\nos.setsid()\nsocket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'STATUS=from the cgroup', os.environ['NOTIFY_SOCKET'])\ntime.sleep(10)\n"
            .write(toFile: "\(out)/send.py", atomically: true, encoding: .utf8)
        let live = try ControlVerbTests.start([
            "all.service": "[Service]\nNotifyAccess=all\nExecStart=/bin/sh -c '/usr/bin/python3 \(out)/send.py; exec sleep 60'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "all.service").status == 0)
        #expect(ControlVerbTests.waitFor { (try? live.run("show", "all.service").stdout.contains("StatusText=from the cgroup")) == true },
                "\(live.wick.log)")
        #expect(!live.wick.log.contains("refused"), "\(live.wick.log)")
    }

    /// One trailing NUL is allowed in a notification (manager_dispatch_notify_fd(): senders that
    /// write `sizeof("READY=1")` bytes), and `wick show` gives the `NotifyAccess=` in force, a
    /// `NOTIFYACCESS=` override included, and `ERRNO=` given by its name as `StatusErrno=`.
    @Test func aTrailingNulIsAllowedAndShowGivesTheAccessInForce() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try "import os, socket, time\nsocket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'READY=1\\nNOTIFYACCESS=all\\nERRNO=ENOENT\\0', os.environ['NOTIFY_SOCKET'])\ntime.sleep(60)\n"
            .write(toFile: "\(out)/nul.py", atomically: true, encoding: .utf8)
        let live = try ControlVerbTests.start(["nul.service": "[Service]\nType=notify\nTimeoutStartSec=5\nExecStart=/usr/bin/python3 \(out)/nul.py\n"])
        defer { live.stop() }
        #expect(try live.run("start", "nul.service").status == 0, "\(live.wick.log)")
        let shown = try live.run("show", "nul.service").stdout
        #expect(shown.contains("SubState=running") && shown.contains("NotifyAccess=all"), "\(shown)")
        #expect(shown.contains("StatusErrno=2"), "ERRNO=ENOENT by its name: \(shown)")
    }

    /// A stop signals each process of the unit once (systemd's cg_kill_recursive() keeps a set of
    /// those it signalled): the main process got SIGTERM from the process group's kill and again
    /// from the cgroup's.
    @Test(.enabled(if: ControlGroupTests.writableUnifiedHierarchy, "needs a writable cgroup v2 hierarchy"))
    func aStopSignalsEachProcessOnce() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        // Each delivery writes a byte to the wake-up pipe (Python's own handler coalesces).
        try "import os, signal, sys, time\nr, w = os.pipe()\nos.set_blocking(w, False)\nsignal.set_wakeup_fd(w)\nsignal.signal(signal.SIGTERM, lambda *_: None)\nos.set_blocking(r, True)\nos.read(r, 1)\ntime.sleep(0.5)\nos.set_blocking(r, False)\ntry:\n    more = len(os.read(r, 64))\nexcept BlockingIOError:\n    more = 0\nopen(sys.argv[1], 'w').write(str(1 + more))\n"
            .write(toFile: "\(out)/term.py", atomically: true, encoding: .utf8)
        let live = try ControlVerbTests.start(["term.service": "[Service]\nExecStart=/usr/bin/python3 \(out)/term.py \(out)/count\n"])
        defer { live.stop() }
        #expect(try live.run("start", "term.service").status == 0)
        usleep(300_000)
        #expect(try live.run("stop", "term.service").status == 0, "\(live.wick.log)")
        #expect(ExecEnvironmentTests.read("\(out)/count") == "1", "SIGTERMs: \(ExecEnvironmentTests.read("\(out)/count"))")
    }
}
