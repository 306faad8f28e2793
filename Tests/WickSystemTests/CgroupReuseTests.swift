import Foundation
import Testing
import WickSystem
import WickUnits

/// A unit's cgroup outlives a run of the unit, empty, and serves its next start (a new cgroup per
/// activation cost about 200 µs in the kernel); between runs it counts as none. A directory stands
/// for the hierarchy (no controllers, no BPF).
@Suite struct CgroupReuseTests {
    static func groups() throws -> (ControlGroups, String, String) {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("wick-reuse-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let groups = ControlGroups(mount: mount, own: "/", slice: "wick-reuse.slice", bpf: false)
        return (groups, mount, try #require(groups.base))
    }

    static func setup(tasksMax: UInt64? = nil) -> CgroupSetup {
        var resources = ResourceControl()
        if let tasksMax { resources.tasksMax = .absolute(tasksMax) }
        return CgroupSetup(resources: resources, ipRules: [], ipAccounting: false, guardsConnect: false)
    }

    /// The directory's identity: its inode and when it was made (tmpfs reuses inode numbers).
    static func inode(_ path: String) -> [Int]? {
        var info = stat()
        return stat(path, &info) == 0 ? [Int(info.st_ino), info.st_ctim.tv_sec, info.st_ctim.tv_nsec] : nil
    }

    /// A slice an earlier daemon left holds its units' cgroups, which may have been killed with
    /// cgroup.kill (a process cloned into such a cgroup is killed at birth, kernel 6.18: a
    /// new daemon's first start of the unit died at once). The empty ones are removed when the
    /// slice is claimed; one that cannot be (it holds processes) is joined by writing
    /// cgroup.procs. A fourth daemon as PID 1 still gets a slice (names beyond wick-3), and one
    /// that gets none says why.
    @Test func anEarlierDaemonsCgroupsAreNotCloneTargets() throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("wick-stale-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: mount) }
        for unit in ["gone.service", "busy.service"] {
            try FileManager.default.createDirectory(atPath: mount + "/wick.slice/" + unit, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: mount + "/wick.slice/busy.service/held", contents: Data())   // rmdir fails, as with processes
        let groups = ControlGroups(mount: mount, own: "/", slice: "wick.slice", bpf: false)
        let base = try #require(groups.base)
        #expect(base == mount + "/wick.slice")
        #expect(!FileManager.default.fileExists(atPath: base + "/gone.service"), "an empty cgroup of an earlier daemon is removed")
        var warnings: [String] = []
        _ = try groups.prepare("gone.service", Self.setup(), warnings: &warnings).get()
        #expect(!groups.wasKilled("gone.service"), "made anew: cloned into")
        _ = try groups.prepare("busy.service", Self.setup(), warnings: &warnings).get()
        #expect(groups.wasKilled("busy.service"), "not this daemon's: joined by writing cgroup.procs")
        // Held slices (flock by live daemons): the next names are tried.
        var held: [ControlGroups] = [groups]
        for _ in 0..<4 { held.append(ControlGroups(mount: mount, own: "/", slice: "wick.slice", bpf: false)) }
        #expect(held.allSatisfy { $0.base != nil && $0.unavailable == nil }, "\(held.map { $0.base ?? "none" })")
        #expect(Set(held.compactMap(\.base)).count == 5)
    }

    @Test func theNextStartReusesTheCgroupWhichCountsAsNoneBetweenRuns() throws {
        let (groups, mount, base) = try Self.groups()
        defer { try? FileManager.default.removeItem(atPath: mount) }
        var warnings: [String] = []
        let procs = try groups.prepare("echo.service", Self.setup(), warnings: &warnings).get()
        #expect(procs == base + "/echo.service/cgroup.procs")
        // Each command of one run joins the same cgroup.
        #expect(try groups.prepare("echo.service", Self.setup(), warnings: &warnings).get() == procs)
        let first = Self.inode(base + "/echo.service")
        groups.remove("echo.service")
        usleep(20_000)
        #expect(Self.inode(base + "/echo.service") == first, "kept between runs")
        #expect(groups.usage("echo.service") == CgroupUsage())
        #expect(groups.processes("echo.service").isEmpty)
        #expect(!groups.signal("echo.service", SIGTERM), "nothing to signal between runs")
        #expect(try groups.prepare("echo.service", Self.setup(), warnings: &warnings).get() == procs)
        #expect(Self.inode(base + "/echo.service") == first, "the same cgroup")
        groups.removeAll()
        #expect(!FileManager.default.fileExists(atPath: base))
    }

    /// A reload that changes the unit's limits: its next start gets a new cgroup with them.
    @Test func changedSettingsMakeANewCgroup() throws {
        let (groups, mount, base) = try Self.groups()
        defer { try? FileManager.default.removeItem(atPath: mount) }
        var warnings: [String] = []
        _ = try groups.prepare("echo.service", Self.setup(), warnings: &warnings).get()
        let first = try #require(Self.inode(base + "/echo.service"))
        groups.remove("echo.service")
        usleep(20_000)
        _ = try groups.prepare("echo.service", Self.setup(tasksMax: 10), warnings: &warnings).get()
        let second = try #require(Self.inode(base + "/echo.service"))
        #expect(first != second)
    }

    /// After a reload, the kept cgroups of units no longer loaded go; a unit in use keeps its own.
    @Test func aReloadPrunesTheCgroupsOfUnitsThatAreGone() throws {
        let (groups, mount, base) = try Self.groups()
        defer { try? FileManager.default.removeItem(atPath: mount) }
        var warnings: [String] = []
        for unit in ["gone.service", "kept.service", "running.service"] {
            _ = try groups.prepare(unit, Self.setup(), warnings: &warnings).get()
        }
        groups.remove("gone.service")
        groups.remove("kept.service")
        groups.prune(keeping: ["kept.service"])
        #expect(!FileManager.default.fileExists(atPath: base + "/gone.service"))
        #expect(FileManager.default.fileExists(atPath: base + "/kept.service"))
        #expect(FileManager.default.fileExists(atPath: base + "/running.service"))
    }
}
