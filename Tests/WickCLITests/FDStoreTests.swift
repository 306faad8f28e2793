import Foundation
import Glibc
import Testing

/// The file descriptor store (systemd.service(5) `FileDescriptorStoreMax=`,
/// `FileDescriptorStorePreserve=`; sd_notify(3) `FDSTORE=1`, `FDNAME=`, `FDPOLL=0`,
/// `FDSTOREREMOVE=1`), end to end with libsystemd's sd_pid_notify_with_fds() and
/// sd_listen_fds_with_names() in wick-test-service: each start appends to a report the names it was
/// passed and what each stored memfd holds ("pid=" of the start that stored it), then stores a new
/// memfd and a pipe's read end whose writer it holds (the pipe hangs up when it ends).
@Suite(.serialized) struct FDStoreTests {
    static func unit(_ report: String, max: Int, extra: String = "", arguments: String = "") -> String {
        "[Service]\nType=notify\nExecStart=\(BinaryRunner.testService) fdstore \(report) memo \(arguments)\n"
            + "FileDescriptorStoreMax=\(max)\n" + extra
    }

    static func lines(_ path: String) -> [String] {
        ExecEnvironmentTests.read(path).split(separator: "\n").map(String.init)
    }

    static func property(_ live: ControlVerbTests.Live, _ unit: String, _ key: String) throws -> String {
        let output = try live.run("show", unit).stdout
        let line: Substring? = output.split(separator: "\n").first { $0.hasPrefix(key + "=") }
        return line.map { String($0.dropFirst(key.count + 1)) } ?? ""
    }

    /// The default (`FileDescriptorStorePreserve=restart`): a restart passes the store after the
    /// sockets (none here), newest first, named by `FDNAME=`; a stored pipe that hung up when its
    /// writer ended has left it (polled by default); `wick stop` then releases it, so the next
    /// start gets nothing. `FDSTORE=` tells the service the limit.
    @Test func aRestartHandsTheStoreBackAndAStopReleasesIt() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start(["store.service": Self.unit("\(out)/report", max: 4)])
        defer { live.stop() }
        #expect(try live.run("start", "store.service").status == 0, "\(live.wick.log)")
        #expect(ControlVerbTests.waitFor { (try? Self.property(live, "store.service", "NFileDescriptorStore")) == "2" }, "\(live.wick.log)")
        let first = try Self.property(live, "store.service", "MainPID")
        let environment = (try? String(contentsOfFile: "/proc/\(first)/environ", encoding: .utf8)) ?? ""
        #expect(environment.split(separator: "\0").contains("FDSTORE=4"), "\(environment)")
        #expect(try Self.property(live, "store.service", "FileDescriptorStoreMax") == "4")
        #expect(try Self.property(live, "store.service", "FileDescriptorStorePreserve") == "restart")
        #expect(try live.run("status", "store.service").stdout.contains("FD Store: 2 (limit: 4)"))

