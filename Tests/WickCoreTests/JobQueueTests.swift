import Testing
@testable import WickCore
import WickUnits

/// The job queue (issue 10): merging and canceling as systemd's `job_install()` does, the
/// ordering rule of `job_compare()`, and the manager running jobs with the fake port and clock:
/// chains, stop ordering, failure propagation, restart.
@Suite struct JobQueueTests {
    static let ordered = UnitGraph(units: units([
        "a.service": "[Unit]\nAfter=b.service\n[Service]\nExecStart=/bin/a\n",
        "b.service": "[Service]\nExecStart=/bin/b\n",
    ]), serviceOfSocket: [:])

    @Test func requestsOfTheSameTypeMergeIntoOneJob() {
        var queue = JobQueue()
        let first = queue.install(.start, unit: "a.service")
        let second = queue.install(.start, unit: "a.service")
        #expect(!first.merged && second.merged && first.job.id == second.job.id)
        #expect(queue.jobs.count == 1 && queue.finished.isEmpty)
        let restart = queue.install(.restart, unit: "a.service")
        #expect(restart.merged && restart.job.id == first.job.id && queue["a.service"]?.type == .restart,
                "a restart absorbs a start that has not run")
        #expect(queue.install(.start, unit: "a.service").merged, "a start joins a restart")
    }

    @Test func aConflictingRequestReplacesTheJobWhichEndsCanceled() {
        var queue = JobQueue()
        let start = queue.install(.start, unit: "a.service").job
        let stop = queue.install(.stop, unit: "a.service")
        #expect(stop.replaced == start && stop.job.id != start.id && queue["a.service"]?.type == .stop)
        #expect(queue.takeFinished() == [FinishedJob(id: start.id, unit: "a.service", type: .start, outcome: .failed("canceled"))])
        #expect(queue.takeFinished().isEmpty, "taken once")
        queue.setRunning("a.service")
        let restart = queue.install(.restart, unit: "a.service")
        #expect(restart.replaced?.type == .stop && queue["a.service"]?.state == .waiting)
    }

    /// `waiting` and `running` (what dispatch and settling read) follow each job's state through
    /// every change: install, run, replace, a restart's stop done, finish.
    @Test func waitingAndRunningFollowEveryJobsState() {
        var queue = JobQueue()
        func sets() -> (waiting: Set<UnitID>, running: Set<UnitID>) { (queue.waiting, queue.running) }
        queue.install(.start, unit: "a.service")
        queue.install(.stop, unit: "b.service")
        #expect(sets() == (["a.service", "b.service"], []))
        queue.setRunning("a.service")
        queue.setRunning("a.service")
        queue.setRunning("none.service")
        #expect(sets() == (["b.service"], ["a.service"]))
        queue.install(.stop, unit: "a.service")  // replaces the running start
        #expect(sets() == (["a.service", "b.service"], []))
        queue.setRunning("b.service")
        queue.install(.restart, unit: "b.service")  // replaces the running stop
        queue.setRunning("b.service")
        queue.restartStopped("b.service")
        #expect(sets() == (["a.service", "b.service"], []) && queue["b.service"]?.type == .start)
        queue.setRunning("b.service")
        queue.finish("b.service", .done)
        queue.finish("a.service", .done)
        queue.finish("a.service", .done)
        #expect(sets() == ([], []) && queue.jobs.isEmpty)
    }

    @Test func aStartWaitsForAnyJobOfWhatItIsOrderedAfterAndAStopGoesFirst() {
        var queue = JobQueue()
        queue.install(.start, unit: "a.service")
        queue.install(.start, unit: "b.service")
        #expect(queue.runnable(graph: Self.ordered).map(\.unit) == ["b.service"])
        #expect(queue.blockers(of: "a.service", graph: Self.ordered) == ["b.service"])
        queue.finish("b.service", .done)
        #expect(queue.runnable(graph: Self.ordered).map(\.unit) == ["a.service"])

        var stopping = JobQueue()
        stopping.install(.stop, unit: "b.service")
        stopping.install(.stop, unit: "a.service")
        #expect(stopping.runnable(graph: Self.ordered).map(\.unit) == ["a.service"], "a (ordered after b) stops first")
        #expect(stopping.blockers(of: "b.service", graph: Self.ordered) == ["a.service"])

        var mixed = JobQueue()
        mixed.install(.start, unit: "b.service")
        mixed.install(.stop, unit: "a.service")
        #expect(mixed.runnable(graph: Self.ordered).map(\.unit) == ["a.service"], "b's start waits for a's stop")
    }

    @Test func aRestartBecomesAStartWithTheSameIdOnceStopped() {
        var queue = JobQueue()
        let job = queue.install(.restart, unit: "a.service").job
        queue.setRunning("a.service")
        queue.restartStopped("a.service")
        #expect(queue["a.service"] == Job(id: job.id, unit: "a.service", type: .start, state: .waiting))
    }

    // MARK: The manager runs them

    func booted(_ files: [String: String]) -> (Manager, FakePort) {
        var port = FakePort()
        var manager = Manager(units: units(files))
        manager.startAll(now: .seconds(0), port: &port)
        _ = manager.takeFinishedJobs()
        return (manager, port)
    }

    static let app = "[Unit]\nRequires=db.service\nAfter=db.service\n[Service]\nExecStart=/bin/app\n[Install]\nWantedBy=multi-user.target\n"
    static let db = "[Service]\nExecStart=/bin/db\nExecStopPost=/bin/db-flush\n[Install]\nWantedBy=multi-user.target\n"

    @Test func stoppingARequiredUnitStopsItsDependentsFirst() {
        var (manager, port) = booted(["app.service": Self.app, "db.service": Self.db])
        #expect(manager.services["app.service"]?.state == .running && manager.services["db.service"]?.state == .running)
        let app = port.processes.spawned.first { $0.path == "/bin/app" }!.pid
        let db = port.processes.spawned.first { $0.path == "/bin/db" }!.pid
        let job = manager.enqueue(.stop, "db.service", now: .seconds(1), port: &port)
        #expect(manager.queue["app.service"]?.type == .stop, "Requires= spreads the stop")
        #expect(port.processes.kills.map(\.pid) == [app], "db waits for app, which is ordered after it")
        #expect(manager.services["db.service"]?.state == .running)
        manager.processExited(unit: "app.service", pid: app, exit: .signaled(15), now: .seconds(2), port: &port)
        #expect(port.processes.kills.map(\.pid) == [app, db], "app is down: db stops now")
        manager.processExited(unit: "db.service", pid: db, exit: .signaled(15), now: .seconds(3), port: &port)
        #expect(manager.services["db.service"]?.state == .stopPost)
        #expect(!manager.takeFinishedJobs().contains { $0.id == job?.id }, "the stop job runs until ExecStopPost= ends")
        manager.processExited(unit: "db.service", pid: port.processes.lastPID, exit: .exited(0), now: .seconds(4), port: &port)
        #expect(manager.takeFinishedJobs() == [FinishedJob(id: job!.id, unit: "db.service", type: .stop, outcome: .done)])
        #expect(manager.queue.jobs.isEmpty)
    }

    @Test func aFailureFailsTheWholeChainOfRequiringJobs() {
        var (manager, port) = booted([
            "c.service": "[Unit]\nRequires=b.service\nAfter=b.service\n[Service]\nExecStart=/bin/c\n",
            "b.service": "[Unit]\nRequires=a.service\nAfter=a.service\n[Service]\nExecStart=/bin/b\n",
            "a.service": "[Service]\nType=notify\nExecStart=/bin/a\n",
        ])
        let c = manager.enqueue(.start, "c.service", now: .seconds(1), port: &port)!
        #expect(Set(manager.queue.jobs.keys) == ["a.service", "b.service", "c.service"], "the requirements are pulled in")
        #expect(port.processes.spawned.map(\.path) == ["/bin/a"])
        manager.processExited(unit: "a.service", pid: port.processes.lastPID, exit: .exited(1), now: .seconds(2), port: &port)
        let finished = manager.takeFinishedJobs()
        #expect(finished.first { $0.unit == "a.service" }?.outcome == .failed("exit-code"))
        #expect(finished.first { $0.unit == "b.service" }?.outcome == .failed("dependency"))
        #expect(finished.first { $0.id == c.id }?.outcome == .failed("dependency"))
        #expect(port.processes.spawned.map(\.path) == ["/bin/a"] && manager.queue.jobs.isEmpty)
    }

    @Test func aStopCancelsAWaitingStartAndAStartDuringAStopRunsOnceStopped() {
        var (manager, port) = booted(["app.service": Self.app, "db.service": "[Service]\nType=notify\nExecStart=/bin/db\n"])
        let start = manager.enqueue(.start, "app.service", now: .seconds(1), port: &port)!
        #expect(manager.queue["app.service"]?.state == .waiting)
        manager.enqueue(.stop, "app.service", now: .seconds(2), port: &port)
        #expect(manager.takeFinishedJobs().contains(FinishedJob(id: start.id, unit: "app.service", type: .start, outcome: .failed("canceled"))))

        var (running, runningPort) = booted(["db.service": Self.db])
        let db = runningPort.processes.lastPID
        running.enqueue(.stop, "db.service", now: .seconds(1), port: &runningPort)
        let again = running.enqueue(.start, "db.service", now: .seconds(2), port: &runningPort)!
        #expect(running.services["db.service"]?.state == .stopSigterm && running.queue["db.service"]?.state == .waiting)
        running.processExited(unit: "db.service", pid: db, exit: .signaled(15), now: .seconds(3), port: &runningPort)
        running.processExited(unit: "db.service", pid: runningPort.processes.lastPID, exit: .exited(0), now: .seconds(4), port: &runningPort)
        #expect(running.services["db.service"]?.state == .running)
        #expect(runningPort.processes.spawned.map(\.path) == ["/bin/db", "/bin/db-flush", "/bin/db"])
        #expect(running.takeFinishedJobs().last == FinishedJob(id: again.id, unit: "db.service", type: .start, outcome: .done))
    }

    /// systemd's service_enter_start() goes through `start` for a oneshot without ExecStart=: one
    /// with no command at all (SuccessAction= only) ends its start job, and what waits for it
    /// starts (it went from dead to dead, and the job and its dependents waited for ever).
    @Test func aServiceWithoutCommandsEndsItsStartJob() {
        var (manager, port) = booted([
            "sa.service": "[Unit]\nSuccessAction=exit\n[Service]\n",
            "dep.service": "[Unit]\nWants=sa.service\nAfter=sa.service\n[Service]\nExecStart=/bin/dep\n",
        ])
        _ = manager.takeFinishedJobs()
        let job = manager.enqueue(.start, "dep.service", now: .seconds(1), port: &port)!
        let finished = manager.takeFinishedJobs()
        #expect(finished.contains { $0.unit == "sa.service" && $0.type == .start && $0.outcome == .done }, "\(finished)")
        #expect(port.processes.spawned.contains { $0.path == "/bin/dep" }, "what waited for it started")
        #expect(manager.services["dep.service"]?.state == .running && manager.queue["dep.service"]?.id != job.id)
    }

    @Test func aRestartSpreadsToRunningDependentsAndAnswersWithTheStart() {
        var (manager, port) = booted(["app.service": Self.app, "db.service": "[Service]\nExecStart=/bin/db\n[Install]\nWantedBy=multi-user.target\n"])
        let job = manager.enqueue(.restart, "db.service", now: .seconds(1), port: &port)!
        #expect(manager.queue["app.service"]?.type == .restart)
        let app = port.processes.spawned.first { $0.path == "/bin/app" }!.pid
        let db = port.processes.spawned.first { $0.path == "/bin/db" }!.pid
        manager.processExited(unit: "app.service", pid: app, exit: .signaled(15), now: .seconds(2), port: &port)
        manager.processExited(unit: "db.service", pid: db, exit: .signaled(15), now: .seconds(3), port: &port)
        #expect(port.processes.spawned.map(\.path).suffix(2) == ["/bin/db", "/bin/app"], "started again in start order")
        #expect(manager.takeFinishedJobs().contains(FinishedJob(id: job.id, unit: "db.service", type: .start, outcome: .done)))
    }

    @Test func startingAUnitStopsWhatConflictsWithItEitherWay() {
        var (manager, port) = booted([
            "old.service": "[Service]\nExecStart=/bin/old\n[Install]\nWantedBy=multi-user.target\n",
            "new.service": "[Unit]\nConflicts=old.service\n[Service]\nExecStart=/bin/new\n",
            "other.service": "[Service]\nExecStart=/bin/other\n",
            "third.service": "[Unit]\nConflicts=other.service\n[Service]\nExecStart=/bin/third\n[Install]\nWantedBy=multi-user.target\n",
        ])
        manager.enqueue(.start, "new.service", now: .seconds(1), port: &port)
        #expect(manager.services["old.service"]?.state == .stopSigterm && manager.services["new.service"]?.state == .running)
        manager.enqueue(.start, "other.service", now: .seconds(2), port: &port)
        #expect(manager.services["third.service"]?.state == .stopSigterm, "Conflicts= works both ways")
    }
}
