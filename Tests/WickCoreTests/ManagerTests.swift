import Testing
import WickCore
import WickUnits

/// A recording ManagerPort on top of the fake process table.
struct FakePort: ManagerPort {
    var processes = FakeProcessTable()
    var failingSockets: Set<UnitID> = []
    var polling: [UnitID: Bool] = [:]
    var openedListeners: [UnitID] = []
    var closedListeners: [UnitID] = []
    var pendingConnections: [UnitID: [String]] = [:]
    var closedConnections: [UInt64] = []
    var nextConnection: UInt64 = 0
    var templates: [String: String] = [:]
    var logs: [String] = []

    mutating func spawn(_ request: SpawnRequest) -> Result<Int32, SpawnError> { processes.spawn(request) }
    var stopped: [(unit: UnitID, restarting: Bool)] = []
    mutating func serviceStopped(_ unit: UnitID, restarting: Bool) {
        stopped.append((unit, restarting))
        connectionEvents.append("stopped \(unit)")
    }
    mutating func kill(pid: Int32, signal: Int32, group: Bool, unit: UnitID) -> Bool { processes.kill(pid: pid, signal: signal, group: group, unit: unit) }
    mutating func adoptMainPID(unit: UnitID, pidFile: String?) -> Int32? { processes.adoptMainPID(unit: unit, pidFile: pidFile) }
    mutating func movedMainPID(unit: UnitID, pidFile: String, from old: Int32) -> Int32? { processes.movedMainPID(unit: unit, pidFile: pidFile, from: old) }
    mutating func claimMainPID(_ pid: Int32, unit: UnitID) -> Bool { processes.claimMainPID(pid, unit: unit) }
    mutating func watchExit(of pid: Int32, unit: UnitID) -> Bool { processes.watchExit(of: pid, unit: unit) }
    mutating func remains(group: Int32?, unit: UnitID) -> Bool { processes.remains(group: group, unit: unit) }
    mutating func signalControlGroup(unit: UnitID, signal: Int32) -> Bool { processes.signalControlGroup(unit: unit, signal: signal) }
    mutating func openListeners(socket: UnitID, settings: SocketSection) -> Result<Void, SocketOpenError> {
        if failingSockets.contains(socket) { return .failure(SocketOpenError("bind(127.0.0.1:80): Address already in use")) }
        openedListeners.append(socket)
        return .success(())
    }
    mutating func closeListeners(socket: UnitID) { closedListeners.append(socket) }
    var keptForReopen: [UnitID] = []
    mutating func keepListenersForReopen(socket: UnitID, listen: [ListenSpec], staying: [ListenSpec]) { keptForReopen.append(socket) }
    mutating func setPolling(socket: UnitID, _ on: Bool) { polling[socket] = on }
    var flushed: [UnitID] = []
    mutating func flushListeners(socket: UnitID) { flushed.append(socket) }
    var acceptExhausted: Set<UnitID> = []
    mutating func accept(socket: UnitID) -> AcceptOutcome {
        if acceptExhausted.contains(socket) { return .exhausted("accept4: Too many open files") }
        guard var queue = pendingConnections[socket], !queue.isEmpty else { return .nothingPending }
        let suffix = queue.removeFirst()
        pendingConnections[socket] = queue
        nextConnection += 1
        return .accepted(AcceptedConnectionID(id: nextConnection, instanceSuffix: suffix, source: String(suffix.split(separator: "-").last!.split(separator: ":").first!)))
    }
    /// The connection calls and the stops, in order (`close 1`, `stopped NAME`, `removed 1`).
    var connectionEvents: [String] = []
    mutating func closeConnection(_ connection: AcceptedConnectionID) {
        closedConnections.append(connection.id)
        connectionEvents.append("close \(connection.id)")
    }
    mutating func instanceRemoved(_ connection: AcceptedConnectionID) { connectionEvents.append("removed \(connection.id)") }
    mutating func instantiate(template: UnitID, instance: String, connection: AcceptedConnectionID) -> (UnitID, LoadedUnit)? {
        guard let text = templates[template.name], let name = try? UnitName(template.name).instantiated(instance) else { return nil }
        let unit = UnitBuilder.build(name: name, fragment: UnitSourceFile(path: "/u/\(template)", text: text))
        return (unit.id, unit)
    }
    mutating func log(_ level: LogLevel, _ message: String) { logs.append(message) }
    var logsDebug: Bool { true }
    var existingPaths: Set<String> = []
    mutating func checkPath(_ check: String, _ path: String) -> Bool { existingPaths.contains(path) }
}

/// An `Accept=yes` socket `echo.socket` (`[Socket]` lines after `ListenStream=7`) with the
/// template `echo@.service`, started, and a readiness event for each of `connections` (the
/// first instance is `echo@0-127.0.0.1:7-127.0.0.1:5000.service`).
func acceptingEcho(template: String, socket: String = "", connections: [String] = ["127.0.0.1:7-127.0.0.1:5000"]) -> (Manager, FakePort) {
    var port = FakePort(templates: ["echo@.service": template])
    var manager = Manager(units: units(["echo.socket": "[Socket]\nListenStream=7\nAccept=yes\n" + socket, "echo@.service": template]))
    manager.startAll(now: .seconds(0), port: &port)
    port.pendingConnections["echo.socket"] = connections
    manager.socketReadable("echo.socket", now: .seconds(1), port: &port)
    return (manager, port)
}

