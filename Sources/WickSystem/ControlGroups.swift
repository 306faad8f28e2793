import Glibc
import WickUnits

/// Per-unit cgroups in the unified (v2) hierarchy, where wick may write it (a delegated container
/// cgroup, or a hybrid host's unified hierarchy): each unit runs in `wick.slice/UNIT` below wick's
/// own cgroup, as systemd's system.slice (`wick-PID.slice` when wick is not PID 1, so that two
/// daemons in one cgroup never share units' cgroups). Then a control-group kill reaches every process of the
/// unit, even one that left its process group (`cgroup.kill` for SIGKILL, every member otherwise),
/// and `status` lists them. Without a writable hierarchy `base` is nil and nothing changes.
public final class ControlGroups {
    /// The directory holding the units' cgroups, nil when there is none.
    public let base: String?
    /// `base` below the hierarchy's root, for `ControlGroup=` (`/wick.slice`).
    public let relativeBase: String

    public init() {
        guard let (mount, own) = Self.unifiedHierarchy() else {
            base = nil
            relativeBase = ""
            return
        }
        let slice = getpid() == 1 ? "wick.slice" : "wick-\(getpid()).slice"
        let parent = mount + (own == "/" ? "" : own)
        Self.removeStaleSlices(parent)
        let relative = (own == "/" ? "" : own) + "/" + slice
        let path = mount + relative
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            base = nil
            relativeBase = ""
            return
        }
        base = path
        relativeBase = relative
    }

    /// `ControlGroup=` of a unit.
    public func relativePath(_ unit: String) -> String? { base == nil ? nil : relativeBase + "/" + unit }

    /// Makes the unit's cgroup; returns its `cgroup.procs`, which the child writes itself into
    /// (systemd's step "attach to the unit cgroup", 219/CGROUP), or nil without cgroups.
    public func prepare(_ unit: String) -> String? {
        guard let base, !unit.contains("/") else { return nil }
        let path = base + "/" + unit
        if mkdir(path, 0o755) != 0 && errno != EEXIST { return nil }
        return path + "/cgroup.procs"
    }

    /// The processes in the unit's cgroup.
    public func processes(_ unit: String) -> [Int32] {
        guard let base, let bytes = try? FileSystemUnitSource(maximumFileSize: 1 << 20).contents(of: base + "/" + unit + "/cgroup.procs") else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }.filter { $0 > 1 }
    }

    /// Signals every process of the unit's cgroup: SIGKILL through `cgroup.kill` (kernel 5.14),
    /// other signals to each member. False when the unit has no cgroup or nobody was there.
    @discardableResult
    public func signal(_ unit: String, _ number: Int32) -> Bool {
        guard let base else { return false }
        if number == SIGKILL, Self.write("1", to: base + "/" + unit + "/cgroup.kill") { return true }
        let members = processes(unit).filter { $0 != getpid() }
        for pid in members { _ = kill(pid, number) }
        return !members.isEmpty
    }

    /// Removes the unit's cgroup once empty (rmdir fails while a process is left).
    public func remove(_ unit: String) {
        guard let base, !unit.contains("/") else { return }
        _ = rmdir(base + "/" + unit)
    }

    /// wick is exiting: its slice goes (once its units' cgroups are empty and removed).
    public func removeAll() {
        guard let base else { return }
        for entry in FileSystemUnitSource().entries(of: base) ?? [] where entry != "." && entry != ".." {
            _ = rmdir(base + "/" + entry)
        }
        _ = rmdir(base)
    }

    /// The empty slices of earlier daemons that are gone (`wick-PID.slice` of a dead PID), which
    /// could not clean up after themselves (killed with SIGKILL).
    private static func removeStaleSlices(_ parent: String) {
        let source = FileSystemUnitSource()
        for entry in source.entries(of: parent) ?? [] where entry.hasPrefix("wick-") && entry.hasSuffix(".slice") {
            guard let pid = Int32(entry.dropFirst(5).dropLast(6)), pid > 1, kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = parent + "/" + entry
            // The units' cgroups are directories; rmdir leaves the interface files alone.
            for unit in source.entries(of: path) ?? [] where unit != "." && unit != ".." {
                _ = rmdir(path + "/" + unit)
            }
            _ = rmdir(path)
        }
    }

    private static func write(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return text.withCString { Glibc.write(fd, $0, strlen($0)) } == text.utf8.count
    }

    /// The unified hierarchy's mount point (from /proc/self/mountinfo, fstype cgroup2) and wick's
    /// cgroup in it (`0::PATH` of /proc/self/cgroup).
    private static func unifiedHierarchy() -> (mount: String, own: String)? {
        let source = FileSystemUnitSource(maximumFileSize: 4 << 20)
        guard let mountinfo = try? source.contents(of: "/proc/self/mountinfo"),
              let cgroup = try? source.contents(of: "/proc/self/cgroup") else { return nil }
        var mount: String?
        for line in String(decoding: mountinfo, as: UTF8.self).split(separator: "\n") {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
            let fields = line.split(separator: " ")
            guard let separator = fields.firstIndex(of: "-"), separator + 1 < fields.count, fields[separator + 1] == "cgroup2",
                  separator > 4 else { continue }
            if fields[3] == "/" { mount = String(fields[4]); break }
        }
        let own = String(decoding: cgroup, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
        guard let mount, let own, !own.contains("..") else { return nil }
        return (mount, own)
    }
}
