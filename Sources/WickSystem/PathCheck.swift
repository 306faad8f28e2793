import Glibc

/// The path checks of `Condition*=`/`Assert*=` (systemd.unit(5) "Conditions and Asserts").
public enum PathCheck {
    public static func holds(_ check: String, _ path: String) -> Bool {
        var info = stat()
        switch check {
        case "PathExists": return access(path, F_OK) == 0
        case "PathExistsGlob":
            var result = glob_t()
            defer { globfree(&result) }
            return glob(path, 0, nil, &result) == 0 && result.gl_pathc > 0
        case "PathIsDirectory": return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
        case "PathIsSymbolicLink": return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
        case "PathIsMountPoint": return isMountPoint(path)
        case "PathIsReadWrite":
            var fs = statvfs()
            return statvfs(path, &fs) == 0 && fs.f_flag & UInt(ST_RDONLY) == 0
        case "DirectoryNotEmpty":
            guard let directory = opendir(path) else { return false }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { return true }
            }
            return false
        case "FileNotEmpty": return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && info.st_size > 0
        case "FileIsExecutable": return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
        default: return true
        }
    }

    /// A mount point has a different device than its parent, or is "/".
    static func isMountPoint(_ path: String) -> Bool {
        var own = stat(), parent = stat()
        guard stat(path, &own) == 0, stat(path + "/..", &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev || own.st_ino == parent.st_ino
    }
}
