import Glibc
import WickUnits

/// Reads the kernel's process table (/proc).
public enum ProcessTable {
    /// The pids whose parent is `parent` (from /proc/PID/stat; the name field may hold spaces and
    /// parentheses, so fields are counted after its closing parenthesis).
    public static func children(of parent: Int32) -> [Int32] {
        let source = FileSystemUnitSource()
        var result: [Int32] = []
        for entry in source.entries(of: "/proc") ?? [] {
            guard let pid = Int32(entry), let bytes = try? source.contents(of: "/proc/\(entry)/stat"),
                  let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { continue }
            let fields = String(decoding: bytes[(close + 1)...], as: UTF8.self).split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == parent { result.append(pid) }
        }
        return result
    }
}
