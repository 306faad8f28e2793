import Foundation
import Testing
import WickCore
import WickSystem

/// A unit's process starts in the unit's cgroup: born there (clone3 with CLONE_INTO_CGROUP, no
/// cgroup.procs write and its RCU wait), or, where clone3 refuses the directory, moved there by
/// writing cgroup.procs as before.
@Suite struct SpawnIntoCgroupTests {
    /// The mount point of the unified (v2) hierarchy, when this machine lets the test make a cgroup.
    static let unifiedMount: String? = {
        guard let mountinfo = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
              let line = mountinfo.split(separator: "\n").first(where: { $0.contains(" - cgroup2 ") }) else { return nil }
        let mount = String(line.split(separator: " ")[4])
        let probe = mount + "/wick-spawn-probe-\(getpid())"
        guard mkdir(probe, 0o755) == 0 else { return nil }
        rmdir(probe)
        return mount
    }()

    static func run(_ script: String, procs: String, joinByWrite: Bool = false) throws -> Int32 {
        let context = try #require(ContextPlan(ExecRequest(), filters: []))
        let plan = SpawnPlan(path: "/bin/sh", arguments: ["/bin/sh", "-c", script], environment: ["PATH=/usr/bin:/bin"])
        let pid = try plan.spawn(newSession: false, context: context, controlGroup: .init(procs: procs, joinByWrite: joinByWrite)).get()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    @Test(.enabled(if: unifiedMount != nil, "needs a writable cgroup v2 hierarchy"))
    func theChildStartsInTheUnitsCgroup() throws {
        let mount = try #require(Self.unifiedMount)
        let name = "wick-spawn-test-\(getpid())"
        let cgroup = mount + "/" + name
        #expect(mkdir(cgroup, 0o755) == 0)
        defer { rmdir(cgroup) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).out").path
        defer { unlink(output) }
        let status = try Self.run("cat /proc/self/cgroup > \(output)", procs: cgroup + "/cgroup.procs")
        #expect(status == 0)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains("0::/\(name)"), "\(lines)")
    }

    /// After `cgroup.kill`, a process joining the cgroup by writing `cgroup.procs` lives (one
    /// cloned into it is killed at once on kernel 6.18, which is why wick joins such a cgroup so).
    @Test(.enabled(if: unifiedMount != nil, "needs a writable cgroup v2 hierarchy"))
    func aKilledCgroupIsJoinedByWritingItsProcs() throws {
        let mount = try #require(Self.unifiedMount)
        let cgroup = mount + "/wick-spawn-killed-\(getpid())"
        #expect(mkdir(cgroup, 0o755) == 0)
        defer { rmdir(cgroup) }
        let victim = try Self.run("echo killed; exec sleep 0", procs: cgroup + "/cgroup.procs")
        #expect(victim == 0)
        let fd = open(cgroup + "/cgroup.kill", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }   // before kernel 5.14: no cgroup.kill, nothing to test
        #expect(write(fd, "1", 1) == 1)
        close(fd)
        let status = try Self.run("exit 3", procs: cgroup + "/cgroup.procs", joinByWrite: true)
        #expect(status == 3 << 8, "exited 3, not killed: \(status)")
    }

    /// clone3 refuses a directory that is no cgroup; the child then writes cgroup.procs itself
    /// (here a plain file, which takes the write), and starts.
    @Test func withoutACgroupDirectoryTheChildWritesCgroupProcs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wick-spawn-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let procs = directory + "/cgroup.procs"
        #expect(FileManager.default.createFile(atPath: procs, contents: Data()))
        #expect(try Self.run("exit 0", procs: procs) == 0)
        #expect(try String(contentsOfFile: procs, encoding: .utf8) == "0")
    }
}
