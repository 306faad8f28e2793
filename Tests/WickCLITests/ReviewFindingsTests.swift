import Foundation
import Glibc
import Testing

/// Faults found by a hostile review after the first round of issue 9: each one used to hang
/// PID 1, let a service steer wick, or drop an answer.
@Suite(.serialized) struct ReviewFindingsTests {
    /// A FIFO where wick reads or writes a file (EnvironmentFile=, StandardOutput=file:,
    /// PIDFile=, a unit file for `cat`) used to block wick in open(2) for good.
    @Test func aFIFOInPlaceOfAFileNeverBlocksTheDaemon() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("wick-fifo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: state) }
        for name in ["env", "out", "pid"] { #expect(mkfifo(state + "/" + name, 0o644) == 0) }
        let live = try ControlVerbTests.start([
            "env.service": "[Service]\nEnvironmentFile=-\(state)/env\nExecStart=/bin/sleep 100\n",
            "out.service": "[Service]\nStandardOutput=file:\(state)/out\nExecStart=/bin/echo hello\n",
            "fork.service": "[Service]\nType=forking\nPIDFile=\(state)/pid\nExecStart=/bin/sh -c 'sleep 100 & exit 0'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "env.service").status == 0, "an unreadable optional EnvironmentFile= is skipped")
        #expect(try live.run("start", "out.service").status == 0)
        #expect(live.wick.log.contains("cannot open \(state)/out for output without blocking"), "\(live.wick.log)")
        #expect(try live.run("start", "fork.service").status == 1)
        #expect(live.wick.log.contains("PIDFile=\(state)/pid is missing or names no process"))
        try? FileManager.default.removeItem(at: live.directory.appendingPathComponent("env.service"))
        #expect(mkfifo(live.directory.appendingPathComponent("env.service").path, 0o644) == 0)
        let cat = try live.run("cat", "env.service")
        #expect(cat.status == 0 || cat.status == 1)
        #expect(try live.run("daemon-reload").status == 0)
        try HostileNotifyTests.expectHealthy(live)
    }

    /// `$VAR` expansion is bounded by what execve(2) takes: a 60 KB variable referenced 2,000
    /// times in one `ExecStart=` (a 12 KB line) made wick build 120 MB of arguments at each start,
    /// 20,000 times several GB (a hostile test killed PID 1 that way under a memory limit). The
    /// start fails as the exec would have (E2BIG, 203/EXEC), and wick stays small.
    @Test func anArgumentBombFailsTheStartWithoutGrowingTheDaemon() throws {
        let value = String(repeating: "x", count: 60_000)
        let live = try ControlVerbTests.start([
            "bomb.service": "[Service]\nEnvironment=A=\(value)\nExecStart=/bin/true \(String(repeating: "${A}", count: 2_000))\n",
            "split.service": "[Service]\nEnvironment=\"B=\(String(repeating: "ab ", count: 20_000))\"\nExecStart=/bin/true \(String(repeating: "$B ", count: 2_000))\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "bomb.service").status != 0)
        #expect(try live.run("start", "split.service").status != 0)
        #expect(live.wick.log.contains("bomb.service: exec failed: /bin/true: Argument list too long"), "\(live.wick.log)")
        #expect(live.wick.log.contains("split.service: exec failed: /bin/true: Argument list too long"), "\(live.wick.log)")
        #expect(ControlAccessTests.residentKilobytes(live.wick.pid) < 100_000, "RSS \(ControlAccessTests.residentKilobytes(live.wick.pid)) KB")
        #expect(try live.run("show", "bomb.service", "-p", "Result,ExecMainStatus").stdout.contains("ExecMainStatus=203"))
        try HostileNotifyTests.expectHealthy(live)
    }

    /// ListenFIFO= over a symlink: refused, and the link's target keeps its mode and owner.
    @Test func aSymlinkAtAFIFOPathIsRefusedNotFollowed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wick-link-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secret = directory + "/secret"
        #expect(FileManager.default.createFile(atPath: secret, contents: Data("x".utf8), attributes: [.posixPermissions: 0o600]))
        #expect(symlink(secret, directory + "/fifo") == 0)
        let live = try ControlVerbTests.start([
            "f.socket": "[Socket]\nListenFIFO=\(directory)/fifo\nSocketMode=0666\nSocketUser=nobody\n",
            "f.service": "[Service]\nExecStart=/bin/true\n",
        ])
        defer { live.stop() }
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("f.socket: ") && live.wick.log.contains("-> failed") }, "\(live.wick.log)")
        var info = stat()
        #expect(stat(secret, &info) == 0 && info.st_mode & 0o777 == 0o600 && info.st_uid == getuid())
    }

    /// MAINPID= of a process another unit forked is refused (it descends from that unit).
    @Test func mainPIDOfAnotherUnitsChildIsRefused() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("wick-worker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let live = try ControlVerbTests.start([
            "b.service": "[Service]\nExecStart=/bin/sh -c 'sleep 1000 & echo $$! > \(pidFile); wait'\n[Install]\nWantedBy=multi-user.target\n",
            "thief.service": HostileNotifyTests.unit(["@pidfile:\(pidFile)", "READY=1"]),
        ])
        defer { live.stop() }
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: pidFile) })
        #expect(try live.run("start", "thief.service").status == 0)
        #expect(live.wick.log.contains("refused: it descends from a process of b.service"), "\(live.wick.log)")
        #expect(try live.run("stop", "thief.service").status == 0)
        #expect(try live.run("status", "b.service").stdout.contains("active (running)"))
    }

    /// An answer larger than a follower may let pile up (850 units' status) is still sent, and
    /// a `logs -f` client that half-closes (socat) keeps receiving lines.
    @Test func largeAnswersAndHalfClosedFollowers() throws {
        var files: [String: String] = ["tick.service": ControlVerbTests.ticker]
        for index in 0..<850 { files["u\(index).service"] = "[Unit]\nDescription=a unit with a fairly long description number \(index)\n[Service]\nExecStart=/bin/true\n" }
        let live = try ControlVerbTests.start(files)
        defer { live.stop() }
        let list = try live.run("list-units")
        #expect(list.status == 0 && list.stdout.contains("851 loaded units listed."), "\(list.stderr)")
        let follower = ControlAccessTests.connectUnix(live.control)
        let request = Array(#"{"version":1,"verb":"logs","units":["tick.service"],"follow":true}"#.utf8) + [10]
        _ = request.withUnsafeBytes { send(follower, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(follower, Int32(SHUT_WR))
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(follower, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<20 where received < 300 {
            let count = read(follower, &buffer, buffer.count)
            if count <= 0 { break }
            received += count
        }
        close(follower)
        #expect(received >= 300, "lines keep coming after the half-close: \(received) bytes")
        try HostileNotifyTests.expectHealthy(live)
    }

    /// Hostile review, session 13: one `cat` naming a unit 400 times made the daemon read and
    /// render it 400 times (12 s of a blocked loop, 1.2 GB), and an answer over the 64 MiB limit
    /// closed the connection without a word. Each unit is answered once; an answer over the limit
    /// is an error the client reads (and a log line); a request ended by the client's end of
    /// input instead of a newline is answered; a name with a type suffix that is not valid is
    /// refused as such (`.service` was looked up as `.service.service`).
    @Test func controlAnswersAreMadeOncePerUnitAndBounded() throws {
        var files = ["big.service": "[Service]\nExecStart=/bin/true\n"]
        for index in 0..<12 { files["big.service.d/\(10 + index).conf"] = "[Unit]\n" }
        let live = try ControlVerbTests.start(files)
        defer { live.stop() }
        func exchange(_ text: String, newline: Bool = true) -> String {
            TestClient.exchangeUnix(live.control, Array(text.utf8) + (newline ? [10] : []), halfClose: !newline)
        }
        let names = Array(repeating: #""big""#, count: 1_000).joined(separator: ",")
        let once = exchange(#"{"version":1,"verb":"cat","units":["big.service",\#(names)]}"#)
        #expect(once.contains(#""ok":true"#) && once.components(separatedBy: #""unit":"big.service""#).count == 2, "\(once.prefix(300))")
        // cat reads the files when asked: 12 drop-ins of 1 MiB of NULs are 72 MiB of JSON.
        for index in 0..<12 { truncate(live.directory.appendingPathComponent("big.service.d/\(10 + index).conf").path, 1 << 20) }
        let large = exchange(#"{"version":1,"verb":"cat","units":["big.service"]}"#)
        #expect(large.contains(#""ok":false"#) && large.contains("larger than 64 MiB"), "\(large.prefix(300))")
        #expect(live.wick.log.contains("control: answer of"), "\(live.wick.log.suffix(500))")
        #expect(exchange(#"{"version":1,"verb":"ping"}"#, newline: false).contains(#""ok":true"#), "answered at the end of input")
        #expect(exchange(#"{"version":1,"verb":"start","units":["big.service"]}"#, newline: false).contains(#""ok":true"#),
                "a waiting verb too: the client that closed its side waits for the answer")
        let invalid = exchange(#"{"version":1,"verb":"status","units":[".service"]}"#)
        #expect(invalid.contains("invalid unit name") && !invalid.contains(".service.service"), "\(invalid)")
        try HostileNotifyTests.expectHealthy(live)
    }

    /// Hostile review, session 13: `wick reload` answered before `ExecReload=` ran, so a failed
    /// reload (a configuration the daemon refused) reported success, and a reload asked for
    /// during one was refused as "not running or has no ExecReload=". It waits for the reload
    /// now, as systemctl waits for its reload job: exit 1 with the result when the command fails
    /// or times out (`ReloadResult=`), and a reload during a reload waits for that one.
    @Test func aReloadIsWaitedForAndItsFailureReported() throws {
        let live = try ControlVerbTests.start([
            "ok.service": "[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/true\n",
            "bad.service": "[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/sh -c 'exit 4'\nExecReload=/bin/touch /nonexistent-dir/never\n",
            "slow.service": "[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/sleep 1000\nTimeoutStartSec=1\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "ok.service", "bad.service", "slow.service").status == 0, "\(live.wick.log)")
        #expect(try live.run("reload", "ok.service").status == 0)
        let bad = try live.run("reload", "bad.service")
        #expect(bad.status == 1 && bad.stderr.contains("bad.service (result: exit-code)"), "\(bad.stderr)")
        #expect(try live.run("show", "bad.service", "-p", "ActiveState", "-p", "ReloadResult", "--value").stdout == "active\nexit-code\n")
        #expect(try live.run("reload", "--no-block", "slow.service").status == 0, "answered at once")
        let merged = try live.run("reload", "slow.service")
        #expect(merged.status == 1 && merged.stderr.contains("slow.service (result: timeout)"), "waits for the running reload: \(merged.stderr)")
        #expect(try live.run("show", "slow.service", "-p", "SubState", "--value").stdout == "running\n", "the service runs on")
        let none = try live.run("reload", "ok.service", "nope.service")
        #expect(none.status != 0)
    }

    /// Hostile review, session 13: a reload that turned `Accept=no` into `Accept=yes` while the
    /// service held the listener opened the address anew and failed the socket (EADDRINUSE);
    /// clients waited in the old backlog. The listener is kept, as systemd matches fds by
    /// address, made non-blocking again for wick's accepts (the service's NonBlocking=no had
    /// cleared it on the shared open file), and what waited in its backlog is served.
    @Test func aReloadThatFlipsAcceptKeepsTheListener() throws {
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "flip.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\n",
            "flip.service": "[Service]\nExecStart=/bin/sleep 1000\n",
            "flip@.service": "[Service]\nExecStart=/bin/echo instance\nStandardOutput=socket\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port), "\(live.wick.log)")
        let waiting = TestClient.connectTCP(port)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("flip.service: dead -> running") }, "\(live.wick.log)")
        try "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n".write(
            to: live.directory.appendingPathComponent("flip.socket"), atomically: true, encoding: .utf8)
        #expect(try live.run("daemon-reload").status == 0)
        #expect(try live.run("show", "flip.socket", "-p", "ActiveState", "--value").stdout == "active\n", "\(live.wick.log)")
        #expect(TestClient.readAll(waiting) == "instance\n", "the connection that waited in the backlog: \(live.wick.log)")
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "instance\n", "\(live.wick.log)")
        #expect(try live.run("status").status != 255, "the loop answers (it does not block in accept)")
    }

    /// Hostile review, session 13: after a reload that removed a template, each later reload
    /// logged "error: unit file not found" for every live instance of it, which runs on as
    /// documented. It is said once, as a notice.
    @Test func aLiveInstanceOfARemovedTemplateIsReportedOnce() throws {
        let port = TestClient.freePort()
        let live = try ControlVerbTests.start([
            "held.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "held@.service": "[Service]\nExecStart=/bin/sleep 1000\nStandardInput=socket\n",
        ])
        defer { live.stop() }
        #expect(TestClient.waitListening(port), "\(live.wick.log)")
        let client = TestClient.connectTCP(port)
        defer { close(client) }
        #expect(ControlVerbTests.waitFor { (try? live.run("list-units").stdout.contains("held@0-")) == true }, "\(live.wick.log)")
        try FileManager.default.removeItem(at: live.directory.appendingPathComponent("held@.service"))
        for _ in 0..<3 { #expect(try live.run("daemon-reload").status == 0) }
        let notices = live.wick.log.components(separatedBy: "its template is no longer in the unit directories").count - 1
        #expect(notices == 1 && !live.wick.log.contains("unit file not found"), "\(live.wick.log)")
    }
}
