import Foundation
import Glibc
import Testing

/// The control socket's access rules (`SO_PEERCRED`, `--control-group`) and its behaviour under
/// bad input: a 100 MB line, a client that never sends, 1,000 clients at once.
@Suite(.serialized) struct ControlAccessTests {
    static let units = ["x.service": "[Service]\nExecStart=/bin/sleep 100\n"]

    /// Runs the CLI as uid/gid 65534 (nobody), with the given supplementary groups.
    func asNobody(groups: [Int], _ arguments: [String]) throws -> BinaryRunner.Result {
        let groupOption = groups.isEmpty ? ["--clear-groups"] : ["--groups=" + groups.map(String.init).joined(separator: ",")]
        return try BinaryRunner.run(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            ["--reuid=65534", "--regid=65534"] + groupOption + ["--", BinaryRunner.wick.path] + arguments)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run a client as another uid"))
    func controlGroupMembersMayReadButNotWriteAndOthersAreRefused() throws {
        let live = try ControlVerbTests.start(Self.units, extra: ["--control-group", "users"])
        defer { live.stop() }
        _ = chmod(live.directory.path, 0o755)
        var info = stat()
        #expect(stat(live.control, &info) == 0 && info.st_mode & 0o777 == 0o660 && info.st_gid == 100)

        let member = try asNobody(groups: [100], ["status", "--control", live.control])
        #expect(member.status == 0, "\(member.stderr)")
        #expect(member.stdout.contains("x.service inactive (dead)"))
        let logs = try asNobody(groups: [100], ["logs", "--control", live.control])
        #expect(logs.status == 0, "\(logs.stderr)")
        let write = try asNobody(groups: [100], ["stop", "x.service", "--control", live.control])
        #expect(write.status == 1)
        #expect(write.stderr == "wick stop: permission denied: stop needs root or the daemon's user\n")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("control: stop from uid 65534 refused: permission denied") })

        let stranger = try asNobody(groups: [], ["status", "--control", live.control])
        #expect(stranger.status == 1)
        #expect(stranger.stderr.contains("permission denied on \(live.control)"), "the socket's mode keeps others out: \(stranger.stderr)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run a client as another uid"))
    func theDaemonChecksPeerCredentialsEvenWhenTheSocketModeLetsEveryoneIn() throws {
        let live = try ControlVerbTests.start(Self.units)
        defer { live.stop() }
        _ = chmod(live.directory.path, 0o755)
        var info = stat()
        #expect(stat(live.control, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(chmod(live.control, 0o666) == 0)
        let refused = try asNobody(groups: [], ["status", "--control", live.control])
        #expect(refused.status == 1)
        #expect(refused.stderr == "wick status: permission denied: status needs root or the daemon's user or --control-group\n")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("control: status from uid 65534 refused: permission denied") })
        #expect(try live.run("status").status == 0, "root is served")
    }

    @Test func aHundredMegabyteLineIsRefusedWithoutGrowingTheDaemon() throws {
        let live = try ControlVerbTests.start(Self.units)
        defer { live.stop() }
        let before = Self.residentKilobytes(live.wick.pid)
        let fd = Self.connectUnix(live.control)
        #expect(fd >= 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        var sent = 0
        while sent < 100 << 20 {
            let written = chunk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { break }
            sent += written
        }
        let answer = TestClient.readAll(fd)
        #expect(sent < 100 << 20, "the daemon stopped reading and closed (\(sent) bytes sent)")
        #expect(answer.isEmpty || answer.contains("request longer than 65536 bytes"), "\(answer)")
        let after = Self.residentKilobytes(live.wick.pid)
        #expect(after - before < 8 * 1024, "RSS grew from \(before) kB to \(after) kB")
        #expect(try live.run("is-system-running").stdout == "running\n")
    }

    @Test func aClientThatNeverSendsIsClosedAndDoesNotBlockOthers() throws {
        let live = try ControlVerbTests.start(Self.units)
        defer { live.stop() }
        let silent = Self.connectUnix(live.control)
        defer { close(silent) }
        let started = Date()
        let ping = try live.run("status")
        #expect(ping.status == 0 && Date().timeIntervalSince(started) < 2, "served while a silent client is connected")
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(silent, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        let count = read(silent, &byte, 1)
        let waited = Date().timeIntervalSince(started)
        #expect(count == 0, "the daemon closed the silent connection")
        #expect(waited > 4 && waited < 8, "after the 5 s request timeout: \(waited) s")
    }

    @Test func aThousandClientsAtOnceGetAnAnswerOrAClosedConnection() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        var raised = limit
        raised.rlim_cur = max(limit.rlim_cur, min(limit.rlim_max, 4096))
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised)
        defer { setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) }

        let live = try ControlVerbTests.start(Self.units)
        defer { live.stop() }
        #expect(try live.run("status").status == 0)
        let baseline = Self.openDescriptors(live.wick.pid)
        let before = Self.residentKilobytes(live.wick.pid)
        var fds: [Int32] = []
        var refusedAtConnect = 0
        for _ in 0..<1000 {
            let fd = Self.connectUnix(live.control, nonBlocking: true)
            if fd >= 0 { fds.append(fd) } else { refusedAtConnect += 1 }
        }
        let request = Array(#"{"version":1,"verb":"ping"}"#.utf8) + [10]
        for fd in fds { _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) } }
        var served = 0, busy = 0, closed = 0, other: [String] = []
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let answer = TestClient.readAll(fd)
            if answer.hasPrefix(#"{"ok":true"#) { served += 1 } else if answer.contains("too many clients") { busy += 1 } else if answer.isEmpty { closed += 1 } else { other.append(answer) }
        }
        #expect(other.isEmpty, "\(other.prefix(3))")
        #expect(served + busy + closed + refusedAtConnect == 1000)
        #expect(served >= 256, "served \(served), busy \(busy), closed \(closed), refused at connect \(refusedAtConnect)")
        #expect(try live.run("is-system-running").stdout == "running\n", "still responsive")
        #expect(ControlVerbTests.waitFor { Self.openDescriptors(live.wick.pid) == baseline }, "every client fd was closed: \(Self.describeDescriptors(live.wick.pid))")
        #expect(Self.residentKilobytes(live.wick.pid) - before < 8 * 1024)
    }

    @Test func theClientAfterTheLimitIsToldTooManyClients() throws {
        let live = try ControlVerbTests.start(Self.units)
        defer { live.stop() }
        let silent = (0..<256).map { _ in Self.connectUnix(live.control) }
        #expect(silent.allSatisfy { $0 >= 0 })
        let extra = try live.run("status")
        #expect(extra.status == 1)
        #expect(extra.stderr == "wick status: too many clients (256), try again\n")
        silent.forEach { if $0 >= 0 { close($0) } }   // once: a second close could hit another test's fd
        #expect(ControlVerbTests.waitFor { (try? live.run("status").status) == 0 }, "served again once the others left")
    }

    @Test func aFollowerThatStopsReadingIsDroppedAndNothingGrows() throws {
        let live = try ControlVerbTests.start([
            "chatty.service": "[Service]\nExecStart=/bin/sh -c 'yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -n 80000; sleep 100'\n",
        ])
        defer { live.stop() }
        let follower = Self.connectUnix(live.control)
        let request = Array(#"{"version":1,"verb":"logs","units":["chatty.service"],"follow":true}"#.utf8) + [10]
        _ = request.withUnsafeBytes { send(follower, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(follower, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let before = Self.residentKilobytes(live.wick.pid)
        #expect(try live.run("start", "chatty").status == 0)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("chatty.service[") && live.wick.log.split(separator: "\n").count > 80000 },
                "the service wrote its 80,000 lines (4 MB)")
        let received = TestClient.readAll(follower)
        #expect(received.hasPrefix(#"{"ok":true"#))
        #expect(received.utf8.count < 3_000_000, "dropped after about 1 MiB waited, not given all 80,000 lines: \(received.utf8.count) bytes")
        #expect(Self.residentKilobytes(live.wick.pid) - before < 16 * 1024)
        #expect(try live.run("is-system-running").stdout == "running\n")
    }

    static func connectUnix(_ path: String, nonBlocking: Bool = false) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result != 0 {
            close(fd)
            return -1
        }
        return fd
    }

    static func residentKilobytes(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// Each open fd and what it is, for a failure message ("9 -> pipe:[1234]").
    static func describeDescriptors(_ pid: Int32) -> String {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.compactMap(Int.init).sorted().map { fd in
            "\(fd) -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? "?")
        }.joined(separator: ", ")
    }
}
