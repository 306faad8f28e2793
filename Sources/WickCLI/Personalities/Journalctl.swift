import Glibc
import WickControl
import WickSystem

/// wick invoked as `journalctl`: the lines wick captured from the units' stdout and stderr
/// (the daemon's per-unit buffers, this boot only), with journalctl's options and output
/// formats, each line with the priority and identifier the daemon gave it as journald would
/// (`SyslogLevelPrefix=`, `SyslogLevel=`, `SyslogIdentifier=`).
struct Journalctl {
    var units: [String] = []
    var follow = false
    var lines: Int?
    var since: Int64?
    var until: Int64?
    var output = "short"
    var priorities: ClosedRange<Int> = 0...7
    var quiet = false
    var reverse = false
    var hostname = true
    let now = WallClock.microseconds()

    struct Failure: Error { var message: String }

    static let formats: Set<String> = ["short", "short-iso", "short-precise", "cat", "json", "json-pretty", "with-unit"]
    static let levels = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]

    static func main(_ arguments: [String]) -> Never {
        do throws(Failure) {
            var journal = try Journalctl(parsing: arguments)
            exit(journal.run())
        } catch {
            FileHandleOutput.error(error.message)
            exit(1)
        }
    }

    init(parsing arguments: [String]) throws(Failure) {
        var index = 0
        func value(_ name: String, _ inline: String?) throws(Failure) -> String {
            if let inline { return inline }
            guard index < arguments.count else { throw Failure(message: "journalctl: option '\(name)' requires an argument") }
            index += 1
            return arguments[index - 1]
        }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            var name = argument, inline: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            } else if argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2 {
                name = String(argument.prefix(2))
                inline = String(argument.dropFirst(2))
            }
            switch name {
            case "-u", "--unit": units.append(try value(name, inline))
            case "-f", "--follow": follow = true
            case "-n", "--lines":
                // journalctl: -n takes an optional count, also as the next argument when numeric.
                var text = inline
                if text == nil, index < arguments.count, Int(arguments[index]) != nil {
                    text = arguments[index]
                    index += 1
                }
                if let text {
                    guard let count = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text), count >= 0 else {
                        throw Failure(message: "Failed to parse lines '\(text)'")
                    }
                    lines = count
                } else {
                    lines = 10
                }
            case "-e", "--pager-end": lines = lines ?? 1000
            case "-b", "--boot":
                var text = inline
                // -b takes an optional offset or boot ID, also as the next argument.
                if text == nil, index < arguments.count, Int(arguments[index]) != nil || arguments[index].count == 32 {
                    text = arguments[index]
                    index += 1
                }
                if let text, text != "0", text != "-0", text != "+0", text != "all" {
                    throw Failure(message: "journalctl --boot \(text): wick keeps the lines of the running daemon only (this boot, -b or -b 0)")
                }
            case "-S", "--since": since = try time(try value(name, inline))
            case "-U", "--until": until = try time(try value(name, inline))
            case "-o", "--output":
                output = try value(name, inline)
                guard Self.formats.contains(output) else {
                    throw Failure(message: "journalctl -o \(output): not supported by wick (short, short-iso, short-precise, cat, json, json-pretty, with-unit)")
                }
            case "-p", "--priority": priorities = try Self.priorityRange(try value(name, inline))
            case "-q", "--quiet": quiet = true
            case "-r", "--reverse": reverse = true
            case "--no-hostname": hostname = false
            case "--version":
                print(Systemctl.version)
                exit(0)
            // No effect to have: no pager, no catalog, one journal, lines never ellipsized.
            case "--no-pager", "-a", "--all", "-x", "--catalog", "--system", "-l", "--full", "--no-full", "-m", "--merge":
                continue
            case "--user", "-M", "--machine", "-D", "--directory", "--file", "--user-unit":
                throw Failure(message: "journalctl \(name): not supported by wick (it has the system's units of its own container)")
            default:
                if argument.hasPrefix("-") { throw Failure(message: "journalctl: unrecognized option '\(argument)'") }
                // journalctl MATCHES: _SYSTEMD_UNIT=name is the one wick has.
                if argument.hasPrefix("_SYSTEMD_UNIT=") { units.append(String(argument.dropFirst(14))) } else {
                    throw Failure(message: "journalctl \(argument): wick matches units only (-u UNIT or _SYSTEMD_UNIT=UNIT)")
                }
            }
        }
    }

    private func time(_ text: String) throws(Failure) -> Int64 {
        guard let value = SinceParser.parse(text, now: now) else { throw Failure(message: "Failed to parse timestamp: \(text)") }
        return value
    }

    /// `-p err`, `-p 3`, `-p warning..err` (syslog levels; the range of priorities shown).
    static func priorityRange(_ text: String) throws(Failure) -> ClosedRange<Int> {
        func level(_ word: Substring) throws(Failure) -> Int {
            if let number = Int(word), (0...7).contains(number) { return number }
            guard let index = levels.firstIndex(of: String(word)) else { throw Failure(message: "Unknown log level \(word)") }
            return index
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts[1].isEmpty {
            let low = try level(parts[0]), high = try level(parts[2])
            return min(low, high)...max(low, high)
        }
        return 0...(try level(Substring(text)))
    }

    mutating func run() -> Int32 {
        let names = units.map(Systemctl.mangle)
        let request = ControlRequest(verb: "logs", units: names, lines: nil, sinceMicroseconds: since, follow: follow, untilMicroseconds: until)
        var printed = 0
        var failure: ControlErrorCode?
        let limit = lines ?? (follow ? 10 : nil)
        let control = ControlClient.defaultPath()
        do throws(ControlClient.Failure) {
            try ControlClient.exchange(request.line, to: control) { message in
                if ControlResponse.isResponse(message) {
                    if let code = ControlErrorCode.of(message) {
                        failure = code
                        return false
                    }
                    var selected = ControlResponse.lines(message).filter(shown)
                    if let limit { selected = Array(selected.suffix(limit)) }
                    if reverse { selected.reverse() }
                    selected.forEach(emit)
                    printed += selected.count
                    return follow
                }
                let line = LogLine(message)
                if shown(line) {
                    emit(line)
                    printed += 1
                }
                return true
            }
        } catch {
            FileHandleOutput.error("journalctl: \(error)")
            return 1
        }
        // journalctl -u of a unit it has no lines of: "-- No entries --", status 0.
        if let failure, failure != .noSuchUnit { return failure.exitStatus }
        if printed == 0 && !quiet && (output.hasPrefix("short") || output == "with-unit") { print("-- No entries --") }
        return 0
    }

    private func shown(_ line: LogLine) -> Bool { priorities.contains(line.priority) }

    private static let hostname: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    private func emit(_ line: LogLine) {
        let (time, unit, pid, priority, message, identifier) = (line.time, line.unit, String(line.pid), line.priority, line.text, line.identifier)
        let host = hostname ? " " + Self.hostname : ""
        let text: String
        switch output {
        case "cat": text = message
        case "short-iso": text = "\(Timestamp.iso(time))\(host) \(identifier)[\(pid)]: \(message)"
        case "short-precise": text = "\(Timestamp.precise(time))\(host) \(identifier)[\(pid)]: \(message)"
        case "with-unit": text = "\(Timestamp.short(time))\(host) \(unit)[\(pid)]: \(message)"
        case "json", "json-pretty":
            let object = JSONValue.object([
                ("__REALTIME_TIMESTAMP", .string(String(time))), ("_HOSTNAME", .string(Self.hostname)),
                ("SYSLOG_IDENTIFIER", .string(identifier)), ("_SYSTEMD_UNIT", .string(unit)),
                ("_PID", .string(pid)), ("PRIORITY", .string(String(priority))), ("MESSAGE", .string(message)),
            ])
            text = object.serialized
        default: text = "\(Timestamp.short(time))\(host) \(identifier)[\(pid)]: \(message)"
        }
        FileHandleOutput.standard(text + "\n")
    }
}
