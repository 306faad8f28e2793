/// Where a piece of unit-file text came from: the file and the 1-based line (0 when the problem
/// concerns the whole file or unit, as systemd reports "Failed to load configuration").
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// How bad a problem is. An error makes the unit unloadable ("bad-setting" in systemd's
/// `LoadState=`); a warning leaves it loaded and says what wick does instead.
public enum Severity: String, Sendable, Comparable {
    case warning
    case error

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .warning && rhs == .error
    }
}

/// One problem found in a unit file, printed as `file:line: severity: message` like a compiler
/// (and like the messages of `systemd-analyze verify`).
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var severity: Severity
    /// The unit the problem belongs to (`web.socket`), when known.
    public var unit: String?
    /// The directive involved (`ListenStream`), when there is one.
    public var directive: String?
    public var message: String

    public init(
        _ severity: Severity, at location: SourceLocation, unit: String? = nil,
        directive: String? = nil, _ message: String
    ) {
        self.location = location
        self.severity = severity
        self.unit = unit
        self.directive = directive
        self.message = message
    }

    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}

extension Array where Element == Diagnostic {
    /// True when any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
