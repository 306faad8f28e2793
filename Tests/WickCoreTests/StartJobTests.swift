import Testing
import WickCore
import WickUnits

/// Start jobs wait for the units they are ordered after (issue 10 item 1), with the fake port and
/// clock: chains, failure propagation through Requires=, Wants= that does not propagate.
@Suite struct StartJobTests {
    func manager(_ files: [String: String]) -> (Manager, FakePort) {
        var port = FakePort()
        var manager = Manager(units: units(files))
        manager.startAll(now: .seconds(0), port: &port)
        return (manager, port)
    }

    static let backend = "[Service]\nType=notify\nExecStart=/bin/backend\nExecStartPost=/bin/warm-up\n[Install]\nWantedBy=multi-user.target\n"

    @Test func aDependentStartsOnlyAfterItsBackendsStartPostFinished() {
        var (manager, port) = manager([
            "b.service": Self.backend,
            "a.service": "[Unit]\nRequires=b.service\nAfter=b.service\n[Service]\nExecStart=/bin/frontend\n[Install]\nWantedBy=multi-user.target\n",
        ])
        #expect(manager.services["b.service"]?.state == .start)
        #expect(manager.services["a.service"]?.state == .dead, "a waits for b's start job")
        #expect(manager.blockers(of: "a.service") == ["b.service"] && manager.queue["a.service"]?.state == .waiting)
        var ready = NotifyMessage()
        ready.ready = true
        let backend = port.processes.spawned.first { $0.path == "/bin/backend" }!.pid
        _ = manager.notifyReceived(pid: backend, senderGroup: nil, owner: "b.service", message: ready, now: .seconds(1), port: &port)
        #expect(manager.services["b.service"]?.state == .startPost)
        #expect(manager.services["a.service"]?.state == .dead, "still waiting: b's ExecStartPost= runs")
        let warmUp = port.processes.spawned.first { $0.path == "/bin/warm-up" }!.pid
        manager.processExited(unit: "b.service", pid: warmUp, exit: .exited(0), now: .seconds(2), port: &port)
        #expect(manager.services["b.service"]?.state == .running)
        #expect(manager.services["a.service"]?.state == .running, "a starts once b is active")
    }

    @Test func aFailedBackendFailsTheJobsThatRequireItButNotThoseThatWantIt() {
        var (manager, port) = manager([
            "b.service": Self.backend,
            "a.service": "[Unit]\nRequires=b.service\nAfter=b.service\n[Service]\nExecStart=/bin/a\n[Install]\nWantedBy=multi-user.target\n",
            "w.service": "[Unit]\nWants=b.service\nAfter=b.service\n[Service]\nExecStart=/bin/w\n[Install]\nWantedBy=multi-user.target\n",
        ])
        #expect(manager.services["a.service"]?.state == .dead && manager.services["w.service"]?.state == .dead)
        let backend = port.processes.spawned.first { $0.path == "/bin/backend" }!.pid
        manager.processExited(unit: "b.service", pid: backend, exit: .exited(1), now: .seconds(1), port: &port)
        #expect(manager.services["b.service"]?.state == .failed, "\(port.logs) \(port.processes.spawned)")
        #expect(manager.services["a.service"]?.state == .dead, "a never starts")
        #expect(!port.processes.spawned.contains { $0.path == "/bin/a" })
        #expect(port.logs.contains("a.service: start job failed: required unit b.service did not start (job result: dependency)"))
        #expect(manager.services["w.service"]?.state == .running, "Wants= does not propagate the failure")
    }

    @Test func aChainRunsInOrderAndOneshotsOrderTheirSuccessors() {
        var (manager, port) = manager([
            "c.service": "[Service]\nType=oneshot\nExecStart=/bin/migrate\n[Install]\nWantedBy=multi-user.target\n",
            "b.service": "[Unit]\nAfter=c.service\n[Service]\nType=oneshot\nExecStart=/bin/seed\n[Install]\nWantedBy=multi-user.target\n",
            "a.service": "[Unit]\nAfter=b.service\n[Service]\nExecStart=/bin/app\n[Install]\nWantedBy=multi-user.target\n",
        ])
        #expect(port.processes.spawned.map(\.path) == ["/bin/migrate"])
        manager.processExited(unit: "c.service", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(1), port: &port)
        #expect(port.processes.spawned.map(\.path) == ["/bin/migrate", "/bin/seed"])
        manager.processExited(unit: "b.service", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(2), port: &port)
        #expect(port.processes.spawned.map(\.path) == ["/bin/migrate", "/bin/seed", "/bin/app"])
        #expect(manager.services["a.service"]?.state == .running)
    }

    @Test func shutdownCancelsWaitingJobs() {
        var (manager, port) = manager([
            "b.service": Self.backend,
            "a.service": "[Unit]\nAfter=b.service\n[Service]\nExecStart=/bin/a\n[Install]\nWantedBy=multi-user.target\n",
        ])
        _ = manager.stopAll(now: .seconds(1), port: &port)
        let backend = port.processes.spawned.first { $0.path == "/bin/backend" }!.pid
        manager.processExited(unit: "b.service", pid: backend, exit: .signaled(15), now: .seconds(2), port: &port)
        #expect(!port.processes.spawned.contains { $0.path == "/bin/a" })
    }
}
