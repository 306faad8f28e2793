import Foundation
import Glibc
import Testing

/// `--log-format=json` and `--log-target=journal` (issue 15), with a service that sets
/// SyslogIdentifier= and writes `<N>`-prefixed lines, as journald reads them.
@Suite(.serialized) struct LogOutputTests {
    static let units = [
        "talk.service": """
            [Service]
            ExecStart=/bin/sh -c 'echo "<4>warned"; echo plain; exec sleep 100'
            SyslogIdentifier=greeter
            [Install]
            WantedBy=multi-user.target

            """,
        "quiet.service": "[Service]\nExecStart=/bin/sh -c 'echo \"<3>kept as text\"; exec sleep 100'\nSyslogLevelPrefix=no\nSyslogLevel=notice\n[Install]\nWantedBy=multi-user.target\n",
    ]

    @Test func jsonLinesCarryTimeUnitIdentifierPidPriorityAndMessage() throws {
        let live = try ControlVerbTests.start(Self.units, extra: ["--log-format", "json"])
        defer { live.stop() }
        var objects: [[String: Any]] = []
        #expect(ControlVerbTests.waitFor {
            objects = live.wick.log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            return objects.contains { $0["message"] as? String == "plain" } && objects.contains { $0["message"] as? String == "<3>kept as text" }
        }, "\(live.wick.log)")
        let warned = try #require(objects.first { $0["message"] as? String == "warned" })
        #expect(warned["unit"] as? String == "talk.service" && warned["identifier"] as? String == "greeter" && warned["priority"] as? Int == 4)
        #expect((warned["pid"] as? Int ?? 0) > 0)
        #expect((warned["time"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression) != nil)
        #expect(objects.first { $0["message"] as? String == "plain" }?["priority"] as? Int == 6)
        let kept = try #require(objects.first { $0["message"] as? String == "<3>kept as text" })
        #expect(kept["priority"] as? Int == 5 && kept["identifier"] as? String == "sh", "SyslogLevelPrefix=no, SyslogLevel=notice; the process name")
        let own = try #require(objects.first { ($0["message"] as? String)?.hasPrefix("loaded ") == true })
        #expect(own["identifier"] as? String == "wick" && own["unit"] == nil && own["priority"] as? Int == 6)
        #expect(!live.wick.log.split(separator: "\n").contains { !$0.hasPrefix("{") }, "every line is an object: \(live.wick.log)")
        // The buffers carry the same priorities: wick logs and journalctl -p read them.
        let lines = try live.run("logs", "talk.service", "--json").stdout.split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0["priority"] as? Int } == [4, 6] && lines.map { $0["text"] as? String } == ["warned", "plain"])
    }

    /// A journal socket of the test's own, read as journald would: one datagram per entry.
    @Test func theJournalTargetSendsTheNativeProtocolAndFallsBackToTheConsole() throws {
        let directory = try BinaryRunner.directory([:])
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("journal").path
        let journal = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(journal) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(journal, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(journal, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let live = try ControlVerbTests.start(Self.units, extra: ["--log-target", "journal", "--journal-socket", path])
        defer { live.stop() }
        var entries: [[String: String]] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !entries.contains(where: { $0["MESSAGE"] == "plain" }) {
            let count = recv(journal, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            var fields: [String: String] = [:]
            for line in String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            entries.append(fields)
        }
        let warned = try #require(entries.first { $0["MESSAGE"] == "warned" }, "\(entries) \(live.wick.log)")
        #expect(warned["PRIORITY"] == "4" && warned["SYSLOG_IDENTIFIER"] == "greeter" && warned["OBJECT_SYSTEMD_UNIT"] == "talk.service")
        #expect(Int(warned["SYSLOG_PID"] ?? "") ?? 0 > 0 && warned["WICK_UNIT"] == "talk.service")
        #expect(entries.contains { $0["SYSLOG_IDENTIFIER"] == "wick" && $0["MESSAGE"]?.hasPrefix("loaded ") == true })
        #expect(!live.wick.log.contains("talk.service["), "the journal took the lines: \(live.wick.log)")

        // No journal at the path: a warning, and the console as before.
        let fallback = try ControlVerbTests.start(Self.units, extra: ["--log-target", "journal", "--journal-socket", path + ".missing"])
        defer { fallback.stop() }
        #expect(ControlVerbTests.waitFor { fallback.wick.log.contains("talk.service[") }, "\(fallback.wick.log)")
        #expect(fallback.wick.log.contains("wick: --log-target=journal: no journal at \(path).missing (No such file or directory), logging to the console"))
    }
}
