import Foundation
import Glibc
import Testing

/// Behaviours real programs notice, compared with systemd 252 (issue 10), end to end.
@Suite(.serialized) struct SystemdFidelityTests {
    static func script(_ name: String) -> String {
        BinaryRunner.repositoryRoot.appendingPathComponent("Tests/scripts/\(name)").path
    }

    /// WatchdogSec= on a Type=simple service: WATCHDOG_USEC, WATCHDOG_PID (its own pid) and
    /// NOTIFY_SOCKET are set, and a service that pings is not killed.
    @Test func aWatchdogServiceGetsItsEnvironmentAndLivesWhilePinging() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wick-wd-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "wd.service": "[Service]\nExecStart=/usr/bin/python3 \(Self.script("watchdog-service.py")) \(out)\nWatchdogSec=2\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "wd.service").status == 0)
        #expect(ControlVerbTests.waitFor { (try? String(contentsOfFile: out, encoding: .utf8)) != nil })
        usleep(100_000)
        #expect((try? String(contentsOfFile: out, encoding: .utf8)) == "usec=2000000 own-pid=True notify=yes\n")
        sleep(5)
        #expect(!live.wick.log.contains("watchdog"), "\(live.wick.log)")
        #expect(try live.run("status", "wd.service").stdout.contains("active (running)"))
    }
}
