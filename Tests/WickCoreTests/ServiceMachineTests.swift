import Testing
import WickCore
import WickUnits

@Suite struct ServiceMachineTests {
    @Test func simpleServiceRunsThenStopsCleanly() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/server\n")
        let started = service.start(now: .seconds(1), processes: &processes)
        #expect(started.map(\.to) == [.running])
        #expect(service.mainPID == 101)
        #expect(service.deadline == nil)
        let exited = service.processExited(pid: 101, exit: .exited(0), now: .seconds(2), processes: &processes)
        #expect(exited.map(\.to) == [.dead])
        #expect(service.result == .success)
    }

    /// systemd's service_sigchld_event(): `ExecStart=-...` makes any end of the main process a
    /// success, also once the service runs (Debian's micro-httpd@.service, `sshd -i`): no
    /// `failed`, no restart under `Restart=on-failure`; the exit is still recorded. A forking
    /// service's daemon takes its ExecStart='s `-`. Without the `-` the same exit fails.
    @Test(arguments: ["simple", "exec", "notify", "forking"])
    func anIgnoredMainCommandEndsCleanlyInEveryState(type: String) {
        var processes = FakeProcessTable()
        processes.pidFiles["/run/d.pid"] = 4242
        let forking = type == "forking" ? "PIDFile=/run/d.pid\n" : ""
        var service = machine("[Service]\nType=\(type)\nExecStart=-/bin/server\nRestart=on-failure\n\(forking)")
        _ = service.start(now: .seconds(1), processes: &processes)
        if type == "notify" { _ = service.notify(NotifyMessage.parse(Array("READY=1".utf8)), now: .seconds(1), processes: &processes) }
        if type == "forking" { _ = service.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes) }
        #expect(service.state == .running, "\(service.state)")
        let main = service.mainPID ?? 0
        _ = service.processExited(pid: main, exit: .exited(3), now: .seconds(2), processes: &processes)
        #expect(service.state == .dead && service.result == .success, "\(service.state) \(service.result)")
        #expect(service.lastExit == .exited(3))
        var plain = machine("[Service]\nType=\(type)\nExecStart=/bin/server\nRestart=on-failure\n\(forking)")
        _ = plain.start(now: .seconds(1), processes: &processes)
        if type == "notify" { _ = plain.notify(NotifyMessage.parse(Array("READY=1".utf8)), now: .seconds(1), processes: &processes) }
        if type == "forking" { _ = plain.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes) }
        _ = plain.processExited(pid: plain.mainPID ?? 0, exit: .exited(3), now: .seconds(2), processes: &processes)
        #expect(plain.state == .autoRestart && plain.result == .exitCode, "\(plain.state) \(plain.result)")
    }

    /// systemd's FINAL_SIGTERM and FINAL_SIGKILL: what is left of the unit's process group after
    /// its main process ended gets `KillSignal=`, then at `TimeoutStopSec=` `FinalKillSignal=`,
    /// and the unit is dead once nothing is left (a stop ended when the main process did, and a
    /// leftover that ignored SIGTERM lived on, one more at each run under `Restart=`). `mixed`:
    /// SIGKILL to the group at once; `process`: the leftovers are not the stop's.
    @Test(arguments: ["control-group", "mixed", "process"])
    func whatIsLeftOfTheGroupGetsTheFinalSignals(mode: String) {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/server\nKillMode=\(mode)\nTimeoutStopSec=5\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let leader = processes.lastPID
        _ = service.stop(now: .seconds(1), processes: &processes)
        #expect(service.state == .stopSigterm)
        processes.leftovers = [leader]
        processes.kills = []
        _ = service.processExited(pid: leader, exit: .signaled(15), now: .seconds(2), processes: &processes)
        let kills = processes.kills.map { "\($0.pid) \($0.signal) \($0.group)" }
        switch mode {
        case "control-group":
            #expect(service.state == .finalSigterm && kills == ["\(leader) 15 true"], "\(service.state) \(kills)")
            #expect(service.leftoversMayHaveGone(now: .seconds(3), processes: &processes).isEmpty, "still there")
            #expect(service.deadline == .seconds(7), "TimeoutStopSec= from the final-sigterm")
            _ = service.timerFired(now: .seconds(7), processes: &processes)
            #expect(service.state == .finalSigkill && processes.kills.last.map { "\($0.pid) \($0.signal) \($0.group)" } == "\(leader) 9 true")
            processes.leftovers = []
            #expect(service.leftoversMayHaveGone(now: .seconds(8), processes: &processes).map(\.to) == [.failed])
            #expect(service.result == .timeout)
        case "mixed":
            #expect(service.state == .finalSigkill && kills == ["\(leader) 9 true"], "\(service.state) \(kills)")
            processes.leftovers = []
            #expect(service.leftoversMayHaveGone(now: .seconds(3), processes: &processes).map(\.to) == [.dead])
        default:
            #expect(service.state == .dead && kills.isEmpty, "\(service.state) \(kills)")
        }
    }

    /// Without a process group (the main process never started: `ExecStartPre=` failed), what
    /// the unit left in its cgroup still gets the final signals, through the cgroup.
    @Test func theFinalSignalsReachTheCgroupWithoutAProcessGroup() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStartPre=/bin/pre\nExecStart=/bin/server\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        processes.cgroupLeftovers = true
        _ = service.processExited(pid: processes.lastPID, exit: .exited(1), now: .seconds(1), processes: &processes)
        #expect(service.state == .finalSigterm && processes.kills.last.map { "\($0.pid) \($0.signal)" } == "0 15", "\(service.state) \(processes.kills)")
        processes.cgroupLeftovers = false
        #expect(service.leftoversMayHaveGone(now: .seconds(2), processes: &processes).map(\.to) == [.failed])
    }

    /// A reload command that cannot be started is the reload's result, not the service's: it runs
    /// on, and the next reload does not stop it (service_enter_reload()).
    @Test func aReloadThatCannotStartLeavesTheServiceAlone() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/server\nExecReload=/bin/reload\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        processes.failingForResources = ["/bin/reload"]
        let ended = service.reloadsEnded
        #expect(service.reload(now: .seconds(1), processes: &processes).accepted)
        #expect(service.reloadsEnded == ended + 1 && service.reloadResult == .resources && service.result == .success && service.state == .running)
        processes.failingForResources = []
        _ = service.reload(now: .seconds(2), processes: &processes)
        _ = service.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(3), processes: &processes)
        #expect(service.state == .running && service.reloadResult == .success)
    }

    /// A stop of a service whose main process had ended (`RemainAfterExit=yes`) with something
    /// left in its group: the leftovers get SIGTERM and SIGCONT, and `ExecStopPost=` waits for
    /// them to end (unit_kill_context() waits for the cgroup); it ran at once, and the final
    /// SIGTERM followed 5 ms later.
    @Test func aStopWaitsForWhatAnEndedMainProcessLeft() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/setup\nExecStopPost=/bin/post\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let leader = processes.lastPID
        _ = service.processExited(pid: leader, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.state == .exited)
        processes.leftovers = [leader]
        _ = service.stop(now: .seconds(2), processes: &processes)
        #expect(service.state == .stopSigterm, "\(service.state)")
        #expect(processes.kills.map { "\($0.pid) \($0.signal) \($0.group)" } == ["\(leader) 15 true"])
        #expect(processes.continued.map { "\($0.pid) \($0.group)" } == ["\(leader) true"], "SIGCONT after SIGTERM")
        #expect(processes.spawned.last?.path == "/bin/setup", "ExecStopPost= waits")
        processes.leftovers = []
        _ = service.leftoversMayHaveGone(now: .seconds(3), processes: &processes)
        #expect(service.state == .stopPost && processes.spawned.last?.path == "/bin/post")
    }

    /// service_reload(): a service in `exited` (RemainAfterExit=yes) reloads and stays exited;
    /// a reload asked for during one runs after it (systemd does not merge reload jobs); a stop
    /// during a reload goes straight to the stop signal, the reload command included, without
    /// `ExecStop=`.
    @Test func reloadsOfExitedServicesQueuedReloadsAndAStopDuringOne() {
        var processes = FakeProcessTable()
        var exited = machine("[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/setup\nExecReload=/bin/reload\n")
        _ = exited.start(now: .seconds(0), processes: &processes)
        _ = exited.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(exited.reload(now: .seconds(2), processes: &processes).accepted && exited.state == .reload)
        #expect(exited.reload(now: .seconds(2), processes: &processes).accepted, "queued")
        let first = processes.lastPID
        _ = exited.processExited(pid: first, exit: .exited(0), now: .seconds(3), processes: &processes)
        #expect(exited.state == .reload && processes.lastPID != first && exited.reloadsEnded == 1, "the queued reload runs: \(exited.state)")
        _ = exited.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(4), processes: &processes)
        #expect(exited.state == .exited && exited.reloadsEnded == 2)

        var running = machine("[Service]\nExecStart=/bin/d\nExecReload=/bin/reload\nExecStop=/bin/stop\n")
        _ = running.start(now: .seconds(0), processes: &processes)
        let main = processes.lastPID
        _ = running.reload(now: .seconds(1), processes: &processes)
        let reloader = processes.lastPID
        _ = running.reload(now: .seconds(1), processes: &processes)
        processes.kills = []
        _ = running.stop(now: .seconds(2), processes: &processes)
        #expect(running.state == .stopSigterm && processes.spawned.last?.path == "/bin/reload", "no ExecStop=: \(processes.spawned.map(\.path))")
        #expect(processes.kills.contains { $0.pid == reloader && $0.signal == 15 } && processes.kills.contains { $0.pid == main && $0.signal == 15 })
        #expect(running.reloadsEnded == 2, "the reload and the queued one have ended")
    }

    /// A stop that found the group empty (the leader was its last process) signals nothing more:
    /// the end of an `Accept=yes` instance makes no system call for the final signals.
    @Test func aGroupFoundEmptyIsNotSignalledAgain() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/server\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let leader = processes.lastPID
        processes.running[leader] = nil
        processes.leftovers = [leader]   // would be signalled if asked
        _ = service.processExited(pid: leader, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.state == .dead)
        #expect(processes.kills.map(\.signal) == [15], "the stop's one group signal, none more: \(processes.kills)")
    }

    /// systemd's OOMPolicy=: an OOM kill in the cgroup stops the service with result oom-kill
    /// (`stop`, the default), kills it (`kill`), or is only noted (`continue`).
    @Test(arguments: [("stop", ServiceState.stopSigterm, ServiceResult.oomKill), ("kill", .stopSigkill, .oomKill), ("continue", .running, .signal)])
    func anOOMKillFollowsOOMPolicy(policy: String, state: ServiceState, result: ServiceResult) {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/server\nOOMPolicy=\(policy)\n")
        _ = service.start(now: .seconds(1), processes: &processes)
        _ = service.controlGroupOOM(now: .seconds(2), processes: &processes)
        #expect(service.state == state)
        _ = service.processExited(pid: 101, exit: .signaled(9), now: .seconds(2), processes: &processes)
        #expect(service.result == result)
        #expect(service.state == .failed)
    }

    /// systemd's service_coldplug_timeout(): after a daemon-reload each timer is the new
    /// setting's, counted from when the state began (waiting to restart: from the stop).
    @Test func aReloadTimesEachStateWithItsNewSettingFromWhenItBegan() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStartPre=/bin/slow\nExecStart=/bin/d\nRestart=always\nRestartSec=10min\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        #expect(service.state == .startPre && service.deadline == .seconds(90))
        let (short, unit) = WickCoreTests.service("[Service]\nExecStartPre=/bin/slow\nExecStart=/bin/d\nRestart=always\nRestartSec=1\nTimeoutStartSec=5\n")
        service.reloaded(with: short, unit: unit)
        #expect(service.deadline == .seconds(5), "TimeoutStartSec=5 from the start at 0")
        _ = service.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes)
        _ = service.processExited(pid: processes.lastPID, exit: .exited(1), now: .seconds(30), processes: &processes)
        #expect(service.state == .autoRestart && service.deadline == .seconds(31))
        let (long, _) = WickCoreTests.service("[Service]\nExecStart=/bin/d\nRestart=always\nRestartSec=1min\n")
        service.reloaded(with: long, unit: unit)
        #expect(service.deadline == .seconds(90), "RestartSec=1min from the stop at 30")
    }

    /// systemd's service_enter_reload(): `ExecReload=` runs under `TimeoutStartSec=`; when it
    /// times out the reload command is killed and the service runs on (service_dispatch_timer()).
    @Test func aReloadThatTimesOutKillsItsCommandAndTheServiceRunsOn() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/d\nExecReload=/bin/hang\nTimeoutStartSec=7\nTimeoutStopSec=30\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let main = processes.lastPID
        #expect(service.reload(now: .seconds(10), processes: &processes).accepted)
        let reloader = processes.lastPID
        #expect(service.state == .reload && service.deadline == .seconds(17), "TimeoutStartSec=, not TimeoutStopSec=")
        let transitions = service.timerFired(now: .seconds(17), processes: &processes)
        #expect(transitions.map(\.to) == [.running] && service.result == .success)
        #expect(processes.kills.last.map { ($0.pid, $0.signal, $0.group) } ?? (0, 0, true) == (reloader, 9, false))
        #expect(service.mainPID == main && service.controlPID == nil)
        #expect(service.processExited(pid: reloader, exit: .signaled(9), now: .seconds(18), processes: &processes).isEmpty, "its exit is no longer the service's")
        #expect(service.state == .running)
    }

    /// A reload that times out after the main process ended stops the service (systemd's
    /// service_enter_running() finds no main process), and `Restart=` applies.
    @Test func aReloadTimingOutAfterTheMainProcessEndedStopsTheService() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/d\nExecReload=/bin/hang\nTimeoutStartSec=4\nRestart=on-failure\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let main = processes.lastPID
        _ = service.reload(now: .seconds(1), processes: &processes)
        _ = service.processExited(pid: main, exit: .exited(3), now: .seconds(2), processes: &processes)
        #expect(service.state == .reload, "the reload command still runs")
        let transitions = service.timerFired(now: .seconds(5), processes: &processes)
        #expect(transitions.map(\.to) == [.autoRestart] && service.result == .exitCode, "\(transitions)")
    }

    /// systemd's service_sigchld_event(): a failing `ExecStop=` sets the result, ends the chain
    /// and the stop goes on with the signal; a failing `ExecStopPost=` fails the unit. A `-`
    /// prefix ignores the failure.
    @Test func aFailingStopCommandFailsTheUnitAndEndsItsChain() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/d\nExecStop=/bin/false\nExecStop=/bin/second\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let main = processes.lastPID
        _ = service.stop(now: .seconds(1), processes: &processes)
        _ = service.processExited(pid: processes.lastPID, exit: .exited(1), now: .seconds(1), processes: &processes)
        #expect(service.state == .stopSigterm && !processes.spawned.contains { $0.path == "/bin/second" })
        _ = service.processExited(pid: main, exit: .signaled(15), now: .seconds(1), processes: &processes)
        #expect(service.state == .failed && service.result == .exitCode)
        var post = machine("[Service]\nExecStart=/bin/d\nExecStopPost=/bin/false\nExecStopPost=/bin/second\n")
        _ = post.start(now: .seconds(0), processes: &processes)
        _ = post.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes)
        _ = post.processExited(pid: processes.lastPID, exit: .exited(1), now: .seconds(1), processes: &processes)
        #expect(post.state == .failed && post.result == .exitCode && processes.spawned.last?.path == "/bin/false")
        var ignored = machine("[Service]\nExecStart=/bin/d\nExecStop=-/bin/false\nExecStop=/bin/second\n")
        _ = ignored.start(now: .seconds(0), processes: &processes)
        _ = ignored.stop(now: .seconds(1), processes: &processes)
        _ = ignored.processExited(pid: processes.lastPID, exit: .exited(1), now: .seconds(1), processes: &processes)
        #expect(processes.spawned.last?.path == "/bin/second", "a - prefix goes on")
    }

    /// systemd arms `RuntimeMaxSec=` from when the service became active (service_running_timeout())
    /// next to the watchdog: pings do not hold it off, a reload does not restart it, and status's
    /// "since" stays the activation.
    @Test func runtimeMaxCountsFromActivationBesideTheWatchdogAndReloads() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/d\nExecReload=/bin/r\nWatchdogSec=2\nRuntimeMaxSec=4\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let main = processes.lastPID
        var ready = NotifyMessage()
        ready.ready = true
        _ = service.notify(ready, now: .seconds(1), processes: &processes)
        #expect(service.deadline == .seconds(3), "the watchdog first")
        var ping = NotifyMessage()
        ping.watchdog = true
        _ = service.notify(ping, now: .seconds(2.5), processes: &processes)
        _ = service.reload(now: .seconds(3), processes: &processes)
        _ = service.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(3.5), processes: &processes)
        #expect(service.state == .running && service.activeStateChangedAt == .seconds(1), "since the activation, not the reload")
        _ = service.notify(ping, now: .seconds(4), processes: &processes)
        #expect(service.deadline == .seconds(5), "RuntimeMaxSec=4 from the activation at 1, before the watchdog's 6")
        _ = service.timerFired(now: .seconds(5), processes: &processes)
        #expect(service.result == .timeout && service.state == .stopSigterm, "RuntimeMaxSec=, not the watchdog")
        #expect(processes.kills.last?.signal == 15)
        _ = service.processExited(pid: main, exit: .signaled(15), now: .seconds(5), processes: &processes)
        #expect(service.state == .failed)
    }

    @Test func preAndPostCommandsRunInOrderAroundTheMainProcess() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStartPre=/bin/pre1\nExecStartPre=/bin/pre2\nExecStart=/bin/main\nExecStartPost=/bin/post\nExecStopPost=/bin/cleanup\n")
        let step1 = service.start(now: .seconds(0), processes: &processes)
        #expect(step1.map(\.to) == [.startPre])
        #expect(service.deadline == .seconds(90))
        _ = service.processExited(pid: 101, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.state == .startPre)
        let afterPre = service.processExited(pid: 102, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(afterPre.map(\.to) == [.startPost])
        _ = service.processExited(pid: 104, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.state == .running)
        #expect(processes.spawned.map(\.path) == ["/bin/pre1", "/bin/pre2", "/bin/main", "/bin/post"])
        #expect(processes.spawned.map(\.role) == [.control, .control, .main, .control])
        _ = service.processExited(pid: 103, exit: .exited(1), now: .seconds(5), processes: &processes)
        #expect(service.state == .stopPost)
        _ = service.processExited(pid: 105, exit: .exited(0), now: .seconds(5), processes: &processes)
        #expect(service.state == .failed)
        #expect(service.result == .exitCode)
    }

    @Test func failingStartPreFailsTheServiceUnlessPrefixedWithDash() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStartPre=/bin/check\nExecStart=/bin/main\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.processExited(pid: 101, exit: .exited(1), now: .seconds(0), processes: &processes)
        #expect(service.state == .failed && service.result == .exitCode)
        #expect(!processes.spawned.contains { $0.path == "/bin/main" })

        var tolerant = machine("[Service]\nExecStartPre=-/bin/check\nExecStart=/bin/main\n")
        var table = FakeProcessTable()
        _ = tolerant.start(now: .seconds(0), processes: &table)
        _ = tolerant.processExited(pid: 101, exit: .exited(1), now: .seconds(0), processes: &table)
        #expect(tolerant.state == .running)
    }

    @Test func execFailureIsExitCode203AndTheServiceFails() {
        var processes = FakeProcessTable(failing: ["/nonexistent"])
        var service = machine("[Service]\nExecStart=/nonexistent\n")
        let step2 = service.start(now: .seconds(0), processes: &processes)
        #expect(step2.last?.to == .failed)
        #expect(service.result == .exitCode)
        #expect(service.lastExit == .exited(203))
        #expect(service.lastSpawnError?.message == "exec failed: /nonexistent: No such file or directory")
    }

    @Test(arguments: [
        ("no", ProcessExit.exited(1), false), ("always", .exited(0), true), ("on-success", .exited(0), true),
        ("on-success", .exited(1), false), ("on-failure", .exited(1), true), ("on-failure", .exited(0), false),
        ("on-failure", .signaled(9), true), ("on-failure", .signaled(15), false), ("on-abnormal", .exited(1), false),
        ("on-abnormal", .signaled(9), true), ("on-abort", .signaled(6), true), ("on-abort", .exited(2), false),
    ])
    func restartTable(policy: String, exit: ProcessExit, restarts: Bool) {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/main\nRestart=\(policy)\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.processExited(pid: 101, exit: exit, now: .seconds(1), processes: &processes)
        #expect((service.state == .autoRestart) == restarts, "Restart=\(policy) after \(exit)")
    }

    /// `Restart=on-abnormal` restarts after every result but a clean exit, an exit code and a
    /// skip (systemd's service_shall_restart()): a notify service that exits cleanly before
    /// `READY=1` (`protocol`) restarts.
    @Test func onAbnormalRestartsAfterAProtocolFailure() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/main\nRestart=on-abnormal\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.processExited(pid: 101, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.result == .protocol && service.state == .autoRestart, "\(service.result) \(service.state)")
    }

    /// SIGTERM, SIGINT, SIGHUP and SIGPIPE are a clean end for a daemon only: a `Type=oneshot`
    /// main process and a control command killed by one fail (systemd's EXIT_CLEAN_COMMAND);
    /// `SuccessExitStatus=` signals still count for them.
    @Test func aCommandKilledBySigtermFails() {
        var processes = FakeProcessTable()
        /// The unit's first process ends with `exit`: its state and result.
        func ending(_ text: String, _ exit: ProcessExit) -> (ServiceState, ServiceResult) {
            var service = machine(text)
            _ = service.start(now: .seconds(0), processes: &processes)
            _ = service.processExited(pid: processes.lastPID, exit: exit, now: .seconds(1), processes: &processes)
            return (service.state, service.result)
        }
        #expect(ending("[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/task\n", .signaled(15)) == (.failed, .signal))
        #expect(ending("[Service]\nExecStartPre=/bin/pre\nExecStart=/bin/d\n", .signaled(2)) == (.failed, .signal))
        #expect(ending("[Service]\nType=oneshot\nSuccessExitStatus=SIGTERM\nExecStart=/bin/task\n", .signaled(15)) == (.dead, .success))
        #expect(ending("[Service]\nExecStart=/bin/d\n", .signaled(15)) == (.dead, .success))
    }

    @Test func restartPreventAndForceExitStatus() {
        var processes = FakeProcessTable()
        var prevented = machine("[Service]\nExecStart=/bin/main\nRestart=always\nRestartPreventExitStatus=3\n")
        _ = prevented.start(now: .seconds(0), processes: &processes)
        _ = prevented.processExited(pid: 101, exit: .exited(3), now: .seconds(1), processes: &processes)
        #expect(prevented.state == .failed)
        var forced = machine("[Service]\nExecStart=/bin/main\nRestartForceExitStatus=SIGKILL\n")
        _ = forced.start(now: .seconds(0), processes: &processes)
        _ = forced.processExited(pid: processes.lastPID, exit: .signaled(9), now: .seconds(1), processes: &processes)
        #expect(forced.state == .autoRestart)
    }

    @Test func autoRestartWaitsRestartSecThenStartsAgain() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/main\nRestart=on-failure\nRestartSec=2\n")
        _ = service.start(now: .seconds(10), processes: &processes)
        _ = service.processExited(pid: 101, exit: .exited(1), now: .seconds(11), processes: &processes)
        #expect(service.deadline == .seconds(13))
        let step3 = service.timerFired(now: .seconds(12), processes: &processes)
        #expect(step3.isEmpty)
        let step4 = service.timerFired(now: .seconds(13), processes: &processes)
        #expect(step4.map(\.to) == [.running])
        #expect(service.restartCount == 1)
        #expect(service.mainPID == 102)
    }

    @Test func startLimitHitAfterFiveStartsInTenSeconds() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/crash\nRestart=always\nRestartSec=100ms\n")
        var now = Instant.seconds(0)
        _ = service.start(now: now, processes: &processes)
        for _ in 0..<5 {
            _ = service.processExited(pid: processes.lastPID, exit: .exited(1), now: now, processes: &processes)
            now = service.deadline!
            _ = service.timerFired(now: now, processes: &processes)
        }
        #expect(service.state == .failed)
        #expect(service.result == .startLimitHit)
        #expect(processes.spawned.count == 5)
        #expect(service.startLimitHits == 1 && service.restartCount == 4)
        #expect(service.activeStateChangedAt == now, "the failure is the last active-state change")
        _ = service.resetFailed(now: now)
        #expect(service.state == .dead)
        let step5 = service.start(now: now, processes: &processes)
        #expect(step5.last?.to == .running)
    }

    @Test func stopSendsSigtermToTheGroupThenSigkillAfterTimeout() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/stubborn\nTimeoutStopSec=5\nRestart=always\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let step6 = service.stop(now: .seconds(1), processes: &processes)
        #expect(step6.map(\.to) == [.stopSigterm])
        #expect(processes.kills.first! == (101, 15, true))
        #expect(service.deadline == .seconds(6))
        let step7 = service.timerFired(now: .seconds(6), processes: &processes)
        #expect(step7.map(\.to) == [.stopSigkill])
        #expect(processes.kills.last! == (101, 9, true))
        _ = service.processExited(pid: 101, exit: .signaled(9), now: .seconds(6.1), processes: &processes)
        #expect(service.state == .failed && service.result == .timeout, "a stop that timed out fails the unit, as in systemd")
        #expect(service.restartCount == 0, "a requested stop never restarts")
    }

    @Test func sigtermDuringRunningIsACleanExit() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/main\nRestart=on-failure\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.processExited(pid: 101, exit: .signaled(15), now: .seconds(1), processes: &processes)
        #expect(service.state == .dead && service.result == .success)
    }

    @Test func oneshotRunsCommandsInSequenceAndRemainsAfterExit() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\nRemainAfterExit=yes\n")
        let step8 = service.start(now: .seconds(0), processes: &processes)
        #expect(step8.map(\.to) == [.start])
        _ = service.processExited(pid: 101, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.state == .start)
        _ = service.processExited(pid: 102, exit: .exited(0), now: .seconds(2), processes: &processes)
        #expect(service.state == .exited)
        var failing = machine("[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\n")
        _ = failing.start(now: .seconds(0), processes: &processes)
        _ = failing.processExited(pid: processes.lastPID, exit: .exited(4), now: .seconds(1), processes: &processes)
        #expect(failing.state == .failed)
    }

    /// systemd's service_enter_running() when the main process of a running service ends:
    /// cleanly, `exited` with `RemainAfterExit=yes` whatever the type, else `ExecStop=`; with a
    /// failure, the stop signal at once, `ExecStop=` left out (it is for a service that ended
    /// cleanly or is stopped).
    @Test func aRunningServiceWhoseMainProcessEndsFollowsServiceEnterRunning() {
        var processes = FakeProcessTable()
        var remaining = machine("[Service]\nRemainAfterExit=yes\nExecStart=/bin/d\n")
        _ = remaining.start(now: .seconds(0), processes: &processes)
        _ = remaining.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(remaining.state == .exited)
        var clean = machine("[Service]\nExecStart=/bin/d\nExecStop=/bin/stop\n")
        _ = clean.start(now: .seconds(0), processes: &processes)
        _ = clean.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(clean.state == .stop && processes.spawned.last?.path == "/bin/stop")
        var failing = machine("[Service]\nExecStart=/bin/d\nExecStop=/bin/stop-failing\n")
        _ = failing.start(now: .seconds(0), processes: &processes)
        _ = failing.processExited(pid: processes.lastPID, exit: .exited(3), now: .seconds(1), processes: &processes)
        #expect(failing.state == .failed && failing.result == .exitCode)
        #expect(!processes.spawned.contains { $0.path == "/bin/stop-failing" }, "no ExecStop= after a failure")
    }

    /// A main process that ends during `ExecStartPost=` or a reload is judged when that command
    /// ends, by systemd's service_enter_running(): after a failure the stop signal, `ExecStop=`
    /// left out; after a clean end `exited` with `RemainAfterExit=yes`.
    @Test func aMainProcessEndingDuringStartPostOrReloadIsJudgedWhenTheCommandEnds() {
        var processes = FakeProcessTable()
        var post = machine("[Service]\nExecStart=/bin/d\nExecStartPost=/bin/post\nExecStop=/bin/stop\n")
        _ = post.start(now: .seconds(0), processes: &processes)
        let main = processes.spawned.first { $0.path == "/bin/d" }?.pid ?? 0
        #expect(post.state == .startPost)
        _ = post.processExited(pid: main, exit: .exited(1), now: .seconds(1), processes: &processes)
        #expect(post.state == .startPost, "the command runs on")
        _ = post.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(2), processes: &processes)
        #expect(post.state == .failed && post.result == .exitCode)
        #expect(!processes.spawned.contains { $0.path == "/bin/stop" }, "no ExecStop= after a failure")
        var reloaded = machine("[Service]\nRemainAfterExit=yes\nExecStart=/bin/r\nExecReload=/bin/reload\n")
        _ = reloaded.start(now: .seconds(0), processes: &processes)
        let daemon = processes.lastPID
        #expect(reloaded.reload(now: .seconds(1), processes: &processes).accepted)
        _ = reloaded.processExited(pid: daemon, exit: .exited(0), now: .seconds(2), processes: &processes)
        _ = reloaded.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(3), processes: &processes)
        #expect(reloaded.state == .exited, "\(reloaded.state)")
    }

    /// A main process that wrote another pid to its `PIDFile=` before it exited hands the
    /// service over to that one (systemd's service_sigchld_event(): "Forking services may
    /// occasionally move to a new PID"); the service runs on.
    @Test func aMainProcessThatRewroteThePIDFileHandsOver() {
        var processes = FakeProcessTable(pidFiles: ["/run/m.pid": 500])
        var service = machine("[Service]\nType=forking\nPIDFile=/run/m.pid\nExecStart=/usr/sbin/m\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.processExited(pid: 101, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.state == .running && service.mainPID == 500)
        processes.pidFiles["/run/m.pid"] = 600
        _ = service.processExited(pid: 500, exit: .exited(0), now: .seconds(2), processes: &processes)
        #expect(service.state == .running && service.mainPID == 600, "\(service.state)")
        _ = service.processExited(pid: 600, exit: .exited(0), now: .seconds(3), processes: &processes)
        #expect(service.state == .dead, "the file still names 600: the end")
    }

    @Test func forkingFollowsThePIDFile() {
        var processes = FakeProcessTable(pidFiles: ["/run/d.pid": 500])
        var service = machine("[Service]\nType=forking\nPIDFile=/run/d.pid\nExecStart=/usr/sbin/d\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        #expect(service.state == .start)
        _ = service.processExited(pid: 101, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.state == .running && service.mainPID == 500)
        _ = service.processExited(pid: 500, exit: .exited(0), now: .seconds(9), processes: &processes)
        #expect(service.state == .dead)
        var missing = machine("[Service]\nType=forking\nPIDFile=/run/none.pid\nExecStart=/usr/sbin/d\n")
        _ = missing.start(now: .seconds(0), processes: &processes)
        _ = missing.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(missing.state == .failed && missing.result == .protocol)
    }

    @Test func reloadRunsExecReloadAndReturnsToRunning() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nExecStart=/bin/main\nExecReload=/bin/kill -HUP $MAINPID\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let (accepted, transitions) = service.reload(now: .seconds(1), processes: &processes)
        #expect(accepted && transitions.map(\.to) == [.reload])
        #expect(processes.spawned.last!.path == "/bin/kill")
        _ = service.processExited(pid: 102, exit: .exited(0), now: .seconds(1.5), processes: &processes)
        #expect(service.state == .running && service.mainPID == 101)
        var plain = machine("[Service]\nExecStart=/bin/main\n")
        _ = plain.start(now: .seconds(0), processes: &processes)
        #expect(!plain.reload(now: .seconds(1), processes: &processes).accepted)
    }

    @Test func startTimeoutFailsWithTimeout() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=oneshot\nExecStart=/bin/slow\nTimeoutStartSec=3\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.timerFired(now: .seconds(3), processes: &processes)
        #expect(service.state == .stopSigterm)
        _ = service.processExited(pid: 101, exit: .signaled(15), now: .seconds(3.5), processes: &processes)
        #expect(service.state == .failed && service.result == .timeout)
    }
}
