import Foundation
import Glibc
import Testing
import WickSystem

/// Issue 13: per-unit cgroups where the unified hierarchy is writable (on this machine it is,
/// without controllers). Skipped, and reported as skipped, elsewhere.
@Suite(.serialized) struct ControlGroupTests {
    static var writableUnifiedHierarchy: Bool {
        guard let mountinfo = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
              let line = mountinfo.split(separator: "\n").first(where: { $0.contains(" - cgroup2 ") }) else { return false }
        let mount = String(line.split(separator: " ")[4])
        let probe = mount + "/wick-test-probe-\(getpid())"
        guard mkdir(probe, 0o755) == 0 else { return false }
        rmdir(probe)
        return true
    }

    /// `Type=forking` without `PIDFile=`: the main process is guessed among the unit's cgroup's
    /// processes only, as systemd's unit_search_main_pid() does. Another unit's orphan,
    /// re-parented to wick, became the unit's main process, and its stop signalled it.
    @Test(.enabled(if: writableUnifiedHierarchy, "needs a writable cgroup v2 hierarchy"))
    func aForkingUnitsMainProcessIsGuessedInItsCgroupOnly() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "other.service": "[Service]\nExecStart=/bin/sh -c '(sleep 1000 & echo $$! > \(out)/orphan); exec sleep 1000'\n",
            "forky.service": "[Service]\nType=forking\nExecStart=/bin/true\n",
            "daemon.service": "[Service]\nType=forking\nExecStart=/bin/sh -c '(sleep 1000 & echo $$! > \(out)/daemon)'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "other.service").status == 0)
        let orphan = ExecEnvironmentTests.waitForPID("\(out)/orphan") { live.wick.children().contains($0) }
        #expect(orphan > 0, "the orphan is re-parented to wick")
        _ = try live.run("start", "forky.service")
        #expect(try live.run("show", "forky.service", "-p", "MainPID").stdout == "MainPID=0\n", "\(live.wick.log.suffix(600))")
        _ = try live.run("stop", "forky.service")
        #expect(orphan > 0 && kill(orphan, 0) == 0, "the other unit's orphan was not signalled: \(live.wick.log.suffix(600))")
        // With the other unit's orphan still there, a forking daemon's own process is found.
        #expect(try live.run("start", "daemon.service").status == 0)
        let daemon = ExecEnvironmentTests.waitForPID("\(out)/daemon")
        #expect(daemon > 0)
        #expect(try live.run("show", "daemon.service", "-p", "MainPID").stdout == "MainPID=\(daemon)\n", "\(live.wick.log.suffix(600))")
    }

    /// A process that left the service's process group (setsid) is still in its cgroup, listed by
    /// `status`, and stopped with it.
    @Test(.enabled(if: writableUnifiedHierarchy, "needs a writable cgroup v2 hierarchy"))
    func aStopReachesAProcessThatLeftTheProcessGroup() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "escape.service": "[Service]\nExecStart=/bin/sh -c 'setsid sleep 1000 & echo $$! > \(out)/escaped; exec sleep 1000'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "escape.service").status == 0)
        let escaped = ExecEnvironmentTests.waitForPID("\(out)/escaped")
        #expect(escaped > 0)
        let cgroup = ExecEnvironmentTests.read("/proc/\(escaped)/cgroup")
        #expect(cgroup.contains("/wick-\(live.wick.pid).slice/escape.service"), "\(cgroup)")
        // setsid(1) runs after the shell wrote the pid: wait for it rather than race it.
        #expect(ControlVerbTests.waitFor { getpgid(escaped) != getpgid(live.wick.children().first ?? 0) }, "it left the service's process group")
        let status = try live.run("status", "escape.service").stdout
        #expect(status.contains("CGroup: /") && status.contains("└─\(escaped)"), "\(status)")
        #expect(try live.run("show", "escape.service").stdout.contains("ControlGroup=/"))
        #expect(try live.run("stop", "escape.service").status == 0)
        #expect(ControlVerbTests.waitFor { kill(escaped, 0) != 0 }, "the escaped process was stopped with the unit")
    }

    static let cgroupBPF = writableUnifiedHierarchy && CgroupBPF.available()

    /// A service's own traffic meets its IPAddressAllow=/IPAddressDeny= (a connect() to a denied
    /// address fails at once with EPERM, a datagram to it too) and its SocketBindAllow=/Deny=
    /// (bind() to a denied port fails with EPERM); IPAccounting= counts what it sent; wick show
    /// prints the settings as systemctl does.
    @Test(.enabled(if: cgroupBPF, "needs a writable cgroup v2 hierarchy and cgroup BPF"))
    func aServicesOwnTrafficAndBindsMeetItsRules() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let closed = TestClient.freePort()
        let probe = """
            import socket, errno
            def attempt(label, f):
                try:
                    f(); r = "ok"
                except OSError as e:
                    r = errno.errorcode.get(e.errno, str(e.errno))
                open("\(out)/result", "a").write(label + " " + r + "\\n")
            def conn(addr):
                s = socket.socket(); s.settimeout(5); s.connect((addr, \(closed)))
            attempt("connect-denied", lambda: conn("127.0.0.1"))
            attempt("connect-allowed", lambda: conn("127.0.0.2"))
            attempt("send-denied", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", \(closed))))
            attempt("bind-allowed", lambda: socket.socket().bind(("127.0.0.1", \(closed))))
            attempt("bind-denied", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", \(closed))))
            attempt("bind6-denied", lambda: socket.socket(socket.AF_INET6).bind(("::1", \(closed) + 1)))
            """
        try probe.write(toFile: out + "/probe.py", atomically: true, encoding: .utf8)
        let live = try ControlVerbTests.start([
            "probe.service": """
                [Service]
                Type=oneshot
                RemainAfterExit=yes
                IPAddressDeny=any
                IPAddressAllow=127.0.0.2/32
                IPAccounting=yes
                SocketBindDeny=any
                SocketBindAllow=ipv4:tcp:\(closed)
                ExecStart=/usr/bin/python3 \(out)/probe.py

                """,
        ])
        defer { live.stop() }
        #expect(try live.run("start", "probe.service").status == 0, "\(live.wick.log)")
        let result = ExecEnvironmentTests.read("\(out)/result")
        #expect(result == "connect-denied EPERM\nconnect-allowed ECONNREFUSED\nsend-denied EPERM\nbind-allowed ok\nbind-denied EPERM\nbind6-denied EPERM\n",
                "\(result)\n\(live.wick.log)")
        let show = try live.run("show", "probe.service", "-p", "IPAccounting", "-p", "IPAddressDeny", "-p", "SocketBindDeny", "-p", "SocketBindAllow").stdout
        #expect(show == "IPAccounting=yes\nIPAddressDeny=0.0.0.0/0 ::/0\nSocketBindAllow=ipv4:tcp:\(closed)\nSocketBindDeny=any\n", "\(show)")
        // The SYN to 127.0.0.2 went out and its RST came back: counted as whole IP packets.
        let counters = try live.run("show", "probe.service", "-p", "IPEgressPackets", "-p", "IPIngressPackets", "--value").stdout
        #expect(counters == "1\n1\n", "\(counters)")
    }

    /// The unit's cgroup serves its next start (kept, empty, between runs): each start counts
    /// from zero again, as systemd's unit_reset_accounting() makes it, and between runs the unit
    /// shows no tasks.
    @Test(.enabled(if: cgroupBPF, "needs a writable cgroup v2 hierarchy and cgroup BPF"))
    func aRestartedUnitCountsItsOwnRunInItsKeptCgroup() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let closed = TestClient.freePort()
        try """
            import socket
            s = socket.socket(); s.settimeout(5)
            try: s.connect(("127.0.0.2", \(closed)))
            except OSError: pass
            open("\(out)/cgroup", "w").write(open("/proc/self/cgroup").read())
            """.write(toFile: out + "/probe.py", atomically: true, encoding: .utf8)
        let live = try ControlVerbTests.start([
            "probe.service": "[Service]\nType=oneshot\nIPAccounting=yes\nExecStart=/usr/bin/python3 \(out)/probe.py\n",
        ])
        defer { live.stop() }
        var cgroups: [String] = []
        for _ in 0..<2 {
            #expect(try live.run("start", "probe.service").status == 0, "\(live.wick.log)")
            cgroups.append(ExecEnvironmentTests.read("\(out)/cgroup"))
            let counters = try live.run("show", "probe.service", "-p", "TasksCurrent", "-p", "IPEgressPackets", "-p", "IPIngressPackets", "--value").stdout
            #expect(counters == "[not set]\n1\n1\n", "one SYN out and its RST back per run, no tasks after it: \(counters)")
        }
        #expect(cgroups.count == 2 && cgroups[0] == cgroups[1] && cgroups[0].contains("/probe.service"), "\(cgroups)")
    }

    /// A process the unit left behind (KillMode=none) keeps its cgroup in use after the unit
    /// stopped, as systemd keeps a populated cgroup: status lists it and its tasks count.
    @Test(.enabled(if: writableUnifiedHierarchy, "needs a writable cgroup v2 hierarchy"))
    func aProcessLeftBehindKeepsTheCgroupInUse() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "leftover.service": "[Service]\nType=oneshot\nKillMode=none\nExecStart=/bin/sh -c 'sleep 1000 & echo $$! > \(out)/pid'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "leftover.service").status == 0, "\(live.wick.log)")
        let left = ExecEnvironmentTests.waitForPID("\(out)/pid")
        #expect(left > 0)
        defer { if left > 0 { kill(left, SIGKILL) } }
        #expect(ExecEnvironmentTests.read("/proc/\(left)/cgroup").contains("/leftover.service"))
        let status = try live.run("status", "leftover.service").stdout
        #expect(status.contains("└─\(left)"), "\(status)")
        #expect(try live.run("show", "leftover.service", "-p", "TasksCurrent", "--value").stdout == "1\n")
    }

    /// IPAccounting= on an Accept=no socket: its sockets are created in the socket unit's cgroup
    /// (systemd's socket_address_listen_in_cgroup()), so what the service receives and sends on
    /// them is counted, whole IP packets: the bytes received within a few percent of what the
    /// client sent (headers and acknowledgements are the difference).
    @Test(.enabled(if: cgroupBPF, "needs a writable cgroup v2 hierarchy and cgroup BPF"))
    func acceptNoTrafficIsCountedOnTheSocketUnit() throws {
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "echo.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nIPAccounting=yes\n",
            "echo.service": "[Service]\nExecStart=/usr/bin/python3 -c \"import socket\\ns=socket.socket(fileno=3)\\nwhile True:\\n c,_=s.accept(); n=0\\n while True:\\n  x=c.recv(65536)\\n  if not x: break\\n  n+=len(x)\\n c.sendall(str(n).encode()); c.close()\"\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port), "\(live.wick.log)")
        // A first exchange starts the service: a service still starting lets the receive
        // queue overflow, and the retransmitted segments would count too (as in systemd).
        let first = TestClient.connectTCP(port)
        shutdown(first, Int32(SHUT_WR))
        #expect(TestClient.readAll(first) == "0", "readAll closes it")
        func counters() throws -> [Double] {
            try live.run("show", "echo.socket", "-p", "IPIngressBytes", "-p", "IPIngressPackets", "-p", "IPEgressBytes", "--value").stdout
                .split(separator: "\n").compactMap { Double($0) }
        }
        let before = try counters()
        let fd = TestClient.connectTCP(port)
        let payload = [UInt8](repeating: 0x62, count: 200_000)
        var sent = 0
        while sent < payload.count {
            let count = payload[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            sent += count
        }
        shutdown(fd, Int32(SHUT_WR))
        #expect(TestClient.readAll(fd) == "200000", "readAll closes it")
        let after = try counters()
        #expect(before.count == 3 && after.count == 3)
        let values = zip(after, before).map { $0 - $1 }
        // Each packet adds its IPv4 and TCP headers (20 + 20-40 bytes); 2 % more for a
        // retransmission on a loaded machine.
        #expect(values.count == 3 && values[0] >= 200_000 && values[0] <= 204_000 + 60 * values[1] && values[2] > 6 && values[2] < 6_000,
                "\(values) \(live.wick.log)")
        let status = try live.run("status", "echo.service").stdout
        #expect(status.contains("Tasks: 1") && status.contains("CPU: "), "\(status)")
    }

    /// The controllers wick would enable for its units here (its cgroup's cgroup.controllers).
    static var delegatedControllers: Set<String> { ControlGroups.probe().controllers }

    /// MemoryMax= and TasksMax= reach the service's cgroup files where the memory and pids
    /// controllers are delegated, and an allocation beyond MemoryMax= ends the service with
    /// result oom-kill. Skipped, and counted as skipped, where they are not (this test machine's
    /// unified hierarchy has no controllers).
    @Test(.enabled(if: writableUnifiedHierarchy && delegatedControllers.isSuperset(of: ["memory", "pids"]),
                   "needs the memory and pids controllers delegated to wick's cgroup"))
    func memoryAndTasksLimitsAreAppliedAndAnOOMKillIsTheResult() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "limited.service": """
                [Service]
                MemoryMax=64M
                MemorySwapMax=0
                TasksMax=7
                ExecStart=/bin/sh -c 'g=$$(cut -d: -f3 /proc/self/cgroup | tail -1); cat /sys/fs/cgroup/unified$$g/memory.max /sys/fs/cgroup/unified$$g/pids.max > \(out)/limits 2>/dev/null || cat /sys/fs/cgroup$$g/memory.max /sys/fs/cgroup$$g/pids.max > \(out)/limits; exec sleep 1000'

                """,
            "hog.service": "[Service]\nMemoryMax=32M\nMemorySwapMax=0\nExecStart=/usr/bin/python3 -c \"b=[]\\nwhile True: b.append(bytearray(1<<20))\"\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "limited.service").status == 0)
        #expect(ControlVerbTests.waitFor { ExecEnvironmentTests.read("\(out)/limits") == "67108864\n7\n" },
                "\(ExecEnvironmentTests.read("\(out)/limits")) \(live.wick.log)")
        _ = try live.run("start", "hog.service")
        var show = ""
        #expect(ControlVerbTests.waitFor {
            show = (try? live.run("show", "hog.service", "-p", "Result", "--value").stdout) ?? ""
            return show == "oom-kill\n"
        }, "\(show) \(live.wick.log)")
    }
}
