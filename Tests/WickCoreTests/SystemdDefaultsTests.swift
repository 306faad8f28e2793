import Testing
import WickCore
import WickUnits

/// Defaults systemd 252 derives from other settings (issue 10, items 11, 12, 14).
@Suite struct SystemdDefaultsTests {
    @Test func oneshotHasNoStartTimeoutUnlessOneIsSet() {
        var processes = FakeProcessTable()
        var oneshot = machine("[Service]\nType=oneshot\nExecStart=/bin/long-job\n")
        _ = oneshot.start(now: .seconds(0), processes: &processes)
        #expect(oneshot.state == .start && oneshot.deadline == nil)
        #expect(oneshot.settings.effectiveTimeoutStart == .infinity)
        var bounded = machine("[Service]\nType=oneshot\nExecStart=/bin/long-job\nTimeoutStartSec=5\n")
        _ = bounded.start(now: .seconds(0), processes: &processes)
        #expect(bounded.deadline == .seconds(5))
        var viaTimeoutSec = machine("[Service]\nType=oneshot\nExecStart=/bin/long-job\nTimeoutSec=7\n")
        _ = viaTimeoutSec.start(now: .seconds(0), processes: &processes)
        #expect(viaTimeoutSec.deadline == .seconds(7))
        #expect(machine("[Service]\nType=notify\nExecStart=/bin/d\n").settings.effectiveTimeoutStart == .seconds(90))
        // parse_sec_fix_0(): a timeout of 0 is no timeout.
        let zero = machine("[Service]\nExecStart=/bin/d\nTimeoutStartSec=0\nTimeoutStopSec=0\n").settings
        #expect(zero.effectiveTimeoutStart == .infinity && zero.timeoutStop == .infinity)
        #expect(machine("[Service]\nExecStart=/bin/d\nTimeoutSec=0\n").settings.timeoutStop == .infinity)
    }

    @Test(arguments: [
        ("Type=notify\nNotifyAccess=none", ServiceSection.NotifyAccess.main),
        ("Type=notify-reload\nNotifyAccess=none", .main),
        ("Type=simple\nWatchdogSec=3", .main),
        ("Type=simple\nWatchdogSec=3\nNotifyAccess=none", .main),
        ("Type=simple\nWatchdogSec=3\nNotifyAccess=all", .all),
        ("Type=simple\nWatchdogSec=0", .none),
        ("Type=simple\nWatchdogSec=infinity", .main),
        ("Type=simple\nFileDescriptorStoreMax=4", .main),
        ("Type=simple", .none),
        ("Type=simple\nNotifyAccess=exec", .exec),
    ])
    func notifyAccessIsForcedToMainWhereReadinessOrAWatchdogNeedIt(lines: String, expected: ServiceSection.NotifyAccess) {
        #expect(machine("[Service]\n\(lines)\nExecStart=/bin/d\n").settings.effectiveNotifyAccess == expected)
    }

    @Test func aNotifyServiceWithNotifyAccessNoneBecomesReady() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nNotifyAccess=none\nExecStart=/bin/d\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        var ready = NotifyMessage()
        ready.ready = true
        #expect(service.notify(ready, now: .seconds(1), processes: &processes).map(\.to) == [.running])
    }

    @Test func aSimpleServiceWithAWatchdogIsKilledOnlyWhenItStopsPinging() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/d\nWatchdogSec=3\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        #expect(service.state == .running && service.deadline == .seconds(3))
        var ping = NotifyMessage()
        ping.watchdog = true
        _ = service.notify(ping, now: .seconds(2), processes: &processes)
        #expect(service.deadline == .seconds(5))
        _ = service.timerFired(now: .seconds(5), processes: &processes)
        #expect(service.result == .watchdog && service.state == .stopSigterm)
    }
}

/// ExecCondition= (issue 10 item 13), as service.c of systemd 252 handles its exits.
@Suite struct ExecConditionTests {
    func started(_ extra: String = "") -> (ServiceMachine, FakeProcessTable) {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecCondition=/bin/check\nExecStartPre=/bin/pre\nExecStart=/bin/d\nRestart=always\n\(extra)")
        _ = service.start(now: .seconds(0), processes: &processes)
        return (service, processes)
    }

    @Test func exitZeroGoesOnToStartPre() {
        var (service, processes) = started()
        #expect(service.state == .condition && processes.spawned.map(\.path) == ["/bin/check"])
        _ = service.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.state == .startPre && processes.spawned.map(\.path) == ["/bin/check", "/bin/pre"])
    }

    @Test(arguments: [Int32(1), 77, 254])
    func exitOneTo254SkipsTheUnitWithoutFailureOrRestart(code: Int32) {
        var (service, processes) = started()
        let transitions = service.processExited(pid: processes.lastPID, exit: .exited(code), now: .seconds(1), processes: &processes)
        #expect(service.state == .dead && service.result == .execCondition, "\(transitions)")
        #expect(processes.spawned.map(\.path) == ["/bin/check"], "nothing else ran, and no restart")
        #expect(transitions.last?.to == .dead)
    }

    @Test(arguments: [ProcessExit.exited(255), .signaled(9)])
    func exit255OrASignalFailsTheUnit(exit: ProcessExit) {
        var (service, processes) = started("RestartSec=5\n")
        _ = service.processExited(pid: processes.lastPID, exit: exit, now: .seconds(1), processes: &processes)
        #expect(service.result == (exit == .exited(255) ? .exitCode : .signal))
        #expect(service.state == .autoRestart, "a failure restarts under Restart=always")
    }

    @Test func aMissingConditionBinaryIs203AndSoASkip() {
        var processes = FakeProcessTable()
        processes.failing = ["/bin/check"]
        var service = machine("[Service]\nExecCondition=/bin/check\nExecStart=/bin/d\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        #expect(service.state == .dead && service.result == .execCondition)
    }

    @Test func aMissingStartPreBinaryFailsTheStartInsteadOfRunningTheService() {
        var processes = FakeProcessTable()
        processes.failing = ["/bin/pre"]
        var service = machine("[Service]\nExecStartPre=/bin/pre\nExecStart=/bin/d\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        #expect(service.state == .failed && service.result == .exitCode)
        #expect(!processes.spawned.contains { $0.path == "/bin/d" }, "the main process never started")
    }
}
