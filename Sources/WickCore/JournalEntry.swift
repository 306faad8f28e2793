import WickUnits

/// journald's native protocol (systemd's src/journal/journald-native.c, sd_journal_sendv(3)): one
/// datagram per entry, each field `NAME=value\n`, or for a value that holds a newline `NAME\n`, its
/// length as 64-bit little-endian, the bytes, `\n`. Field names are upper-case letters, digits and
/// underscores, not starting with an underscore (those are journald's own, trusted fields).
public enum JournalEntry {
    public static func encode(_ fields: [(name: String, value: String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in fields where isValidName(name) {
            bytes += name.utf8
            let data = Array(value.utf8)
            if data.contains(UInt8(ascii: "\n")) {
                bytes.append(UInt8(ascii: "\n"))
                var length = UInt64(data.count).littleEndian
                withUnsafeBytes(of: &length) { bytes += $0 }
            } else {
                bytes.append(UInt8(ascii: "="))
            }
            bytes += data
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// journald's `journal_field_valid()` for a client: 1-64 bytes of A-Z, 0-9 and `_`, not
    /// starting with `_` or a digit.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), bytes[0] != UInt8(ascii: "_"), !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[0]) else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    /// The fields of one line a service wrote: what `journalctl -u UNIT` on the host finds
    /// (`OBJECT_SYSTEMD_UNIT=` from a root sender is one of its matches), with wick's own name.
    public static func serviceLine(unit: String, identifier: String, pid: Int32, priority: LogLevel, message: String) -> [UInt8] {
        encode([
            ("MESSAGE", message), ("PRIORITY", String(priority.rawValue)), ("SYSLOG_IDENTIFIER", identifier),
            ("SYSLOG_PID", String(pid)), ("OBJECT_SYSTEMD_UNIT", unit), ("WICK_UNIT", unit),
        ])
    }
}

/// journald's `SyslogLevelPrefix=`: a line that starts with `<N>` (N 0-7) has priority N, and the
/// prefix is not part of its text.
public enum SyslogPrefix {
    public static func split(_ text: String) -> (level: LogLevel?, text: String) {
        let bytes = text.utf8.prefix(3)
        guard bytes.count == 3 else { return (nil, text) }
        let first = bytes[bytes.startIndex], digit = bytes[bytes.index(after: bytes.startIndex)], last = bytes[bytes.index(bytes.startIndex, offsetBy: 2)]
        guard first == UInt8(ascii: "<"), last == UInt8(ascii: ">"), let level = LogLevel(rawValue: Int(digit) - Int(UInt8(ascii: "0"))) else { return (nil, text) }
        return (level, String(text.dropFirst(3)))
    }
}
