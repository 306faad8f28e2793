import Foundation
import Glibc
import Testing

/// Resource discipline of `wick daemon`, measured from /proc (never timed).
@Suite(.serialized) struct DaemonResourceTests {
    func fdCount(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    func contextSwitches(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").filter { $0.contains("ctxt_switches") }
            .compactMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }.reduce(0, +)
    }

    @Test func tenThousandAcceptYesConnectionsLeaveNoFdsAndNoZombies() throws {
        let port = TestClient.freePort()
        let directory = try BinaryRunner.directory([
            // The trigger and poll limits (systemd defaults) would stop the socket at this rate.
            "ping.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\nTriggerLimitIntervalSec=0\nPollLimitIntervalSec=0\n",
            "ping@.service": "[Service]\nExecStart=/bin/echo pong\nStandardInput=socket\n",
        ])
        let wick = try BackgroundProcess(BinaryRunner.wick, ["daemon", "--units", directory.path, "--runtime-dir", directory.appendingPathComponent("run").path])
        defer { wick.stop(); try? FileManager.default.removeItem(at: directory) }
        #expect(TestClient.waitListening(port))
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "pong\n")
        usleep(200_000)
        let before = fdCount(wick.pid)
        var answered = 0
        for _ in 0..<10_000 where TestClient.readAll(TestClient.connectTCP(port)) == "pong\n" { answered += 1 }
        #expect(answered == 10_000)
        var after = fdCount(wick.pid)
        for _ in 0..<250 where after != before || !wick.children().isEmpty {
            usleep(20_000)
            after = fdCount(wick.pid)
        }
        #expect(after == before, "fds before \(before), after \(after)")
        #expect(wick.children().isEmpty, "no zombie or leftover child")
    }

    @Test func aThousandIdleSocketsCauseNoWakeUps() throws {
        var files: [String: String] = ["idle.service": "[Service]\nExecStart=/bin/true\n"]
        for index in 0..<1000 {
            files["s\(index).socket"] = "[Socket]\nListenStream=@wick-idle-\(getpid())-\(index)\nService=idle.service\n"
        }
        let directory = try BinaryRunner.directory(files)
        let wick = try BackgroundProcess(BinaryRunner.wick, ["daemon", "--units", directory.path, "--runtime-dir", directory.appendingPathComponent("run").path])
        defer { wick.stop(); try? FileManager.default.removeItem(at: directory) }
        for _ in 0..<500 where !wick.log.contains("loaded 1001 units") { usleep(20_000) }
        for _ in 0..<500 where fdCount(wick.pid) < 1000 { usleep(20_000) }
        #expect(fdCount(wick.pid) >= 1000, "\(wick.log.suffix(500))")
        usleep(300_000)
        let before = contextSwitches(wick.pid)
        sleep(10)
        let after = contextSwitches(wick.pid)
        #expect(after - before == 0, "an idle daemon sleeps in epoll_wait: \(after - before) wake-ups in 10 s")
    }
}