        #expect(try live.run("restart", "store.service").status == 0, "\(live.wick.log)")
        #expect(ControlVerbTests.waitFor { Self.lines("\(out)/report").count == 2 })
        #expect(ControlVerbTests.waitFor { (try? Self.property(live, "store.service", "NFileDescriptorStore")) == "3" })
        let second = try Self.property(live, "store.service", "MainPID")
        #expect(try live.run("restart", "store.service").status == 0, "\(live.wick.log)")
        #expect(ControlVerbTests.waitFor { Self.lines("\(out)/report").count == 3 })
        #expect(try live.run("stop", "store.service").status == 0)
        #expect(try Self.property(live, "store.service", "NFileDescriptorStore") == "0")
        #expect(try live.run("start", "store.service").status == 0)
        #expect(ControlVerbTests.waitFor { Self.lines("\(out)/report").count == 4 })
        #expect(Self.lines("\(out)/report") == [
            "names=",
            "names=memo held=pid=\(first)",
            "names=memo held=pid=\(second):memo held=pid=\(first)",
            "names=",
        ], "\(live.wick.log)")
    }

    /// `FDPOLL=0` keeps a stored pipe that hung up; a full store closes what does not fit with
    /// systemd's warning, and the same fd sent twice is stored once (same_fd()).
    @Test func fdPollZeroKeepsAHungUpPipeAndAFullStoreClosesTheRest() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start(["store.service": Self.unit("\(out)/report", max: 2, extra: "NonBlocking=yes\n", arguments: "fdpoll0 twice")])
        defer { live.stop() }
        let before = Self.storableDescriptors(live.wick.pid)
        #expect(try live.run("start", "store.service").status == 0, "\(live.wick.log)")
        #expect(ControlVerbTests.waitFor { (try? Self.property(live, "store.service", "NFileDescriptorStore")) == "2" }, "\(live.wick.log)")
        #expect(!live.wick.log.contains("Cannot store more fds"), "the duplicate is not counted: \(live.wick.log)")
        let first = try Self.property(live, "store.service", "MainPID")
        #expect(try live.run("restart", "store.service").status == 0, "\(live.wick.log)")
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("store.service: Cannot store more fds than FileDescriptorStoreMax=2, closing remaining.") },
                "\(live.wick.log)")
        #expect(Self.lines("\(out)/report") == ["names=", "names=pipe:memo held=pid=\(first)"], "\(live.wick.log)")
        // NonBlocking= is for sockets only (systemd's flag_fds()): the stored pipe, fd 3, keeps
        // its blocking mode.
        let main = try Self.property(live, "store.service", "MainPID")
        let flags = ExecEnvironmentTests.read("/proc/\(main)/fdinfo/3").split(separator: "\n").first { $0.hasPrefix("flags:") }
        #expect(flags.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8) }.map { $0 & Int(O_NONBLOCK) } == 0, "\(flags ?? "")")
        #expect(try Self.property(live, "store.service", "NFileDescriptorStore") == "2")
        #expect(try live.run("stop", "store.service").status == 0)
        #expect(ControlVerbTests.waitFor { Self.storableDescriptors(live.wick.pid) == before },
                "every stored fd closed: \(ControlAccessTests.describeDescriptors(live.wick.pid)) vs \(before)")
    }

    /// wick's fds of the kinds a store can hold (pipes, sockets, memfds, anonymous inodes), not
    /// the directories it opens and closes on its own (the cgroup hierarchy's, once a unit starts).
    static func storableDescriptors(_ pid: Int32) -> [String] {
        ControlAccessTests.describeDescriptors(pid).components(separatedBy: ", ").filter { entry in
            guard let target = entry.components(separatedBy: " -> ").last else { return true }
            return !target.hasPrefix("/") || target.hasPrefix("/memfd:")
        }
    }

    /// `FDSTOREREMOVE=1` closes the entries of its name (here from `ExecReload=`, allowed by
    /// `NotifyAccess=exec`); `FileDescriptorStorePreserve=yes` keeps the store over a stop and
    /// `no` releases it even at a restart; a reload that lowers `FileDescriptorStoreMax=` keeps the
    /// newest entries.
    @Test func removeThePreserveModesAndALowerLimitAtAReload() throws {
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let kept = Self.unit("\(out)/kept", max: 4, extra: "FileDescriptorStorePreserve=yes\nNotifyAccess=exec\nExecReload=\(BinaryRunner.testService) fdremove pipe\n")
        let live = try ControlVerbTests.start([
            "kept.service": kept,
            "dropped.service": Self.unit("\(out)/dropped", max: 4, extra: "FileDescriptorStorePreserve=no\n"),
        ])
        defer { live.stop() }
        for unit in ["kept.service", "dropped.service"] {
            #expect(try live.run("start", unit).status == 0, "\(live.wick.log)")
            #expect(ControlVerbTests.waitFor { (try? Self.property(live, unit, "NFileDescriptorStore")) == "2" }, "\(live.wick.log)")
        }
        #expect(try live.run("reload", "kept.service").status == 0, "\(live.wick.log)")
        #expect(ControlVerbTests.waitFor { (try? Self.property(live, "kept.service", "NFileDescriptorStore")) == "1" }, "\(live.wick.log)")
        let first = try Self.property(live, "kept.service", "MainPID")
        #expect(try live.run("stop", "kept.service").status == 0)
        #expect(try Self.property(live, "kept.service", "NFileDescriptorStore") == "1")
        #expect(try live.run("start", "kept.service").status == 0)
        #expect(ControlVerbTests.waitFor { Self.lines("\(out)/kept").count == 2 })
        #expect(Self.lines("\(out)/kept").last == "names=memo held=pid=\(first)", "\(live.wick.log)")

        #expect(try live.run("restart", "dropped.service").status == 0)
        #expect(ControlVerbTests.waitFor { Self.lines("\(out)/dropped").count == 2 })
        #expect(Self.lines("\(out)/dropped") == ["names=", "names="], "\(live.wick.log)")

        // kept.service now holds the first start's memo and the second's memo and pipe.
        #expect(ControlVerbTests.waitFor { (try? Self.property(live, "kept.service", "NFileDescriptorStore")) == "3" }, "\(live.wick.log)")
        try kept.replacingOccurrences(of: "FileDescriptorStoreMax=4", with: "FileDescriptorStoreMax=1")
            .write(to: live.directory.appendingPathComponent("kept.service"), atomically: true, encoding: .utf8)
        #expect(try live.run("daemon-reload").status == 0)
        #expect(try Self.property(live, "kept.service", "NFileDescriptorStore") == "1")
        let second = try Self.property(live, "kept.service", "MainPID")
        // The newest entry stays: the second start's pipe, dropped when its writer ends; the
        // next start gets nothing of the older ones.
        #expect(try live.run("restart", "kept.service").status == 0)
        #expect(ControlVerbTests.waitFor { Self.lines("\(out)/kept").count == 3 })
        #expect(Self.lines("\(out)/kept").last == "names=", "\(second): \(live.wick.log)")
    }
}
