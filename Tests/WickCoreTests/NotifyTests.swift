import Testing
import WickCore
import WickUnits

@Suite struct NotifyTests {
    @Test func messagesParseLikeSdNotify() {
        let message = NotifyMessage.parse(Array("READY=1\nSTATUS=serving 3 clients\nMAINPID=42\nEXTEND_TIMEOUT_USEC=5000000\nX=y\nbogus\n".utf8))
        #expect(message.ready && message.status == "serving 3 clients" && message.mainPID == 42)
        #expect(message.extendTimeoutMicroseconds == 5_000_000)
        #expect(!NotifyMessage.parse(Array("READY=0".utf8)).ready)
        #expect(NotifyMessage.parse(Array("MAINPID=-1".utf8)).mainPID == nil)
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

    @Test func managerChecksNotifyAccess() {
        var port = FakePort()
        var manager = Manager(units: units([
            "n.service": "[Service]\nType=notify\nExecStart=/bin/n\n[Install]\nWantedBy=multi-user.target\n",
        ]))
        manager.startAll(now: .seconds(0), port: &port)
        var ready = NotifyMessage()
        ready.ready = true
        #expect(!manager.notifyReceived(pid: 999, senderGroup: 101, owner: nil, message: ready, now: .seconds(1), port: &port))
        #expect(manager.services["n.service"]?.state == .start)
        #expect(manager.notifyReceived(pid: 101, senderGroup: 101, owner: "n.service", message: ready, now: .seconds(1), port: &port))
        #expect(manager.services["n.service"]?.state == .running)
    }
}
