import Foundation
import Glibc
import Testing

/// Every verb of the control socket, end to end: the real `wick` CLI against a live daemon, human
/// and JSON output, and systemctl's exit codes.
@Suite(.serialized) struct ControlVerbTests {
    struct Live {
        let wick: BackgroundProcess
        let directory: URL
        var control: String { directory.appendingPathComponent("run/wick/control").path }

        /// The daemon's open fds once its start-up is over: the control socket is bound before
        /// the units are loaded and the slice is claimed, so a count taken when the socket appears
        /// can miss fds the daemon keeps; a `status` is answered only by the running loop.
        func settledDescriptors() throws -> Int {
            #expect([0, 3].contains(try run("status").status))
            return ControlAccessTests.openDescriptors(wick.pid)
        }

        /// Runs `wick VERB ARGS... --control CONTROL`.
        func run(_ arguments: String...) throws -> BinaryRunner.Result {
            try BinaryRunner.run(BinaryRunner.wick, arguments + ["--control", control])
        }

        func json(_ arguments: String...) throws -> [String: Any] {
            let result = try BinaryRunner.run(BinaryRunner.wick, arguments + ["--json", "--control", control])
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return try #require(object, "\(arguments): \(result.stdout) \(result.stderr)")
        }

        func stop() {
            wick.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func start(_ files: [String: String], extra: [String] = []) throws -> Live {
        let directory = try BinaryRunner.directory(files)
        let runtime = directory.appendingPathComponent("run").path
        let wick = try BackgroundProcess(BinaryRunner.wick, ["daemon", "--units", directory.path, "--runtime-dir", runtime] + extra)
        let live = Live(wick: wick, directory: directory)
        #expect(waitFor { FileManager.default.fileExists(atPath: live.control) }, "\(wick.log)")
        return live
    }

    static func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            usleep(20_000)
        }
        return false
    }

    static let ticker = "[Unit]\nDescription=Ticks\n[Service]\nExecStart=/bin/sh -c 'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done'\n[Install]\nWantedBy=multi-user.target\n"

