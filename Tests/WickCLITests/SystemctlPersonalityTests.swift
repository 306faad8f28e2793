import Foundation
import Glibc
import Testing

/// Issue 15: wick under the names systemctl, journalctl and systemd-analyze, each command line
/// of the study guide run as written (through a shell, the names symlinks to the built wick)
/// against a live daemon, the output compared with systemctl's documented shapes.
@Suite(.serialized) struct SystemctlPersonalityTests {
    /// A directory with the three names linked to the built binary.
    static func links() throws -> URL {
        let directory = try BinaryRunner.directory([:])
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["systemctl", "journalctl", "systemd-analyze"] {
            try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent(name).path, withDestinationPath: BinaryRunner.wick.path)
        }
        return directory
    }

    /// Runs one command line as a user types it.
    static func shell(_ line: String, links: URL, control: String) throws -> BinaryRunner.Result {
        try BinaryRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", line], environment: [
            "PATH": links.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "WICK_CONTROL": control,
        ])
    }

    static func app(port: UInt16, directory: String) -> [String: String] {
        [
            "app.socket": "[Unit]\nDescription=App socket\n[Socket]\nListenStream=127.0.0.1:\(port)\n[Install]\nWantedBy=sockets.target\n",
            "app.service": "[Unit]\nDescription=App\n[Service]\nExecStart=/usr/bin/python3 -u \(directory)/app.py\nRestart=on-failure\nRestartSec=2\n",
        ]
    }

    static let script = """
                import socket
                print("app started")
                print("<3>app error")
                listener = socket.socket(fileno=3)
                while True:
                    connection, _ = listener.accept()
                    connection.sendall(b"hello\\n")
                    connection.close()

                """

    /// The service's script in a directory of its own, then a daemon on the units.
    static func startApp(port: UInt16) throws -> (ControlVerbTests.Live, URL) {
        let scripts = try BinaryRunner.directory(["app.py": script])
        var units = app(port: port, directory: scripts.path)
        units["batch.service"] = "[Service]\nExecStart=/nonexistent/batch\n[Install]\nWantedBy=multi-user.target\n"
        return (try ControlVerbTests.start(units), scripts)
    }

    /// A live daemon on the app's units, and a runner of command lines through the three names.
    static func withApp(_ body: (ControlVerbTests.Live, UInt16, (String) throws -> BinaryRunner.Result) throws -> Void) throws {
        let port = TestClient.freePort()
        let (live, scripts) = try startApp(port: port)
        let links = try links()
        defer {
            live.stop()
            try? FileManager.default.removeItem(at: scripts)
            try? FileManager.default.removeItem(at: links)
        }
        #expect(TestClient.waitListening(port))
        try body(live, port) { try shell($0, links: links, control: live.control) }
    }

    @Test func theStudyGuideCommandLinesWorkAsWritten() throws { try Self.withApp { live, port, run in
        let units = live.directory.path
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "hello\n")

        let sockets = try run("systemctl list-sockets")
        let socketLines = sockets.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(sockets.status == 0)
        #expect(socketLines.first?.split(separator: " ") == ["LISTEN", "UNIT", "ACTIVATES"], "\(sockets.stdout)")
        #expect(socketLines.dropFirst().first?.split(separator: " ") == ["127.0.0.1:\(port)", "app.socket", "app.service"])
        #expect(sockets.stdout.hasSuffix("\n1 sockets listed.\nPass --all to see loaded but inactive sockets, too.\n"))

        let status = try run("systemctl status app.socket app.service")
        #expect(status.status == 0, "both active: \(status.stdout)\(status.stderr)")
        let statusLines = status.stdout.split(separator: "\n").map(String.init)
        #expect(statusLines.first == "● app.socket - App socket")
        #expect(statusLines.contains("     Loaded: loaded (\(units)/app.socket; enabled; vendor preset: enabled)"))
        // The socket's service runs: its sub-state is `running` (systemd's SOCKET_RUNNING).
        #expect(statusLines.contains { $0.hasPrefix("     Active: active (running) since ") })
        #expect(statusLines.contains("● app.service - App"))
        #expect(statusLines.contains("     Loaded: loaded (\(units)/app.service; static; vendor preset: enabled)"))
        #expect(statusLines.contains { $0.hasPrefix("     Active: active (running) since ") && $0.hasSuffix(" ago") })
        #expect(statusLines.contains { $0.range(of: #"^   Main PID: \d+$"#, options: .regularExpression) != nil })

        let cat = try run("systemctl cat app.socket")
        #expect(cat.status == 0 && cat.stdout == "# \(units)/app.socket\n" + (Self.app(port: port, directory: "")["app.socket"] ?? ""))
        #expect(try run("systemctl cat").status == 1)

        let show = try run("systemctl show app.service -p Restart -p RestartUSec -p StartLimitBurst -p StartLimitIntervalUSec")
        #expect(show.status == 0 && show.stdout == "Restart=on-failure\nRestartUSec=2s\nStartLimitIntervalUSec=10s\nStartLimitBurst=5\n")

        let enabled = try run("systemctl is-enabled app.socket app.service")
        #expect(enabled.status == 0 && enabled.stdout == "enabled\nstatic\n")

        let dependencies = try run("systemctl list-dependencies sockets.target")
        #expect(dependencies.status == 0 && dependencies.stdout == "sockets.target\n● └─app.socket\n", "\(dependencies.stdout)")

        let chain = try run("systemd-analyze critical-chain app.socket")
        let chainLines = chain.stdout.split(separator: "\n").map(String.init)
        #expect(chain.status == 0)
        #expect(chainLines.first == "The time when unit became active or started is printed after the \"@\" character.")
        #expect(chainLines.last?.range(of: #"^app\.socket @\d+(ms|\.\d+s|s)$"#, options: .regularExpression) != nil, "\(chain.stdout)")

        let journal = try run("journalctl -u app.service -b")
        #expect(journal.status == 0)
        let journalLines = journal.stdout.split(separator: "\n").map(String.init)
        // The identifier is the process name, as journald's (SyslogIdentifier= sets another).
        #expect(journalLines.contains { $0.range(of: #"^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \S+ python3\[\d+\]: app started$"#, options: .regularExpression) != nil },
                "\(journal.stdout)")
        #expect(try run("journalctl -u app.service --no-hostname -o short-iso -n 1 -p info..info").stdout
            .range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} python3\[\d+\]: app started\n$"#, options: .regularExpression) != nil)
        // journald's <N> prefix: priority 3, shown without the prefix.
        #expect(try run("journalctl -u app.service -p err -o cat").stdout == "app error\n")
    } }

    @Test func exitStatusesAreSystemctls() throws { try Self.withApp { live, port, run in

        let missing = try run("systemctl status nope.service")
        #expect(missing.status == 4 && missing.stderr == "Unit nope.service could not be found.\n")
        let unknown = try run("systemctl show nope.service -p LoadState -p ActiveState")
        #expect(unknown.status == 0 && unknown.stdout == "LoadState=not-found\nActiveState=inactive\n")
        #expect(try run("systemctl show app.socket").stdout.contains("\nUnitFileState=enabled\n"))
        let after = try run("systemctl show app.service -p After -p ExecMainPID --value")
        #expect(after.stdout.hasPrefix("0\n") && after.stdout.contains("app.socket sysinit.target basic.target"), "\(after.stdout)")
        #expect(try run("systemctl start nope").status == 5)
        #expect(try run("systemctl isolate rescue.target").status == 3)
        #expect(try run("systemctl --user status").status == 3)
        let ordering = try run("systemctl list-dependencies --after app.service")
        #expect(ordering.status == 3 && ordering.stderr == "systemctl: --after is not supported by wick (docs/cli.md lists the options it has)\n")
        #expect(try run("systemctl --dry-run start app.service").status == 3)
        #expect(try run("systemctl --bogus").stderr == "systemctl: unrecognized option '--bogus'\n")
        #expect(try run("systemctl is-active app.socket").stdout == "active\n")
        #expect(try run("systemctl is-active nope.service").status == 3)
        #expect(ControlVerbTests.waitFor { (try? run("systemctl is-failed batch.service"))?.status == 0 })
        let failed = try run("systemctl status batch.service")
        #expect(failed.status == 3)
        #expect(failed.stdout.contains("     Active: failed (Result: exit-code) since "), "\(failed.stdout)")
        #expect(failed.stdout.contains("    Process: ExecStart=/nonexistent/batch (code=exited, status=203/EXEC)"))
        let list = try run("systemctl list-units --failed --plain --no-legend")
        #expect(list.stdout.split(separator: " ").prefix(4) == ["batch.service", "loaded", "failed", "failed"])
        #expect(try run("systemctl list-timers").stdout.contains("0 timers listed."))
        #expect(try run("systemctl list-sockets --json=short").stdout == #"[{"listen":"127.0.0.1:\#(port)","unit":"app.socket","activates":"app.service"}]"# + "\n")
        #expect(try run("systemctl list-units --json=pretty app.socket").stdout
            == "[\n  " + #"{"unit":"app.socket","load":"loaded","active":"active","sub":"listening","description":"App socket"}"# + "\n]\n")
        #expect(try run("systemctl list-timers --json=short").stdout == "[]\n")
        #expect(try run("systemctl --no-pager list-jobs").stdout == "No jobs running.\n")
        #expect(try run("journalctl -u nope.service").stdout == "-- No entries --\n")
        #expect(try run("journalctl -b -1").status == 1)
        // show hides empty properties (systemctl without -a); -a prints them.
        let plain = try run("systemctl show app.socket").stdout.split(separator: "\n")
        #expect(!plain.contains { $0.hasSuffix("=") } && plain.contains("Id=app.socket"))
        #expect(try run("systemctl show -a app.socket").stdout.split(separator: "\n").contains("SocketUser="))
        let bad = live.directory.appendingPathComponent("bad.service").path
        try "[Service]\nExecStart=/bin/true\nRestart=sometimes\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let verify = try run("systemd-analyze verify \(bad)")
        #expect(verify.status == 1 && verify.stdout.contains("\(bad):3: error: Restart="), "\(verify.stdout)")
    } }

    /// `wick daemon` without `--units`: the search path (`$SYSTEMD_UNIT_PATH` here, so that the
    /// machine's directories are not read) and only what its `.wants/` links enable: an enabled
    /// socket listens, a disabled one does not, an enabled template instance runs from its
    /// template, and a link to no unit is logged, not ignored.
    @Test func withoutUnitsTheEnabledUnitsOfTheSearchPathStart() throws {
        let on = TestClient.freePort(), off = TestClient.freePort()
        let out = ExecEnvironmentTests.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let directory = try BinaryRunner.directory([
            "on.socket": "[Socket]\nListenStream=127.0.0.1:\(on)\n[Install]\nWantedBy=sockets.target\n",
            "on.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
            "off.socket": "[Socket]\nListenStream=127.0.0.1:\(off)\n[Install]\nWantedBy=sockets.target\n",
            "off.service": "[Service]\nExecStart=\(BinaryRunner.testService) report\n",
            "tick@.service": "[Service]\nExecStart=/bin/sh -c 'echo %i > \(out)/%i; exec sleep 100'\n[Install]\nWantedBy=multi-user.target\nDefaultInstance=one\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        for (link, target) in [("sockets.target.wants/on.socket", "../on.socket"), ("multi-user.target.wants/tick@one.service", "../tick@.service"),
                               ("multi-user.target.wants/ghost.service", "../ghost.service")] {
            let path = directory.appendingPathComponent(link).path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        }
        let runtime = directory.appendingPathComponent("run").path
        var environment = ProcessInfo.processInfo.environment
        environment["SYSTEMD_UNIT_PATH"] = directory.path
        let wick = try BackgroundProcess(BinaryRunner.wick, ["daemon", "--runtime-dir", runtime], environment: environment)
        defer { wick.stop() }
        #expect(TestClient.waitListening(on), "\(wick.log)")
        #expect(ControlVerbTests.waitFor { ExecEnvironmentTests.read("\(out)/one") == "one\n" }, "\(wick.log)")
        #expect(TestClient.connectTCP(off) < 0, "off.socket is not enabled")
        #expect(wick.log.contains("ghost.service: enabled, but not loaded (not-found): not started"), "\(wick.log)")
        let links = try Self.links()
        defer { try? FileManager.default.removeItem(at: links) }
        let control = runtime + "/wick/control"
        #expect(try Self.shell("systemctl is-active on.socket off.socket tick@one.service", links: links, control: control).stdout == "active\ninactive\nactive\n")
        #expect(try Self.shell("systemctl start off.socket", links: links, control: control).status == 0)
        #expect(TestClient.waitListening(off), "a disabled unit starts when asked")
    }

    /// `wick install-links DIR`: the three names, refused over existing files unless --force.
    @Test func installLinksMakesTheNames() throws {
        let directory = try BinaryRunner.directory([:])
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try BinaryRunner.wick("install-links", directory.path).status == 0)
        for name in ["systemctl", "journalctl", "systemd-analyze"] {
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: directory.appendingPathComponent(name).path)
            #expect(URL(fileURLWithPath: target).resolvingSymlinksInPath() == BinaryRunner.wick.resolvingSymlinksInPath())
        }
        let again = try BinaryRunner.wick("install-links", directory.path)
        #expect(again.status == 1 && again.stderr.contains("File exists (--force replaces it)"))
        #expect(try BinaryRunner.wick("install-links", "--force", directory.path).status == 0)
        let version = try BinaryRunner.run(URL(fileURLWithPath: directory.appendingPathComponent("systemctl").path), ["is-system-running"], environment: ["WICK_CONTROL": "/nonexistent"])
        #expect(version.status == 1 && version.stdout == "offline\n", "the link answers as systemctl")
        let systemd = try BinaryRunner.run(URL(fileURLWithPath: directory.appendingPathComponent("systemctl").path), ["--version"])
        #expect(systemd.stdout.hasPrefix("systemd 252 (wick "), "scripts read the systemd version from the first line")
    }

    /// Units that all want each other make an exponential tree (14! paths here): the daemon answers
    /// with a bounded one and stays responsive.
    @Test func aDenseDependencyGraphGetsABoundedTree() throws {
        let names = (0..<14).map { "w\($0).service" }
        var files: [String: String] = [:]
        for name in names { files[name] = "[Unit]\nWants=\(names.filter { $0 != name }.joined(separator: " "))\n[Service]\nExecStart=/bin/true\n" }
        let live = try ControlVerbTests.start(files)
        defer { live.stop() }
        let links = try Self.links()
        defer { try? FileManager.default.removeItem(at: links) }
        let tree = try Self.shell("systemctl list-dependencies --all w0.service", links: links, control: live.control)
        let lines = tree.stdout.split(separator: "\n")
        #expect(tree.status == 0 && lines.first == "w0.service" && lines.count > 100 && lines.count <= 5001, "\(lines.count) lines")
        #expect(try Self.shell("systemctl is-system-running", links: links, control: live.control).stdout == "running\n")
    }

    /// A Dockerfile's `RUN systemctl enable`: no daemon, a scratch tree holding a real Debian
    /// package's files (`dpkg-deb -x` of micro-httpd), then `wick daemon --root=TREE` binds
    /// exactly the enabled sockets and activates the package's own service. The machine's /etc
    /// is never touched.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.fileExists(atPath: debPath), "needs root and .build/debs/micro-httpd.deb (make test downloads it)"))
    func enablingInAnImageTreeIsWhatTheDaemonStarts() throws {
        let tree = try BinaryRunner.directory([:]).path
        defer { try? FileManager.default.removeItem(atPath: tree) }
        let port = TestClient.freePort(), otherPort = TestClient.freePort()
        #expect(try BinaryRunner.run(URL(fileURLWithPath: "/usr/bin/dpkg-deb"), ["-x", Self.debPath, tree]).status == 0)
        let files: [String: String] = [
            // The package binds 0.0.0.0:80; the test stays on loopback, with a drop-in as a user would.
            "etc/systemd/system/micro-httpd.socket.d/port.conf": "[Socket]\nListenStream=\nListenStream=127.0.0.1:\(port)\n",
            "lib/systemd/system/other.socket": "[Socket]\nListenStream=127.0.0.1:\(otherPort)\n[Install]\nWantedBy=sockets.target\n",
            "lib/systemd/system/other.service": "[Service]\nExecStart=/bin/true\n",
            "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n",
            "etc/group": "root:x:0:\nwww-data:x:33:\n",
            "var/www/html/index.html": "hello from the image\n",
        ]
        for (path, text) in files {
            let url = URL(fileURLWithPath: tree + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try Self.copyLibraries(of: tree + "/usr/sbin/micro-httpd", into: tree)
        for directory in ["proc", "dev", "run", "tmp"] { try FileManager.default.createDirectory(atPath: tree + "/" + directory, withIntermediateDirectories: true) }
        let hostEtc = try? FileManager.default.contentsOfDirectory(atPath: "/etc/systemd/system")

        let links = try Self.links()
        defer { try? FileManager.default.removeItem(at: links) }
        let offline = { (line: String) throws -> BinaryRunner.Result in try Self.shell(line, links: links, control: tree + "/nowhere") }
        #expect(try offline("systemctl --root=\(tree) is-enabled micro-httpd.socket").stdout == "disabled\n")
        let enable = try offline("systemctl --root=\(tree) enable micro-httpd.socket")
        #expect(enable.status == 0)
        #expect(enable.stderr == "Created symlink \(tree)/etc/systemd/system/sockets.target.wants/micro-httpd.socket → /lib/systemd/system/micro-httpd.socket.\n")
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: tree + "/etc/systemd/system/sockets.target.wants/micro-httpd.socket")
        #expect(target == "/lib/systemd/system/micro-httpd.socket")
        #expect(try offline("systemctl --root=\(tree) is-enabled micro-httpd.socket other.socket micro-httpd@.service").stdout == "enabled\ndisabled\nstatic\n")
        #expect(try offline("systemctl --root=\(tree) mask other.service").stderr == "Created symlink \(tree)/etc/systemd/system/other.service → /dev/null.\n")
        #expect(try offline("systemctl --root=\(tree) is-enabled other.service").stdout == "masked\n")
        let dry = try offline("systemctl --root=\(tree) --dry-run enable other.socket")
        #expect(dry.status == 0 && dry.stderr.hasPrefix("Created symlink \(tree)/etc/systemd/system/sockets.target.wants/other.socket → "))
        #expect(try offline("systemctl --root=\(tree) is-enabled other.socket").stdout == "disabled\n", "--dry-run changed nothing")
        #expect(try offline("systemctl --root=\(tree) enable other.socket").status == 0)
        #expect(try offline("systemctl --root=\(tree) disable other.socket").stderr == "Removed \"\(tree)/etc/systemd/system/sockets.target.wants/other.socket\".\n")
        let unitFiles = try offline("systemctl --root=\(tree) list-unit-files 'micro-httpd*' other.socket other.service")
        #expect(unitFiles.stdout.split(separator: "\n", omittingEmptySubsequences: false).map { $0.split(separator: " ").map(String.init) } == [
            ["UNIT", "FILE", "STATE", "VENDOR", "PRESET"], ["micro-httpd.socket", "enabled", "enabled"], ["micro-httpd@.service", "static", "-"],
            ["other.service", "masked", "-"], ["other.socket", "disabled", "enabled"], [], ["4", "unit", "files", "listed."], [],
        ], "\(unitFiles.stdout)")
        let cat = try offline("systemctl --root=\(tree) cat micro-httpd.socket")
        #expect(cat.stdout.hasPrefix("# \(tree)/lib/systemd/system/micro-httpd.socket\n[Unit]\n") && cat.stdout.contains("\n# \(tree)/etc/systemd/system/micro-httpd.socket.d/port.conf\n"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: "/etc/systemd/system")) == hostEtc, "the machine's /etc is untouched")

        // The container's init: its own mount namespace with /proc and /dev, chroot into the tree.
        let script = "mount --rbind /proc \(tree)/proc && mount --rbind /dev \(tree)/dev && exec \(BinaryRunner.wick.path) daemon --root \(tree)"
        let daemon = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/unshare"), ["--mount", "--propagation", "private", "/bin/sh", "-c", script])
        defer { daemon.stop() }
        let control = tree + "/run/wick/control"
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: control) }, "\(daemon.log)")
        #expect(TestClient.waitListening(port), "\(daemon.log)")
        let online = { (line: String) throws -> BinaryRunner.Result in try Self.shell(line, links: links, control: control) }
        let sockets = try online("systemctl list-sockets --no-legend").stdout
        // Accept=yes and no connection: it activates nothing yet (systemctl's "-").
        #expect(sockets.split(separator: " ") == ["127.0.0.1:\(port)", "micro-httpd.socket", "-\n"], "only the enabled socket: \(sockets)")
        let fd = TestClient.connectTCP(port)
        let request = "GET /index.html HTTP/1.0\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        let response = TestClient.readAll(fd)
        #expect(response.hasSuffix("hello from the image\n"), "the package's own micro-httpd, as www-data, in the tree: \(response) \(daemon.log)")
        #expect(try online("systemctl is-enabled micro-httpd.socket").stdout == "enabled\n")
        #expect(try online("systemctl status other.socket").status == 3, "loaded, not enabled, not listening")
    }

    static var debPath: String { BinaryRunner.repositoryRoot.appendingPathComponent(".build/debs/micro-httpd.deb").path }

    /// The shared libraries a binary needs, copied to the same paths in the tree (ldd's list).
    static func copyLibraries(of binary: String, into tree: String) throws {
        let ldd = try BinaryRunner.run(URL(fileURLWithPath: "/usr/bin/ldd"), [binary])
        for word in ldd.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) where word.hasPrefix("/") {
            // The file's contents at the path ldd names (/lib64/ld-linux-x86-64.so.2 is a symlink).
            let path = String(word), destination = tree + path
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: destination) {
                try FileManager.default.copyItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path, toPath: destination)
            }
        }
    }
}

/// `make install`'s shell completions come from the argument parser: each names the verbs.
@Suite struct CompletionScriptTests {
    @Test func bashZshAndFishCompletionsNameTheVerbs() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try BinaryRunner.wick("--generate-completion-script", shell)
            #expect(script.status == 0 && script.stdout.contains("install-links") && script.stdout.contains("daemon-reload"), "\(shell)")
        }
        let bash = try BinaryRunner.wick("--generate-completion-script", "bash").stdout
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wick-completion-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try bash.write(to: file, atomically: true, encoding: .utf8)
        #expect(try BinaryRunner.run(URL(fileURLWithPath: "/bin/bash"), ["-n", file.path]).status == 0, "bash parses it")
    }
}
