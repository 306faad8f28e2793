import Foundation
import Glibc
import Testing

/// Issue 11: services run as their units say. Each test looks from inside the child
/// (/proc/self/status, /proc/self/limits, its environment, cwd and umask) and at what wick
/// created, with real users of this machine (nobody, www-data, uuidd: their packages create them).
@Suite(.serialized) struct ExecEnvironmentTests {
    /// A directory every user may write, for what the child reports.
    static func outputDirectory() -> String {
        let path = "/tmp/wick-exec-\(UUID().uuidString)"
        mkdir(path, 0o777)
        chmod(path, 0o777)
        return path
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// The pid a test service writes to `path`, once it is there and `ready` holds for it; 0 when
    /// it never is.
    static func waitForPID(_ path: String, until ready: (Int32) -> Bool = { _ in true }) -> Int32 {
        var pid: Int32 = 0
        _ = ControlVerbTests.waitFor {
            pid = Int32(read(path).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            return pid > 0 && ready(pid)
        }
        return pid > 0 && ready(pid) ? pid : 0
    }

    static func field(_ text: String, _ name: String) -> String {
        text.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) } ?? ""
    }

    static let report = "cat /proc/self/status > $OUT/status; cat /proc/self/limits > $OUT/limits; umask > $OUT/umask; pwd > $OUT/cwd; "
        + "env > $OUT/env; cat /proc/self/oom_score_adj > $OUT/oom; stat -c \"%%U %%G %%a\" $RUNTIME_DIRECTORY $STATE_DIRECTORY > $OUT/dirs; "
        + "cut -d\" \" -f19,41 /proc/self/stat > $OUT/sched; ionice > $OUT/ionice"