    @Test func listUnitsAndListSocketsShowStatesAndCounters() throws {
        let port = TestClient.freePort()
        let live = try Self.start([
            "echo.socket": "[Unit]\nDescription=Echo socket\n[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "echo@.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
            "tick.service": Self.ticker,
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        for _ in 0..<3 { _ = TestClient.readAll(TestClient.connectTCP(port)) }

        let units = try live.run("list-units")
        #expect(units.status == 0)
        let lines = units.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "UNIT         LOAD   ACTIVE SUB       DESCRIPTION")
        #expect(lines.contains("echo.socket  loaded active listening Echo socket"))
        #expect(lines.contains("tick.service loaded active running   Ticks"))
        #expect(lines.last == "2 loaded units listed.")
        let unitsJSON = try live.json("list-units")
        let rows = try #require(unitsJSON["units"] as? [[String: Any]])
        #expect(rows.map { $0["unit"] as? String } == ["echo.socket", "tick.service"])

        #expect(Self.waitFor { ((try? live.json("list-sockets"))?["sockets"] as? [[String: Any]])?.first?["activations"] as? Int == 3 })
        let sockets = try live.run("list-sockets")
        #expect(sockets.status == 0)
        let header = try #require(sockets.stdout.split(separator: "\n").first).split(separator: " ")
        // systemctl's three columns first, wick's counters after them (issue 15).
        #expect(header == ["LISTEN", "UNIT", "ACTIVATES", "ACCEPTED", "CONNECTIONS", "REFUSED", "ACTIVATIONS", "LATENCY"])
        let row = try #require(sockets.stdout.split(separator: "\n").dropFirst().first).split(separator: " ", omittingEmptySubsequences: true)
        // Accept=yes: the socket triggers its live instances, not the template (systemd's
        // have_non_accept_socket()); none now, which systemctl shows as "-".
        #expect(Array(row.prefix(7)) == ["127.0.0.1:\(port)", "echo.socket", "-", "3", "0", "0", "3"])
        #expect(try live.run("show", "echo.socket", "-p", "Triggers").stdout == "Triggers=\n")
        let typed = try live.run("list-sockets", "--show-types").stdout.split(separator: "\n")
        #expect(typed.first?.split(separator: " ").prefix(4) == ["LISTEN", "TYPE", "UNIT", "ACTIVATES"])
        #expect(typed.dropFirst().first?.split(separator: " ").prefix(2) == ["127.0.0.1:\(port)", "Stream"])
        #expect(row.last?.hasSuffix("s") == true, "a latency like 1.2ms: \(row)")
        let socket = try #require((try live.json("list-sockets")["sockets"] as? [[String: Any]])?.first)
        #expect(socket["accepted"] as? Int == 3 && socket["refused"] as? Int == 0 && socket["connections"] as? Int == 0)
        #expect((socket["last_latency_us"] as? Int ?? 0) > 0)
    }

    @Test func statusShowsStateSincePidStatusTextAndLogLinesWithSystemctlExitCodes() throws {
        let live = try Self.start([
            "tick.service": Self.ticker,
            "note.service": "[Service]\nType=notify\nExecStart=/usr/bin/python3 -c \"import os, socket, time; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b'STATUS=Serving', os.environ['NOTIFY_SOCKET']); s.sendto(b'READY=1', os.environ['NOTIFY_SOCKET']); time.sleep(100)\"\n",
            "idle.service": "[Unit]\nDescription=Never started\n[Service]\nExecStart=/bin/true\n",
        ])
        defer { live.stop() }
        #expect(Self.waitFor { live.wick.log.contains("tick-12") }, "\(live.wick.log)")
        let status = try live.run("status", "tick")
        #expect(status.status == 0, "\(status.stderr)")
        let text = status.stdout
        #expect(text.hasPrefix("● tick.service - Ticks\n"))
        #expect(text.contains("     Loaded: loaded (\(live.directory.path)/tick.service; enabled)"))
        #expect(text.range(of: #"     Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+; \d+s ago"#, options: .regularExpression) != nil, "\(text)")
        #expect(text.range(of: #"   Main PID: \d+\n"#, options: .regularExpression) != nil)
        #expect(text.contains("   Restarts: 0\n"))
        let logLines = text.components(separatedBy: "\n\n").last?.split(separator: "\n") ?? []
        #expect(logLines.count == 10, "the last 10 lines, like systemctl status: \(text)")
        #expect(logLines.allSatisfy { $0.range(of: #"^\w{3} \d\d \d\d:\d\d:\d\d tick\.service\[\d+\]: tick-\d+$"#, options: .regularExpression) != nil })
        #expect(try live.run("status", "-n", "3", "tick.service").stdout.components(separatedBy: "\n\n").last?.split(separator: "\n").count == 3)

        let json = try live.json("status", "tick.service")
        let unit = try #require((json["units"] as? [[String: Any]])?.first)
        #expect(unit["active"] as? String == "active" && unit["sub"] as? String == "running")
        #expect((unit["main_pid"] as? Int ?? 0) > 0 && (unit["since"] as? Int ?? 0) > 1_700_000_000_000_000)
        #expect((unit["log"] as? [[String: Any]])?.count == 10)

        #expect(try live.run("start", "note").status == 0)
        #expect(Self.waitFor { (try? live.run("status", "note.service").stdout.contains("     Status: \"Serving\"")) ?? false }, "\(live.wick.log)")
        let inactive = try live.run("status", "idle.service")
        #expect(inactive.status == 3, "systemctl: 3 when a unit is not active")
        #expect(inactive.stdout.hasPrefix("○ idle.service - Never started\n") && inactive.stdout.contains("     Active: inactive (dead)"))
        let missing = try live.run("status", "nope.service")
        #expect(missing.status == 4 && missing.stderr == "wick status: no such unit: nope.service (see `wick list-units`)\n")

        let overview = try live.run("status")
        #expect(overview.status == 0)
        #expect(overview.stdout.hasPrefix("● wick\n    State: running\n    Units: 3 loaded, 0 failed\n"))
        #expect(overview.stdout.contains("  ● tick.service active (running)\n"))
    }

    @Test func showPrintsSystemdPropertiesAndCatPrintsTheFiles() throws {
        let port = TestClient.freePort()
        let live = try Self.start([
            "web.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nFileDescriptorName=web\n",
            "web.service": "[Unit]\nDescription=Web\n[Service]\nExecStart=\(BinaryRunner.testService) report\nRestartSec=3\n",
            "web.service.d/override.conf": "[Service]\nTimeoutStopSec=20\n",
        ])
        defer { live.stop() }
        let show = try live.run("show", "web.service")
        #expect(show.status == 0)
        let properties = Dictionary(show.stdout.split(separator: "\n").map { line in
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { first, _ in first })
        #expect(properties["Id"] == "web.service" && properties["Description"] == "Web")
        #expect(properties["ActiveState"] == "inactive" && properties["SubState"] == "dead" && properties["MainPID"] == "0")
        #expect(properties["RestartUSec"] == "3s" && properties["TimeoutStopUSec"] == "20s" && properties["TimeoutStartUSec"] == "1min 30s")
        #expect(properties["TriggeredBy"] == "web.socket")
        #expect(properties["ExecStart"] == "{ path=\(BinaryRunner.testService) ; argv[]=\(BinaryRunner.testService) report ; ignore_errors=no }")
        #expect(properties["FragmentPath"] == "\(live.directory.path)/web.service")
        #expect(properties["DropInPaths"] == "\(live.directory.path)/web.service.d/override.conf")
        let socket = try live.run("show", "web.socket", "-p", "Listen,NAccepted", "-p", "FileDescriptorName,MaxConnectionsPerSource")
        // MaxConnectionsPerSource=: systemd's default is 0 ("disabled"), not MaxConnections=.
        #expect(socket.stdout == "Listen=127.0.0.1:\(port) (Stream)\nNAccepted=0\nMaxConnectionsPerSource=0\nFileDescriptorName=web\n")
        #expect(try live.run("show", "-p", "SubState", "--value", "web.socket").stdout == "listening\n")
        let json = try BinaryRunner.run(BinaryRunner.wick, ["show", "web.service", "-p", "Type", "--json", "--control", live.control])
        #expect(json.stdout == #"[{"Type":"simple"}]"# + "\n")
        // systemctl show: an unknown unit is LoadState=not-found, status 0.
        let unknown = try live.run("show", "nope.service", "-p", "LoadState", "-p", "ActiveState")
        #expect(unknown.status == 0 && unknown.stdout == "LoadState=not-found\nActiveState=inactive\n")

        let cat = try live.run("cat", "web")
        #expect(cat.status == 0)
        #expect(cat.stdout == "# \(live.directory.path)/web.service\n[Unit]\nDescription=Web\n[Service]\nExecStart=\(BinaryRunner.testService) report\nRestartSec=3\n\n# \(live.directory.path)/web.service.d/override.conf\n[Service]\nTimeoutStopSec=20\n")
        let catJSON = try live.json("cat", "web.socket")
        let files = try #require((catJSON["units"] as? [[String: Any]])?.first?["files"] as? [[String: Any]])
        #expect(files.count == 1 && (files[0]["contents"] as? String)?.hasPrefix("[Socket]") == true)
        #expect(try live.run("cat", "nope.socket").status == 4)
    }

    /// An `Accept=yes` socket triggers each live instance (socket_enter_running() adds the
    /// dependency as it makes one), and nothing when none runs.
    @Test func anAcceptSocketTriggersItsLiveInstances() throws {
        let port = TestClient.freePort()
        let live = try Self.start([
            "hold.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "hold@.service": "[Service]\nExecStart=/bin/sleep 30\nStandardInput=socket\n",
        ])
        defer { live.stop() }
        #expect(Self.waitFor { (try? live.run("show", "hold.socket", "-p", "SubState", "--value").stdout) == "listening\n" })
        #expect(try live.run("show", "hold.socket", "-p", "Triggers").stdout == "Triggers=\n")
        let client = TestClient.connectTCP(port)
        defer { close(client) }
        #expect(Self.waitFor { (try? live.run("show", "hold.socket", "-p", "Triggers").stdout.hasPrefix("Triggers=hold@0-127.0.0.1:\(port)-127.0.0.1:")) == true },
                "\(live.wick.log)")
        let row = try live.run("list-sockets").stdout.split(separator: "\n").dropFirst().first?.split(separator: " ") ?? []
        #expect(row.count > 2 && row[2].hasPrefix("hold@0-"), "\(row)")
        // And the instance is triggered by its socket (systemd's TriggeredBy=).
        let instance = String(row.count > 2 ? row[2] : "")
        #expect(try live.run("show", instance, "-p", "TriggeredBy").stdout == "TriggeredBy=hold.socket\n")
    }

    /// systemctl's renderings: `FileDescriptorName=` defaults to the unit's full name
    /// (socket_fdname()), modes are `%04o`, `MemoryLow=infinity` prints "infinity" and
    /// `MemoryMin=infinity` the number (bus-print-properties.c).
    @Test func showRendersDefaultsAsSystemctlDoes() throws {
        let port = TestClient.freePort()
        let live = try Self.start([
            "plain.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nSocketMode=0600\nDirectoryMode=0\n",
            "plain.service": "[Service]\nExecStart=/bin/true\nMemoryLow=infinity\nMemoryMin=infinity\n",
            "other.service": "[Service]\nExecStart=/bin/true\n",
        ])
        defer { live.stop() }
        let socket = try live.run("show", "plain.socket", "-p", "FileDescriptorName,SocketMode,DirectoryMode")
        #expect(socket.stdout == "FileDescriptorName=plain.socket\nSocketMode=0600\nDirectoryMode=0000\n")
        #expect(try live.run("show", "plain.service", "-p", "MemoryLow,MemoryMin").stdout == "MemoryMin=18446744073709551615\nMemoryLow=infinity\n")
        #expect(try live.run("show", "other.service", "-p", "MemoryLow,MemoryMin").stdout == "MemoryMin=0\nMemoryLow=0\n")
    }

    @Test func logsReadsTheRingBuffersAndFollows() throws {
        let live = try Self.start(["tick.service": Self.ticker])
        defer { live.stop() }
        #expect(Self.waitFor { live.wick.log.contains("tick-5") })
        let all = try live.run("logs", "tick.service")
        #expect(all.status == 0)
        let lines = all.stdout.split(separator: "\n")
        #expect(lines.count >= 5 && lines.first?.hasSuffix("tick.service[\(lines.first!.split(separator: "[")[1].prefix { $0 != "]" })]: tick-1") == true, "\(all.stdout)")
        let two = try live.run("logs", "-n", "2", "tick")
        #expect(two.stdout.split(separator: "\n").count == 2)
        let json = try live.run("logs", "-n", "1", "--json", "tick.service")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["unit"] as? String == "tick.service" && (object?["text"] as? String)?.hasPrefix("tick-") == true && object?["pid"] is Int)
        #expect(try live.run("logs", "--since", "@\(Int(Date().timeIntervalSince1970) + 3600)", "tick").stdout.isEmpty, "nothing after a future --since")
        #expect(try live.run("logs", "--since", "1h ago", "tick").stdout.split(separator: "\n").count >= 5)
        #expect(try live.run("logs", "--since", "yesterday at noon").status == 64)
        #expect(try live.run("logs", "nope.service").status == 4)

        let follower = try BackgroundProcess(BinaryRunner.wick, ["logs", "-f", "-n", "1", "tick.service", "--control", live.control])
        defer { follower.stop() }
        let seen = (try live.run("logs", "-n", "1", "tick")).stdout
        let current = Int(seen.split(separator: "-").last?.prefix { $0.isNumber } ?? "0") ?? 0
        #expect(Self.waitFor { follower.log.contains("tick-\(current + 3)") }, "new lines stream to the follower: \(follower.log)")
        #expect(follower.waitForExit(seconds: 0.1) == nil, "-f keeps running")
    }

