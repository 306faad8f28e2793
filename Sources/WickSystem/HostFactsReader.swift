import Glibc
import WickUnits

/// Fills `HostFacts` for specifiers from the running system: hostname, /etc/machine-id, the boot
/// id, and the user and group read from /etc/passwd and /etc/group directly (no NSS, so a static
/// wick works in a scratch image).
public enum HostFactsReader {
    public static func read(runtimeDirectory: String) -> HostFacts {
        var facts = HostFacts()
        var name = [CChar](repeating: 0, count: 256)
        if gethostname(&name, name.count) == 0 {
            facts.hostname = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        if let id = firstLine("/etc/machine-id") { facts.machineID = id }
        if let boot = firstLine("/proc/sys/kernel/random/boot_id") { facts.bootID = boot.filter { $0 != "-" } }
        var system = utsname()
        if uname(&system) == 0 {
            facts.kernelRelease = withUnsafeBytes(of: system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        facts.userID = getuid()
        facts.groupID = getgid()
        facts.userName = String(facts.userID)
        facts.groupName = String(facts.groupID)
        if let entry = lookup("/etc/passwd", id: facts.userID) {
            facts.userName = entry[0]
            if entry.count > 5 { facts.home = entry[5] }
            if entry.count > 6 { facts.shell = entry[6] }
        }
        if let entry = lookup("/etc/group", id: facts.groupID) { facts.groupName = entry[0] }
        if let home = getenv("HOME") { facts.home = String(cString: home) }
        facts.runtimeDirectory = runtimeDirectory
        if let tmp = getenv("TMPDIR") {
            facts.temporaryDirectory = String(cString: tmp)
            facts.persistentTemporaryDirectory = String(cString: tmp)
        }
        if facts.userID != 0 {
            let home = facts.home
            facts.stateDirectory = environment("XDG_STATE_HOME") ?? home + "/.local/state"
            facts.cacheDirectory = environment("XDG_CACHE_HOME") ?? home + "/.cache"
            facts.logsDirectory = facts.stateDirectory + "/log"
            facts.configurationDirectory = environment("XDG_CONFIG_HOME") ?? home + "/.config"
        }
        return facts
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    static func firstLine(_ path: String) -> String? {
        guard let bytes = try? FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit).contents(of: path) else { return nil }
        let line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }

    /// The fields of the line of a passwd/group file whose third field is `id`: read as bytes
    /// (`:` and newline are ASCII), only the matching line split and made into strings (splitting
    /// every line cost 48,000 instructions a file at every start).
    static func lookup(_ path: String, id: UInt32) -> [String]? {
        guard let bytes = try? FileSystemUnitSource(maximumFileSize: FileSystemUnitSource.systemFileLimit).contents(of: path) else { return nil }
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            let line = bytes[start..<end]
            if thirdField(line) == id {
                return line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            }
            start = end == bytes.endIndex ? end : end + 1
        }
        return nil
    }

    /// The third `:`-separated field of `line` as a decimal number; nil when it is missing,
    /// empty, not only digits or above `UInt32.max`.
    static func thirdField(_ line: ArraySlice<UInt8>) -> UInt32? {
        guard let first = line.firstIndex(of: UInt8(ascii: ":")),
              let second = line[(first + 1)...].firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let digits = line[(second + 1)...].prefix { $0 != UInt8(ascii: ":") }
        guard !digits.isEmpty, digits.count <= 10 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }
}
