import Glibc

/// Wall-clock times as systemctl and journalctl print them, in the local time zone (TZ,
/// /etc/localtime; UTC when neither exists, as in most containers).
public enum Timestamp {
    /// `Mon 2026-11-23 10:55:01 UTC` (systemd's `format_timestamp()`).
    public static func full(_ microseconds: Int64) -> String {
        format(microseconds, "%a %Y-%m-%d %H:%M:%S %Z")
    }

    /// `Nov 23 10:55:01` (journalctl's short format).
    public static func short(_ microseconds: Int64) -> String {
        format(microseconds, "%b %d %H:%M:%S")
    }

    /// `2026-11-23T10:55:01+0000` (journalctl's short-iso).
    public static func iso(_ microseconds: Int64) -> String {
        format(microseconds, "%Y-%m-%dT%H:%M:%S%z")
    }

    /// `Nov 23 10:55:01.123456` (journalctl's short-precise).
    public static func precise(_ microseconds: Int64) -> String {
        let fraction = String(((microseconds % 1_000_000) + 1_000_000) % 1_000_000)
        return short(microseconds) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// `2026-11-23T10:55:01.123456Z` (RFC 3339 in UTC, for log collectors).
    public static func utc(_ microseconds: Int64) -> String {
        var seconds = time_t(microseconds / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S", &parts)
        let fraction = String(((microseconds % 1_000_000) + 1_000_000) % 1_000_000)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) + "."
            + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }

    /// `3min 2s ago` (systemd's `format_timestamp_relative()`: the two largest units, whole
    /// seconds under a minute, milliseconds under a second).
    public static func relative(_ microseconds: Int64, now: Int64) -> String {
        let delta = now - microseconds
        if delta < 0 { return "in the future" }
        if delta < 1_000_000 { return "\(delta / 1000)ms ago" }
        if delta < 60_000_000 { return "\(delta / 1_000_000)s ago" }
        let table: [(String, Int64)] = [
            ("y", 31_557_600_000_000), ("month", 2_629_800_000_000), ("w", 604_800_000_000), ("d", 86_400_000_000),
            ("h", 3_600_000_000), ("min", 60_000_000), ("s", 1_000_000), ("ms", 1_000),
        ]
        var rest = delta
        var parts: [String] = []
        for (name, size) in table where rest >= size && parts.count < 2 {
            parts.append("\(rest / size)\(name)")
            rest %= size
        }
        return parts.isEmpty ? "now" : parts.joined(separator: " ") + " ago"
    }

    private static func format(_ microseconds: Int64, _ pattern: String) -> String {
        var seconds = time_t(microseconds / 1_000_000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