    @Test func daemonReloadReportsABrokenFileAndPoweroffStopsTheDaemon() throws {
        let live = try Self.start(["a.service": "[Service]\nExecStart=/bin/sleep 100\n"])
        defer { live.stop() }
        let started = try live.run("start", "--json", "a")
        #expect(started.status == 0 && started.stdout == #"{"ok":true}"# + "\n")
        let unknown = try live.run("stop", "--json", "nope")
        #expect(unknown.status == 4 && unknown.stdout.isEmpty && unknown.stderr.contains("no such unit: nope.service"))
        try "[Service]\nExecStart=\n".write(to: live.directory.appendingPathComponent("a.service"), atomically: true, encoding: .utf8)
        try "[Service]\nExecStart=/bin/sleep 100\n".write(to: live.directory.appendingPathComponent("b.service"), atomically: true, encoding: .utf8)
        let reloadJSON = try live.json("daemon-reload")
        #expect((reloadJSON["errors"] as? [String])?.first?.contains("a.service") == true, "\(reloadJSON)")
        let reload = try live.run("daemon-reload")
        #expect(reload.status == 0)
        #expect(reload.stderr.contains("a.service") && reload.stderr.contains("keep their previous definition"), "\(reload.stderr)")
        #expect(try live.run("status", "b.service").status == 3, "the new unit is loaded (inactive)")
        #expect(try live.run("status", "a.service").status == 0, "the old definition keeps running")
        let before = try live.json("is-system-running")
        #expect(before["state"] as? String == "running")
        let poweroff = try live.run("poweroff")
        #expect(poweroff.status == 0 && poweroff.stdout.isEmpty)
        #expect(live.wick.waitForExit(seconds: 10) == 0, "\(live.wick.log)")
        #expect(live.wick.log.contains("poweroff requested, stopping all units"))
        let offline = try live.run("is-system-running")
        #expect(offline.status == 1 && offline.stdout == "offline\n")
        #expect(offline.stderr.contains("is `wick daemon` running?"))
    }

