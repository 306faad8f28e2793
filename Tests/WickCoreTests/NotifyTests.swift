import Glibc
import Testing
import WickCore
import WickUnits

@Suite struct NotifyTests {
    /// A datagram as a service sends it.
    func parse(_ text: String) -> NotifyMessage { NotifyMessage.parse(Array(text.utf8)) }

    @Test func messagesParseLikeSdNotify() {
        let message = NotifyMessage.parse(Array("READY=1\nSTATUS=serving 3 clients\nMAINPID=42\nEXTEND_TIMEOUT_USEC=5000000\nX=y\nbogus\n".utf8))
        #expect(message.ready && message.status == "serving 3 clients" && message.mainPID == 42)
        #expect(message.extendTimeoutMicroseconds == 5_000_000)
        #expect(!NotifyMessage.parse(Array("READY=0".utf8)).ready)
        #expect(NotifyMessage.parse(Array("MAINPID=-1".utf8)).mainPID == nil)
    }

    /// The fd store's fields as systemd's service_notify_message() reads them: whole lines
    /// (`FDSTORE=yes` is not `FDSTORE=1`), the first `FDNAME=`, `FDPOLL=0` only, removal first,
    /// an invalid name ignored for a store ("stored") and fatal for a removal.
    @Test func fdStoreRequestsParseLikeSystemd() {
        func request(_ text: String) -> NotifyMessage.FDStoreRequest? { NotifyMessage.parse(Array(text.utf8)).fdStoreRequest }
        #expect(request("FDSTORE=1\nFDNAME=db\nFDNAME=other") == .store(name: "db", poll: true, invalidName: false))
        #expect(request("FDSTORE=1") == .store(name: "stored", poll: true, invalidName: false))
        #expect(request("FDSTORE=1\nFDPOLL=0\nFDNAME=") == .store(name: "", poll: false, invalidName: false))
        #expect(request("FDSTORE=1\nFDPOLL=no") == .store(name: "stored", poll: true, invalidName: false))
        #expect(request("FDSTORE=1\nFDNAME=a:b") == .store(name: "stored", poll: true, invalidName: true))
        #expect(request("FDSTORE=yes\nFDNAME=db") == nil)
        #expect(request("READY=1") == nil)
        #expect(request("FDSTORE=1\nFDSTOREREMOVE=1\nFDNAME=db") == .remove(name: "db"))
        #expect(request("FDSTOREREMOVE=1") == .removeWithoutName)
        #expect(request("FDSTOREREMOVE=1\nFDNAME=tab\there") == .removeWithoutName)
        #expect(NotifyMessage.isValidFDName(String(repeating: "x", count: 255)))
        #expect(!NotifyMessage.isValidFDName(String(repeating: "x", count: 256)))
        #expect(!NotifyMessage.isValidFDName("caf\u{e9}"))
        #expect(NotifyMessage.isValidFDName("with space~"))
    }

