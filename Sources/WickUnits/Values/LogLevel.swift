/// syslog's levels, as systemd names them (`--log-level=`, `SYSTEMD_LOG_LEVEL=`): a message is
/// written when its level is at or above the configured one (numerically at or below).
public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case emerg = 0, alert, crit, err, warning, notice, info, debug

    public var name: String { String(describing: self) }

    /// A name (`warning`, also `error` and `warn`) or a number 0-7, as systemd's
    /// log_level_from_string() reads it.
    public init?(parsing text: String) {
        let lowered = text.lowercased()
        if let number = Int(lowered), let level = LogLevel(rawValue: number) { self = level; return }
        if lowered == "error" { self = .err; return }
        if lowered == "warn" { self = .warning; return }
        guard let level = LogLevel.allCases.first(where: { $0.name == lowered }) else { return nil }
        self = level
    }

    public static func < (left: LogLevel, right: LogLevel) -> Bool { left.rawValue < right.rawValue }
}
