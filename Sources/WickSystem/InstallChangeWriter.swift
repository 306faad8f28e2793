import Glibc
import WickUnits

/// Writes what `UnitFiles` planned: the links of `enable` and `mask` (parent directories made
/// 0755 as systemctl's `mkdir_parents_label()`), and the removals of `disable` and `unmask`,
/// with a `.wants/`/`.requires/` directory left empty removed too. Below a `--root=` tree no
/// directory on the way may be a symlink: an image's /etc/systemd/system linked to the host's
/// would otherwise be written through (systemd resolves such links inside the root; wick refuses).
public enum InstallChangeWriter {
    public static func apply(_ change: InstallChange, root: String = "") throws(SystemError) {
        switch change {
        case .symlink(let path, let target):
            try checkNoSymlinks(path, below: root)
            try makeParents(of: path)
            if symlink(target, path) != 0 { throw SystemError("symlink(\(path))") }
        case .unlink(let path):
            try checkNoSymlinks(path, below: root)
            if unlink(path) != 0 && errno != ENOENT { throw SystemError("unlink(\(path))") }
            let parent = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
            if parent.hasSuffix(".wants") || parent.hasSuffix(".requires") { _ = rmdir(parent) }
        }
    }

    /// Every existing directory between `root` and `path`'s parent is a real directory.
    static func checkNoSymlinks(_ path: String, below root: String) throws(SystemError) {
        guard !root.isEmpty, path.hasPrefix(root + "/") else { return }
        var prefix = root
        for component in path.dropFirst(root.count).split(separator: "/").dropLast() {
            prefix += "/" + component
            var info = stat()
            guard lstat(prefix, &info) == 0 else { return }
            if info.st_mode & S_IFMT == S_IFLNK { throw SystemError("\(prefix) is a symlink, which --root= does not follow", code: ELOOP) }
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