func units(_ files: [String: String]) -> [LoadedUnit] {
    files.sorted { $0.key < $1.key }.map {
        UnitBuilder.build(name: try! UnitName($0.key), fragment: UnitSourceFile(path: "/u/\($0.key)", text: $0.value))
    }
}

@Suite struct ManagerTests {
    @Test func acceptNoHandsOverAndListensAgainWhenTheServiceExits() {
        var port = FakePort()
        var manager = Manager(units: units([
            "web.socket": "[Socket]\nListenStream=8080\n",
            "web.service": "[Service]\nExecStart=/bin/web\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .listening)
        #expect(port.polling["web.socket"] == true)
        manager.socketReadable("web.socket", now: .seconds(1), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .running)
        #expect(port.polling["web.socket"] == false)
        #expect(manager.services["web.service"]?.state == .running)
        manager.processExited(unit: "web.service", pid: 101, exit: .exited(0), now: .seconds(5), port: &port)
        #expect(manager.sockets["web.socket"]?.state == .listening)
        #expect(port.polling["web.socket"] == true)
    }

    @Test func crashLoopHitsTheStartLimitAndTheSocketFailsUntilResetFailed() {
        var port = FakePort()
        var manager = Manager(units: units([
            "crash.socket": "[Socket]\nListenStream=8080\n",
            "crash.service": "[Service]\nExecStart=/bin/crash\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        var now = Instant.seconds(1)
        for _ in 0..<6 {
            manager.socketReadable("crash.socket", now: now, port: &port)
            if let pid = manager.services["crash.service"]?.mainPID {
                manager.processExited(unit: "crash.service", pid: pid, exit: .exited(1), now: now, port: &port)
            }
            now = now.adding(100_000_000)
        }
        #expect(manager.services["crash.service"]?.result == .startLimitHit)
        #expect(manager.sockets["crash.socket"]?.state == .failed)
        #expect(manager.sockets["crash.socket"]?.result == .serviceStartLimitHit)
        #expect(port.closedListeners == ["crash.socket"])
        #expect(port.processes.spawned.count == 5)
        manager.resetFailed(now: now, port: &port)
        #expect(manager.sockets["crash.socket"]?.state == .listening)
        #expect(manager.services["crash.service"]?.state == .dead)
    }

    @Test func bindFailureFailsOnlyThatSocket() {
        var port = FakePort(failingSockets: ["a.socket"])
        var manager = Manager(units: units([
            "a.socket": "[Socket]\nListenStream=80\n", "a.service": "[Service]\nExecStart=/bin/a\n",
            "b.socket": "[Socket]\nListenStream=81\n", "b.service": "[Service]\nExecStart=/bin/b\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        #expect(manager.sockets["a.socket"]?.state == .failed && manager.sockets["a.socket"]?.result == .resources)
        #expect(manager.sockets["b.socket"]?.state == .listening)
        #expect(port.logs.contains("a.socket: bind(127.0.0.1:80): Address already in use (unit failed: resources)"))
    }

    @Test func acceptYesStartsNumberedInstancesAndEnforcesMaxConnections() {
        var port = FakePort(templates: ["echo@.service": "[Service]\nExecStart=/bin/echo %i\nStandardInput=socket\n"])
        var manager = Manager(units: units([
            "echo.socket": "[Socket]\nListenStream=7\nAccept=yes\nMaxConnections=2\n",
            "echo@.service": "[Service]\nExecStart=/bin/echo %i\nStandardInput=socket\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        port.pendingConnections["echo.socket"] = ["127.0.0.1:7-127.0.0.1:5000", "127.0.0.1:7-127.0.0.1:5001", "127.0.0.1:7-127.0.0.1:5002"]
        for _ in 0..<3 { manager.socketReadable("echo.socket", now: .seconds(1), port: &port) }
        #expect(manager.services["echo@0-127.0.0.1:7-127.0.0.1:5000.service"]?.state == .running)
        #expect(manager.services["echo@1-127.0.0.1:7-127.0.0.1:5001.service"]?.state == .running)
        #expect(manager.sockets["echo.socket"]?.refusedCount == 1)
        #expect(manager.sockets["echo.socket"]?.acceptedCount == 2, "a refused connection is not counted as accepted (NAccepted)")
        #expect(port.closedConnections == [3])
        manager.processExited(unit: "echo@0-127.0.0.1:7-127.0.0.1:5000.service", pid: 101, exit: .exited(0), now: .seconds(2), port: &port)
        #expect(manager.services["echo@0-127.0.0.1:7-127.0.0.1:5000.service"] == nil)
        #expect(manager.sockets["echo.socket"]?.connectionCount == 1)
        #expect(manager.sockets["echo.socket"]?.state == .listening)
    }

    /// systemd's service_set_state(): an instance keeps its connection while it stops (stop-post
    /// is one of the states that hold it) and closes it as it goes dead, first: before the stop
    /// is reported and before the instance is forgotten.
    @Test func acceptYesInstanceClosesItsConnectionFirstWhenItEnds() {
        var (manager, port) = acceptingEcho(template: "[Service]\nExecStart=/bin/echo\nExecStopPost=/bin/post\nStandardInput=socket\n")
        let unit: UnitID = "echo@0-127.0.0.1:7-127.0.0.1:5000.service"
        #expect(manager.services[unit]?.state == .running)
        manager.processExited(unit: unit, pid: 101, exit: .exited(0), now: .seconds(2), port: &port)
        #expect(manager.services[unit]?.state == .stopPost)
        #expect(port.connectionEvents.isEmpty, "held while ExecStopPost= runs")
        manager.processExited(unit: unit, pid: 102, exit: .exited(0), now: .seconds(3), port: &port)
        #expect(port.connectionEvents == ["close 1", "stopped \(unit)", "removed 1"])
        #expect(manager.services[unit] == nil && manager.sockets["echo.socket"]?.connectionCount == 0)
    }

    /// systemd's service_set_state() keeps an instance's connection when it goes dead with a job
    /// installed: `restart` of a live instance runs it again on the same connection.
    @Test func restartingAnAcceptYesInstanceKeepsItsConnection() {
        var (manager, port) = acceptingEcho(template: "[Service]\nExecStart=/bin/echo\nStandardInput=socket\n")
        let unit: UnitID = "echo@0-127.0.0.1:7-127.0.0.1:5000.service"
        let first = port.processes.lastPID
        _ = manager.enqueue(.restart, unit, now: .seconds(2), port: &port)
        #expect(manager.services[unit]?.state == .stopSigterm)
        manager.processExited(unit: unit, pid: first, exit: .signaled(15), now: .seconds(2), port: &port)
        #expect(manager.services[unit]?.state == .running && port.processes.lastPID != first, "started again")
        #expect(port.processes.requests.last?.unit == unit && manager.queue[unit] == nil, "the restart job is done")
        #expect(port.connectionEvents == ["stopped \(unit)"], "the connection stays open for the new run")
        #expect(manager.sockets["echo.socket"]?.connectionCount == 1)
        manager.processExited(unit: unit, pid: port.processes.lastPID, exit: .exited(0), now: .seconds(3), port: &port)
        #expect(port.connectionEvents == ["stopped \(unit)", "close 1", "stopped \(unit)", "removed 1"])
        #expect(manager.services[unit] == nil && manager.sockets["echo.socket"]?.connectionCount == 0)
    }

    /// A start whose main command cannot be spawned goes from dead (or failed, started again)
    /// to failed; what the port set up for the spawn is ended like any stop's (systemd's
    /// service_enter_dead()). A reset of the failed unit (failed -> dead) is not a stop.
    @Test func aStartThatFailsAtItsSpawnIsReportedStopped() {
        var port = FakePort()
        port.processes.failing = ["/nonexistent"]
        var manager = Manager(units: units(["broken.service": "[Service]\nExecStart=/nonexistent\n"]))
        _ = manager.enqueue(.start, "broken.service", now: .seconds(0), port: &port)
        #expect(manager.services["broken.service"]?.state == .failed)
        #expect(port.stopped.map { $0.unit } == ["broken.service"])
        _ = manager.enqueue(.start, "broken.service", now: .seconds(1), port: &port)
        #expect(manager.services["broken.service"]?.state == .failed)
        #expect(port.stopped.map { $0.unit } == ["broken.service", "broken.service"], "failed -> failed ends its setup too")
        manager.resetFailed(units: ["broken.service"], now: .seconds(2), port: &port)
        #expect(manager.services["broken.service"]?.state == .dead && port.stopped.count == 2)
    }

    /// An instance whose start is skipped by a condition never runs and makes no transition: it
    /// ends at once, its connection closed and counted off its socket, as systemd collects it.
    @Test func acceptYesInstanceSkippedByAConditionEndsAndClosesItsConnection() {
        var (manager, port) = acceptingEcho(
            template: "[Unit]\nConditionPathExists=/nonexistent\n[Service]\nExecStart=/bin/echo\nStandardInput=socket\n",
            socket: "MaxConnections=1\n", connections: ["127.0.0.1:7-127.0.0.1:5000", "127.0.0.1:7-127.0.0.1:5001"])
        #expect(port.connectionEvents == ["close 1", "removed 1"])
        #expect(manager.services["echo@0-127.0.0.1:7-127.0.0.1:5000.service"] == nil && manager.sockets["echo.socket"]?.connectionCount == 0)
        manager.socketReadable("echo.socket", now: .seconds(2), port: &port)
        #expect(manager.sockets["echo.socket"]?.refusedCount == 0, "MaxConnections=1 is free again")
        #expect(port.processes.spawned.isEmpty)
    }

    /// systemd's service_set_state() closes an instance's connection when its main process
    /// ended with `RemainAfterExit=yes` (exited is not one of the states that hold it): the peer
    /// gets EOF and the socket counts it off, while the instance stays active until stopped.
    @Test func acceptYesInstanceThatRemainsAfterExitClosesItsConnection() {
        var (manager, port) = acceptingEcho(template: "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/echo\nStandardInput=socket\n")
        let unit: UnitID = "echo@0-127.0.0.1:7-127.0.0.1:5000.service"
        manager.processExited(unit: unit, pid: 101, exit: .exited(0), now: .seconds(2), port: &port)
        #expect(manager.services[unit]?.state == .exited)
        #expect(port.connectionEvents == ["close 1"] && manager.sockets["echo.socket"]?.connectionCount == 0)
        _ = manager.enqueue(.stop, unit, now: .seconds(3), port: &port)
        #expect(manager.services[unit] == nil)
        #expect(port.connectionEvents == ["close 1", "stopped \(unit)", "removed 1"], "closed once")
    }

    /// A service that waits to restart has stopped as far as its exec runtime goes (systemd's
    /// service_enter_dead(): a fresh /tmp for the next run), reported as restarting so that its
    /// dynamic user and preserved directories stay.
    @Test func aServiceWaitingToRestartIsReportedStoppedAndRestarting() {
        var port = FakePort()
        var manager = Manager(units: units(["flaky.service": "[Service]\nExecStart=/bin/flaky\nRestart=on-failure\nRestartSec=1\n"]))
        _ = manager.enqueue(.start, "flaky.service", now: .seconds(0), port: &port)
        #expect(manager.services["flaky.service"]?.state == .running)
        manager.processExited(unit: "flaky.service", pid: 101, exit: .exited(1), now: .seconds(1), port: &port)
        #expect(manager.services["flaky.service"]?.state == .autoRestart)
        #expect(port.stopped.map { "\($0.unit) \($0.restarting)" } == ["flaky.service true"])
    }

    /// A connection that reached accept() is checked against `IPAddressAllow=`/`IPAddressDeny=`
    /// of the socket and of the template service (the socket filter drops denied peers before
    /// the handshake; one queued before it is refused here, with the line that says so).
    @Test(arguments: [
        ("IPAddressDeny=any\nIPAddressAllow=10.0.0.0/8\n", ""),
        ("", "IPAddressDeny=127.0.0.2\n"),
        ("", ""),
    ])
    func acceptYesChecksTheAddressRulesOfTheSocketAndTheTemplate(socketRules: String, serviceRules: String) {
        let service = "[Service]\nExecStart=/bin/echo\nStandardInput=socket\n\(serviceRules)"
        var port = FakePort(templates: ["echo@.service": service])
        var manager = Manager(units: units([
            "echo.socket": "[Socket]\nListenStream=7\nAccept=yes\n\(socketRules)", "echo@.service": service,
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        port.pendingConnections["echo.socket"] = ["127.0.0.1:7-127.0.0.2:5000", "127.0.0.1:7-10.1.2.3:5001"]
        for _ in 0..<2 { manager.socketReadable("echo.socket", now: .seconds(1), port: &port) }
        let refusesLoopback = !socketRules.isEmpty || !serviceRules.isEmpty
        #expect((manager.services["echo@0-127.0.0.1:7-127.0.0.2:5000.service"] == nil) == refusesLoopback)
        // A refused connection takes no instance number (it was not accepted: NAccepted).
        #expect(manager.services[UnitID("echo@\(refusesLoopback ? 0 : 1)-127.0.0.1:7-10.1.2.3:5001.service")]?.state == .running)
        #expect(port.logs.contains("echo.socket: connection from 127.0.0.2 refused by IPAddressAllow=/IPAddressDeny=") == refusesLoopback)
    }

    @Test func maxConnectionsPerSourceCountsEachPeer() {
        var port = FakePort(templates: ["e@.service": "[Service]\nExecStart=/bin/e\nStandardInput=socket\n"])
        var manager = Manager(units: units([
            "e.socket": "[Socket]\nListenStream=7\nAccept=yes\nMaxConnectionsPerSource=1\n",
            "e@.service": "[Service]\nExecStart=/bin/e\nStandardInput=socket\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        port.pendingConnections["e.socket"] = ["10.0.0.1:7-10.0.0.2:5000", "10.0.0.1:7-10.0.0.2:5001", "10.0.0.1:7-10.0.0.3:5000"]
        for _ in 0..<3 { manager.socketReadable("e.socket", now: .seconds(1), port: &port) }
        #expect(manager.sockets["e.socket"]?.refusedCount == 1)
        #expect(manager.sockets["e.socket"]?.connectionCount == 2)
    }

    /// systemd.socket(5): `MaxConnectionsPerSource=` "defaults to 0, i.e. disabled"; 0 written
    /// out is no limit either (socket_enter_running() checks `max_connections_per_source > 0`).
    @Test(arguments: ["", "MaxConnectionsPerSource=0\n"])
    func noPerSourceLimitByDefaultOrWithZero(line: String) {
        var port = FakePort(templates: ["e@.service": "[Service]\nExecStart=/bin/e\nStandardInput=socket\n"])
        var manager = Manager(units: units([
            "e.socket": "[Socket]\nListenStream=7\nAccept=yes\nMaxConnections=3\n" + line,
            "e@.service": "[Service]\nExecStart=/bin/e\nStandardInput=socket\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        port.pendingConnections["e.socket"] = ["10.0.0.1:7-10.0.0.2:5000", "10.0.0.1:7-10.0.0.2:5001", "10.0.0.1:7-10.0.0.2:5002", "10.0.0.1:7-10.0.0.2:5003"]
        for _ in 0..<4 { manager.socketReadable("e.socket", now: .seconds(1), port: &port) }
        // One peer takes all of MaxConnections=; the fourth is refused by it alone.
        #expect(manager.sockets["e.socket"]?.connectionCount == 3)
        #expect(manager.sockets["e.socket"]?.refusedCount == 1)
        #expect(manager.sockets["e.socket"]?.acceptedCount == 3)
    }

    @Test func triggerLimitFailsASocketWhoseServiceNeverTakesItsConnections() {
        var port = FakePort()
        var manager = Manager(units: units([
            "busy.socket": "[Socket]\nListenStream=9\nTriggerLimitBurst=3\nTriggerLimitIntervalSec=1\n",
            "busy.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        for step in 0..<4 {
            manager.socketReadable("busy.socket", now: .seconds(0.1 * Double(step)), port: &port)
            if let pid = manager.services["busy.service"]?.mainPID {
                manager.processExited(unit: "busy.service", pid: pid, exit: .exited(0), now: .seconds(0.1 * Double(step)), port: &port)
            }
        }
        #expect(manager.sockets["busy.socket"]?.result == .triggerLimitHit)
    }

    /// systemd serializes the trigger limit's history ("trigger-ratelimit"): a reload that
    /// lowers `TriggerLimitBurst=` counts the triggers before it against the new burst.
    @Test func aReloadKeepsTheTriggerLimitsHistoryUnderItsNewBurst() {
        var port = FakePort()
        let service = "[Service]\nType=oneshot\nExecStart=/bin/true\n"
        var manager = Manager(units: units([
            "busy.socket": "[Socket]\nListenStream=9\nTriggerLimitBurst=10\nTriggerLimitIntervalSec=5\n", "busy.service": service,
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        func trigger(_ second: Double) {
            manager.socketReadable("busy.socket", now: .seconds(second), port: &port)
            if let pid = manager.services["busy.service"]?.mainPID {
                manager.processExited(unit: "busy.service", pid: pid, exit: .exited(0), now: .seconds(second), port: &port)
            }
        }
        for step in 0..<3 { trigger(0.1 * Double(step + 1)) }
        _ = manager.reload(units: units([
            "busy.socket": "[Socket]\nListenStream=9\nTriggerLimitBurst=3\nTriggerLimitIntervalSec=5\n", "busy.service": service,
        ]), aliases: [:], now: .seconds(1), port: &port)
        #expect(manager.sockets["busy.socket"]?.state == .listening)
        trigger(1.1)
        #expect(manager.sockets["busy.socket"]?.result == .triggerLimitHit, "the fourth trigger within 5 s is over the new burst of 3")
    }

    @Test func pollLimitPausesListeningForTheRestOfTheInterval() {
        var port = FakePort(templates: ["p@.service": "[Service]\nExecStart=/bin/p\nStandardInput=socket\n"])
        var manager = Manager(units: units([
            "p.socket": "[Socket]\nListenStream=7\nAccept=yes\nPollLimitBurst=2\nPollLimitIntervalSec=1\n",
            "p@.service": "[Service]\nExecStart=/bin/p\nStandardInput=socket\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        for step in 0..<3 { manager.socketReadable("p.socket", now: .seconds(0.1 * Double(step + 1)), port: &port) }
        #expect(port.polling["p.socket"] == false)
        #expect(manager.sockets["p.socket"]?.state == .listening, "a poll limit pauses, it does not fail")
        #expect(manager.nextDeadline() == .seconds(1.1))
        manager.timersFired(now: .seconds(1.1), port: &port)
        #expect(port.polling["p.socket"] == true)
    }

    @Test func fdOrderPutsTheSocketWithTheServicesNameFirst() {
        let manager = Manager(units: units([
            "web.socket": "[Socket]\nListenStream=80\n",
            "admin.socket": "[Socket]\nListenStream=81\nService=web.service\n",
            "web.service": "[Service]\nExecStart=/bin/web\n",
        ]))
        #expect(manager.socketsOfService["web.service"] == ["web.socket", "admin.socket"])
    }

    @Test func anAliasResolvesToItsUnit() {
        // Debian's syslog.socket activates syslog.service, an Alias= of rsyslog.service.
        let loaded = units([
            "syslog.socket": "[Socket]\nListenDatagram=/run/systemd/journal/syslog\n",
            "rsyslog.service": "[Service]\nExecStart=/usr/sbin/rsyslogd -n\n[Install]\nAlias=syslog.service\n",
        ])
        let aliases = Dictionary(uniqueKeysWithValues: loaded.flatMap { unit in unit.settings.install.alias.map { ($0, unit.name.name) } })
        let manager = Manager(units: loaded, aliases: aliases)
        #expect(manager.serviceOfSocket["syslog.socket"] == "rsyslog.service")
        #expect(manager.socketsOfService["rsyslog.service"] == ["syslog.socket"])
    }

    @Test func requirementsStartFirstAndAMissingOneRefusesTheStart() {
        var port = FakePort()
        var manager = Manager(units: units([
            "db.service": "[Service]\nExecStart=/bin/db\n",
            "app.service": "[Unit]\nRequires=db.service\nAfter=db.service\n[Service]\nExecStart=/bin/app\n[Install]\nWantedBy=multi-user.target\n",
            "orphan.service": "[Unit]\nRequires=missing.service\n[Service]\nExecStart=/bin/orphan\n[Install]\nWantedBy=multi-user.target\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        #expect(port.processes.spawned.map(\.path) == ["/bin/db", "/bin/app"])
        #expect(manager.services["orphan.service"]?.state == .dead)
        #expect(port.logs.contains("orphan.service: refusing to start: required unit missing.service is not loaded (job result: dependency)"))
    }

    @Test func onFailureAndBindsTo() {
        var port = FakePort()
        var manager = Manager(units: units([
            "main.service": "[Unit]\nOnFailure=alert.service\n[Service]\nExecStart=/bin/main\n[Install]\nWantedBy=multi-user.target\n",
            "alert.service": "[Service]\nType=oneshot\nExecStart=/bin/alert\n",
            "sidecar.service": "[Unit]\nBindsTo=main.service\nAfter=main.service\n[Service]\nExecStart=/bin/sidecar\n[Install]\nWantedBy=multi-user.target\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        let mainPID = manager.services["main.service"]!.mainPID!
        manager.processExited(unit: "main.service", pid: mainPID, exit: .exited(1), now: .seconds(1), port: &port)
        #expect(port.processes.spawned.map(\.path).contains("/bin/alert"))
        #expect(manager.services["sidecar.service"]?.state == .stopSigterm)
    }

    @Test func shutdownStopsInReverseStartOrder() {
        var port = FakePort()
        var manager = Manager(units: units([
            "db.service": "[Service]\nExecStart=/bin/db\n[Install]\nWantedBy=multi-user.target\n",
            "app.service": "[Unit]\nAfter=db.service\n[Service]\nExecStart=/bin/app\n[Install]\nWantedBy=multi-user.target\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        let db = manager.services["db.service"]!.mainPID!, app = manager.services["app.service"]!.mainPID!
        #expect(!manager.stopAll(now: .seconds(1), port: &port))
        #expect(manager.services["app.service"]?.state == .stopSigterm)
        #expect(manager.services["db.service"]?.state == .running, "db waits until app, ordered after it, has stopped")
        manager.processExited(unit: "app.service", pid: app, exit: .signaled(15), now: .seconds(1.1), port: &port)
        #expect(manager.services["db.service"]?.state == .stopSigterm)
        manager.processExited(unit: "db.service", pid: db, exit: .signaled(15), now: .seconds(1.2), port: &port)
        #expect(manager.allStopped)
        #expect(port.processes.kills.map(\.pid) == [app, db])
    }

    @Test func conditionsAndAsserts() {
        var port = FakePort(existingPaths: ["/etc/present"])
        var manager = Manager(units: units([
            "yes.service": "[Unit]\nConditionPathExists=/etc/present\nConditionPathExists=!/etc/absent\n[Service]\nExecStart=/bin/yes\n[Install]\nWantedBy=multi-user.target\n",
            "no.service": "[Unit]\nConditionPathExists=/etc/absent\n[Service]\nExecStart=/bin/no\n[Install]\nWantedBy=multi-user.target\n",
            "either.service": "[Unit]\nConditionPathExists=|/etc/absent\nConditionPathExists=|/etc/present\n[Service]\nExecStart=/bin/either\n[Install]\nWantedBy=multi-user.target\n",
            "asserted.service": "[Unit]\nAssertPathExists=/etc/absent\n[Service]\nExecStart=/bin/asserted\n[Install]\nWantedBy=multi-user.target\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        #expect(Set(port.processes.spawned.map(\.path)) == ["/bin/yes", "/bin/either"])
        #expect(port.logs.contains("no.service: condition not met: ConditionPathExists=/etc/absent, not starting it"))
        #expect(port.logs.contains("asserted.service: assertion failed: AssertPathExists=/etc/absent, refusing to start (job result: assert)"))
    }

    @Test func reloadKeepsUnchangedSocketsAndReopensChangedOnes() {
        var port = FakePort()
        var manager = Manager(units: units([
            "same.socket": "[Socket]\nListenStream=80\n", "same.service": "[Service]\nExecStart=/bin/same\n",
            "moved.socket": "[Socket]\nListenStream=81\n", "moved.service": "[Service]\nExecStart=/bin/moved\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        manager.socketReadable("same.socket", now: .seconds(1), port: &port)
        let changes = manager.reload(units: units([
            "same.socket": "[Socket]\nListenStream=80\nBacklog=10\n", "same.service": "[Service]\nExecStart=/bin/same2\n",
            "moved.socket": "[Socket]\nListenStream=82\n", "moved.service": "[Service]\nExecStart=/bin/moved\n",
        ]), aliases: [:], now: .seconds(2), port: &port)
        #expect(port.closedListeners == ["moved.socket"])
        #expect(port.keptForReopen == ["moved.socket"], "the listeners of the addresses that stay are the port's to keep")
        #expect(changes == ["moved.socket: listeners changed, reopening"])
        #expect(manager.sockets["same.socket"]?.state == .running, "state and fds carried over")
        #expect(manager.sockets["moved.socket"]?.state == .listening)
        #expect(manager.services["same.service"]?.settings.execStart.first?.path == "/bin/same2", "the new definition at once")
        #expect(manager.services["same.service"]?.state == .running && manager.services["same.service"]?.mainPID == 101, "its process kept")
    }

    /// A socket whose `Accept=` changed keeps the listeners of its addresses, as systemd matches
    /// them by address (it opened them anew, and failed with EADDRINUSE while the `Accept=no`
    /// service held the old one).
    @Test func aReloadThatChangesAcceptKeepsItsListeners() {
        var port = FakePort()
        var manager = Manager(units: units(["flip.socket": "[Socket]\nListenStream=80\n", "flip.service": "[Service]\nExecStart=/bin/f\n"]))
        manager.startAll(now: .seconds(0), port: &port)
        _ = manager.reload(units: units([
            "flip.socket": "[Socket]\nListenStream=80\nAccept=yes\n", "flip@.service": "[Service]\nExecStart=/bin/f\n",
        ]), aliases: [:], now: .seconds(1), port: &port)
        #expect(port.closedListeners == ["flip.socket"] && !port.keptForReopen.isEmpty, "\(port.keptForReopen)")
    }

    /// A daemon-reload while a service waits in final-sigterm for what it left behind: it still
    /// ends when the leftovers do (the waiting set was not carried over, and it waited for its
    /// timeout).
    @Test func aReloadKeepsAServiceWaitingForItsLeftovers() {
        var port = FakePort()
        let text = "[Service]\nExecStart=/bin/d\nTimeoutStopSec=90\n"
        var manager = Manager(units: units(["d.service": text]))
        _ = manager.enqueue(.start, "d.service", now: .seconds(0), port: &port)
        let main = port.processes.lastPID
        port.processes.leftovers = [main]
        manager.processExited(unit: "d.service", pid: main, exit: .exited(0), now: .seconds(1), port: &port)
        #expect(manager.services["d.service"]?.state == .stopSigterm, "waiting for what the main process left")
        _ = manager.reload(units: units(["d.service": text]), aliases: [:], now: .seconds(2), port: &port)
        port.processes.leftovers = []
        manager.leftoverReaped(now: .seconds(3), port: &port)
        #expect(manager.services["d.service"]?.state == .dead)
    }

    /// `kill` of a unit with no process of its own signals what is in its cgroup (unit_kill()):
    /// leftovers of `KillMode=process` after a stop.
    @Test func killReachesTheCgroupOfAStoppedUnit() {
        var port = FakePort()
        var manager = Manager(units: units(["p.service": "[Service]\nExecStart=/bin/p\nKillMode=process\n"]))
        #expect(!manager.killService("p.service", signal: 15, port: &port), "nothing there")
        port.processes.cgroupLeftovers = true
        #expect(manager.killService("p.service", signal: 15, port: &port))
        #expect(port.processes.kills.last.map { "\($0.pid) \($0.signal)" } == "0 15")
    }

    /// A unit loaded on demand joins the running manager: every machine and job stays as it is
    /// (a running service keeps its process and start-limit history), and the new unit starts.
    @Test func aUnitAddedOnDemandLeavesTheOthersAsTheyAre() {
        var port = FakePort()
        let definitions = units(["d.service": "[Service]\nExecStart=/bin/d\n", "t@.service": "[Service]\nExecStart=/bin/t %i\n"])
        var manager = Manager(units: definitions)
        _ = manager.enqueue(.start, "d.service", now: .seconds(0), port: &port)
        let main = manager.services["d.service"]?.mainPID
        let instance = UnitBuilder.build(name: try! UnitName("t@x.service"), fragment: UnitSourceFile(path: "/t@.service", text: "[Service]\nExecStart=/bin/t %i\n"))
        manager.add([instance], to: definitions, aliases: [:])
        #expect(manager.services["d.service"]?.state == .running && manager.services["d.service"]?.mainPID == main)
        #expect(manager.enqueue(.start, "t@x.service", now: .seconds(1), port: &port) != nil)
        #expect(manager.services["t@x.service"]?.state == .running && port.processes.spawned.last?.path == "/bin/t")
    }

    /// Under the drop-in rule, an instance loaded from its template because another unit names it
    /// starts with that unit, not at boot: its template's `WantedBy=` (an `OnFailure=` handler's)
    /// is no enablement, and a socket instance is not bound until something starts it.
    @Test func instancesFromTemplatesDoNotStartAtBoot() {
        func instance(_ name: String, _ text: String) -> LoadedUnit {
            let parsed = try! UnitName(name)
            return UnitBuilder.build(name: parsed, fragment: UnitSourceFile(path: "/u/" + parsed.templateName!, text: text))
        }
        var port = FakePort()
        let handler = "[Service]\nExecStart=/bin/notify %i\n[Install]\nWantedBy=multi-user.target\n"
        var manager = Manager(units: units(["a.service": "[Unit]\nOnFailure=notify@a.service\n[Service]\nExecStart=/bin/a\n",
                                            "notify@.service": handler])
                              + [instance("notify@a.service", handler), instance("listen@x.socket", "[Socket]\nListenStream=127.0.0.1:9\n")])
        manager.startAll(now: .seconds(0), port: &port)
        #expect(manager.services["notify@a.service"]?.state == .dead, "not started at boot")
        #expect(manager.sockets["listen@x.socket"]?.state == .dead, "not bound at boot")
        #expect(port.processes.spawned.isEmpty)
    }

    /// systemd loads every unit anew at daemon-reload and deserializes its state into it: a running
    /// service's stop runs the new `ExecStop=`; its start-limit history and counts carry over.
    @Test func aReloadGivesARunningServiceItsNewDefinitionAtOnce() {
        var port = FakePort()
        var manager = Manager(units: units(["d.service": "[Unit]\nStartLimitBurst=5\n[Service]\nExecStart=/bin/d\n"]))
        for second in 0..<3 {
            _ = manager.enqueue(.start, "d.service", now: .seconds(Double(second)), port: &port)
            if second < 2 { manager.processExited(unit: "d.service", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(Double(second)), port: &port) }
        }
        let main = port.processes.lastPID
        #expect(manager.services["d.service"]?.state == .running)
        let new = "[Unit]\nStartLimitBurst=3\n[Service]\nExecStart=/bin/d\nExecStop=/bin/new-stop\n"
        _ = manager.reload(units: units(["d.service": new]), aliases: [:], now: .seconds(3), port: &port)
        #expect(manager.services["d.service"]?.state == .running && manager.services["d.service"]?.mainPID == main)
        _ = manager.enqueue(.stop, "d.service", now: .seconds(4), port: &port)
        #expect(port.processes.spawned.last?.path == "/bin/new-stop", "the new ExecStop= stops it")
        manager.processExited(unit: "d.service", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(4), port: &port)
        manager.processExited(unit: "d.service", pid: main, exit: .signaled(15), now: .seconds(4), port: &port)
        #expect(manager.services["d.service"]?.state == .dead)
        _ = manager.enqueue(.start, "d.service", now: .seconds(5), port: &port)
        #expect(manager.services["d.service"]?.result == .startLimitHit, "three starts before the reload count against the new burst of 3")
    }

    /// A socket that keeps its listeners takes its new limits at once (systemd reads
    /// `MaxConnections=` at each accept); its count of live connections carries over.
    @Test func aReloadLowersMaxConnectionsAtOnce() {
        var (manager, port) = acceptingEcho(template: "[Service]\nExecStart=/bin/echo\nStandardInput=socket\n")
        #expect(manager.sockets["echo.socket"]?.connectionCount == 1)
        let fresh = units([
            "echo.socket": "[Socket]\nListenStream=7\nAccept=yes\nMaxConnections=1\n",
            "echo@.service": "[Service]\nExecStart=/bin/echo\nStandardInput=socket\n",
        ])
        _ = manager.reload(units: fresh, aliases: [:], now: .seconds(2), port: &port)
        #expect(manager.sockets["echo.socket"]?.settings.maxConnections == 1 && manager.sockets["echo.socket"]?.connectionCount == 1)
        port.pendingConnections["echo.socket"] = ["127.0.0.1:7-127.0.0.1:5001"]
        manager.socketReadable("echo.socket", now: .seconds(3), port: &port)
        #expect(manager.sockets["echo.socket"]?.refusedCount == 1, "the second connection is beyond the new MaxConnections=1")
    }

    /// A reload that changes a template's `IPAddressDeny=` keeps the socket's listeners (and its
    /// live connections' count) and refuses the next denied peer at accept at once.
    @Test func aReloadThatChangesTheIPFilterKeepsTheListenersAndChecksTheNewRules() {
        var (manager, port) = acceptingEcho(template: "[Service]\nExecStart=/bin/echo\nStandardInput=socket\n")
        let changes = manager.reload(units: units([
            "echo.socket": "[Socket]\nListenStream=7\nAccept=yes\n",
            "echo@.service": "[Service]\nExecStart=/bin/echo\nStandardInput=socket\nIPAddressDeny=127.0.0.0/8\n",
        ]), aliases: [:], now: .seconds(2), port: &port)
        #expect(changes.isEmpty && port.closedListeners.isEmpty && manager.sockets["echo.socket"]?.connectionCount == 1)
        port.pendingConnections["echo.socket"] = ["127.0.0.1:7-127.0.0.1:5001"]
        manager.socketReadable("echo.socket", now: .seconds(3), port: &port)
        #expect(manager.sockets["echo.socket"]?.refusedCount == 1 && manager.sockets["echo.socket"]?.connectionCount == 1)
    }

    /// systemd names a reload that timed out in the log; the service runs on.
    @Test func aReloadThatTimesOutIsLogged() {
        var port = FakePort()
        var manager = Manager(units: units(["r.service": "[Service]\nExecStart=/bin/r\nExecReload=/bin/hang\nTimeoutStartSec=2\n"]))
        _ = manager.enqueue(.start, "r.service", now: .seconds(0), port: &port)
        #expect(manager.reloadService("r.service", now: .seconds(1), port: &port) != nil)
        manager.timersFired(now: .seconds(3), port: &port)
        #expect(port.logs.contains("r.service: Reload operation timed out. Killing reload process."))
        #expect(manager.services["r.service"]?.state == .running)
    }

    @Test func bootServicesAreThoseWantedByMultiUserWithoutSockets() {
        let manager = Manager(units: units([
            "a.service": "[Service]\nExecStart=/bin/a\n[Install]\nWantedBy=multi-user.target\n",
            "b.service": "[Service]\nExecStart=/bin/b\n",
            "c.socket": "[Socket]\nListenStream=1\n",
            "c.service": "[Service]\nExecStart=/bin/c\n[Install]\nWantedBy=multi-user.target\n",
        ]))
        #expect(manager.bootServices == ["a.service"])
    }

    /// Issue 10 item 7: an Accept=no socket whose service is not loaded does not start; an
    /// Accept=yes socket without a template fails with `resources` at its first connection.
    @Test func aSocketWithoutItsServiceDoesNotStartAndAnAcceptSocketWithoutTemplateFails() {
        var port = FakePort()
        var manager = Manager(units: units([
            "orphan.socket": "[Socket]\nListenStream=80\n",
            "lonely.socket": "[Socket]\nListenStream=81\nAccept=yes\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        #expect(manager.sockets["orphan.socket"]?.state == .dead)
        #expect(!port.openedListeners.contains("orphan.socket"))
        #expect(port.logs.contains("orphan.socket: Socket service orphan.service not loaded, refusing."))
        #expect(manager.sockets["lonely.socket"]?.state == .listening)
        port.pendingConnections["lonely.socket"] = ["127.0.0.1:81-127.0.0.1:5000"]
        manager.socketReadable("lonely.socket", now: .seconds(1), port: &port)
        #expect(manager.sockets["lonely.socket"]?.state == .failed && manager.sockets["lonely.socket"]?.result == .resources)
        #expect(manager.sockets["lonely.socket"]?.acceptedCount == 1 && port.closedConnections == [1])
    }
}
