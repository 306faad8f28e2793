import Glibc
import WickUnits

/// Users and groups read from /etc/passwd and /etc/group directly (no NSS, so that a static wick
/// resolves names in a scratch image). Numeric names are taken as ids, as systemd does.
public enum UserDatabase {
    public static func userID(_ name: String) -> UInt32? {
        if let id = UInt32(name) { return id }
        return entry("/etc/passwd", name: name).flatMap { UInt32($0[2]) }
    }

    public static func groupID(_ name: String) -> UInt32? {
        if let id = UInt32(name) { return id }
        return entry("/etc/group", name: name).flatMap { UInt32($0[2]) }
    }

    static func entry(_ path: String, name: String) -> [String]? {
        guard let bytes = try? FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit).contents(of: path) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if fields.count > 2, fields[0] == name { return fields }
        }
        return nil
    }
}
