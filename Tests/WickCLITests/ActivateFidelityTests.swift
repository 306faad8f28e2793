import Foundation
import Glibc
import Testing
@testable import WickCLI
import WickDaemon
import WickUnits

/// `wick activate` against systemd-socket-activate 252 (src/activate/activate.c), as an audit
/// compared them side by side.
@Suite(.serialized) struct ActivateFidelityTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wick-act-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// With `--accept`, a command that cannot be executed ends only its own child (as
    /// systemd-socket-activate's forked child exits 1): the children already serving keep
    /// running and wick keeps accepting.
    @Test func anExecFailureInAcceptModeEndsOnlyThatConnection() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let command = directory.appendingPathComponent("serve").path
        try "#!/bin/sh\necho served\n".write(toFile: command, atomically: true, encoding: .utf8)
        chmod(command, 0o755)
        let port = TestClient.freePort()
        let wick = try BackgroundProcess(BinaryRunner.wick, ["activate", "-a", "--inetd", "-l", "127.0.0.1:\(port)", command])
        defer { wick.stop() }
        #expect(TestClient.waitListening(port), "\(wick.log)")
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "served\n")
        chmod(command, 0o644)
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "", "the connection ends with its child")
        chmod(command, 0o755)
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "served\n", "wick still accepts: \(wick.log)")
        #expect(wick.log.contains("Permission denied"), "\(wick.log)")
    }

    /// A command without '/' is looked up in the caller's PATH (execvpe() in exec_process()).
    @Test func theCommandIsLookedUpInTheCallersPath() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "#!/bin/sh\necho from-path\n".write(toFile: directory.appendingPathComponent("wick-act-probe").path, atomically: true, encoding: .utf8)
        chmod(directory.appendingPathComponent("wick-act-probe").path, 0o755)
        let port = TestClient.freePort()
        let wick = try BackgroundProcess(BinaryRunner.wick, ["activate", "-a", "--inetd", "-l", "127.0.0.1:\(port)", "wick-act-probe"],
                                         environment: ["PATH": directory.path + ":/usr/bin:/bin"])
        defer { wick.stop() }
        #expect(TestClient.waitListening(port), "\(wick.log)")
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "from-path\n", "\(wick.log)")
    }

    /// SIGTERM ends wick at once, by the signal, even when a child ignores SIGTERM (it is sent
    /// SIGTERM, not waited for); a child is sent SIGTERM when wick dies, even by SIGKILL
    /// (FORK_DEATHSIG); children read wick's own stdin.
    @Test func signalsEndWickAtOnceAndItsChildrenWithIt() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let marks = directory.path
        // Each child records its pid, what its stdin is, and a mark when SIGTERM reaches it.
        let script = directory.appendingPathComponent("child").path
        try """
            #!/bin/sh
            echo $$ >> \(marks)/pids
            readlink /proc/self/fd/0 > \(marks)/stdin-$$
            trap 'echo term > \(marks)/term-$$; exit 0' TERM
            echo ready
            while true; do sleep 0.05; done
            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let stubborn = directory.appendingPathComponent("stubborn").path
        try "#!/bin/sh\necho $$ > \(marks)/stubborn\ntrap '' TERM\necho ready\nwhile true; do sleep 0.05; done\n".write(toFile: stubborn, atomically: true, encoding: .utf8)
        chmod(stubborn, 0o755)

        // SIGKILL of wick: its child gets SIGTERM.
        let first = TestClient.freePort()
        let killed = try BackgroundProcess(BinaryRunner.wick, ["activate", "-a", "--inetd", "-l", "127.0.0.1:\(first)", script])
        #expect(TestClient.waitListening(first), "\(killed.log)")
        let connection = TestClient.connectTCP(first)
        defer { close(connection) }
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: marks + "/pids") })
        let pid = try #require(Int32((try? String(contentsOfFile: marks + "/pids", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        kill(killed.pid, SIGKILL)
        _ = killed.waitForExit(seconds: 5)
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: marks + "/term-\(pid)") }, "the child got SIGTERM when wick died")
        // The test's own stdin for wick is /dev/null; the connection is the child's with --inetd.
        let stdinOfChild = (try? String(contentsOfFile: marks + "/stdin-\(pid)", encoding: .utf8)) ?? ""
        #expect(stdinOfChild.hasPrefix("socket:"), "\(stdinOfChild)")

        // SIGTERM with a child that ignores it: wick ends at once, killed by the signal.
        let second = TestClient.freePort()
        let termed = try BackgroundProcess(BinaryRunner.wick, ["activate", "-a", "--inetd", "-l", "127.0.0.1:\(second)", stubborn])
        defer { termed.stop() }
        #expect(TestClient.waitListening(second), "\(termed.log)")
        let held = TestClient.connectTCP(second)
        defer { close(held) }
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: marks + "/stubborn") })
        kill(termed.pid, SIGTERM)
        #expect(termed.waitForExit(seconds: 3) != nil, "wick did not wait for a child that ignores SIGTERM: \(termed.log)")
        #expect(termed.process.terminationReason == .uncaughtSignal && termed.process.terminationStatus == SIGTERM)
        if let stubbornPID = Int32((try? String(contentsOfFile: marks + "/stubborn", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
            kill(-stubbornPID, SIGKILL)  // the group of the child this test started through wick
        }
    }

    /// Without `--inetd`, the command reads wick's own stdin (systemd-socket-activate leaves fd 0
    /// alone); a Unix socket is made 0644 (make_socket_fd()).
    @Test func theCommandInheritsStdinAndUnixSocketsAreOwnerOnly() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.sock").path
        let input = directory.appendingPathComponent("input").path
        try "from-stdin\n".write(toFile: input, atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", """
            \(BinaryRunner.wick.path) activate -l \(path) -- /bin/sh -c 'head -n1 > \(directory.path)/got' < \(input) &
            for i in $(seq 100); do [ -S \(path) ] && break; sleep 0.05; done
            stat -c %a \(path)
            python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect("\(path)"); s.close()'
            wait $!
            cat \(directory.path)/got
            """])
        #expect(result.stdout == "644\nfrom-stdin\n", "\(result.stdout) \(result.stderr)")
    }

    /// getopt's reading: an unknown option before the command is refused (not taken as the
    /// command), `-lADDRESS` and `-EVAR=VALUE` are read attached, `--environment` is `-E`,
    /// `--fdname` repeats, an empty one is one empty name, one name names every fd and is the
    /// connection's with `--accept`; `-E` takes valid names only, and an unset variable empty.
    @Test func argumentsAreReadAsGetoptReadsThem() throws {
        let bogus = try BinaryRunner.wick("activate", "-l", "127.0.0.1:9", "--bogus", "/bin/true")
        #expect(bogus.status == 64 && bogus.stderr.contains("unrecognized option '--bogus'"), "\(bogus.stderr)")
        let badName = try BinaryRunner.wick("activate", "-l", "127.0.0.1:9", "-E", "1X=2", "/bin/true")
        #expect(badName.status == 64 && badName.stderr.contains("not a valid environment variable name"), "\(badName.stderr)")
        let attached = try #require(ActivateOptions.parse(["-l127.0.0.1:80", "-EA=1", "--environment=B=2", "--fdname=a", "--fdname", "b:c", "--fdname=", "cat"]))
        #expect(attached.listens == ["127.0.0.1:80"] && attached.setenv == ["A=1", "B=2"])
        #expect(attached.fdNames == ["a", "b", "c", ""])
        let condensed = Activate.condensingListens(["activate", "-l127.0.0.1:80", "-EA=1", "cat"])
        #expect(try Activate.parse(Array(condensed.dropFirst())).options == (try #require(ActivateOptions.parse(["-l", "127.0.0.1:80", "-E", "A=1", "cat"]))))
        let specs = [ListenSpec.stream(.anyPort(1)), .stream(.anyPort(2)), .stream(.anyPort(3))]
        let one = ActivateConfiguration(listens: specs, accept: false, inetd: false, fdNames: ["web"], environment: [], command: ["cat"])
        #expect(one.listenFDNames == "web:web:web" && one.acceptFDNames == "web")
        #expect(ActivateConfiguration(listens: specs, accept: true, inetd: false, fdNames: [], environment: [], command: ["cat"]).acceptFDNames == "connection")
        #expect(ActivateConfiguration.environment(inherited: ["A=1"], settings: ["A", "UNSET_HERE"]) == ["A=1", "UNSET_HERE="])
    }

    /// Sockets passed to wick itself (`LISTEN_FDS` with `LISTEN_PID` its pid) are served first,
    /// then the `-l` ones, as systemd-socket-activate's open_sockets() takes them; a run without
    /// `-l` is then enough.
    @Test func socketsPassedToWickAreServedBeforeTheListenOnes() throws {
        let inherited = TestClient.freePort(), own = TestClient.freePort(), onlyInherited = TestClient.freePort()
        /// python3 with a listening socket on `port` at fd 3, exec'ing wick as its own pid.
        func launch(_ port: UInt16, _ arguments: [String]) throws -> BackgroundProcess {
            let launcher = """
                import os, socket, sys
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", \(port)))
                s.listen()
                os.dup2(s.fileno(), 3)
                os.set_inheritable(3, True)
                env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
                os.execve(sys.argv[1], sys.argv[1:], env)
                """
            return try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", launcher, BinaryRunner.wick.path, "activate"] + arguments)
        }
        let wick = try launch(inherited, ["-a", "--inetd", "-l", "127.0.0.1:\(own)", "/bin/echo", "served"])
        defer { wick.stop() }
        #expect(TestClient.waitListening(own), "\(wick.log)")
        #expect(TestClient.readAll(TestClient.connectTCP(inherited)) == "served\n", "\(wick.log)")
        #expect(TestClient.readAll(TestClient.connectTCP(own)) == "served\n")
        #expect(wick.log.contains("Received 1 descriptors via the environment.") && wick.log.contains("as fd 3.") && wick.log.contains("as fd 4."), "\(wick.log)")
        let alone = try launch(onlyInherited, ["-a", "--inetd", "/bin/echo", "alone"])
        defer { alone.stop() }
        #expect(TestClient.waitListening(onlyInherited))
        #expect(TestClient.readAll(TestClient.connectTCP(onlyInherited)) == "alone\n", "\(alone.log)")
    }

    /// What wick inherited stays as systemd-socket-activate would leave it: an ignored SIGHUP
    /// does not stop it, an exec in place keeps ignored signals, a closed stdin is /dev/null for
    /// the command (never one of wick's own fds); with `--accept` an inherited socket that does
    /// not listen is refused at start.
    @Test func whatWickInheritedIsKept() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let wick = BinaryRunner.wick.path, out = directory.path
        let port = TestClient.freePort(), inPlace = TestClient.freePort()
        let script = """
            (trap '' HUP; exec \(wick) activate -a --inetd -l 127.0.0.1:\(port) /bin/echo served) &
            ignoring=$!
            (trap '' USR1; exec \(wick) activate -l 127.0.0.1:\(inPlace) -- /bin/sh -c 'grep SigIgn /proc/self/status > \(out)/ign; readlink /proc/self/fd/0 > \(out)/stdin' <&-) &
            python3 - <<'EOF'
            import socket, time
            def ask(port):
                for _ in range(100):
                    try:
                        s = socket.create_connection(("127.0.0.1", port), timeout=5)
                        data = s.recv(100); s.close(); return data.decode()
                    except OSError:
                        time.sleep(0.05)
                return ""
            print(ask(\(port)).strip())
            ask(\(inPlace))
            EOF
            kill -HUP $ignoring; sleep 0.3
            python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", \(port)), timeout=5); print(s.recv(100).decode().strip())'
            kill -TERM $ignoring; wait
            """
        let result = try BinaryRunner.run(URL(fileURLWithPath: "/bin/bash"), ["-c", script])
        #expect(result.stdout == "served\nserved\n", "still serving after an ignored SIGHUP: \(result.stdout) \(result.stderr)")
        let ignored = (try? String(contentsOfFile: out + "/ign", encoding: .utf8)) ?? ""
        let mask = UInt64(ignored.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", radix: 16) ?? 0
        #expect(mask & (1 << (UInt64(SIGUSR1) - 1)) != 0, "SIGUSR1 stays ignored through the exec in place: \(ignored)")
        #expect((try? String(contentsOfFile: out + "/stdin", encoding: .utf8)) == "/dev/null\n")
        let datagram = try BinaryRunner.run(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", """
            import os, socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            os.dup2(s.fileno(), 3)
            os.set_inheritable(3, True)
            env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
            os.execve(sys.argv[1], sys.argv[1:], env)
            """, wick, "activate", "-a", "--inetd", "/bin/true"])
        #expect(datagram.status == 1 && datagram.stderr.contains("not a listening socket"), "\(datagram.stderr)")
    }
}
