import Foundation
import Glibc
import Testing

/// "PID 1 never dies" (issue 9): services that misbehave, signal storms, and a log pipe that
/// nobody reads. Growth is measured from /proc; nothing is timed against a clock.
@Suite(.serialized) struct HostileServiceTests {
    @Test func twoHundredOrphansAreAllReaped() throws {
        let live = try ControlVerbTests.start([
            "bomb.service": "[Service]\nExecStart=/bin/sh -c 'for i in $$(seq 200); do (sleep 0.3 &); done; exit 0'\n",
        ])
        defer { live.stop() }
        let baseline = try live.settledDescriptors()
        #expect(try live.run("start", "bomb.service").status == 0)
        usleep(200_000)
        #expect(ControlVerbTests.waitFor { live.wick.children().isEmpty }, "every orphan re-parented to wick was reaped")
        try HostileNotifyTests.expectHealthy(live, baseline: baseline)
    }

    @Test func oneHundredMegabytesWithoutANewlineStayBounded() throws {
        let done = FileManager.default.temporaryDirectory.appendingPathComponent("wick-nonl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: done) }
        let live = try ControlVerbTests.start([
            "blob.service": "[Service]\nExecStart=/bin/sh -c 'head -c 100000000 /dev/zero | tr -c x x; touch \(done); sleep 100'\n",
        ])
        defer { live.stop() }
        let before = ControlAccessTests.residentKilobytes(live.wick.pid)
        #expect(try live.run("start", "blob.service").status == 0)
        // 100 MB through a pipe and into wick's log: allow a minute on a loaded machine.
        var waited = 0
        while !FileManager.default.fileExists(atPath: done) && waited < 600 { usleep(100_000); waited += 1 }
        #expect(FileManager.default.fileExists(atPath: done))
        usleep(300_000)
        let grown = ControlAccessTests.residentKilobytes(live.wick.pid) - before
        #expect(grown < 32 * 1024, "the line is split at 4,096 bytes and the log buffer is bounded: RSS grew by \(grown) KiB")
        let logs = try live.run("logs", "blob.service", "-n", "2")
        #expect(logs.status == 0 && logs.stdout.split(separator: "\n").allSatisfy { $0.utf8.count < 4200 })
        try HostileNotifyTests.expectHealthy(live)
    }

    /// A crash loop with no start limit and no delay: RSS and fds stay flat while it spins.
    @Test func aCrashLoopWithoutStartLimitKeepsTheDaemonFlat() throws {
        let live = try ControlVerbTests.start([
            "crash.service": "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sh -c 'echo crashing; exit 1'\nRestart=always\nRestartSec=0\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "crash.service").status == 0)
        sleep(2)
        // The fewest over a few samples: each run's output pipe is open for a moment, and a run
        // or two may be under way at a sample (a leak would add one per run: hundreds).
        func settledDescriptors() -> Int {
            (0..<5).map { _ in
                usleep(50_000)
                return ControlAccessTests.openDescriptors(live.wick.pid)
            }.min() ?? 0
        }
        let (rss, fds) = (ControlAccessTests.residentKilobytes(live.wick.pid), settledDescriptors())
        sleep(6)
        let restarts = try live.run("show", "crash.service").stdout.split(separator: "\n").first { $0.hasPrefix("NRestarts=") } ?? ""
        #expect((Int(restarts.dropFirst("NRestarts=".count)) ?? 0) > 100, "it kept crashing: \(restarts)")
        let grown = ControlAccessTests.residentKilobytes(live.wick.pid) - rss
        #expect(grown < 4 * 1024, "RSS grew by \(grown) KiB over 6 s of crash loop")
        let after = settledDescriptors()
        #expect(after <= fds + 2, "fds \(fds) -> \(after)")
        #expect(try live.run("stop", "crash.service").status == 0)
        try HostileNotifyTests.expectHealthy(live)
    }

    /// 1,000 SIGHUPs and SIGUSR1s while connections are served, then SIGTERM right behind a
    /// SIGHUP: every connection is answered and wick exits 0.
    @Test func aSignalStormWhileServingAndSigtermDuringAReload() throws {
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "echo.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\nTriggerLimitIntervalSec=0\nPollLimitIntervalSec=0\n",
            "echo@.service": "[Service]\nExecStart=/bin/echo served\nStandardInput=socket\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port))
        let done = Atomic(false)
        let results = Results()
        let client = Thread {
            while !done.value { results.add(TestClient.readAll(TestClient.connectTCP(port))) }
        }
        client.start()
        for index in 0..<1000 {
            kill(live.wick.pid, index % 2 == 0 ? SIGHUP : SIGUSR1)
            if index % 50 == 0 { usleep(10_000) }
        }
        usleep(300_000)
        done.value = true
        #expect(ControlVerbTests.waitFor { client.isFinished })
        let answers = results.all
        #expect(answers.count > 10 && answers.allSatisfy { $0 == "served\n" }, "\(answers.count) answers, \(answers.filter { $0 != "served\n" }.prefix(3))")
        try HostileNotifyTests.expectHealthy(live)
        kill(live.wick.pid, SIGHUP)
        kill(live.wick.pid, SIGTERM)
        #expect(live.wick.waitForExit(seconds: 10) == 0, "\(live.wick.log.suffix(500))")
    }

    /// wick's stdout and stderr a pipe that nobody reads, then a closed one: the loop never
    /// blocks on its own log, and lines that do not fit are counted, not waited for.
    @Test func aFullOrClosedLogPipeDoesNotStallTheDaemon() throws {
        let port = TestClient.freePort()
        let directory = try BinaryRunner.directory([
            "chatty.service": "[Service]\nExecStart=/bin/sh -c 'yes chatter | head -n 100000; sleep 100'\n[Install]\nWantedBy=multi-user.target\n",
            "echo.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "echo@.service": "[Service]\nExecStart=/bin/echo served\nStandardInput=socket\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = BinaryRunner.wick
        process.arguments = ["daemon", "--units", directory.path, "--runtime-dir", directory.appendingPathComponent("run").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        let control = directory.appendingPathComponent("run/wick/control").path
        func status() throws -> Int32 { try BinaryRunner.run(BinaryRunner.wick, ["status", "--control", control]).status }
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: control) })
        #expect(TestClient.waitListening(port))
        usleep(500_000)   // the pipe (64 KiB) is full long before 100,000 lines
        for _ in 0..<5 { #expect(TestClient.readAll(TestClient.connectTCP(port)) == "served\n", "served with a full log pipe") }
        #expect(try status() == 0)
        try pipe.fileHandleForReading.close()
        for _ in 0..<5 { #expect(TestClient.readAll(TestClient.connectTCP(port)) == "served\n", "served with a closed log pipe") }
        #expect(try status() == 0)
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
