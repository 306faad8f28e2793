import Glibc
import WickControl
import WickCore
import WickSystem
import WickUnits

/// Where wick's lines go: its own messages (stderr) and its services' output (stdout), as text
/// (`wick: message`, `unit[pid]: line`, what `docker logs` shows) or as one JSON object per line
/// (`--log-format=json`: time, unit, identifier, pid, priority, message, for log collectors); or,
/// with `--log-target=journal`, to journald's native socket with the unit's fields, falling back
/// to the console for a line the journal does not take (systemd's log target does the same).
final class LogSink {
    let format: LogFormat
    private let messages: LogWriter
    private let output: LogWriter
    private let journal: JournalSocket?
    private let pid = getpid()

    init(format: LogFormat, journal: JournalSocket?, messages: LogWriter = LogWriter(descriptor: 2), output: LogWriter = LogWriter(descriptor: 1)) {
        self.format = format
        self.journal = journal
        self.messages = messages
        self.output = output
    }

    /// One of wick's own messages.
    func wick(_ level: LogLevel, _ message: String) {
        if let journal, journal.send(JournalEntry.encode([
            ("MESSAGE", message), ("PRIORITY", String(level.rawValue)), ("SYSLOG_IDENTIFIER", "wick"),
        ])) { return }
        switch format {
        case .text:
            var line = "wick: "
            line.reserveCapacity(7 + message.utf8.count)
            line += message
            line += "\n"
            messages.write(line)
        case .json: messages.write(json(unit: nil, identifier: "wick", pid: pid, priority: level, message: message))
        }
    }

    /// One line a service wrote (its `<N>` prefix already read into `priority`).
    func service(unit: String, identifier: String, pid: Int32, priority: LogLevel, message: String) {
        if let journal, journal.send(JournalEntry.serviceLine(unit: unit, identifier: identifier, pid: pid, priority: priority, message: message)) {
            return
        }
        switch format {
        case .text: output.write(unit + "[" + String(pid) + "]: " + message + "\n")
        case .json: output.write(json(unit: unit, identifier: identifier, pid: pid, priority: priority, message: message))
        }
    }

    private func json(unit: String?, identifier: String, pid: Int32, priority: LogLevel, message: String) -> String {
        var members: [(String, JSONValue)] = [("time", .string(Timestamp.utc(WallClock.microseconds())))]
        if let unit { members.append(("unit", .string(unit))) }
        members += [
            ("identifier", .string(identifier)), ("pid", .number(Double(pid))), ("priority", .number(Double(priority.rawValue))),
            ("message", .string(message)),
        ]
        return JSONValue.object(members).serialized + "\n"
    }
}

/// `--log-format`: wick's and its services' lines as text or as JSON objects.
public enum LogFormat: String, CaseIterable, Sendable { case text, json }
