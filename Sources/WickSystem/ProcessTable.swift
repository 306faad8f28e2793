import Glibc
import WickUnits

/// Reads the kernel's process table (/proc). Everything read is checked: a pid that vanishes
/// between two reads, or a malformed line, gives "unknown", never a trap.
public enum ProcessTable {
    /// One process's parent and state letter, from /proc/PID/stat (the name field may hold spaces
    /// and parentheses, so fields are counted after its last closing parenthesis).
    public struct Entry: Equatable, Sendable {
        public var parent: Int32
        /// `R`, `S`, `D`, `Z` (zombie: exited, not yet reaped), ...
        public var state: Character
        public var group: Int32 = 0
    }

    public static func entry(of pid: Int32) -> Entry? {
        guard pid > 0, let bytes = try? FileSystemUnitSource().contents(of: "/proc/\(pid)/stat") else { return nil }
        return parseStat(bytes)
    }

    static func parseStat(_ bytes: [UInt8]) -> Entry? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = String(decoding: bytes[(close + 1)...], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let state = fields[0].first, let parent = Int32(fields[1]) else { return nil }
        return Entry(parent: parent, state: state, group: fields.count > 2 ? Int32(fields[2]) ?? 0 : 0)
    }

    /// Whether a process of the process group `group` is alive (not a zombie): what is left of
    /// a unit, as a cgroup counts it (an exited process that is not reaped yet has left it).
    public static func hasLiveMember(group: Int32) -> Bool {
        for entry in FileSystemUnitSource().entries(of: "/proc") ?? [] {
            guard let pid = Int32(entry), let found = self.entry(of: pid), found.group == group else { continue }
            if found.state != "Z" && found.state != "X" { return true }
        }
        return false
    }

    /// The pids whose parent is `parent`.
    public static func children(of parent: Int32) -> [Int32] {
        var result: [Int32] = []
        for entry in FileSystemUnitSource().entries(of: "/proc") ?? [] {
            guard let pid = Int32(entry), self.entry(of: pid)?.parent == parent else { continue }
            result.append(pid)
        }
        return result
    }

    /// The parents of `pid` up to (not including) `ancestor`, when `pid` is alive (not a zombie)
    /// and `ancestor` is among its parents; nil otherwise. The walk stops at pid 1 and after
    /// `maximumDepth` steps, so a hostile process table cannot make it loop.
    public static func lineage(of pid: Int32, below ancestor: Int32, maximumDepth: Int = 256) -> [Int32]? {
        guard let first = entry(of: pid), first.state != "Z", first.state != "X" else { return nil }
        var parents: [Int32] = []
        var parent = first.parent
        for _ in 0..<maximumDepth {
            if parent == ancestor { return parents }
            guard parent > 1, let next = entry(of: parent) else { return nil }
            parents.append(parent)
            parent = next.parent
        }
        return nil
    }
}
