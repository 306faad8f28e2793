import Foundation
import Glibc
import Testing

/// "PID 1 never dies" (issue 9): services that send hostile sd_notify(3) traffic. After each
/// fault the daemon must be alive, answer `wick status`, be back at its baseline fd count and have
/// no zombie children.
@Suite(.serialized) struct HostileNotifyTests {
    static let notifier = BinaryRunner.repositoryRoot.appendingPathComponent("Tests/scripts/hostile-notify.py").path

    /// The checks every fault test ends with.
    static func expectHealthy(_ live: ControlVerbTests.Live, baseline: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(live.wick.process.isRunning, "the daemon is alive: \(live.wick.log.suffix(1500))", sourceLocation: sourceLocation)
        let status = try live.run("status")
        #expect([0, 3].contains(status.status), "status answers: \(status.stderr)", sourceLocation: sourceLocation)
        if let baseline {
            #expect(ControlVerbTests.waitFor { ControlAccessTests.openDescriptors(live.wick.pid) <= baseline },
                    "fds back to \(baseline): \(ControlAccessTests.describeDescriptors(live.wick.pid))", sourceLocation: sourceLocation)
        }
        #expect(ControlVerbTests.waitFor { zombies(of: live.wick.pid).isEmpty }, "no zombies", sourceLocation: sourceLocation)
    }

    static func zombies(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && fields[0] == "Z" && Int32(fields[1]) == parent
        }
    }

    static func unit(_ arguments: [String], extra: String = "") -> String {
        let quoted = arguments.map { "'\($0)'" }.joined(separator: " ")
        return "[Service]\nType=notify\nNotifyAccess=all\nExecStart=/usr/bin/python3 \(notifier) \(quoted)\n\(extra)"
    }

    /// The reproduction of issue 9: one datagram used to trap the daemon ("arithmetic overflow").
    @Test func extendTimeoutOfUInt64MaxDoesNotKillTheDaemon() throws {
        let live = try ControlVerbTests.start([
            "ext.service": Self.unit(["EXTEND_TIMEOUT_USEC=18446744073709551615", "@sleep:0.2", "READY=1"]),
        ])
        defer { live.stop() }
        let baseline = try live.settledDescriptors()
        #expect(try live.run("start", "ext.service").status == 0)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("ext.service: start -> running") }, "\(live.wick.log.suffix(1500))")
        try Self.expectHealthy(live)
        #expect(try live.run("stop", "ext.service").status == 0)
        try Self.expectHealthy(live, baseline: baseline)
    }

    @Test func maximalNegativeAndMalformedFieldsFloodsAndFdsAreSurvived() throws {
        let live = try ControlVerbTests.start([
            "bad.service": Self.unit([
                "WATCHDOG_USEC=18446744073709551615", "WATCHDOG_USEC=-1", "EXTEND_TIMEOUT_USEC=-5", "MAINPID=-1",
                "MAINPID=2147483648", "MAINPID=99999999999999999999", "ERRNO=-2147483649", "STATUS=\u{1}",
                "@bytes:fffe0a3d3d0a00c0af", "@fds", "@fds", "@flood:10000", "STATUS=" + String(repeating: "o", count: 8000),
                "STATUS=" + String(repeating: "s", count: 4000),
                "READY=1",
            ]),
        ])
        defer { live.stop() }
        usleep(200_000)
        let baseline = try live.settledDescriptors()
        #expect(try live.run("start", "bad.service").status == 0)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("bad.service: start -> running") }, "\(live.wick.log.suffix(1500))")
        #expect(ControlVerbTests.waitFor { ControlAccessTests.openDescriptors(live.wick.pid) <= baseline + 2 },
                "fds passed without FDSTORE=1 are closed, not kept: \(ControlAccessTests.describeDescriptors(live.wick.pid)) vs \(baseline)")
        try Self.expectHealthy(live)
        #expect(live.wick.log.contains("dropped 1 notification(s) longer than 4096 bytes"), "\(live.wick.log.suffix(1500))")
        let show = try live.run("show", "bad.service")
        #expect(show.stdout.contains("StatusText=" + String(repeating: "s", count: 4000)), "the last STATUS= is kept")
        #expect(try live.run("stop", "bad.service").status == 0)
        try Self.expectHealthy(live, baseline: baseline)
    }

    /// Warnings about notifications no unit takes are limited (20 in 10 s), the rest counted in
    /// the next one: a sender (any process that can reach the socket) cannot flood wick's log, a
    /// line a datagram (8,578 lines in 2 s in a hostile test).
    @Test func warningsAboutBadNotificationsAreLimited() throws {
        let live = try ControlVerbTests.start([
            "nul.service": Self.unit(Array(repeating: "@bytes:410041", count: 200) + ["@sleep:10.5", "@bytes:420042", "READY=1"]),
        ])
        defer { live.stop() }
        #expect(try live.run("start", "nul.service").status == 0, "\(live.wick.log.suffix(1500))")
        let lines = live.wick.log.split(separator: "\n")
        #expect(lines.filter { $0.contains("embedded NUL bytes") }.count == 21, "20, then one after the window: \(live.wick.log.suffix(800))")
        #expect(live.wick.log.contains("180 more warning(s) about notifications were not logged (at most 20 in 10 s)"), "\(live.wick.log.suffix(800))")
        try Self.expectHealthy(live)
    }

    /// MAINPID= of wick itself, of another unit's process and of a dead process are refused; a
    /// later stop signals neither wick nor the other unit, and the other unit's exit is still its own.
    @Test func mainPIDOfWickOfAnotherUnitAndOfTheDeadIsRefused() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("wick-victim-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let live = try ControlVerbTests.start([
            "victim.service": "[Service]\nExecStart=/bin/sh -c 'echo $$$$ > \(pidFile); exec sleep 1000'\nRestart=always\nRestartSec=0\n[Install]\nWantedBy=multi-user.target\n",
            "hostile.service": Self.unit(["@parent", "@pidfile:\(pidFile)", "@dead", "READY=1"]),
        ])
        defer { live.stop() }
        // The shell creates the file before it writes the pid: wait for the pid, not the file.
        var victim: Int32 = 0
        #expect(ControlVerbTests.waitFor {
            victim = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            return victim > 1
        })
        #expect(try live.run("start", "hostile.service").status == 0)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("hostile.service: start -> running") }, "\(live.wick.log.suffix(1500))")
        let log = live.wick.log
        #expect(log.contains("hostile.service: MAINPID=\(live.wick.pid) refused: it is wick itself"), "\(log.suffix(1500))")
        #expect(log.contains("hostile.service: MAINPID=\(victim) refused: it belongs to victim.service"), "\(log.suffix(1500))")
        #expect(log.contains("refused: it is not a living descendant of wick"), "\(log.suffix(1500))")
        #expect(try live.run("stop", "hostile.service").status == 0)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("hostile.service: stop-sigterm -> dead") || live.wick.log.contains("hostile.service: stop-sigterm -> failed") })
        #expect(kill(victim, 0) == 0, "the victim was not signalled")
        try? FileManager.default.removeItem(atPath: pidFile)
        // The victim's exit still reaches its own unit: Restart= fires.
        #expect(kill(victim, SIGKILL) == 0)
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("victim.service: running -> auto-restart") }, "\(live.wick.log.suffix(1500))")
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: pidFile) }, "the victim restarted")
        try Self.expectHealthy(live)
    }
}
