import ArgumentParser
import WickControl
import WickSystem

/// `wick logs [-f] [-n N] [--since TIME] [UNIT...]` (journalctl -u): the lines wick captured from
/// the units' stdout and stderr, from the daemon's per-unit ring buffers, oldest first.
public struct Logs: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Print the recent output of units (all when none are named); -f follows.",
        discussion: """
            TIME for --since: YYYY-MM-DD [HH:MM[:SS]], HH:MM[:SS] (today), today, yesterday, now, @EPOCH, \
            or a time span back from now: "-5min", "5min ago", "1h 30min ago".
            """
    )
    @Argument(help: "Units whose lines to print.") var units: [String] = []
    @Flag(name: [.short, .long], help: "Keep printing new lines as they arrive.") var follow = false
    @Option(name: [.customShort("n"), .customLong("lines")], help: "Only the last N lines (default: all; 10 with -f).") var lines: Int?
    @Option(help: "Only lines written at or after TIME.") var since: String?
    @OptionGroup var options: ControlOptions
    public init() {}

    public func validate() throws {
        if let lines, lines < 0 { throw ValidationError("-n must be 0 or more") }
        if let since, SinceParser.parse(since, now: WallClock.microseconds()) == nil {
            throw ValidationError("--since \(since): expected a date (YYYY-MM-DD [HH:MM[:SS]]), a time (HH:MM[:SS]), @EPOCH, today, yesterday, or a span like \"5min ago\"")
        }
    }

    public func run() throws {
        let start = since.flatMap { SinceParser.parse($0, now: WallClock.microseconds()) }
        let request = ControlRequest(verb: "logs", units: units, lines: lines ?? (follow ? 10 : nil), sinceMicroseconds: start, follow: follow)
        var failure: (String, Int32)?
        do throws(ControlClient.Failure) {
            try ControlClient.exchange(request.line, to: options.path) { message in
                if let ok = message["ok"]?.boolValue {
                    guard ok else {
                        let error = message["error"]?.stringValue ?? "unknown error"
                        failure = (error, error.hasPrefix("no such unit") ? 4 : 1)
                        return false
                    }
                    for line in message["lines"]?.arrayValue ?? [] { emit(line) }
                    return follow
                }
                emit(message)
                return true
            }
        } catch {
            FileHandleOutput.error("wick logs: \(error)")
            throw ExitCode.failure
        }
        if let (message, code) = failure {
            FileHandleOutput.error("wick logs: \(message)")
            throw ExitCode(code)
        }
    }

    private func emit(_ line: JSONValue) {
        let text = options.json ? line.serialized + "\n" : LogRenderer.line(line)
        FileHandleOutput.standard(text)
    }
}

/// One log line as journalctl's short format prints it: `Nov 23 10:55:01 unit[pid]: text`.
enum LogRenderer {
    static func line(_ line: JSONValue) -> String {
        let time = line["time"]?.numberValue.map { Timestamp.short(Int64($0)) } ?? "-"
        let pid = line["pid"]?.numberValue.map { String(Int64($0)) } ?? "?"
        return "\(time) \(line["unit"]?.stringValue ?? "?")[\(pid)]: \(line["text"]?.stringValue ?? "")\n"
    }
}
