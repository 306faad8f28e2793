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
    /// `FDSTORE=1`: the fds sent with the message go to the service's fd store.
    public var fdStore = false
    /// `FDSTOREREMOVE=1`: the entries named `FDNAME=` leave the store (it takes precedence over
    /// `FDSTORE=1`).
    public var fdStoreRemove = false
    /// The first `FDNAME=` line's value, as written (systemd's strv_find_startswith()).
    public var fdName: String?
    /// `FDPOLL=0`: the stored fds are not watched for a hang-up.
    public var fdPoll = true

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
            case "FDSTORE": message.fdStore = message.fdStore || value == "1"
            case "FDSTOREREMOVE": message.fdStoreRemove = message.fdStoreRemove || value == "1"
            case "FDNAME": if message.fdName == nil { message.fdName = String(value) }
            case "FDPOLL": message.fdPoll = message.fdPoll && value != "0"
            default: break
            }
        }
        return message
    }

    /// What the message asks of the fd store, from the end of systemd's service_notify_message().
    public enum FDStoreRequest: Equatable, Sendable {
        /// Store the message's fds under `name` (`stored` without a valid `FDNAME=`; `invalidName`:
        /// one was given and ignored), watched for a hang-up unless `FDPOLL=0`.
        case store(name: String, poll: Bool, invalidName: Bool)
        /// Close every entry named `name`.
        case remove(name: String)
        /// `FDSTOREREMOVE=1` without a valid `FDNAME=`: ignored, with a warning.
        case removeWithoutName
    }

    /// nil when the message asks nothing of the store (its fds, if any, are closed).
    public var fdStoreRequest: FDStoreRequest? {
        if fdStoreRemove {
            guard let fdName, Self.isValidFDName(fdName) else { return .removeWithoutName }
            return .remove(name: fdName)
        }
        guard fdStore else { return nil }
        if let fdName, Self.isValidFDName(fdName) { return .store(name: fdName, poll: fdPoll, invalidName: false) }
        return .store(name: "stored", poll: fdPoll, invalidName: fdName != nil)
    }

    /// systemd's fdname_is_valid(): at most 255 printable ASCII characters (0x20-0x7E) other than
    /// `:` (the separator of `LISTEN_FDNAMES=`); the empty name is valid.
    public static func isValidFDName(_ name: String) -> Bool {
        name.utf8.count <= 255 && name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
    }
}