    @Test func restartUnderLoadLosesNoConnection() throws {
        let port = TestClient.freePort()
        let server = BinaryRunner.repositoryRoot.appendingPathComponent("Tests/scripts/graceful-server.py").path
        let live = try Self.start([
            "load.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nBacklog=512\n",
            "load.service": "[Service]\nExecStart=/usr/bin/python3 \(server)\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        let done = Atomic(false)
        let results = Results()
        let clients = (0..<4).map { _ in
            Thread {
                while !done.value {
                    let fd = TestClient.connectTCP(port)
                    let answer = fd >= 0 ? TestClient.readAll(fd) : ""
                    results.add(answer)
                }
            }
        }
        clients.forEach { $0.start() }
        // Four restarts: with the first activation, five starts, the default StartLimitBurst=
        // (manual restarts count, as in systemd).
        var restarts = 0
        for _ in 0..<4 {
            usleep(400_000)
            if try live.run("restart", "load.service").status == 0 { restarts += 1 }
        }
        usleep(300_000)
        done.value = true
        #expect(Self.waitFor { clients.allSatisfy(\.isFinished) })
        let answers = results.all
        let failures = answers.filter { !$0.hasPrefix("ok ") }
        let servers = Set(answers.compactMap { $0.split(separator: " ").last })
        #expect(restarts == 4)
        #expect(answers.count > 100, "the clients kept connecting: \(answers.count)")
        #expect(failures.isEmpty, "\(failures.count) of \(answers.count) connections lost: \(failures.prefix(3)) \(live.wick.log.suffix(2000))")
        #expect(servers.count == 5, "each restart started a new server: \(servers)")
    }
}

/// A flag shared with client threads.
final class Atomic: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Bool
    init(_ value: Bool) { stored = value }
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// Answers collected from client threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String] = []
    func add(_ answer: String) { lock.withLock { answers.append(answer) } }
    var all: [String] { lock.withLock { answers } }
}

/// `wick daemon --watch`: inotify on the unit directories, debounced into one reload.
@Suite(.serialized) struct WatchTests {
    @Test func aNewSocketUnitIsPickedUpAndABurstOfWritesIsOneReload() throws {
        let live = try ControlVerbTests.start(["a.service": "[Unit]\nDescription=first\n[Service]\nExecStart=/bin/sleep 100\n"], extra: ["--watch"])
        defer { live.stop() }
        let port = TestClient.freePort()
        let directory = live.directory
        for index in 0..<20 {
            try "[Unit]\nDescription=edit \(index)\n[Service]\nExecStart=/bin/sleep 100\n".write(
                to: directory.appendingPathComponent("a.service"), atomically: false, encoding: .utf8)
        }
        try "[Socket]\nListenStream=127.0.0.1:\(port)\n".write(to: directory.appendingPathComponent("new.socket"), atomically: true, encoding: .utf8)
        try "[Service]\nExecStart=\(BinaryRunner.testService) report\n".write(to: directory.appendingPathComponent("new.service"), atomically: true, encoding: .utf8)
        #expect(TestClient.waitListening(port), "the new socket listens without a daemon-reload: \(live.wick.log)")
        #expect(TestClient.report(TestClient.readAll(TestClient.connectTCP(port)))["listen_fds"] == "1")
        #expect(try live.run("show", "-p", "Description", "--value", "a.service").stdout == "edit 19\n")
        let reloads = live.wick.log.components(separatedBy: "unit directories changed, reloading").count - 1
        #expect((1...2).contains(reloads), "debounced: \(reloads) reloads for 22 writes")

        try FileManager.default.createDirectory(at: directory.appendingPathComponent("a.service.d"), withIntermediateDirectories: true)
        #expect(ControlVerbTests.waitFor { live.wick.log.components(separatedBy: "unit directories changed, reloading").count - 1 > reloads })
        let settled = live.wick.log.components(separatedBy: "unit directories changed, reloading").count - 1
        try "[Unit]\nDescription=from a drop-in\n".write(to: directory.appendingPathComponent("a.service.d/name.conf"), atomically: true, encoding: .utf8)
        #expect(ControlVerbTests.waitFor { (try? live.run("show", "-p", "Description", "--value", "a.service").stdout) == "from a drop-in\n" },
                "a drop-in directory created after start is watched: \(live.wick.log)")
        #expect(live.wick.log.components(separatedBy: "unit directories changed, reloading").count - 1 > settled)
    }
}