    /// service_notify_message(): flags are whole lines anywhere (a later `READY=0` does not undo
    /// `READY=1`), values the first line of their key; `STATUS=` that is not UTF-8 is left out,
    /// `WATCHDOG=` is `1`, `trigger` or invalid, `NOTIFYACCESS=` one of the four words.
    @Test func flagsAreLinesAndValuesTheFirstOfTheirKey() {
        let message = NotifyMessage.parse(Array("READY=1\nREADY=0\nSTATUS=first\nSTATUS=second\nWATCHDOG=trigger\nWATCHDOG=1\nNOTIFYACCESS=all".utf8))
        #expect(message.ready && message.status == "first" && message.watchdogTrigger && !message.watchdog)
        #expect(message.notifyAccess == .all && !message.notifyAccessInvalid && message.lineCount == 7)
        #expect(NotifyMessage.parse(Array("WATCHDOG=yes".utf8)).watchdogInvalid)
        // ERRNO= as parse_errno() reads it: 0-4095, or a name for the daemon to look up.
        #expect(NotifyMessage.parse(Array("ERRNO=2".utf8)).errorNumber == 2)
        #expect(NotifyMessage.parse(Array("ERRNO=ENOENT".utf8)).errorName == "ENOENT")
        #expect(NotifyMessage.parse(Array("ERRNO=4096".utf8)).errorInvalid)
        #expect(NotifyMessage.parse(Array("ERRNO=-1".utf8)).errorInvalid)
        #expect(NotifyMessage.parse(Array("NOTIFYACCESS=everyone".utf8)).notifyAccessInvalid)
        let broken = NotifyMessage.parse([UInt8]("STATUS=caf".utf8) + [0xC3] + [UInt8]("\nREADY=1".utf8))
        #expect(broken.status == nil && broken.statusInvalid && broken.ready)
        #expect(NotifyMessage.parse(Array("STATUS=".utf8)).status == "")
        let barrier = NotifyMessage.parse(Array("BARRIER=1".utf8))
        #expect(barrier.barrier && barrier.lineCount == 1)
        // strv_split_newlines(): "\r" separates too, a backslash takes the next byte, one at the
        // end leaves nothing readable.
        #expect(NotifyMessage.parse(Array("FDSTORE=1\r\nFDNAME=crlf".utf8)).fdStoreRequest == .store(name: "crlf", poll: true, invalidName: false))
        #expect(NotifyMessage.parse(Array("FDSTORE=1\rFDNAME=back\\slash".utf8)).fdName == "backslash")
        #expect(NotifyMessage.parse(Array("READY=1\nSTATUS=a\\\nb".utf8)).status == "a\nb")
        let cut = NotifyMessage.parse(Array("READY=1\nSTATUS=x\\".utf8))
        #expect(cut.unsplittable && !cut.ready)
    }

