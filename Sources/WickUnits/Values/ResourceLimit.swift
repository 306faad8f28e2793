/// A resource limit as `LimitNOFILE=` and friends take it (systemd.exec(5) "Process Properties"):
/// `value` for both soft and hard, or `soft:hard`; each a number or `infinity`. Time limits
/// (`LimitCPU=`, `LimitRTTIME=`) and size limits accept systemd's units.
public struct ResourceLimit: Hashable, Sendable {
    /// `nil` means unlimited (`RLIM_INFINITY`).
    public var soft: UInt64?
    public var hard: UInt64?

    public init(soft: UInt64?, hard: UInt64?) {
        self.soft = soft
        self.hard = hard
    }

    /// How a value is written: a plain count, a size (`K`, `M`, `G` in 1024s), a time in seconds
    /// (rounded up) or microseconds, or a nice level (`LimitNICE=`: `+N`, `-N` or raw 0-40).
    public enum Unit: Sendable { case count, bytes, seconds, microseconds, nice }

    public static func parse(_ value: String, unit: Unit) throws(ValueError) -> ResourceLimit {
        let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let soft = try parseOne(String(parts[0]), unit: unit, whole: value)
        let hard = parts.count == 2 ? try parseOne(String(parts[1]), unit: unit, whole: value) : soft
        if let soft, let hard, soft > hard {
            throw ValueError("soft limit \(soft) is above hard limit \(hard) in '\(value)'")
        }
        if soft == nil, hard != nil {
            throw ValueError("soft limit 'infinity' is above the hard limit in '\(value)'")
        }
        return ResourceLimit(soft: soft, hard: hard)
    }

    private static func parseOne(_ text: String, unit: Unit, whole: String) throws(ValueError) -> UInt64? {
        if text == "infinity" { return nil }
        switch unit {
        case .count:
            guard let number = UInt64(text) else {
                throw .expected("a number, 'infinity', or 'soft:hard'", got: whole)
            }
            return number
        case .bytes:
            return try ByteSize.parse(text)
        case .seconds:
            let span = try TimeSpan.parse(text)
            return span.isInfinite ? nil : span.microseconds / 1_000_000 + (span.microseconds % 1_000_000 == 0 ? 0 : 1)
        case .nice:
            // systemd's rlimit_parse_nice(): +N (0-19) is 20-N, -N (0-20) is 20+N, else raw 0-40.
            let expected = "a nice level (+0 to +19, -0 to -20) or a raw limit 0-40"
            if let sign = text.first, sign == "+" || sign == "-" {
                guard let level = UInt64(text.dropFirst()), level <= (sign == "+" ? 19 : 20) else { throw .expected(expected, got: whole) }
                return sign == "+" ? 20 - level : 20 + level
            }
            guard let raw = UInt64(text), raw <= 40 else { throw .expected(expected, got: whole) }
            return raw
        case .microseconds:
            let span = try TimeSpan.parse(text, defaultUnit: 1)
            return span.isInfinite ? nil : span.microseconds
        }
    }
}
