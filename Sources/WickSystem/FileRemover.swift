import Glibc

/// Removes a directory tree without following symbolic links (systemd's `rm_rf()` for a runtime
/// directory): a link inside is removed, never what it points to.
public enum FileRemover {
    /// Nil when the tree is gone (or was never there), else what failed.
    public static func removeTree(_ path: String) -> SystemError? {
        var status = stat()
        if lstat(path, &status) != 0 { return errno == ENOENT ? nil : SystemError("lstat(\(path))") }
        if status.st_mode & S_IFMT != S_IFDIR {
            return unlink(path) == 0 ? nil : SystemError("unlink(\(path))")
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return SystemError("open(\(path))") }
        if let error = emptyDirectory(fd, path: path, depth: 0) { return error }
        return rmdir(path) == 0 ? nil : SystemError("rmdir(\(path))")
    }

    /// Empties the directory open at `fd` (and closes it). Depth is bounded so that a hostile
    /// tree cannot exhaust the stack of PID 1.
    private static func emptyDirectory(_ fd: Int32, path: String, depth: Int) -> SystemError? {
        guard depth < 64, let directory = fdopendir(fd) else {
            close(fd)
            return SystemError("opendir(\(path))", code: depth < 64 ? errno : ELOOP)
        }
        defer { closedir(directory) }
        var failure: SystemError?
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            if entry.pointee.d_type == UInt8(DT_DIR) {
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child >= 0, let error = emptyDirectory(child, path: path + "/" + name, depth: depth + 1) { failure = failure ?? error }
                if unlinkat(fd, name, AT_REMOVEDIR) != 0 { failure = failure ?? SystemError("rmdir(\(path)/\(name))") }
            } else if unlinkat(fd, name, 0) != 0 {
                failure = failure ?? SystemError("unlink(\(path)/\(name))")
            }
        }
        return failure
    }
}