    /// `WATCHDOG=trigger` fails the service with `watchdog` and sends `WatchdogSignal=`, without
    /// `WatchdogSec=` (service_force_watchdog()); an empty `STATUS=` clears the text; READY=1
    /// wins over RELOADING=1; `NOTIFYACCESS=` holds until the service next starts.
    @Test func watchdogTriggerStatusClearAndNotifyAccessOverride() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/daemon\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let main = processes.lastPID
        _ = service.notify(NotifyMessage.parse(Array("READY=1\nSTATUS=up\nNOTIFYACCESS=all".utf8)), now: .seconds(1), processes: &processes)
        #expect(service.state == .running && service.statusText == "up" && service.notifyAccess == .all)
        _ = service.notify(NotifyMessage.parse(Array("RELOADING=1\nREADY=1\nSTATUS=".utf8)), now: .seconds(2), processes: &processes)
        #expect(service.state == .running && service.statusText == nil)
        _ = service.notify(NotifyMessage.parse(Array("WATCHDOG=trigger".utf8)), now: .seconds(3), processes: &processes)
        #expect(service.state == .stopSigterm && service.result == .watchdog)
        #expect(processes.kills.last?.signal == SIGABRT && processes.kills.last?.pid == main)
        _ = service.processExited(pid: main, exit: .signaled(SIGABRT), now: .seconds(4), processes: &processes)
        #expect(service.state == .failed && service.notifyAccess == .main, "the override ends with the run")
    }

    @Test func notifyServiceIsRunningOnlyAfterReady() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/daemon\nTimeoutStartSec=10\n")
        let start = service.start(now: .seconds(0), processes: &processes)
        #expect(start.map(\.to) == [.start])
        #expect(service.deadline == .seconds(10))
        #expect(service.settings.effectiveNotifyAccess == .main)
        var status = NotifyMessage()
        status.status = "warming up"
        let warming = service.notify(status, now: .seconds(1), processes: &processes)
        #expect(warming.isEmpty && service.statusText == "warming up")
        var ready = NotifyMessage()
        ready.ready = true
        let running = service.notify(ready, now: .seconds(2), processes: &processes)
        #expect(running.map(\.to) == [.running])
    }

    @Test func exitingBeforeReadyIsAProtocolFailure() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/daemon\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.processExited(pid: 101, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(service.state == .failed && service.result == .protocol)
    }

    @Test func startTimeoutAndExtendTimeout() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/daemon\nTimeoutStartSec=5\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        var extend = NotifyMessage()
        extend.extendTimeoutMicroseconds = 20_000_000
        _ = service.notify(extend, now: .seconds(4), processes: &processes)
        #expect(service.deadline == .seconds(24))
        _ = service.timerFired(now: .seconds(24), processes: &processes)
        #expect(service.state == .stopSigterm && service.result == .timeout)
    }

    @Test func watchdogKillsAServiceThatStopsPinging() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/daemon\nWatchdogSec=3\nRestart=on-watchdog\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        var ready = NotifyMessage()
        ready.ready = true
        _ = service.notify(ready, now: .seconds(1), processes: &processes)
        #expect(service.deadline == .seconds(4))
        var ping = NotifyMessage()
        ping.watchdog = true
        _ = service.notify(ping, now: .seconds(3), processes: &processes)
        #expect(service.deadline == .seconds(6))
        _ = service.timerFired(now: .seconds(6), processes: &processes)
        #expect(service.result == .watchdog && service.state == .stopSigterm)
        #expect(processes.kills.last!.signal == 6, "WatchdogSignal= defaults to SIGABRT")
        _ = service.processExited(pid: 101, exit: .signaled(6), now: .seconds(6.1), processes: &processes)
        #expect(service.state == .autoRestart)
    }

    /// service_start() forgets the last run's `STATUS=` and `WATCHDOG_USEC=`; a daemon-reload
    /// keeps an interval the running service set (systemd serializes "watchdog-override-usec")
    /// and otherwise takes the new `WatchdogSec=`, counted from the last ping.
    @Test func watchdogOverrideLastsOneRunAndOutlivesAReload() {
        let (slower, unit) = service("[Service]\nType=notify\nExecStart=/bin/daemon\nWatchdogSec=5\n")
        let (faster, _) = service("[Service]\nType=notify\nExecStart=/bin/daemon\nWatchdogSec=2\n")
        var processes = FakeProcessTable()
        var daemon = machine("[Service]\nType=notify\nExecStart=/bin/daemon\nWatchdogSec=3\n")
        _ = daemon.start(now: .seconds(0), processes: &processes)
        var message = NotifyMessage()
        message.ready = true
        message.watchdogMicroseconds = 10_000_000
        message.status = "serving"
        _ = daemon.notify(message, now: .seconds(1), processes: &processes)
        #expect(daemon.deadline == .seconds(11) && daemon.statusText == "serving")
        daemon.reloaded(with: slower, unit: unit)
        #expect(daemon.deadline == .seconds(11), "WATCHDOG_USEC= outlives the reload")
        _ = daemon.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(3), processes: &processes)
        _ = daemon.start(now: .seconds(4), processes: &processes)
        #expect(daemon.statusText == nil, "STATUS= ends with its run")
        var ready = NotifyMessage()
        ready.ready = true
        _ = daemon.notify(ready, now: .seconds(5), processes: &processes)
        #expect(daemon.deadline == .seconds(10), "the next run has WatchdogSec=5 again")
        daemon.reloaded(with: faster, unit: unit)
        #expect(daemon.deadline == .seconds(7), "a changed WatchdogSec= counts from the last ping (READY=1 at 5)")
    }

    @Test func stoppingAndReloading() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/daemon\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        var ready = NotifyMessage()
        ready.ready = true
        _ = service.notify(ready, now: .seconds(1), processes: &processes)
        var reloading = NotifyMessage()
        reloading.reloading = true
        #expect(service.notify(reloading, now: .seconds(2), processes: &processes).map(\.to) == [.reload])
        #expect(service.notify(ready, now: .seconds(3), processes: &processes).map(\.to) == [.running])
        var stopping = NotifyMessage()
        stopping.stopping = true
        #expect(service.notify(stopping, now: .seconds(4), processes: &processes).map(\.to) == [.stopSigterm])
    }

    /// STOPPING=1 is service_enter_stop_by_notify(): only while running (or in a reload the
    /// service announced), into stop-sigterm without a signal or ExecStop=, and the end still
    /// decides Restart= (a stop request would have prevented it).
    @Test func stoppingIsTheServiceEndingNotAStopRequest() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nRestart=on-failure\nExecStart=/bin/daemon\nExecStop=/bin/stopper\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.notify(parse("STOPPING=1"), now: .seconds(1), processes: &processes)
        #expect(service.state == .start, "STOPPING=1 while starting changes nothing")
        _ = service.notify(parse("READY=1"), now: .seconds(2), processes: &processes)
        let main = processes.lastPID
        #expect(service.notify(parse("STOPPING=1"), now: .seconds(3), processes: &processes).map(\.to) == [.stopSigterm])
        #expect(processes.kills.isEmpty && processes.spawned.count == 1, "no signal, no ExecStop=: \(processes.kills) \(processes.spawned)")
        #expect(service.deadline == .seconds(93), "TimeoutStopSec= from the message")
        _ = service.processExited(pid: main, exit: .exited(3), now: .seconds(4), processes: &processes)
        #expect(service.state == .autoRestart && service.result == .exitCode, "\(service.state) \(service.result)")

        // STOPPING=1 while ExecStartPost= runs takes effect when the start ends
        // (service_enter_running()'s notify_state).
        var posting = machine("[Service]\nType=notify\nExecStart=/bin/daemon\nExecStartPost=/bin/post\n")
        _ = posting.start(now: .seconds(0), processes: &processes)
        _ = posting.notify(parse("READY=1"), now: .seconds(1), processes: &processes)
        _ = posting.notify(parse("STOPPING=1"), now: .seconds(2), processes: &processes)
        #expect(posting.state == .startPost)
        _ = posting.processExited(pid: posting.controlPID ?? 0, exit: .exited(0), now: .seconds(3), processes: &processes)
        #expect(posting.state == .stopSigterm, "\(posting.state)")
    }

    /// MAINPID= counts while starting, running or reloading only; READY=1 does not end an
    /// ExecReload= command's reload; WATCHDOG=trigger acts in ExecStartPre= too; an invalid
    /// NOTIFYACCESS= ends the override.
    @Test func notifyFieldsApplyInSystemdsStates() {
        var processes = FakeProcessTable()
        processes.claimable = [4242]
        var service = machine("[Service]\nType=notify\nNotifyAccess=all\nExecStart=/bin/daemon\nExecReload=/bin/reload\nExecStop=/bin/stopper\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.notify(parse("READY=1\nNOTIFYACCESS=exec"), now: .seconds(1), processes: &processes)
        #expect(service.notifyAccess == .exec)
        _ = service.notify(parse("NOTIFYACCESS=whoever"), now: .seconds(1), processes: &processes)
        #expect(service.notifyAccess == .all)
        _ = service.reload(now: .seconds(2), processes: &processes)
        #expect(service.state == .reload && service.controlPID != nil)
        _ = service.notify(parse("READY=1"), now: .seconds(3), processes: &processes)
        #expect(service.state == .reload, "the ExecReload= command ends the reload")
        _ = service.processExited(pid: service.controlPID ?? 0, exit: .exited(0), now: .seconds(4), processes: &processes)
        #expect(service.state == .running)
        _ = service.stop(now: .seconds(5), processes: &processes)
        #expect(service.state == .stop)
        _ = service.notify(parse("MAINPID=4242"), now: .seconds(6), processes: &processes)
        #expect(processes.claims.isEmpty && service.mainPID != 4242, "no MAINPID= while stopping")

        var early = machine("[Service]\nNotifyAccess=all\nExecStartPre=/bin/prepare\nExecStart=/bin/daemon\n")
        _ = early.start(now: .seconds(0), processes: &processes)
        #expect(early.state == .startPre)
        _ = early.notify(parse("WATCHDOG=trigger"), now: .seconds(1), processes: &processes)
        #expect(early.result == .watchdog, "\(early.state)")
    }

    /// EXTEND_TIMEOUT_USEC= while running holds off RuntimeMaxSec= until the state changes and
    /// the watchdog until its next ping (service_extend_timeout()).
    @Test func extendTimeoutWhileRunning() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/daemon\nRuntimeMaxSec=2\nWatchdogSec=1\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.notify(parse("READY=1"), now: .seconds(0), processes: &processes)
        #expect(service.deadline == .seconds(1))
        _ = service.notify(parse("EXTEND_TIMEOUT_USEC=5000000"), now: .seconds(0), processes: &processes)
        #expect(service.deadline == .seconds(5))
        _ = service.notify(parse("WATCHDOG=1"), now: .seconds(3), processes: &processes)
        #expect(service.deadline == .seconds(4), "the ping re-arms the watchdog; the runtime stays extended")
        _ = service.notify(parse("WATCHDOG=1"), now: .seconds(4), processes: &processes)
        #expect(service.deadline == .seconds(5), "RuntimeMaxSec=, extended to 5 s")
    }

    /// The watchdog runs from ExecStartPost= through running and reloads (systemd starts it in
    /// service_enter_start_post() and service_set_state() keeps it there): a service that stops
    /// pinging while ExecStartPost= or ExecReload= runs fails with `watchdog`; a reload does not
    /// restart it, and EXTEND_TIMEOUT_USEC= holds off both timers.
    @Test func theWatchdogRunsFromStartPostThroughReloads() {
        var processes = FakeProcessTable()
        var posting = machine("[Service]\nType=notify\nWatchdogSec=2\nTimeoutStartSec=10\nExecStart=/bin/daemon\nExecStartPost=/bin/post\n")
        _ = posting.start(now: .seconds(0), processes: &processes)
        _ = posting.notify(parse("READY=1"), now: .seconds(1), processes: &processes)
        #expect(posting.state == .startPost && posting.deadline == .seconds(3))
        _ = posting.notify(parse("WATCHDOG=1"), now: .seconds(2), processes: &processes)
        #expect(posting.deadline == .seconds(4))
        _ = posting.timerFired(now: .seconds(4), processes: &processes)
        #expect(posting.result == .watchdog && posting.state == .stopSigterm && processes.kills.last?.signal == SIGABRT)

        var reloading = machine("[Service]\nType=notify\nWatchdogSec=2\nTimeoutStartSec=10\nExecStart=/bin/daemon\nExecStartPost=/bin/post\nExecReload=/bin/reload\n")
        _ = reloading.start(now: .seconds(0), processes: &processes)
        _ = reloading.notify(parse("READY=1"), now: .seconds(0), processes: &processes)
        _ = reloading.processExited(pid: reloading.controlPID ?? 0, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(reloading.state == .running && reloading.deadline == .seconds(2), "not restarted by running")
        _ = reloading.notify(parse("WATCHDOG=1"), now: .seconds(1), processes: &processes)
        _ = reloading.reload(now: .seconds(2), processes: &processes)
        #expect(reloading.state == .reload && reloading.deadline == .seconds(3), "the watchdog, before the reload's timeout")
        _ = reloading.notify(parse("EXTEND_TIMEOUT_USEC=5000000"), now: .seconds(2), processes: &processes)
        #expect(reloading.deadline == .seconds(7))
        _ = reloading.timerFired(now: .seconds(7), processes: &processes)
        #expect(reloading.result == .watchdog && reloading.state == .stopSigterm)
    }

    /// After STOPPING=1 the main process's end sends what is left of the unit the stop signal
    /// (systemd's final-sigterm); an EXTEND_TIMEOUT_USEC= in the same message extends the stop's
    /// timer (it is read after STOPPING=1); a ping arms the watchdog while starting too
    /// (service_reset_watchdog()); an exit 143 at a requested stop fails (SuccessExitStatus=).
    @Test func stoppingLeftoversExtendWithStoppingPingsWhileStartingAndExitsAtAStop() {
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/daemon\nTimeoutStopSec=2\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        _ = service.notify(parse("READY=1"), now: .seconds(0), processes: &processes)
        let main = processes.lastPID
        _ = service.notify(parse("STOPPING=1\nEXTEND_TIMEOUT_USEC=5000000"), now: .seconds(1), processes: &processes)
        #expect(service.state == .stopSigterm && service.deadline == .seconds(6), "\(String(describing: service.deadline))")
        #expect(processes.kills.isEmpty)
        _ = service.processExited(pid: main, exit: .exited(0), now: .seconds(2), processes: &processes)
        #expect(processes.kills.contains { $0.group && $0.signal == SIGTERM }, "the leftovers get the stop signal: \(processes.kills)")
        #expect(service.state == .dead && service.result == .success)

        var pinging = machine("[Service]\nType=notify\nWatchdogSec=1\nTimeoutStartSec=3\nExecStart=/bin/daemon\n")
        _ = pinging.start(now: .seconds(0), processes: &processes)
        #expect(pinging.deadline == .seconds(3))
        _ = pinging.notify(parse("WATCHDOG=1"), now: .seconds(1), processes: &processes)
        #expect(pinging.deadline == .seconds(2) && pinging.watchdogDue(.seconds(2)))
        _ = pinging.timerFired(now: .seconds(2), processes: &processes)
        #expect(pinging.result == .watchdog)

        var java = machine("[Service]\nExecStart=/usr/bin/java\n")
        _ = java.start(now: .seconds(0), processes: &processes)
        let jvm = processes.lastPID
        _ = java.stop(now: .seconds(1), processes: &processes)
        _ = java.processExited(pid: jvm, exit: .exited(143), now: .seconds(2), processes: &processes)
        #expect(java.state == .failed && java.result == .exitCode, "\(java.state)")
    }

    @Test func managerChecksNotifyAccess() {
        var port = FakePort()
        var manager = Manager(units: units([
            "n.service": "[Service]\nType=notify\nExecStart=/bin/n\n[Install]\nWantedBy=multi-user.target\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        var ready = NotifyMessage()
        ready.ready = true
        #expect(manager.notifyReceived(pid: 999, senderGroup: 101, owner: nil, message: ready, now: .seconds(1), port: &port) == nil)
        #expect(manager.services["n.service"]?.state == .start)
        #expect(manager.notifyReceived(pid: 101, senderGroup: 101, owner: "n.service", message: ready, now: .seconds(1), port: &port) == "n.service")
        #expect(manager.services["n.service"]?.state == .running)
    }
}

/// Hostile sd_notify(3) input: a service must not be able to trap the manager or steer its kills.
@Suite struct HostileNotifyTests {
    @Test func maximalNumbersSaturateInsteadOfTrapping() {
        let text = "EXTEND_TIMEOUT_USEC=18446744073709551615\nWATCHDOG_USEC=18446744073709551615\nMAINPID=2147483647\nERRNO=-2147483648\n"
        let message = NotifyMessage.parse(Array(text.utf8))
        #expect(message.extendTimeoutMicroseconds == .max && message.watchdogMicroseconds == .max)
        for overflowing in ["MAINPID=2147483648", "EXTEND_TIMEOUT_USEC=18446744073709551616", "ERRNO=99999999999", "MAINPID=0"] {
            let parsed = NotifyMessage.parse(Array(overflowing.utf8))
            #expect(parsed.mainPID == nil && parsed.extendTimeoutMicroseconds == nil && parsed.errorNumber == nil)
        }
        var processes = FakeProcessTable()
        var service = machine("[Service]\nType=notify\nExecStart=/bin/daemon\nTimeoutStartSec=5\n")
        _ = service.start(now: .seconds(1), processes: &processes)
        _ = service.notify(message, now: .seconds(2), processes: &processes)
        #expect(service.deadline == .distantFuture)
        var ready = NotifyMessage()
        ready.ready = true
        _ = service.notify(ready, now: .seconds(3), processes: &processes)
        _ = service.notify(NotifyMessage.parse(Array("WATCHDOG=1".utf8)), now: .seconds(4), processes: &processes)
        #expect(service.state == .running)
    }

    /// `MAINPID=` of a process that is not wick's child: when another process of the unit ends
    /// and the main one has gone meanwhile (the port's `watchExit` says so), the service goes on
    /// as if its main process had ended cleanly (systemd's main_pid_good() at its cgroup's
    /// events): `Restart=always` restarts it.
    @Test func aGoneMainPIDThatIsNotWicksChildEndsTheServiceWhenAnotherProcessEnds() {
        var processes = FakeProcessTable()
        processes.claimable = [4242]
        var service = machine("[Service]\nType=notify\nNotifyAccess=all\nRestart=always\nExecStart=/bin/daemon\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        let shell = processes.lastPID
        var message = NotifyMessage()
        message.ready = true
        message.mainPID = 4242
        _ = service.notify(message, now: .seconds(1), processes: &processes)
        #expect(service.state == .running && service.mainPID == 4242)
        _ = service.processExited(pid: shell, exit: .exited(0), now: .seconds(2), processes: &processes)
        #expect(service.state == .running, "the main process still runs: nothing changes")
        processes.gone = [4242]
        _ = service.processExited(pid: 9_999, exit: .exited(0), now: .seconds(3), processes: &processes)
        #expect(service.state == .autoRestart && service.mainPID == nil && service.result == .success, "\(service.state)")
    }

    /// A notify service whose main process exits cleanly before READY=1, with
    /// `RemainAfterExit=yes` and `NotifyAccess=all`, waits for READY=1 from another process
    /// (systemd's service_sigchld_event()); with `NotifyAccess=main` it fails with `protocol`.
    @Test func readyMayComeAfterTheMainProcessWithRemainAfterExitAndNotifyAccessAll() {
        var processes = FakeProcessTable()
        var waiting = machine("[Service]\nType=notify\nNotifyAccess=all\nRemainAfterExit=yes\nExecStart=/bin/d\n")
        _ = waiting.start(now: .seconds(0), processes: &processes)
        _ = waiting.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(waiting.state == .start)
        var ready = NotifyMessage()
        ready.ready = true
        _ = waiting.notify(ready, now: .seconds(2), processes: &processes)
        #expect(waiting.state == .exited, "\(waiting.state)")
        var strict = machine("[Service]\nType=notify\nNotifyAccess=main\nRemainAfterExit=yes\nExecStart=/bin/d\n")
        _ = strict.start(now: .seconds(0), processes: &processes)
        _ = strict.processExited(pid: processes.lastPID, exit: .exited(0), now: .seconds(1), processes: &processes)
        #expect(strict.state == .failed && strict.result == .protocol)
    }

    @Test func mainPIDIsTakenOnlyWhenThePortAcceptsIt() {
        var processes = FakeProcessTable()
        processes.claimable = [4242]
        var service = machine("[Service]\nType=notify\nNotifyAccess=all\nExecStart=/bin/daemon\n")
        _ = service.start(now: .seconds(0), processes: &processes)
        for refused: Int32 in [1, 999] {
            var message = NotifyMessage()
            message.mainPID = refused
            _ = service.notify(message, now: .seconds(1), processes: &processes)
            #expect(service.mainPID == 101)
        }
        var message = NotifyMessage()
        message.mainPID = 4242
        _ = service.notify(message, now: .seconds(1), processes: &processes)
        #expect(service.mainPID == 4242)
        #expect(processes.claims.map(\.pid) == [1, 999, 4242] && processes.claims.allSatisfy { $0.unit == "t.service" })
    }

    @Test func garbageDatagramsParseToNothing() {
        let bytes: [UInt8] = [0xff, 0xfe, 0x0a, 0x3d, 0x3d, 0x0a, 0x00] + Array("READY=1\u{0}".utf8)
        let message = NotifyMessage.parse(bytes)
        #expect(!message.ready && message.mainPID == nil)
        let huge = NotifyMessage.parse(Array(("STATUS=" + String(repeating: "x", count: 1 << 20)).utf8))
        #expect(huge.status?.utf8.count == 4096)
    }
}
