/// One sd_notify(3) datagram, newline-separated `KEY=VALUE` assignments. Unknown keys are ignored,
/// as systemd ignores them.
public struct NotifyMessage: Equatable, Sendable {
    public var ready = false
    public var stopping = false
    public var reloading = false
    public var watchdog = false
    public var status: String?
    public var mainPID: Int32?
    /// `EXTEND_TIMEOUT_USEC=`: the current start or stop timeout is extended to now + this.
    public var extendTimeoutMicroseconds: UInt64?
    /// `WATCHDOG_USEC=`: a new watchdog interval (0 turns the watchdog off).
    public var watchdogMicroseconds: UInt64?
    /// `ERRNO=`: shown in status.
    public var errorNumber: Int32?

    public init() {}

    /// Parses a datagram; malformed lines are skipped (a service cannot break the manager).
    public static func parse(_ bytes: some Collection<UInt8>) -> NotifyMessage {
        var message = NotifyMessage()
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals]
            let value = line[line.index(after: equals)...]
            switch key {
            case "READY": message.ready = value == "1"
            case "STOPPING": message.stopping = value == "1"
            case "RELOADING": message.reloading = value == "1"
            case "WATCHDOG": message.watchdog = value == "1"
            case "STATUS": message.status = String(value.prefix(4096))
            case "MAINPID": message.mainPID = Int32(value).flatMap { $0 > 0 ? $0 : nil }
            case "EXTEND_TIMEOUT_USEC": message.extendTimeoutMicroseconds = UInt64(value)
            case "WATCHDOG_USEC": message.watchdogMicroseconds = UInt64(value)
            case "ERRNO": message.errorNumber = Int32(value)
            default: break
            }
        }
        return message
    }
}