    @Test func aServiceRunsAsItsUserWithItsLimitsCapabilitiesDirectoriesAndEnvironment() throws {
        let out = Self.outputDirectory()
        let runtime = "wick-test-rt-\(getpid())", state = "wick-test-state-\(getpid())"
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: "/var/lib/\(state)")
        }
        FileManager.default.createFile(atPath: "\(out)/env-file", contents: Data("FROM_FILE=file\nBOTH=file\n".utf8))
        let unit = """
            [Service]
            Type=oneshot
            User=nobody
            Group=nogroup
            SupplementaryGroups=www-data
            LimitNOFILE=4096:8192
            LimitCORE=1M
            UMask=0027
            WorkingDirectory=/tmp
            OOMScoreAdjust=500
            Nice=5
            CPUSchedulingPolicy=batch
            IOSchedulingClass=idle
            CPUAffinity=0
            RuntimeDirectory=\(runtime)
            StateDirectory=\(state)
            StateDirectoryMode=0750
            NoNewPrivileges=yes
            CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_CHOWN
            AmbientCapabilities=CAP_NET_BIND_SERVICE
            Environment=OUT=\(out) BOTH=unit ONLY_UNIT=unit
            EnvironmentFile=\(out)/env-file
            UnsetEnvironment=ONLY_UNIT
            ExecStart=/bin/sh -c '\(Self.report)'

            """
        let live = try ControlVerbTests.start(["who.service": unit])
        defer { live.stop() }
        let run = live.directory.appendingPathComponent("run").path   // %t: wick's --runtime-dir
        let start = try live.run("start", "who.service")
        #expect(start.status == 0, "\(start.stderr) \(live.wick.log)")
        let status = Self.read("\(out)/status")
        #expect(Self.field(status, "Uid") == "65534\t65534\t65534\t65534", "\(status) \(live.wick.log)")
        #expect(Self.field(status, "Gid") == "65534\t65534\t65534\t65534")
        #expect(Self.field(status, "Groups") == "33 65534", "initgroups(nobody, nogroup), then SupplementaryGroups=")
        #expect(Self.field(status, "CapEff") == "0000000000000400" && Self.field(status, "CapPrm") == "0000000000000400")
        #expect(Self.field(status, "CapAmb") == "0000000000000400" && Self.field(status, "CapBnd") == "0000000000000401")
        #expect(Self.field(status, "NoNewPrivs") == "1")
        let limits = Self.read("\(out)/limits")
        #expect(limits.split(separator: "\n").contains { $0.hasPrefix("Max open files") && $0.contains("4096") && $0.contains("8192") }, "\(limits)")
        #expect(limits.split(separator: "\n").contains { $0.hasPrefix("Max core file size") && $0.contains("1048576") }, "\(limits)")
        #expect(Self.read("\(out)/umask") == "0027\n")
        #expect(Self.read("\(out)/cwd") == "/tmp\n")
        #expect(Self.read("\(out)/oom") == "500\n")
        #expect(Self.read("\(out)/sched") == "5 3\n", "nice 5, SCHED_BATCH: \(Self.read("\(out)/sched"))")
        #expect(Self.read("\(out)/ionice") == "idle\n")
        #expect(Self.field(status, "Cpus_allowed_list") == "0")
        #expect(Self.read("\(out)/dirs") == "nobody nogroup 755\nnobody nogroup 750\n", "\(Self.read("\(out)/dirs"))")
        let environment = Set(Self.read("\(out)/env").split(separator: "\n").map(String.init))
        // systemd synthesizes nobody without a home or shell (get_user_creds(), USER_CREDS_CLEAN).
        #expect(!environment.contains { $0.hasPrefix("HOME=") || $0.hasPrefix("SHELL=") }, "\(environment)")
        for expected in ["USER=nobody", "LOGNAME=nobody", "FROM_FILE=file",
                         "BOTH=file", "RUNTIME_DIRECTORY=\(run)/\(runtime)", "STATE_DIRECTORY=/var/lib/\(state)",
                         "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] {
            #expect(environment.contains(expected), "\(expected) in \(environment)")
        }
        #expect(!environment.contains { $0.hasPrefix("ONLY_UNIT=") }, "UnsetEnvironment=")
        let invocation = environment.first { $0.hasPrefix("INVOCATION_ID=") }?.dropFirst("INVOCATION_ID=".count) ?? ""
        #expect(invocation.count == 32 && invocation.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(invocation)")
        // A v4 UUID as sd_id128_randomize() makes it: version 4, variant 10xx.
        #expect(Array(invocation)[12] == "4" && "89ab".contains(Array(invocation)[16]), "\(invocation)")
        #expect(environment.contains { $0.hasPrefix("LANG=") })
        let show = try live.run("show", "who.service").stdout
        #expect(show.contains("InvocationID=\(invocation)"), "\(show)")
        #expect(!FileManager.default.fileExists(atPath: "\(run)/\(runtime)"), "the runtime directory goes when the unit stops")
        #expect(FileManager.default.fileExists(atPath: "/var/lib/\(state)"), "the state directory stays")
    }

    /// The two classic cases: an unprivileged User= serving a privileged port through the passed
    /// socket, and one that binds port 80-ish itself with AmbientCapabilities=CAP_NET_BIND_SERVICE
    /// (and cannot without it).
    @Test(.enabled(if: read("/proc/sys/net/ipv4/ip_unprivileged_port_start").hasPrefix("1024"),
                   "needs ports below 1024 to be privileged (net.ipv4.ip_unprivileged_port_start=1024)"))
    func privilegedPortsThroughThePassedSocketAndThroughAnAmbientCapability() throws {
        let port = UInt16(600 + getpid() % 300)
        let bound = UInt16(300 + getpid() % 200)
        let out = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let binder = "import socket,sys\\ns=socket.socket()\\ntry:\\n s.bind((\\\"127.0.0.1\\\",int(sys.argv[1]))); r=\\\"bound\\\"\\nexcept OSError as e:\\n r=e.strerror\\nopen(sys.argv[2],\\\"w\\\").write(r)\\n"
        let live = try ControlVerbTests.start([
            "low.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "low@.service": "[Service]\nUser=nobody\nExecStart=/bin/sh -c 'id -u'\nStandardInput=socket\n",
            "cap.service": "[Service]\nType=oneshot\nUser=nobody\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nExecStart=/usr/bin/python3 -c \"\(binder)\" \(bound) \(out)/cap\n",
            "nocap.service": "[Service]\nType=oneshot\nUser=nobody\nExecStart=/usr/bin/python3 -c \"\(binder)\" \(bound) \(out)/nocap\n",
        ])
        defer { live.stop() }
        #expect(ControlVerbTests.waitFor { live.wick.log.contains("low.socket: dead -> listening") || live.wick.log.contains("listening") })
        #expect(TestClient.readAll(TestClient.connectTCP(port)) == "65534\n", "\(live.wick.log)")
        #expect(try live.run("start", "cap.service").status == 0)
        #expect(Self.read("\(out)/cap") == "bound", "\(live.wick.log)")
        #expect(try live.run("start", "nocap.service").status == 0)
        #expect(Self.read("\(out)/nocap") == "Permission denied")
    }

    /// Bad settings say which directive and what: unknown user (217/USER), unknown group
    /// (216/GROUP), a RootDirectory= that does not exist (210/CHROOT), a missing EnvironmentFile=.
    @Test func badSettingsFailTheStartNamingTheDirective() throws {
        let live = try ControlVerbTests.start([
            "nouser.service": "[Service]\nUser=wick-no-such-user\nExecStart=/bin/true\n",
            "nogroup.service": "[Service]\nGroup=wick-no-such-group\nExecStart=/bin/true\n",
            "noroot.service": "[Service]\nRootDirectory=/nonexistent/wick\nExecStart=/bin/true\n",
            "noenv.service": "[Service]\nEnvironmentFile=/nonexistent/wick.env\nExecStart=/bin/true\n",
            "optenv.service": "[Service]\nType=oneshot\nEnvironmentFile=-/nonexistent/wick.env\nExecStart=/bin/true\n",
        ])
        defer { live.stop() }
        let user = try live.run("start", "nouser.service")
        #expect(user.status == 1 && user.stderr.contains("nouser.service (result: exit-code)"), "\(user.stderr)")
        #expect(live.wick.log.contains("nouser.service: User=wick-no-such-user: no such user in /etc/passwd (217/USER)"), "\(live.wick.log)")
        let status = try live.run("status", "nouser.service").stdout
        #expect(status.contains("217/USER"), "\(status)")
        #expect(try live.run("start", "nogroup.service").status == 1)
        #expect(live.wick.log.contains("Group=wick-no-such-group: no such group in /etc/group (216/GROUP)"))
        #expect(try live.run("start", "noroot.service").status == 1)
        #expect(live.wick.log.contains("RootDirectory=: No such file or directory (210/CHROOT)"), "\(live.wick.log)")
        #expect(try live.run("start", "noenv.service").status == 1)
        #expect(live.wick.log.contains("EnvironmentFile=/nonexistent/wick.env cannot be read"))
        #expect(try live.run("start", "optenv.service").status == 0)
    }

    /// Debian's own unit files with User=: micro-httpd@.service (www-data) and uuidd.service
    /// (uuidd) from ../shared/corpus, unchanged, run as their users.
    @Test(.enabled(if: getpwnam("www-data") != nil && getpwnam("uuidd") != nil,
                   "needs the users of micro-httpd and uuid-runtime (make setup installs them)"))
    func corpusUnitsWithUserRunAsTheirUsers() throws {
        let corpus = BinaryRunner.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/units")
        let micro = try String(contentsOf: corpus.appendingPathComponent("micro-httpd/system/micro-httpd@.service"), encoding: .utf8)
        let uuidd = try String(contentsOf: corpus.appendingPathComponent("uuid-runtime/system/uuidd.service"), encoding: .utf8)
        let port = TestClient.freePort()
        let request = "/tmp/wick-uuidd-\(getpid())/request"
        defer { try? FileManager.default.removeItem(atPath: "/tmp/wick-uuidd-\(getpid())") }
        let live = try ControlVerbTests.start([
            "micro-httpd.socket": "[Socket]\nListenStream=127.0.0.1:\(port)\nAccept=yes\n",
            "micro-httpd@.service": micro,
            "uuidd.socket": "[Socket]\nListenStream=\(request)\nSocketMode=0666\n",
            "uuidd.service": uuidd,
        ])
        defer { live.stop() }
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: request) }, "\(live.wick.log)")
        // micro-httpd waits for the request line: look at it while the connection is open.
        let connection = TestClient.connectTCP(port)
        #expect(connection >= 0)
        var uid = ""
        #expect(ControlVerbTests.waitFor {
            // The process once it has exec'd micro-httpd (before, it is wick's child being set up).
            let httpd = live.wick.children().first { Self.read("/proc/\($0)/comm") == "micro-httpd\n" }
            uid = httpd.map { Self.field(Self.read("/proc/\($0)/status"), "Uid") } ?? ""
            return !uid.isEmpty
        })
        #expect(uid.hasPrefix("33\t"), "micro-httpd runs as www-data: \(uid) \(live.wick.log)")
        close(connection)
        let generated = try BinaryRunner.run(URL(fileURLWithPath: "/usr/bin/timeout"), ["10", "/usr/sbin/uuidd", "--socket", request, "--time", "--uuids", "1"])
        #expect(generated.status == 0, "\(generated.stderr) \(live.wick.log)")
        let uuiddUID = getpwnam("uuidd").pointee.pw_uid
        let uuiddPID = live.wick.children().first { Self.read("/proc/\($0)/comm").hasPrefix("uuidd") }
        #expect(uuiddPID.map { Self.field(Self.read("/proc/\($0)/status"), "Uid").hasPrefix("\(uuiddUID)\t") } ?? false,
                "uuidd runs as uuidd: \(live.wick.log)")
    }

    /// ExecStopPost= learns how the service ended ($SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS), and
    /// an OnFailure= unit which unit failed ($MONITOR_*); a manual start of it gets none.
    @Test func stopCommandsAndOnFailureUnitsLearnHowTheServiceEnded() throws {
        let out = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "crash.service": "[Unit]\nOnFailure=alert.service\n[Service]\nExecStart=/bin/sh -c 'exit 3'\nExecStopPost=/bin/sh -c 'env > \(out)/stoppost'\n",
            "alert.service": "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'env > \(out)/alert-$$$$'\n",
        ])
        defer { live.stop() }
        _ = try live.run("start", "crash.service")
        #expect(ControlVerbTests.waitFor { (try? FileManager.default.contentsOfDirectory(atPath: out))?.contains { $0.hasPrefix("alert-") } == true }, "\(live.wick.log)")
        let stopPost = Set(Self.read("\(out)/stoppost").split(separator: "\n").map(String.init))
        #expect(["SERVICE_RESULT=exit-code", "EXIT_CODE=exited", "EXIT_STATUS=3"].allSatisfy(stopPost.contains), "\(stopPost)")
        let alertFile = try #require(try FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasPrefix("alert-") })
        let alert = Set(Self.read("\(out)/\(alertFile)").split(separator: "\n").map(String.init))
        #expect(["MONITOR_SERVICE_RESULT=exit-code", "MONITOR_EXIT_CODE=exited", "MONITOR_EXIT_STATUS=3", "MONITOR_UNIT=crash.service"].allSatisfy(alert.contains), "\(alert)")
        #expect(alert.contains { $0.hasPrefix("MONITOR_INVOCATION_ID=") && $0.count == "MONITOR_INVOCATION_ID=".count + 32 })
        #expect(try live.run("start", "alert.service").status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("alert-") && $0 != alertFile }
        #expect(files.count == 1 && !Self.read("\(out)/\(files[0])").contains("MONITOR_"), "a manual start is not a failure's")
    }

    /// LoadCredential= and SetCredential=: $CREDENTIALS_DIRECTORY (and %d) holds them, readable
    /// by the unit's user only; SetCredential= is the fallback of a LoadCredential= that cannot be
    /// read; the directory goes when the unit stops.
    @Test func credentialsReachTheServiceAndOnlyIt() throws {
        let out = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let secret = "\(out)/secret-source"
        FileManager.default.createFile(atPath: secret, contents: Data("s3cret".utf8), attributes: [.posixPermissions: 0o600])
        let unit = "[Service]\nType=oneshot\nUser=nobody\nLoadCredential=secret:\(secret)\nLoadCredential=fallback:/nonexistent/wick\n"
            + "SetCredential=fallback:from\\x20set\nSetCredential=token:abc\nExecStart=/bin/sh -c 'cat %d/secret > \(out)/secret; "
            + "cat $CREDENTIALS_DIRECTORY/fallback > \(out)/fallback; echo $CREDENTIALS_DIRECTORY > \(out)/directory; "
            + "stat -c \"%%a %%U\" $CREDENTIALS_DIRECTORY $CREDENTIALS_DIRECTORY/token > \(out)/modes'\n"
        let live = try ControlVerbTests.start([
            "cred.service": unit,
            "broken.service": "[Service]\nLoadCredential=gone:/nonexistent/wick\nExecStart=/bin/true\n",
            "kept.service": "[Service]\nType=oneshot\nRuntimeDirectory=kept-\(getpid())\nRuntimeDirectoryPreserve=yes\nSetCredential=token:abc\nExecStart=/bin/true\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "cred.service").status == 0, "\(live.wick.log)")
        #expect(Self.read("\(out)/secret") == "s3cret")
        #expect(Self.read("\(out)/fallback") == "from set")
        let run = live.directory.appendingPathComponent("run").path
        #expect(Self.read("\(out)/directory") == "\(run)/credentials/cred.service\n")
        #expect(Self.read("\(out)/modes") == "500 nobody\n400 nobody\n", "\(Self.read("\(out)/modes"))")
        #expect(!FileManager.default.fileExists(atPath: "\(run)/credentials/cred.service"), "removed when the unit stops")
        #expect(try live.run("start", "broken.service").status == 1)
        #expect(live.wick.log.contains("broken.service: LoadCredential=gone:/nonexistent/wick cannot be read (243/CREDENTIALS)"), "\(live.wick.log)")
        // RuntimeDirectoryPreserve=yes keeps the runtime directory, not the credentials
        // (systemd's unit_destroy_runtime_data()).
        #expect(try live.run("start", "kept.service").status == 0, "\(live.wick.log)")
        #expect(ControlVerbTests.waitFor { !FileManager.default.fileExists(atPath: "\(run)/credentials/kept.service") }, "credentials removed")
        #expect(FileManager.default.fileExists(atPath: "\(run)/kept-\(getpid())"), "the preserved runtime directory stays")
    }

    /// StandardInputText= and StandardInputData= feed standard input (StandardInput=data implied);
    /// SIGPIPE is ignored unless IgnoreSIGPIPE=no.
    @Test func standardInputDataAndSIGPIPE() throws {
        let out = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let live = try ControlVerbTests.start([
            "data.service": "[Service]\nType=oneshot\nStandardInputText=hello\\x21\nStandardInputData=d29y\nStandardInputData=bGQK\nExecStart=/bin/sh -c 'cat > \(out)/stdin; grep SigIgn /proc/self/status > \(out)/ignored'\n",
            "pipe.service": "[Service]\nType=oneshot\nIgnoreSIGPIPE=no\nExecStart=/bin/sh -c 'grep SigIgn /proc/self/status > \(out)/default'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "data.service").status == 0, "\(live.wick.log)")
        #expect(try live.run("start", "pipe.service").status == 0)
        #expect(Self.read("\(out)/stdin") == "hello!\nworld\n")
        let ignored = UInt64(Self.field(Self.read("\(out)/ignored"), "SigIgn"), radix: 16) ?? 0
        let standard = UInt64(Self.field(Self.read("\(out)/default"), "SigIgn"), radix: 16) ?? 1
        #expect(ignored & (1 << 12) != 0 && standard & (1 << 12) == 0, "SIGPIPE (13) ignored by default only")
    }

    /// Signals wick inherited ignored (a shell's `trap ''`, a background job's SIGINT) are not
    /// ignored in its services: the child resets every disposition wick has that is not the
    /// default (read once at the first spawn), as systemd's reset_all_signal_handlers().
    @Test func inheritedIgnoredSignalsAreResetInServices() throws {
        let out = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let directory = try BinaryRunner.directory([
            "a.service": "[Service]\nType=oneshot\nIgnoreSIGPIPE=no\nExecStart=/bin/sh -c 'grep SigIgn /proc/self/status > \(out)/a'\n",
            "b.service": "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'grep SigIgn /proc/self/status > \(out)/b'\n",
        ])
        let runtime = directory.appendingPathComponent("run").path
        let wick = try BackgroundProcess(URL(fileURLWithPath: "/bin/sh"), [
            "-c", "trap '' USR2 TTOU INT; exec \"$0\" \"$@\"", BinaryRunner.wick.path,
            "daemon", "--units", directory.path, "--runtime-dir", runtime,
        ])
        let live = ControlVerbTests.Live(wick: wick, directory: directory)
        defer { live.stop() }
        #expect(ControlVerbTests.waitFor { FileManager.default.fileExists(atPath: live.control) }, "\(wick.log)")
        #expect(try live.run("start", "a.service").status == 0, "\(wick.log)")
        #expect(try live.run("start", "b.service").status == 0)
        let first = try #require(UInt64(Self.field(Self.read("\(out)/a"), "SigIgn"), radix: 16))
        let second = try #require(UInt64(Self.field(Self.read("\(out)/b"), "SigIgn"), radix: 16))
        // Bit n-1 is signal n: SIGINT 2, SIGUSR2 12, SIGPIPE 13, SIGTTOU 22. (Signals 32 and 33
        // are glibc's own, which sigaction() refuses to change, for systemd as for wick.)
        let trapped: UInt64 = 1 << 1 | 1 << 11 | 1 << 21
        #expect(first & trapped == 0 && first & 1 << 12 == 0, "nothing of wick's ignored in the first service")
        #expect(second & trapped == 0 && second & 1 << 12 != 0, "only SIGPIPE (IgnoreSIGPIPE=yes) in the second")
    }

    /// systemd's build_environment(): every process gets `SYSTEMD_EXEC_PID=` with its own pid
    /// (control commands too); `Environment=` sets it instead, `UnsetEnvironment=` removes it.
    @Test func everyProcessGetsItsOwnPIDAsSystemdExecPID() throws {
        let out = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        func unit(_ extra: String) -> String {
            "[Service]\nType=oneshot\n\(extra)ExecStartPre=/bin/sh -c 'echo pre $$$$ $${SYSTEMD_EXEC_PID-unset} >> \(out)/ids'\n"
                + "ExecStart=/bin/sh -c 'echo main $$$$ $${SYSTEMD_EXEC_PID-unset} >> \(out)/ids'\n"
        }
        let live = try ControlVerbTests.start([
            "own.service": unit(""), "set.service": unit("Environment=SYSTEMD_EXEC_PID=mine\n"), "unset.service": unit("UnsetEnvironment=SYSTEMD_EXEC_PID\n"),
        ])
        defer { live.stop() }
        for name in ["own.service", "set.service", "unset.service"] {
            #expect(try live.run("start", name).status == 0, "\(live.wick.log)")
        }
        let lines = Self.read("\(out)/ids").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.count == 6 && lines.allSatisfy { $0.count == 3 }, "\(lines)")
        for (index, line) in lines.enumerated() where line.count == 3 {
            switch index / 2 {
            case 0: #expect(line[1] == line[2], "its own pid, the control process's too: \(line)")
            case 1: #expect(line[2] == "mine", "\(line)")
            default: #expect(line[2] == "unset", "\(line)")
            }
        }
    }

    /// DynamicUser=yes: a uid and gid from 61184-65519, the same at each start while wick runs,
    /// named after the unit, owning its state directory (the one place it may write: the system
    /// is read-only and /tmp its own, systemd's implied sandbox).
    @Test func aDynamicUserHasAStableUidFromSystemdsRange() throws {
        let state = "wick-dyn-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: "/var/lib/\(state)") }
        let live = try ControlVerbTests.start([
            "dyn.service": "[Service]\nType=oneshot\nDynamicUser=yes\nStateDirectory=\(state)\nExecStart=/bin/sh -c 'echo $$(id -u) $$(id -g) $$USER >> $$STATE_DIRECTORY/ids'\n",
        ])
        defer { live.stop() }
        #expect(try live.run("start", "dyn.service").status == 0, "\(live.wick.log)")
        #expect(try live.run("start", "dyn.service").status == 0)
        let lines = Self.read("/var/lib/\(state)/ids").split(separator: "\n")
        let fields = lines.first?.split(separator: " ") ?? []
        let uid = UInt32(fields.first ?? "") ?? 0
        #expect(lines.count == 2 && lines[0] == lines[1], "stable: \(lines)")
        #expect((61184...65519).contains(uid) && fields.count == 3 && fields[1] == fields[0] && fields[2] == "dyn", "\(lines)")
        var info = stat()
        #expect(stat("/var/lib/\(state)", &info) == 0 && info.st_uid == uid)
    }
}
