import Glibc
import WickUnits

/// Writes what `UnitFiles` planned: the links of `enable` and `mask` (parent directories made
/// 0755 as systemctl's `mkdir_parents_label()`), and the removals of `disable` and `unmask`,
/// with a `.wants/`/`.requires/` directory left empty removed too.
public enum InstallChangeWriter {
    public static func apply(_ change: InstallChange) throws(SystemError) {
        switch change {
        case .symlink(let path, let target):
            try makeParents(of: path)
            if symlink(target, path) != 0 { throw SystemError("symlink(\(path))") }
        case .unlink(let path):
            if unlink(path) != 0 && errno != ENOENT { throw SystemError("unlink(\(path))") }
            let parent = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
            if parent.hasSuffix(".wants") || parent.hasSuffix(".requires") { _ = rmdir(parent) }
        }
    }

    static func makeParents(of path: String) throws(SystemError) {
        var prefix = ""
        for component in path.split(separator: "/").dropLast() {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw SystemError("mkdir(\(prefix))") }
        }
    }
}
