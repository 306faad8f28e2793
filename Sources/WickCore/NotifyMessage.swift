import WickUnits

/// One sd_notify(3) datagram, newline-separated `KEY=VALUE` assignments, read as systemd's
/// service_notify_message() reads them: a flag (`READY=1`) is a whole line anywhere in the
/// message, a value is the first line with its key (strv_find_startswith()). Unknown keys are
/// ignored, as systemd ignores them.
public struct NotifyMessage: Equatable, Sendable {
    public var ready = false
    public var stopping = false
    public var reloading = false
    public var watchdog = false
    /// `WATCHDOG=trigger`: the service asks for its watchdog's action at once
    /// (service_force_watchdog()).
    public var watchdogTrigger = false
    /// A `WATCHDOG=` value other than `1` and `trigger` ("Passed WATCHDOG= field is invalid").
    public var watchdogInvalid = false
    /// `STATUS=`: the status text; empty clears it. Not valid UTF-8: left out (`statusInvalid`).
    public var status: String?
    public var statusInvalid = false
    public var mainPID: Int32?
    /// `EXTEND_TIMEOUT_USEC=`: the current start or stop timeout is extended to now + this.
    public var extendTimeoutMicroseconds: UInt64?
    /// `WATCHDOG_USEC=`: a new watchdog interval (0 turns the watchdog off).
    public var watchdogMicroseconds: UInt64?
    /// `ERRNO=` (systemd's parse_errno()): a number 0-4095 (`errorNumber`), or a name such as
    /// `ENOENT` (`errorName`, for the daemon to look up); anything else is `errorInvalid`.
    public var errorNumber: Int32?
    public var errorName: String?
    public var errorInvalid = false
    /// `NOTIFYACCESS=`: the service changes its own `NotifyAccess=` until it next stops or starts;
    /// `notifyAccessInvalid` when the value is not one of the four.
    public var notifyAccess: ServiceSection.NotifyAccess?
    public var notifyAccessInvalid = false
    /// `BARRIER=1` (sd_notify_barrier(3)): the manager closes the one fd sent with it and does
    /// nothing else; `lineCount` tells whether anything else came with it.
    public var barrier = false
    public var lineCount = 0
    /// A backslash ended the message: systemd cannot split it into lines and ignores it whole.
    public var unsplittable = false
    /// `FDSTORE=1`: the fds sent with the message go to the service's fd store.
    public var fdStore = false
    /// `FDSTOREREMOVE=1`: the entries named `FDNAME=` leave the store (it takes precedence over
    /// `FDSTORE=1`).
    public var fdStoreRemove = false
    /// The first `FDNAME=` line's value, as written.
    public var fdName: String?
    /// `FDPOLL=0`: the stored fds are not watched for a hang-up.
    public var fdPoll = true

    public init() {}

    /// Parses a datagram; malformed lines are skipped (a service cannot break the manager).
    public static func parse(_ bytes: some Collection<UInt8>) -> NotifyMessage {
        var message = NotifyMessage()
        guard let lines = splitLines(bytes) else {
            message.unsplittable = true
            return message
        }
        var seen: Set<Substring> = []
        for rawLine in lines {
            message.lineCount &+= 1
            let line = Substring(String(decoding: rawLine, as: UTF8.self))
            switch line {
            case "READY=1": message.ready = true
            case "STOPPING=1": message.stopping = true
            case "RELOADING=1": message.reloading = true
            case "BARRIER=1": message.barrier = true
            case "FDSTORE=1": message.fdStore = true
            case "FDSTOREREMOVE=1": message.fdStoreRemove = true
            case "FDPOLL=0": message.fdPoll = false
            default: break
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals]
            let value = line[line.index(after: equals)...]
            // Values: the first line with the key only.
            guard seen.insert(key).inserted else { continue }
            switch key {
            case "WATCHDOG":
                switch value {
                case "1": message.watchdog = true
                case "trigger": message.watchdogTrigger = true
                default: message.watchdogInvalid = true
                }
            case "STATUS":
                // The raw bytes after "STATUS=": systemd ignores a text that is not UTF-8.
                if let text = String(validating: rawLine.dropFirst(7), as: UTF8.self) {
                    message.status = String(text.prefix(4096))
                } else {
                    message.statusInvalid = true
                }
            case "MAINPID": message.mainPID = Int32(value).flatMap { $0 > 0 ? $0 : nil }
            case "EXTEND_TIMEOUT_USEC": message.extendTimeoutMicroseconds = UInt64(value)
            case "WATCHDOG_USEC": message.watchdogMicroseconds = UInt64(value)
            case "ERRNO":
                if let number = Int32(value), (0...4095).contains(number) {
                    message.errorNumber = number
                } else if value.count > 1, value.count <= 32, value.first == "E", value.utf8.allSatisfy({ (65...90).contains($0) || (48...57).contains($0) }) {
                    message.errorName = String(value)
                } else {
                    message.errorInvalid = true
                }
            case "NOTIFYACCESS":
                message.notifyAccess = ServiceSection.NotifyAccess(rawValue: String(value))
                message.notifyAccessInvalid = message.notifyAccess == nil
            case "FDNAME": message.fdName = String(value)
            default: break
            }
        }
        return message
    }

    /// systemd's strv_split_newlines(): words separated by `\n` or `\r` (empty ones dropped), a
    /// backslash taking the next byte as it is (extract_first_word() without flags); a backslash
    /// at the end makes the message unreadable (nil).
    static func splitLines(_ bytes: some Collection<UInt8>) -> [[UInt8]]? {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var escaped = false
        for byte in bytes {
            if escaped {
                current.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if !current.isEmpty { lines.append(current) }
                current = []
            } else {
                current.append(byte)
            }
        }
        guard !escaped else { return nil }
        if !current.isEmpty { lines.append(current) }
        return lines
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