/// A socket unit's own commands with real processes (systemd.socket(5) ExecStartPre= ... ExecStopPost=).
@Suite(.serialized) struct SocketCommandEndToEndTests {
    @Test func startPreMakesTheDirectoryStartPostSeesTheSocketStopPostCleansUp() throws {
        let scratch = try BinaryRunner.directory(["keep": ""])
        defer { try? FileManager.default.removeItem(at: scratch) }
        let directory = scratch.appendingPathComponent("sockets").path
        let marker = scratch.appendingPathComponent("marker").path
        let live = try ControlVerbTests.start([
            "echo.socket": """
                [Socket]
                ListenStream=\(directory)/echo.sock
                ExecStartPre=/bin/mkdir -p \(directory)
                ExecStartPost=/bin/sh -c 'test -S \(directory)/echo.sock && echo socket-present > \(marker); echo from-start-post'
                ExecStopPost=/bin/rm -rf \(directory)

                """,
            "echo.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
        ])
        defer { live.stop() }
        #expect(ControlVerbTests.waitFor { (try? live.run("show", "-p", "SubState", "--value", "echo.socket").stdout) == "listening\n" }, "\(live.wick.log)")
        #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "socket-present\n", "ExecStartPost= ran with the listener open")
        #expect(TestClient.exchangeUnix("\(directory)/echo.sock", []).contains("listen_fds=1"))
        #expect(ControlVerbTests.waitFor { (try? live.run("logs", "echo.socket").stdout.contains("echo.socket[")) ?? false }, "the commands' output is the socket's log")
        #expect(live.wick.log.contains("echo.socket: dead -> start-pre") && live.wick.log.contains("echo.socket: start-post -> listening"))

        #expect(try live.run("stop", "echo.socket").status == 0)
        #expect(ControlVerbTests.waitFor { !FileManager.default.fileExists(atPath: directory) }, "ExecStopPost= removed the directory: \(live.wick.log)")
        let status = try live.run("status", "echo.socket")
        #expect(status.status == 3 && status.stdout.contains("Active: inactive (dead)"))
        #expect(try live.run("start", "echo.socket").status == 0)
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: "\(directory)/echo.sock") }, "started again")
    }
}
