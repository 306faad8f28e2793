import ArgumentParser
import WickUnits

/// `wick verify PATH...`: lints unit files offline, like `systemd-analyze verify`.
public struct Verify: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check unit files and print every problem as file:line: severity: message.",
        discussion: """
            Each PATH is a unit directory (every unit in it is checked, with its drop-ins) or a unit \
            file (checked with the drop-ins beside it). Exits 0 when no unit has errors, 1 otherwise.
            Warnings name what wick does NOT enforce, so that nobody relies on a sandbox that is not there.
            """
    )

    @Argument(help: "Unit files or unit directories.")
    public var paths: [String]

    @Flag(help: "Print one JSON object per diagnostic, one per line.")
    public var json = false

    @Flag(help: "Treat warnings as errors.")
    public var strict = false

    @Flag(help: "Leave out the checks against this host (cgroup controllers, cgroup BPF), for output that is the same on every machine.")
    public var noHostChecks = false

    public init() {}

    public func run() throws {
        let report = noHostChecks ? VerifyReport.make(paths: paths, abilities: nil) : VerifyReport.make(paths: paths)
        var output = ""
        for diagnostic in report.diagnostics {
            output += json ? DiagnosticJSON.encode(diagnostic) : diagnostic.description
            output += "\n"
        }
        print(output, terminator: "")
        let failed = report.diagnostics.contains { $0.severity == .error || (strict && $0.severity == .warning) }
        if failed { throw ExitCode.failure }
    }
}
