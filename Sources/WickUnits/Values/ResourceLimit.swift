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

    public enum Unit: Sendable { case count, bytes, seconds, microseconds }

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
            return span.isInfinite ? nil : span.microseconds / 1_000_000
        case .microseconds:
            let span = try TimeSpan.parse(text, defaultUnit: 1)
            return span.isInfinite ? nil : span.microseconds
        }
    }
}
