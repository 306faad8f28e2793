import Glibc
import WickUnits

/// `--since TIME` as journalctl reads it (systemd.time(7), a subset): absolute local times
/// (`2026-11-23 10:55:01`, `2026-11-23`, `10:55`), `today`, `yesterday`, `now`, `@EPOCH`, and
/// spans back from now (`-5min`, `5min ago`). Returns microseconds since the epoch.
enum SinceParser {
    static func parse(_ text: String, now: Int64) -> Int64? {
        let value = text.trimmingSpaces
        switch value {
        case "now": return now
        case "today": return midnight(now, daysBack: 0)
        case "yesterday": return midnight(now, daysBack: 1)
        default: break
        }
        if value.hasPrefix("@") {
            guard let seconds = Double(value.dropFirst()) else { return nil }
            return Int64(seconds * 1_000_000)
        }
        var span: Substring?
        if value.hasPrefix("-") { span = value.dropFirst() } else if value.hasSuffix(" ago") { span = value.dropLast(4) }
        if let span {
            guard let parsed = try? TimeSpan.parse(String(span)), !parsed.isInfinite else { return nil }
            return now - Int64(parsed.microseconds)
        }
        return absolute(value, now: now)
    }

    /// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]`, `HH:MM[:SS]` in the local time zone.
    private static func absolute(_ value: String, now: Int64) -> Int64? {
        var parts = tm()
        var seconds = time_t(now / 1_000_000)
        localtime_r(&seconds, &parts)
        let fields = value.split(separator: " ")
        guard (1...2).contains(fields.count) else { return nil }
        var timeField: Substring?
        if fields[0].contains("-") {
            let date = fields[0].split(separator: "-").map { Int32($0) }
            guard date.count == 3, let year = date[0], let month = date[1], let day = date[2],
                  (1...12).contains(month), (1...31).contains(day) else { return nil }
            parts.tm_year = year - 1900
            parts.tm_mon = month - 1
            parts.tm_mday = day
            (parts.tm_hour, parts.tm_min, parts.tm_sec) = (0, 0, 0)
            timeField = fields.count == 2 ? fields[1] : nil
        } else {
            guard fields.count == 1 else { return nil }
            timeField = fields[0]
        }
        if let timeField {
            let clock = timeField.split(separator: ":").map { Int32($0) }
            guard (2...3).contains(clock.count), let hour = clock[0], let minute = clock[1], (0...23).contains(hour), (0...59).contains(minute)
            else { return nil }
            let second = clock.count == 3 ? clock[2] : 0
            guard let second, (0...60).contains(second) else { return nil }
            (parts.tm_hour, parts.tm_min, parts.tm_sec) = (hour, minute, second)
        }
        parts.tm_isdst = -1
        let result = mktime(&parts)
        return result == -1 ? nil : Int64(result) * 1_000_000
    }

    private static func midnight(_ now: Int64, daysBack: Int32) -> Int64 {
        var parts = tm()
        var seconds = time_t(now / 1_000_000)
        localtime_r(&seconds, &parts)
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (0, 0, 0)
        parts.tm_mday -= daysBack
        parts.tm_isdst = -1
        return Int64(mktime(&parts)) * 1_000_000
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
