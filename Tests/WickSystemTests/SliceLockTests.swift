import Foundation
import Testing
import WickSystem
import WickUnits

/// Each daemon holds its `wick-PID.slice` locked; a daemon starting sweeps only the slices nobody
/// holds. Daemons in other PID namespaces share the hierarchy, so the PID in a slice's name says
/// nothing about its daemon: a wick as PID 1 in a test's namespace used to take every other
/// daemon's PID for dead and remove its slice, and their next unit started without its cgroup.
/// A directory stands for the hierarchy here (mkdir, rmdir and flock(2) behave the same).
@Suite struct SliceLockTests {
    static func hierarchy() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wick-slices-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A PID no process has here: as a daemon in another PID namespace looks from this one.
    static let foreignPID: Int32 = 2_147_000_000

    @Test func aLiveDaemonsSliceSurvivesWhateverItsPIDLooksLikeHere() throws {
        let mount = try Self.hierarchy()
        defer { try? FileManager.default.removeItem(atPath: mount) }
        #expect(kill(Self.foreignPID, 0) != 0 && errno == ESRCH)
        let other = ControlGroups(mount: mount, own: "/", slice: "wick-\(Self.foreignPID).slice", bpf: false)
        let otherBase = try #require(other.base)
        // Before its first unit the slice is empty: the moment the old sweep removed it.
        _ = ControlGroups(mount: mount, own: "/", slice: "wick-1.slice", bpf: false)
        #expect(FileManager.default.fileExists(atPath: otherBase))
        var warnings: [String] = []
        let setup = CgroupSetup(resources: ResourceControl(), ipRules: [], ipAccounting: false, guardsConnect: false)
        #expect(try other.prepare("probe.service", setup, warnings: &warnings).get() == otherBase + "/probe.service/cgroup.procs")
    }

    @Test func aSliceNobodyHoldsIsRemovedWithItsUnitsCgroups() throws {
        let mount = try Self.hierarchy()
        defer { try? FileManager.default.removeItem(atPath: mount) }
        // What a daemon killed with SIGKILL leaves: its slice and an empty unit cgroup, unlocked.
        #expect(mkdir(mount + "/wick-\(getpid()).slice", 0o755) == 0)
        #expect(mkdir(mount + "/wick-\(getpid()).slice/echo.service", 0o755) == 0)
        // Not wick's, or PID 1's: left alone.
        #expect(mkdir(mount + "/system.slice", 0o755) == 0)
        #expect(mkdir(mount + "/wick.slice", 0o755) == 0)
        let groups = ControlGroups(mount: mount, own: "/", slice: "wick-\(Self.foreignPID).slice", bpf: false)
        #expect(groups.base == mount + "/wick-\(Self.foreignPID).slice")
        let left = try FileManager.default.contentsOfDirectory(atPath: mount).sorted()
        #expect(left == ["system.slice", "wick-\(Self.foreignPID).slice", "wick.slice"])
    }

    /// The same name held by a live daemon (one PID in two namespaces): the second gets its own.
    @Test func aNameHeldByAnotherDaemonGetsASuffix() throws {
        let mount = try Self.hierarchy()
        defer { try? FileManager.default.removeItem(atPath: mount) }
        let first = ControlGroups(mount: mount, own: "/", slice: "wick.slice", bpf: false)
        let second = ControlGroups(mount: mount, own: "/", slice: "wick.slice", bpf: false)
        #expect(first.base == mount + "/wick.slice")
        #expect(second.base == mount + "/wick-2.slice")
        #expect(second.relativePath("a.service") == "/wick-2.slice/a.service")
    }

    /// The slice gone from under a live daemon: the unit's start fails, as systemd's
    /// unit_prepare_exec() does, instead of running without its cgroup (and its firewall).
    @Test func aUnitCgroupThatCannotBeMadeFailsTheStart() throws {
        let mount = try Self.hierarchy()
        defer { try? FileManager.default.removeItem(atPath: mount) }
        let groups = ControlGroups(mount: mount, own: "/", slice: "wick-\(Self.foreignPID).slice", bpf: false)
        let base = try #require(groups.base)
        #expect(rmdir(base) == 0)
        var warnings: [String] = []
        let setup = CgroupSetup(resources: ResourceControl(), ipRules: [], ipAccounting: false, guardsConnect: false)
        guard case .failure(let failure) = groups.prepare("probe.service", setup, warnings: &warnings) else {
            Issue.record("the start went on without the unit's cgroup")
            return
        }
        #expect(failure.description == base + "/probe.service: No such file or directory")
    }
}
