import Foundation
import Testing

/// The real programs of ../shared/corpus/consumers (uuidd, micro-httpd, sshd -i, gunicorn,
/// dbus-daemon), whose recipes were written for systemd-socket-activate, pass with `wick activate`
/// in its place. They check LISTEN_PID, fd order and names strictly.
@Suite(.serialized) struct CorpusConsumerTests {
    @Test func realProgramsRunUnderWickActivate() throws {
        let script = BinaryRunner.repositoryRoot.appendingPathComponent("../shared/corpus/consumers/run-all.sh").standardizedFileURL
        let result = try BinaryRunner.run(URL(fileURLWithPath: "/bin/bash"), [script.path, "\(BinaryRunner.wick.path) activate"])
        #expect(result.stdout.contains("5 passed, 0 failed"), "\(result.stdout)\(result.stderr)")
        #expect(result.status == 0)
    }

    /// The same programs started by `wick daemon` from ../shared/corpus/consumers/units, unchanged
    /// (micro-httpd twice, uuidd, gunicorn on two fds, dbus-daemon, sshd -i).
    @Test func realProgramsRunUnderWickDaemonFromTheCorpusUnits() throws {
        let root = BinaryRunner.repositoryRoot
        let script = root.appendingPathComponent("Tests/scripts/consumers-daemon.sh")
        let corpus = root.appendingPathComponent("../shared/corpus").standardizedFileURL
        let result = try BinaryRunner.run(URL(fileURLWithPath: "/bin/bash"), [script.path, BinaryRunner.wick.path, corpus.path])
        #expect(result.stdout.contains("6 passed, 0 failed"), "\(result.stdout)\(result.stderr)")
        #expect(result.status == 0)
    }
}
