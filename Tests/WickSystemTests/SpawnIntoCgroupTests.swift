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

    static func run(_ script: String, procs: String) throws -> Int32 {
        var request = ExecRequest()
        request.controlGroupProcs = procs
        let plan = SpawnPlan(path: "/bin/sh", arguments: ["/bin/sh", "-c", script], environment: ["PATH=/usr/bin:/bin"])
        let pid = try plan.spawn(newSession: false, context: request).get()
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
