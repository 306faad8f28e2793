/// A cgroup limit as systemd parses `MemoryMax=` or `TasksMax=` (systemd.resource-control(5)):
/// an absolute value, a share of the machine's total (`50%`, `5‰`, `5‱`: the physical memory,
/// the system's task limit), or `infinity`.
public enum CgroupLimit: Hashable, Sendable, CustomStringConvertible {
    case absolute(UInt64)
    /// Parts per 10,000 of the total.
    case share(permyriad: UInt64)
    case infinity

    /// `absolute` parses a value without a share suffix; `allowZero` for the limits 0 is a valid
    /// value of (systemd: `MemoryLow=`, `MemoryMin=`, `MemorySwapMax=`).
    public static func parse(_ value: String, allowZero: Bool, absolute: (String) throws(ValueError) -> UInt64) throws(ValueError) -> CgroupLimit {
        if value == "infinity" { return .infinity }
        if let permyriad = try Permyriad.parse(value) {
            guard permyriad > 0 || allowZero else { throw ValueError("a share of 0 is not allowed here, got '\(value)'") }
            return .share(permyriad: permyriad)
        }
        let number = try absolute(value)
        guard number > 0 || allowZero else { throw ValueError("0 is not allowed here (use 'infinity' for no limit), got '\(value)'") }
        guard number < UInt64.max else { return .infinity }
        return .absolute(number)
    }

    /// The value for a cgroup file: nil for no limit (`max`); a share of `total`, rounded down.
    public func resolved(total: UInt64) -> UInt64? {
        switch self {
        case .absolute(let value): return value
        case .infinity: return nil
        case .share(let permyriad):
            let (high, low) = total.multipliedFullWidth(by: permyriad)
            // A share above 100 % of a huge total does not fit: saturate (dividingFullWidth
            // would trap).
            guard high < 10_000 else { return .max }
            return UInt64(10_000).dividingFullWidth((high, low)).quotient
        }
    }

    public var description: String {
        switch self {
        case .absolute(let value): return String(value)
        case .infinity: return "infinity"
        case .share(let permyriad): return permyriad % 100 == 0 ? "\(permyriad / 100)%" : "\(permyriad)‱"
        }
    }
}

/// systemd's `parse_permyriad()`: `N%` or `N.D%`, `N‰` or `N.D‰`, `N‱`; nil when the value has
/// none of these suffixes.
public enum Permyriad {
    public static func parse(_ value: String) throws(ValueError) -> UInt64? {
        let scales: [(suffix: String, scale: UInt64)] = [("%", 100), ("‰", 10), ("‱", 1)]
        guard let (suffix, scale) = scales.first(where: { value.hasSuffix($0.suffix) }) else { return nil }
        let number = value.dropLast(suffix.count)
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = UInt64(parts[0]), parts[0].allSatisfy({ $0.isASCII }) else { throw .expected("a share such as 50% or 2.5%", got: value) }
        var fraction: UInt64 = 0
        if parts.count == 2 {
            // One decimal of % and ‰ is as fine as ‱ goes.
            guard scale > 1, parts[1].count == 1, let digit = UInt64(parts[1]) else { throw .expected("a share such as 50% or 2.5%", got: value) }
            fraction = digit * scale / 10
        }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow, scaled <= UInt64.max - fraction else { throw ValueError("share '\(value)' is too large") }
        return scaled + fraction
    }
}
