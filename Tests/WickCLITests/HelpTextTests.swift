import Foundation
import Testing

/// The help text is part of the interface: golden-tested.
@Suite struct HelpTextTests {
    @Test func verifyHelp() throws {
        let result = try BinaryRunner.wick("verify", "--help")
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Check unit files and print every problem as file:line: severity:
            message.

            Each PATH is a unit directory (every unit in it is checked, with its drop-ins)
            or a unit file (checked with the drop-ins beside it). Exits 0 when no unit has
            errors, 1 otherwise.
            Warnings name what wick does NOT enforce, so that nobody relies on a sandbox
            that is not there.

            USAGE: wick verify <paths> ... [--json] [--strict] [--no-host-checks]

            ARGUMENTS:
              <paths>                 Unit files or unit directories.

            OPTIONS:
              --json                  Print one JSON object per diagnostic, one per line.
              --strict                Treat warnings as errors.
              --no-host-checks        Leave out the checks against this host (cgroup
                                      controllers, cgroup BPF), for output that is the same
                                      on every machine.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    /// `wick activate --help` prints the help (its command argument would otherwise capture
    /// --help) and survives a reader that stops early (`| grep -q`, as ../shared/bench does).
    @Test func activateHelpPrintsTheHelp() throws {
        let result = try BinaryRunner.wick("activate", "--help")
        #expect(result.status == 0 && result.stdout.contains("--rearm"), "\(result.stdout)\(result.stderr)")
        let pipe = try BinaryRunner.run(URL(fileURLWithPath: "/bin/bash"), ["-c", "set -o pipefail; for i in $(seq 1 20); do '\(BinaryRunner.wick.path)' activate --help | grep -q -- --rearm || exit 1; done"])
        #expect(pipe.status == 0, "\(pipe.stderr)")
    }
}
