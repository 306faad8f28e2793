import Glibc
import WickUnits

/// Users and groups read from /etc/passwd and /etc/group directly (no NSS, so that a static wick
/// resolves names in a scratch image). Numeric names are taken as ids, as systemd does.
public enum UserDatabase {
    public static func userID(_ name: String) -> UInt32? {
        if let id = UInt32(name) { return id }
        return entry("/etc/passwd", name: name).flatMap { UInt32($0[2]) }
    }

    /// systemd's get_user_creds() without flags: the uid and primary gid of a user name or of a
    /// number that is a user in /etc/passwd; root and nobody even when the file lacks them
    /// (synthesize_user_creds()).
    public static func userCredentials(_ name: String) -> (uid: UInt32, gid: UInt32)? {
        if name == "root" || name == "0" { return (0, 0) }
        if name == "nobody" || name == "65534" { return (65534, 65534) }
        let fields: [String]?
        if let id = UInt32(name) {
            fields = entries("/etc/passwd").first { $0.count > 3 && UInt32($0[2]) == id }
        } else {
            fields = entry("/etc/passwd", name: name)
        }
        guard let fields, fields.count > 3, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { return nil }
        return (uid, gid)
    }

    public static func groupID(_ name: String) -> UInt32? {
        if let id = UInt32(name) { return id }
        return entry("/etc/group", name: name).flatMap { UInt32($0[2]) }
    }

    static func entry(_ path: String, name: String) -> [String]? {
        entries(path).first { $0.count > 2 && $0[0] == name }
    }

    /// The lines of /etc/passwd or /etc/group, each split into fields as it is reached (a lookup
    /// stops at its match); none when unreadable.
    static func entries(_ path: String) -> LazyMapSequence<[Substring], [String]> {
        let bytes = (try? FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit).contents(of: path)) ?? []
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").lazy.map {
            $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
