/// A set of exit statuses and signals, as `SuccessExitStatus=`, `RestartPreventExitStatus=` and
/// `RestartForceExitStatus=` take it (systemd.service(5)): space-separated numbers 0–255, exit
/// status names (`TEMPFAIL`, `NOTCONFIGURED`, systemd.exec(5) "Process Exit Codes") and signal
/// names (`SIGKILL`).
public struct ExitStatusSet: Hashable, Sendable {
    public var statuses: Set<UInt8> = []
    public var signals: Set<Int32> = []

    public init(statuses: Set<UInt8> = [], signals: Set<Int32> = []) {
        self.statuses = statuses
        self.signals = signals
    }

    public var isEmpty: Bool { statuses.isEmpty && signals.isEmpty }

    /// The names systemd's `exit_status_from_string()` accepts: LSB init-script codes and BSD
    /// sysexits.
    static let names: [String: UInt8] = [
        "SUCCESS": 0, "FAILURE": 1, "INVALIDARGUMENT": 2, "NOTIMPLEMENTED": 3, "NOPERMISSION": 4,
        "NOTINSTALLED": 5, "NOTCONFIGURED": 6, "NOTRUNNING": 7,
        "USAGE": 64, "DATAERR": 65, "NOINPUT": 66, "NOUSER": 67, "NOHOST": 68, "UNAVAILABLE": 69,
        "SOFTWARE": 70, "OSERR": 71, "OSFILE": 72, "CANTCREAT": 73, "IOERR": 74, "TEMPFAIL": 75,
        "PROTOCOL": 76, "NOPERM": 77, "CONFIG": 78,
    ]

    /// Adds the words of `value` to the set (repeated assignments accumulate; the caller resets
    /// the set on an empty assignment).
    public mutating func add(_ value: String) throws(ValueError) {
        for word in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            let text = String(word)
            if let number = Int(text) {
                guard (0...255).contains(number) else {
                    throw ValueError("exit status \(number) is out of range 0-255")
                }
                statuses.insert(UInt8(number))
            } else if let named = Self.names[text] {
                statuses.insert(named)
            } else if text.hasPrefix("SIG") || Signal.names.contains(where: { $0.0 == text }) {
                signals.insert(try Signal.parse(text).number)
            } else {
                throw .expected("exit statuses (0-255 or a name such as TEMPFAIL) or signal names such as SIGTERM", got: text)
            }
        }
    }
}
