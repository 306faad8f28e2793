/// A duration as systemd parses it with `parse_sec()` (systemd.time(7)): a sum of numbers with
/// unit names (`1min 30s`, `100ms`, `2h`, `1.5s`), a bare number meaning seconds, or `infinity`.
/// Stored in microseconds, systemd's `usec_t`.
public struct TimeSpan: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Microseconds; `UInt64.max` is `infinity` (systemd's `USEC_INFINITY`).
    public var microseconds: UInt64

    public init(microseconds: UInt64) { self.microseconds = microseconds }
    public static func seconds(_ s: UInt64) -> TimeSpan { TimeSpan(microseconds: s * 1_000_000) }
    public static func milliseconds(_ ms: UInt64) -> TimeSpan { TimeSpan(microseconds: ms * 1_000) }
    public static let infinity = TimeSpan(microseconds: .max)

    /// A timeout (`TimeoutStartSec=`, `TimeoutStopSec=`, `TimeoutSec=`, `TimeoutAbortSec=`): as
    /// `parse`, with `0` meaning no timeout (systemd's `parse_sec_fix_0()`).
    public static func parseTimeout(_ text: String) throws(ValueError) -> TimeSpan {
        let span = try parse(text)
        return span == .zero ? .infinity : span
    }
    public static let zero = TimeSpan(microseconds: 0)

    public var isInfinite: Bool { microseconds == .max }
    public var nanoseconds: UInt64 { isInfinite ? .max : microseconds.multipliedReportingOverflow(by: 1000).overflow ? .max : microseconds * 1000 }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.microseconds < rhs.microseconds }

    /// systemd's unit names and their length in microseconds (`time-util.c`).
    static let units: [(name: String, microseconds: UInt64)] = [
        ("seconds", 1_000_000), ("second", 1_000_000), ("sec", 1_000_000), ("s", 1_000_000),
        ("minutes", 60_000_000), ("minute", 60_000_000), ("min", 60_000_000),
        ("months", 2_629_800_000_000), ("month", 2_629_800_000_000), ("M", 2_629_800_000_000),
        ("msec", 1_000), ("ms", 1_000), ("m", 60_000_000),
        ("hours", 3_600_000_000), ("hour", 3_600_000_000), ("hr", 3_600_000_000), ("h", 3_600_000_000),
        ("days", 86_400_000_000), ("day", 86_400_000_000), ("d", 86_400_000_000),
        ("weeks", 604_800_000_000), ("week", 604_800_000_000), ("w", 604_800_000_000),
        ("years", 31_557_600_000_000), ("year", 31_557_600_000_000), ("y", 31_557_600_000_000),
        ("usec", 1), ("us", 1), ("µs", 1), ("μs", 1),
    ]

    /// Parses with `defaultUnit` for bare numbers (seconds for most directives, as `parse_sec()`).
    public static func parse(_ value: String, defaultUnit: UInt64 = 1_000_000) throws(ValueError) -> TimeSpan {
        let text = value.trimmingWhitespace()
        if text == "infinity" { return .infinity }
        let expected = "a time span such as '5', '5s', '1min 30s', '100ms' or 'infinity'"
        guard !text.isEmpty else { throw .expected(expected, got: value) }
        var rest = Substring(text)
        var total: UInt64 = 0
        var sawComponent = false
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            if rest.isEmpty { break }
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction = Substring("")
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
                guard !fraction.isEmpty else { throw .expected(expected, got: value) }
            }
            guard !whole.isEmpty || !fraction.isEmpty, let integer = whole.isEmpty ? 0 : UInt64(whole) else {
                throw .expected(expected, got: value)
            }
            rest = rest.drop { $0 == " " || $0 == "\t" }
            let unitName = rest.prefix { $0.isLetter || $0 == "µ" }
            let multiplier: UInt64
            if unitName.isEmpty {
                multiplier = defaultUnit
            } else if let unit = units.first(where: { $0.name == unitName }) {
                multiplier = unit.microseconds
            } else {
                throw ValueError("unknown time unit '\(unitName)' in '\(value)' (expected us, ms, s, min, h, d, w, M, y)")
            }
            rest = rest.dropFirst(unitName.count)
            let (product, overflow) = integer.multipliedReportingOverflow(by: multiplier)
            guard !overflow else { throw ValueError("time span '\(value)' is too large") }
            let (part, partOverflow) = product.addingReportingOverflow(DecimalFraction.scaled(fraction, by: multiplier))
            guard !partOverflow else { throw ValueError("time span '\(value)' is too large") }
            let (sum, sumOverflow) = total.addingReportingOverflow(part)
            guard !sumOverflow, sum != .max else { throw ValueError("time span '\(value)' is too large") }
            total = sum
            sawComponent = true
        }
        guard sawComponent else { throw .expected(expected, got: value) }
        return TimeSpan(microseconds: total)
    }

    /// systemd's `format_timespan(t, 0)`, as `systemctl show` prints a `*USec` property:
    /// `1min 30s`, `100ms`, `infinity`; what is left under a minute with a remainder in dot
    /// notation, to the microsecond (`1.500000s`, `1min 1.500000s`, `20.701ms`).
    public var description: String { formatted(accuracy: 1) }

    /// systemd's `format_timespan(t, accuracy)`: parts below `accuracy` (a power of ten of
    /// microseconds) left out, and the dot notation's digits cut to it (`systemctl status`'s
    /// `CPU: 1.234s` with a millisecond).
    public func formatted(accuracy: UInt64) -> String {
        if isInfinite { return "infinity" }
        if microseconds == 0 { return "0" }
        // (suffix, microseconds, decimal places of its dot notation)
        let table: [(String, UInt64, Int)] = [
            ("y", 31_557_600_000_000, 0), ("month", 2_629_800_000_000, 0), ("w", 604_800_000_000, 0),
            ("d", 86_400_000_000, 0), ("h", 3_600_000_000, 0), ("min", 60_000_000, 0), ("s", 1_000_000, 6),
            ("ms", 1_000, 3), ("us", 1, 0),
        ]
        var rest = microseconds
        var parts: [String] = []
        for (name, size, places) in table where rest >= size {
            if rest < accuracy && !parts.isEmpty { break }
            let whole = rest / size
            var remainder = rest % size
            if rest < 60_000_000, remainder > 0 {
                // As many digits as the unit has below it, less those below the accuracy.
                var digits = places
                var cut = accuracy
                while cut > 1 {
                    remainder /= 10
                    digits -= 1
                    cut /= 10
                }
                if digits > 0 {
                    let text = String(remainder)
                    parts.append("\(whole).\(String(repeating: "0", count: max(0, digits - text.utf8.count)))\(text)\(name)")
                    rest = 0
                    break
                }
            }
            parts.append("\(whole)\(name)")
            rest %= size
        }
        return parts.joined(separator: " ")
    }
}
