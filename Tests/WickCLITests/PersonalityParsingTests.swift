import Foundation
import Glibc
import Testing
@testable import WickCLI
import WickControl
import WickSystem
import WickUnits

/// The command lines of the systemctl, journalctl and systemd-analyze personalities, and the
/// pure pieces of their output, in process.
@Suite struct PersonalityParsingTests {
    @Test func systemctlTakesOptionsAnywhereAsGetoptLong() throws {
        let parsed = try SystemctlArguments(parsing: ["show", "-p", "Restart", "app", "--property=A,B", "-pC", "--value", "-aq", "--", "-odd"])
        #expect(parsed.verb == "show" && parsed.arguments == ["app", "-odd"])
        #expect(parsed.properties == ["Restart", "A", "B", "C"] && parsed.value && parsed.all && parsed.quiet && parsed.showEmpty)
        let dashP = try SystemctlArguments(parsing: ["-P", "MainPID", "show", "x"])
        #expect(dashP.value && dashP.properties == ["MainPID"] && dashP.verb == "show")
        let listing = try SystemctlArguments(parsing: ["--no-legend", "--plain", "-t", "socket", "--state=failed,active", "--failed", "list-units", "--legend=yes"])
        #expect(listing.legend && listing.plain && listing.types == ["socket"] && listing.states == ["failed", "active", "failed"])
        #expect(try SystemctlArguments(parsing: []).verb == nil)
        #expect(try SystemctlArguments(parsing: ["enable", "--now", "--root", "/t", "x.socket"]).root == "/t")
        #expect(throws: SystemctlArguments.Failure(message: "systemctl: unrecognized option '--bogus'")) { try SystemctlArguments(parsing: ["--bogus"]) }
        #expect(throws: SystemctlArguments.Failure(message: "systemctl: invalid option -- 'Z'")) { try SystemctlArguments(parsing: ["-Z"]) }
        #expect(throws: SystemctlArguments.Failure(message: "systemctl: option '--property' requires an argument")) { try SystemctlArguments(parsing: ["--property"]) }
        #expect(throws: SystemctlArguments.Failure(message: "systemctl: option '--now' doesn't allow an argument")) { try SystemctlArguments(parsing: ["--now=1"]) }
        #expect(throws: SystemctlArguments.Failure.self) { try SystemctlArguments(parsing: ["-n", "-3"]) }
        #expect(throws: SystemctlArguments.Failure.self) { try SystemctlArguments(parsing: ["--json=yaml"]) }
        #expect(try SystemctlArguments(parsing: ["--after", "--job-mode=fail", "--kill-whom=main", "list-dependencies"]).unsupported
                == ["--after", "--job-mode=fail", "--kill-whom=main"], "options wick cannot honour are refused, not ignored")
        #expect(try SystemctlArguments(parsing: ["--job-mode=replace", "--kill-whom=all", "--no-pager", "-l", "--system", "status"]).unsupported.isEmpty)
        let install = try SystemctlArguments(parsing: ["--dry-run", "--no-reload", "-f", "enable", "x.socket"])
        #expect(install.dryRun && install.noReload && install.force)
        #expect(try SystemctlArguments(parsing: ["--version"]).version && SystemctlArguments(parsing: ["-h"]).help)
        #expect(Systemctl.version.hasPrefix("systemd 252 (wick "))
        #expect(Systemctl.mangle("app") == "app.service" && Systemctl.mangle("app.socket") == "app.socket" && Systemctl.mangle("a*") == "a*")
    }

    @Test func journalctlTakesUnitsLinesBootsTimesFormatsAndPriorities() throws {
        let journal = try Journalctl(parsing: ["-u", "a", "--unit=b.socket", "_SYSTEMD_UNIT=c.service", "-n", "5", "-b", "-o", "cat", "-p", "warning..err", "--no-pager"])
        #expect(journal.units == ["a", "b.socket", "c.service"] && journal.lines == 5 && journal.output == "cat" && journal.priorities == 3...4)
        #expect(try Journalctl(parsing: ["-n"]).lines == 10, "-n alone: 10")
        #expect(try Journalctl(parsing: ["-n20", "-b", "0"]).lines == 20)
        #expect(try Journalctl(parsing: ["-p", "3"]).priorities == 0...3)
        #expect(try Journalctl(parsing: ["--since", "@100", "--until=@200"]).until == 200_000_000)
        #expect(throws: Journalctl.Failure.self) { try Journalctl(parsing: ["-b", "-1"]) }
        #expect(throws: Journalctl.Failure.self) { try Journalctl(parsing: ["-o", "verbose"]) }
        #expect(throws: Journalctl.Failure.self) { try Journalctl(parsing: ["-p", "loud"]) }
        #expect(throws: Journalctl.Failure.self) { try Journalctl(parsing: ["--since", "whenever"]) }
        #expect(throws: Journalctl.Failure.self) { try Journalctl(parsing: ["MESSAGE=x"]) }
        #expect(LogLine(.object([("priority", .number(3))])).priority == 3 && LogLine(.object([])).priority == 6)
        #expect(LogLine(.object([("priority", .number(99))])).priority == 7, "a daemon's number is clamped")
    }

    @Test func analyzeFormatsSpansAndWalksTheLatestDependency() {
        #expect(Analyze.format(0) == "0" && Analyze.format(262_000) == "262ms" && Analyze.format(2_713_000) == "2.713s")
        #expect(Analyze.format(62_340_000) == "1min 2.34s" && Analyze.format(3_600_000_000) == "1h")
        let times = Analyze.UnitTimes(origin: 1_000_000, units: [
            "app.service": .init(activating: 3_000_000, activated: 3_500_000, after: ["app.socket", "early.socket", "sysinit.target"]),
            "app.socket": .init(activating: 1_100_000, activated: 1_200_000, after: ["sysinit.target"]),
            "early.socket": .init(activating: 1_050_000, activated: 1_060_000, after: []),
        ])
        #expect(Analyze.criticalChain(["app.service"], times).hasSuffix("\n\napp.service @2s +500ms\n└─app.socket @100ms +100ms\n"))
        #expect(Analyze.blame(times) == "500ms app.service\n100ms app.socket\n 10ms early.socket\n")
    }

    @Test func statusPrintsTheSubStateOnlyWhenItSaysMore() {
        let failed = UnitReport(unit: "x.service", description: "x.service", load: "loaded", unitFileState: "", active: "failed", sub: "failed", result: "exit-code")
        #expect(StatusRenderer.unit(failed, now: 0).contains("     Active: failed (Result: exit-code)\n"))
    }

    /// `--root=` writes go only below the root: a directory on the way that is a symlink (to the
    /// host's /etc, say) is refused and nothing is written through it.
    @Test func rootWritesRefuseSymlinkedDirectories() throws {
        let base = try BinaryRunner.directory([:]).path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let tree = base + "/tree", outside = base + "/outside"
        for directory in [tree + "/etc/systemd", outside] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try FileManager.default.createSymbolicLink(atPath: tree + "/etc/systemd/system", withDestinationPath: outside)
        let change = InstallChange.symlink(path: tree + "/etc/systemd/system/sockets.target.wants/a.socket", target: "/lib/systemd/system/a.socket")
        #expect(throws: SystemError.self) { try InstallChangeWriter.apply(change, root: tree) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        try FileManager.default.removeItem(atPath: tree + "/etc/systemd/system")
        try InstallChangeWriter.apply(change, root: tree)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: tree + "/etc/systemd/system/sockets.target.wants/a.socket") == "/lib/systemd/system/a.socket")
        try InstallChangeWriter.apply(.unlink(path: tree + "/etc/systemd/system/sockets.target.wants/a.socket"), root: tree)
        #expect(!FileManager.default.fileExists(atPath: tree + "/etc/systemd/system/sockets.target.wants"), "an emptied .wants/ goes too")
    }
}
