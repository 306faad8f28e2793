import Testing
import WickCore
import WickUnits

/// A socket unit's own commands (systemd.socket(5) ExecStartPre=, ExecStartPost=, ExecStopPre=,
/// ExecStopPost=, TimeoutSec=), through the manager with a fake port.
@Suite struct SocketCommandTests {
    static let files = [
        "web.socket": """
            [Socket]
            ListenStream=/run/web/web.sock
            ExecStartPre=/bin/mkdir -p /run/web
            ExecStartPost=/bin/chmod 0660 /run/web/web.sock
            ExecStopPre=/bin/echo stopping
            ExecStopPost=/bin/rm -rf /run/web
            TimeoutSec=5

            """,
        "web.service": "[Service]\nExecStart=/bin/web\n",
    ]

    func started() -> (Manager, FakePort) {
        var port = FakePort()
        var manager = Manager(units: units(Self.files))
        manager.startAll(now: .seconds(0), port: &port)
        return (manager, port)
    }

    @Test func startPreRunsBeforeTheListenersOpenAndStartPostAfterBeforePolling() {
        var (manager, port) = started()
        #expect(manager.sockets["web.socket"]?.state == .startPre)
        #expect(port.openedListeners.isEmpty && port.polling["web.socket"] == nil)
        #expect(port.processes.spawned.map(\.path) == ["/bin/mkdir"] && port.processes.spawned[0].role == .control)
        #expect(manager.nextDeadline() == .seconds(5), "TimeoutSec=")
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .startPost)
        #expect(port.openedListeners == ["web.socket"] && port.polling["web.socket"] == nil)
        #expect(port.processes.spawned.map(\.path).last == "/bin/chmod")
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .listening)
        #expect(port.polling["web.socket"] == true)
        #expect(port.logs.contains("web.socket: dead -> start-pre") && port.logs.contains("web.socket: start-post -> listening"))
    }

    @Test func stopRunsStopPreWithTheListenersOpenThenClosesThemThenStopPost() {
        var (manager, port) = started()
        for _ in 0..<2 { manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port) }
        manager.enqueue(.stop, "web.socket", now: .seconds(2), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .stopPre)
        #expect(port.polling["web.socket"] == false && port.closedListeners.isEmpty)
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(2), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .stopPost && port.closedListeners == ["web.socket"])
        #expect(port.processes.spawned.map(\.path).last == "/bin/rm")
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(2), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .dead && manager.sockets["web.socket"]?.result == .success)
        manager.enqueue(.start, "web.socket", now: .seconds(3), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .startPre, "a stopped socket starts again")
    }

    @Test func aFailingStartPreFailsTheUnitWithoutOpeningAnything() {
        var (manager, port) = started()
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(1), now: .seconds(1), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .failed && manager.sockets["web.socket"]?.result == .exitCode)
        #expect(port.openedListeners.isEmpty)
        manager.enqueue(.start, "web.socket", now: .seconds(2), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .startPre, "start retries a failed socket, as systemctl start does")
        #expect(manager.sockets["web.socket"]?.result == .success)
    }

    @Test func aFailingStartPostRunsTheStopCommandsAndFails() {
        var (manager, port) = started()
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port)
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .signaled(11), now: .seconds(1), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .stopPre)
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port)
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .failed && manager.sockets["web.socket"]?.result == .signal)
        #expect(port.closedListeners == ["web.socket"])
    }

    @Test func aCommandThatOutlivesTimeoutSecIsKilledAndTheUnitFailsWithTimeout() {
        var (manager, port) = started()
        let pid = port.processes.lastPID
        manager.timersFired(now: .seconds(5), port: &port)
        let kill = port.processes.kills.last
        #expect(kill?.pid == pid && kill?.signal == 9 && kill?.group == true)
        manager.processExited(unit: "web.socket", pid: pid, exit: .signaled(9), now: .seconds(5), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .failed && manager.sockets["web.socket"]?.result == .timeout)
    }

    /// socket_coldplug(): after a daemon-reload the running command's timeout is the new
    /// `TimeoutSec=`, counted from the command's start.
    @Test func aReloadGivesTheRunningCommandTheNewTimeoutFromItsStart() {
        var (manager, port) = started()
        #expect(manager.nextDeadline() == .seconds(5))
        var files = Self.files
        files["web.socket"] = (files["web.socket"] ?? "").split(separator: "\n").map { $0 == "TimeoutSec=5" ? "TimeoutSec=2" : String($0) }
            .joined(separator: "\n") + "\n"
        _ = manager.reload(units: units(files), aliases: [:], now: .seconds(1), port: &port)
        #expect(manager.nextDeadline() == .seconds(2), "TimeoutSec=2 from the start at 0")
        manager.timersFired(now: .seconds(2), port: &port)
        #expect(port.processes.kills.last?.signal == 9)
    }

    @Test func aDashPrefixedCommandMayFailAndAMissingBinaryIsExitCode203() {
        var port = FakePort()
        port.processes.failing = ["/bin/missing"]
        var manager = Manager(units: units([
            "a.socket": "[Socket]\nListenStream=80\nExecStartPre=-/bin/false\nExecStartPost=/bin/missing\n",
            "a.service": "[Service]\nExecStart=/bin/a\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        manager.processExited(unit: "a.socket", pid: port.processes.lastPID, exit: .exited(1), now: .seconds(1), port: &port)
        #expect(manager.sockets["a.socket"]?.state == .failed && manager.sockets["a.socket"]?.result == .exitCode)
        #expect(port.openedListeners == ["a.socket"] && port.closedListeners == ["a.socket"])
        #expect(manager.sockets["a.socket"]?.controlPID == nil, "the failed command counts as exited (203), not as running")
    }

    @Test func shutdownStopsTheSocketAfterItsServiceAndWaitsForStopPost() {
        var (manager, port) = started()
        for _ in 0..<2 { manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port) }
        manager.socketReadable("web.socket", now: .seconds(2), port: &port)
        let service = port.processes.lastPID
        #expect(!manager.stopAll(now: .seconds(3), port: &port))
        #expect(manager.sockets["web.socket"]?.state == .running, "the socket waits for its service")
        manager.processExited(unit: "web.service", pid: service, exit: .signaled(15), now: .seconds(3), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .stopPre)
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(3), port: &port)
        #expect(!manager.allStopped)
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(3), port: &port)
        #expect(manager.allStopped)
    }

    @Test func restartRunsTheStopThenTheStartSequence() {
        var (manager, port) = started()
        for _ in 0..<2 { manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port) }
        manager.enqueue(.restart, "web.socket", now: .seconds(2), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .stopPre)
        for _ in 0..<2 { manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(2), port: &port) }
        #expect(manager.sockets["web.socket"]?.state == .startPre, "started again once stopped")
        #expect(port.processes.spawned.map(\.path) == ["/bin/mkdir", "/bin/chmod", "/bin/echo", "/bin/rm", "/bin/mkdir"])
    }

    @Test func stoppingDuringStartPostKillsTheCommandAndIgnoresItsExit() {
        var (manager, port) = started()
        manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port)
        let startPost = port.processes.lastPID
        manager.enqueue(.stop, "web.socket", now: .seconds(2), port: &port)
        #expect(port.processes.kills.last?.pid == startPost)
        #expect(manager.sockets["web.socket"]?.state == .stopPre)
        manager.processExited(unit: "web.socket", pid: startPost, exit: .signaled(15), now: .seconds(2), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .stopPre && manager.sockets["web.socket"]?.result == .success,
                "the killed start-post command does not fail the stop")
        for _ in 0..<2 { manager.processExited(unit: "web.socket", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(2), port: &port) }
        #expect(manager.sockets["web.socket"]?.state == .dead)
    }
}
