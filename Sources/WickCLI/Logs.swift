import ArgumentParser
import WickControl
import WickSystem

/// `wick logs [-f] [-n N] [--since TIME] [UNIT...]` (journalctl -u): the lines wick captured from
/// the units' stdout and stderr, from the daemon's per-unit ring buffers, oldest first.
public struct Logs: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "logs",
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
                if ControlResponse.isResponse(message) {
                    if let code = ControlErrorCode.of(message) {
                        failure = (ControlResponse.message(message), code.exitStatus)
                        return false
                    }
                    ControlResponse.lines(message).forEach(emit)
                    return follow
                }
                emit(LogLine(message))
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

    private func emit(_ line: LogLine) {
        let text = options.json ? line.json.serialized + "\n" : LogRenderer.line(line)
        FileHandleOutput.standard(text)
    }
}

/// One log line as wick prints it: `Nov 23 10:55:01 unit[pid]: text`.
enum LogRenderer {
    static func line(_ line: LogLine) -> String {
        "\(Timestamp.short(line.time)) \(line.unit)[\(line.pid)]: \(line.text)\n"
    }
}
