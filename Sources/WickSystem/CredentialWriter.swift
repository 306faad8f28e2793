import Glibc

/// Writes a unit's credentials (systemd.exec(5) "Credentials"): /run/credentials/UNIT with mode
/// 0500 and one file per credential with mode 0400, owned by the unit's user, never following a
/// symbolic link.
public enum CredentialWriter {
    public static func write(directory: String, files: [(name: String, contents: [UInt8])], owner: (uid: UInt32, gid: UInt32)?) -> SystemError? {
        let parent = String(directory[..<(directory.lastIndex(of: "/") ?? directory.endIndex)])
        if mkdir(parent, 0o755) != 0 && errno != EEXIST { return SystemError("mkdir(\(parent))") }
        if mkdir(directory, 0o700) != 0 { return SystemError("mkdir(\(directory))") }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directoryFD >= 0 else { return SystemError("open(\(directory))") }
        defer { close(directoryFD) }
        for (name, contents) in files {
            let fd = openat(directoryFD, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o400)
            guard fd >= 0 else { return SystemError("open(\(directory)/\(name))") }
            defer { close(fd) }
            var written = 0
            while written < contents.count {
                let count = contents[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return SystemError("write(\(directory)/\(name))") }
                written += count
            }
            if let owner, fchown(fd, owner.uid, owner.gid) != 0 { return SystemError("chown(\(directory)/\(name))") }
        }
        if let owner, fchown(directoryFD, owner.uid, owner.gid) != 0 { return SystemError("chown(\(directory))") }
        if fchmod(directoryFD, 0o500) != 0 { return SystemError("chmod(\(directory))") }
        return nil
    }
}
