import Testing
@testable import WickCore
import WickUnits

/// `ExecRequest.build` (issue 11): the whole start of a process as a value, from the unit, the
/// user database and what the manager passes, without a fork.
@Suite struct ExecRequestTests {
    static let users = UserRecords(
        passwd: "root:x:0:0:root:/root:/bin/bash\nweb:x:1000:1000:Web:/srv/web:/bin/sh\nbare:x:1001:1001::/:\n",
        group: "root:x:0:\nweb:x:1000:\nlog:x:4:web,other\nextra:x:2000:\n")

    func context(_ lines: String) -> ExecContext {
        let unit = UnitBuilder.build(name: try! UnitName("t.service"), fragment: UnitSourceFile(path: "/t.service", text: "[Service]\nExecStart=/bin/t\n" + lines))
        return unit.settings.service.exec
    }

    func build(_ lines: String, _ adjust: (inout ExecInputs) -> Void = { _ in }) -> Result<ExecRequest, ExecFailure> {
        var inputs = ExecInputs(unit: "t.service", context: context(lines), users: Self.users)
        inputs.hardLimits = [7: 524_288, 8: .max, 4: .max]
        adjust(&inputs)
        return ExecRequest.build(inputs)
    }

    func request(_ lines: String, _ adjust: (inout ExecInputs) -> Void = { _ in }) throws -> ExecRequest {
        try build(lines, adjust).get()
    }

    @Test func userGroupsAndTheirEnvironment() throws {
        let request = try request("User=web\nSupplementaryGroups=extra\n")
        #expect(request.credentials == .init(uid: 1000, gid: 1000, groups: [1000, 4, 2000]), "initgroups(): the gid, the user's groups, then SupplementaryGroups=")
        #expect(request.environment.starts(with: []) && ["USER=web", "LOGNAME=web", "HOME=/srv/web", "SHELL=/bin/sh"].allSatisfy(request.environment.contains))
        #expect(try self.request("User=1000\nGroup=extra\n").credentials == .init(uid: 1000, gid: 2000, groups: [2000, 4]), "initgroups() with Group='s gid")
        #expect(try self.request("User=root\n").credentials == .init(uid: 0, gid: 0, groups: []), "no initgroups() for gid 0")
        #expect(try self.request("Group=log\n").credentials == .init(uid: 0, gid: 4, groups: []), "Group= alone keeps wick's uid")
        #expect(try self.request("").credentials == nil && !self.request("").environment.contains { $0.hasPrefix("USER=") })
    }

    /// get_fixed_user() with USER_CREDS_CLEAN: `HOME` and `SHELL` only where they say something:
    /// not a home of `/` or a nologin shell, root's synthesized (/root, /bin/sh), none for nobody
    /// or a dynamic user.
    @Test func loginVariablesAreLeftOutWhereSystemdLeavesThemOut() throws {
        let users = UserRecords(
            passwd: "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                + "bare:x:1001:1001::/:\nfalse:x:1002:1002::/home/f:/bin/false\nrel:x:1003:1003::home:sh\n",
            group: "root:x:0:\n")
        func login(_ user: String) throws -> [String] {
            let request = try build("User=\(user)\n") { $0.users = users }.get()
            return request.environment.filter { $0.hasPrefix("HOME=") || $0.hasPrefix("SHELL=") || $0.hasPrefix("USER=") }
        }
        #expect(try login("root") == ["USER=root", "HOME=/root", "SHELL=/bin/sh"], "the default root shell, not passwd's /bin/bash")
        #expect(try login("0") == ["USER=root", "HOME=/root", "SHELL=/bin/sh"])
        let bash = try build("User=root\n") { $0.users = users; $0.rootShell = "/bin/bash" }.get()
        #expect(bash.environment.contains("SHELL=/bin/bash"), "default_root_shell() where /bin/bash exists")
        #expect(try login("nobody") == ["USER=nobody"])
        #expect(try login("bare") == ["USER=bare"])
        #expect(try login("false") == ["USER=false", "HOME=/home/f"])
        #expect(try login("rel") == ["USER=rel"])
        // The dynamic user as the daemon passes it (the sandbox DynamicUser= implies is not built here).
        let dynamic = try build("") {
            $0.dynamicUser = UserRecords.User(name: "t", uid: 61_200, gid: 61_200, home: "/", shell: "/usr/sbin/nologin")
        }.get()
        #expect(dynamic.environment.filter { $0.hasPrefix("HOME=") || $0.hasPrefix("SHELL=") }.isEmpty)
        #expect(dynamic.credentials?.groups == [61_200])
    }

    /// A request built from its context alone is taken again by a later start of the same
    /// context with that start's environment; one that read users or files, or made something
    /// for its start, is not, nor for other privileges.
    @Test func onlyARequestBuiltFromItsContextAloneIsReused() throws {
        let shared = context("Environment=A=1\nRuntimeDirectory=r\nLimitNOFILE=4096\n")
        var inputs = ExecInputs(unit: "t.service", context: shared, users: Self.users)
        inputs.invocationID = "1111"
        inputs.managerVariables = [("REMOTE_PORT", "5000")]
        let first = try ExecRequest.build(inputs).get()
        var next = ExecInputs(unit: "t.service", context: shared, users: Self.users)
        next.invocationID = "2222"
        next.managerVariables = [("REMOTE_PORT", "5001")]
        #expect(first.isReusable(for: next.privileges))
        let reused = first.reused(with: next)
        #expect(reused.environment == ["INVOCATION_ID=2222", "REMOTE_PORT=5001", "RUNTIME_DIRECTORY=/run/r", "A=1"])
        #expect(reused == (try ExecRequest.build(next).get()), "what building it again gives")
        next.privileges = .full
        #expect(!first.isReusable(for: next.privileges), "another privilege level builds its own")
        let host = Sandbox.Host(stagingRoot: "/run/wick/unit-root", inaccessibleDirectory: "/run/wick/inaccessible/dir", inaccessibleFile: "/run/wick/inaccessible/file")
        for lines in ["User=web\n", "Group=log\n", "SupplementaryGroups=extra\n", "DynamicUser=yes\n", "EnvironmentFile=-/etc/none\n",
                      "SetCredential=a:b\n", "PrivateTmp=yes\n", "PrivateNetwork=yes\n", "PrivateIPC=yes\n", "WorkingDirectory=~\n"] {
            let built = try request(lines) { $0.sandboxHost = host }
            #expect(!built.isReusable(for: .normal), "\(lines)")
        }
    }

    /// A kept request's start writes only its own variables (`startVariables`), at the slots
    /// that make the environment building it again would make: a later `Environment=` or
    /// `PassEnvironment=` keeps its value, a manager variable first set by the manager's
    /// environment keeps its place; other names, or an `UnsetEnvironment=` naming one, make the
    /// environment anew.
    @Test func aStartWritesItsOwnVariablesWhereABuildWould() throws {
        func inputs(_ shared: ExecContext, _ invocation: String, _ variables: [(String, String)]) -> ExecInputs {
            var inputs = ExecInputs(unit: "t.service", context: shared, users: Self.users)
            inputs.invocationID = invocation
            inputs.managerEnvironment = [("PATH", "/bin"), ("LISTEN_FDS", "manager")]
            inputs.passSource = ["REMOTE_ADDR": "from wick", "HOME": "/root"]
            inputs.managerVariables = variables
            return inputs
        }
        let connection = [("REMOTE_ADDR", "127.0.0.1"), ("REMOTE_PORT", "5000"), ("LISTEN_FDS", "1"), ("LISTEN_FDNAMES", "connection")]
        let next = [("REMOTE_ADDR", "127.0.0.2"), ("REMOTE_PORT", "5001"), ("LISTEN_FDS", "1"), ("LISTEN_FDNAMES", "connection")]
        for lines in ["", "Environment=REMOTE_PORT=80 A=1\n", "PassEnvironment=REMOTE_ADDR HOME\n", "RuntimeDirectory=r\nEnvironment=X=$Y\n"] {
            let shared = context(lines)
            let first = try ExecRequest.build(inputs(shared, "1111", connection)).get()
            let later = inputs(shared, "2222", next)
            let changes = try #require(first.startVariables(invocationID: later.invocationID, managerVariables: later.managerVariables), "\(lines)")
            var variables = first.variables
            for (slot, variable) in changes { variables[slot] = variable }
            let built = try ExecRequest.build(later).get()
            #expect(variables == built.variables, "\(lines)")
            #expect(first.reused(with: later) == built, "\(lines)")
        }
        let shared = context("Environment=A=1\n")
        let first = try ExecRequest.build(inputs(shared, "1111", connection)).get()
        #expect(first.variables.map(\.name) == ["PATH", "LISTEN_FDS", "INVOCATION_ID", "REMOTE_ADDR", "REMOTE_PORT", "LISTEN_FDNAMES", "A"])
        #expect(first.startVariables(invocationID: "2222", managerVariables: [("REMOTE_ADDR", "::1")]) == nil, "other names")
        #expect(first.startVariables(invocationID: "", managerVariables: connection) == nil, "no invocation id")
        var changed = first
        changed.variables.removeLast()
        #expect(changed.startVariables(invocationID: "2222", managerVariables: next) == nil, "variables changed since the build")
        let reordered = inputs(shared, "2222", next.reversed())
        #expect(first.startVariables(invocationID: "2222", managerVariables: reordered.managerVariables) == nil)
        #expect(first.reused(with: reordered).variables == (try ExecRequest.build(reordered).get()).variables, "made anew")
        for lines in ["UnsetEnvironment=REMOTE_PORT\n", "UnsetEnvironment=REMOTE_PORT=5000\n"] {
            let unset = context(lines)
            let request = try ExecRequest.build(inputs(unset, "1111", connection)).get()
            #expect(request.startVariables(invocationID: "2222", managerVariables: next) == nil, "\(lines)")
            #expect(request.reused(with: inputs(unset, "2222", next)) == (try ExecRequest.build(inputs(unset, "2222", next)).get()), "\(lines)")
        }
    }

    @Test func unknownNamesFailWithSystemdsExitStatuses() {
        #expect(build("User=nosuch\n") == .failure(ExecFailure(status: 217, message: "User=nosuch: no such user in /etc/passwd")))
        #expect(build("User=4242\n") == .failure(ExecFailure(status: 217, message: "User=4242: no such user in /etc/passwd")),
                "a number needs an entry, as in systemd 252")
        #expect(build("Group=nosuch\n") == .failure(ExecFailure(status: 216, message: "Group=nosuch: no such group in /etc/group")))
        #expect(build("User=web\nSupplementaryGroups=nosuch\n") == .failure(ExecFailure(status: 216, message: "SupplementaryGroups=nosuch: no such group in /etc/group")))
    }

    @Test func prefixesDecideWhatApplies() throws {
        let unit = "User=web\nCapabilityBoundingSet=CAP_CHOWN\nNoNewPrivileges=yes\nLimitNOFILE=10\nRuntimeDirectory=t\n"
        let full = try request(unit) { $0.privileges = .full }
        #expect(full.credentials == nil && full.boundingSet == nil && !full.noNewPrivileges && full.limits.isEmpty)
        #expect(full.directories.map(\.path) == ["/run/t"] && full.directoryOwner == .init(uid: 1000, gid: 1000),
                "directories are made for every command, owned by User=")
        #expect(full.environment.contains("USER=web"))
        let keep = try request(unit) { $0.privileges = .keepCredentials }
        #expect(keep.credentials == nil && keep.boundingSet == 1 && keep.noNewPrivileges && !keep.limits.isEmpty)
        #expect(CommandPrivileges.of([.fullPrivileges], role: .main, permissionsStartOnly: false) == .full)
        #expect(CommandPrivileges.of([], role: .control, permissionsStartOnly: true) == .full)
        #expect(CommandPrivileges.of([], role: .main, permissionsStartOnly: true) == .normal)
        #expect(CommandPrivileges.of([.privilegedNoSetuid], role: .main, permissionsStartOnly: false) == .keepCredentials)
        #expect(CommandPrivileges.of([.privilegedNoSetuid, .ambientFallback], role: .main, permissionsStartOnly: false) == .normal,
                "!! is no prefix on a kernel with ambient capabilities")
    }

    @Test func ambientCapabilitiesKeepWhatTheyNeed() throws {
        let user = try request("User=web\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n")
        #expect(user.ambient == 1 << 10 && user.capabilitySets == .init(permitted: 1 << 10, inheritable: 1 << 10))
        let root = try request("AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_KILL\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_CHOWN\n")
        #expect(root.ambient == 1 << 10, "ambient capabilities outside the bounding set are dropped")
        #expect(root.capabilitySets == .init(permitted: 1 << 10 | 1, inheritable: 1 << 10), "root keeps its bounding set")
        #expect(try request("SecureBits=keep-caps noroot\n").secureBits == 1 << 4 | 1)
    }

    @Test func limitsHaveSystemdsDefaultsAndCannotExceedWhatWickMayRaise() throws {
        let defaults = try request("")
        #expect(defaults.limits == [.init(resource: 8, soft: 8 << 20, hard: 8 << 20), .init(resource: 7, soft: 1024, hard: 524_288)])
        let lowered = try request("") { $0.hardLimits[7] = 20_000 }
        #expect(lowered.limits.contains(.init(resource: 7, soft: 1024, hard: 20_000)), "wick's lower hard limit caps the default")
        let set = try request("LimitNOFILE=4096:8192\nLimitCORE=infinity\nLimitCPU=2min\nLimitNICE=-5\n")
        #expect(set.limits.contains(.init(resource: 7, soft: 4096, hard: 8192)))
        #expect(set.limits.contains(.init(resource: 4, soft: .max, hard: .max)))
        #expect(set.limits.contains(.init(resource: 0, soft: 120, hard: 120)))
        #expect(set.limits.contains(.init(resource: 13, soft: 25, hard: 25)), "LimitNICE=-5 is the raw 25")
        let lowered600k = try request("LimitNOFILE=600000\n") { $0.canRaiseLimits = false }
        #expect(lowered600k.limits.contains(.init(resource: 7, soft: 524_288, hard: 524_288)), "lowered as systemd's setrlimit_closest()")
        #expect(lowered600k.notes == ["LimitNOFILE=600000 is above wick's hard limit 524288, which it may not raise: lowered to 524288"])
        #expect((try? build("LimitNOFILE=600000\n").get()) != nil, "with CAP_SYS_RESOURCE wick raises it")
    }

    @Test func theEnvironmentFollowsSystemdsPrecedence() throws {
        let request = try request("User=web\nEnvironment=A=unit B=unit C=unit\nPassEnvironment=TERM MISSING\nUnsetEnvironment=C D=wrong\n") {
            $0.managerEnvironment = [("PATH", "/p"), ("LANG", "C.UTF-8")]
            $0.invocationID = String(repeating: "a", count: 32)
            $0.managerVariables = [("LISTEN_FDS", "1"), ("A", "manager"), ("D", "manager")]
            $0.passSource = ["TERM": "xterm", "A": "wick"]
            $0.environmentFiles = [(EnvironmentFile(path: "/e", optional: false), [("B", "file")])]
        }
        #expect(request.environment == [
            "PATH=/p", "LANG=C.UTF-8", "USER=web", "LOGNAME=web", "HOME=/srv/web", "SHELL=/bin/sh",
            "INVOCATION_ID=" + String(repeating: "a", count: 32), "LISTEN_FDS=1", "A=unit", "D=manager", "TERM=xterm", "B=file",
        ])
        #expect(build("EnvironmentFile=/missing\n") { $0.environmentFiles = [(EnvironmentFile(path: "/missing", optional: false), nil)] }
                == .failure(ExecFailure(status: 203, message: "EnvironmentFile=/missing cannot be read")))
        #expect((try? build("EnvironmentFile=-/missing\n") { $0.environmentFiles = [(EnvironmentFile(path: "/missing", optional: true), nil)] }.get()) != nil)
    }

    @Test func directoriesAndWorkingDirectory() throws {
        let request = try request("User=web\nRuntimeDirectory=a b/c\nStateDirectory=s\nStateDirectoryMode=0700\nConfigurationDirectory=conf\nWorkingDirectory=~\n")
        #expect(request.directories == [
            .init(path: "/run/a", mode: 0o755, keepExisting: false, exitStatus: 233),
            .init(path: "/run/b/c", mode: 0o755, keepExisting: false, exitStatus: 233),
            .init(path: "/var/lib/s", mode: 0o700, keepExisting: false, exitStatus: 238),
            .init(path: "/etc/conf", mode: 0o755, keepExisting: true, exitStatus: 241),
        ])
        #expect(request.environment.contains("RUNTIME_DIRECTORY=/run/a:/run/b/c") && request.environment.contains("STATE_DIRECTORY=/var/lib/s"))
        #expect(request.workingDirectory == "/srv/web")
        #expect(try self.request("").workingDirectory == "/", "systemd's default for system services")
        let optional = try self.request("WorkingDirectory=-/nowhere\n")
        #expect(optional.workingDirectory == "/nowhere" && optional.workingDirectoryOptional)
        #expect(ExecRequest.runtimeDirectories(context("RuntimeDirectory=a b/c\n"), runtimeDirectory: "/run") == ["/run/a", "/run/b/c"])
        #expect(context("RuntimeDirectory=../etc\n").runtimeDirectory.isEmpty, "'..' is refused")
    }

    @Test func schedulingAsSystemdNormalizesIt() throws {
        let request = try request("CPUSchedulingPolicy=fifo\nCPUSchedulingPriority=10\nIOSchedulingClass=none\nCPUAffinity=0,2-3\nCPUAffinity=5\n")
        #expect(request.scheduling == .init(policy: 1, priority: 10, resetOnFork: false))
        #expect(request.ioPriority == Int32(2 << 13 | 4), "class none is best-effort 4")
        #expect(request.cpuAffinity == [0, 2, 3, 5], "lines add up")
        #expect(try self.request("IOSchedulingPriority=7\n").ioPriority == Int32(2 << 13 | 7))
        #expect(try self.request("IOSchedulingClass=idle\n").ioPriority == Int32(3 << 13))
        #expect(try self.request("CPUSchedulingPolicy=idle\n").scheduling == .init(policy: 5, priority: 0, resetOnFork: false))
        #expect(context("CPUSchedulingPolicy=deadline\n").cpuSchedulingPolicy == nil, "not a policy systemd takes")
        #expect(context("CPUAffinity=3-1\n").cpuAffinity.isEmpty)
    }

    @Test func credentialsLoadFirstAndFallBackToSetCredential() throws {
        let lines = "LoadCredential=a:/a\nLoadCredential=b:/b\nSetCredential=b:fallback\nSetCredential=c:x\\ny\n"
        let request = try request(lines) { $0.loadedCredentials = ["a": Array("A".utf8)] }
        #expect(request.credentialFiles == [.init(id: "a", contents: Array("A".utf8)), .init(id: "b", contents: Array("fallback".utf8)),
                                            .init(id: "c", contents: Array("x\ny".utf8))])
        #expect(request.credentialsDirectory == "/run/credentials/t.service" && request.environment.contains("CREDENTIALS_DIRECTORY=/run/credentials/t.service"))
        #expect(build("LoadCredential=a:/a\n") == .failure(ExecFailure(status: 243, message: "LoadCredential=a:/a cannot be read")))
        #expect(context("LoadCredential=key\n").loadCredentials.map(\.path) == ["key"], "looked up in the credential stores")
        #expect(context("LoadCredential=../x:/y\n").loadCredentials.isEmpty)
    }

    /// The order of first appearance, replacement in place, `UnsetEnvironment=` by name or exact
    /// assignment, and the same answers once the environment is large enough to be indexed.
    @Test func orderedEnvironmentKeepsFirstOrderAndReplaces() {
        for padding in [0, OrderedEnvironment.indexedFrom + 5] {
            var environment = OrderedEnvironment()
            let fillers = (0..<padding).map { "F\($0)" }
            for name in fillers { environment.set(name, "x") }
            environment.set("A", "1")
            environment.set("B", "2")
            environment.set("A", "3")
            environment.set("C", "4")
            environment.unset("B=9")
            environment.unset("C=4")
            environment.set("D", "5")
            environment.unset("D")
            environment.set("C", "6")
            #expect(environment.variables.map { $0.name + "=" + $0.value } == fillers.map { $0 + "=x" } + ["A=3", "B=2", "C=6"], "padding \(padding)")
            #expect(environment.pairs.suffix(3).map { $0.0 + $0.1 } == ["A3", "B2", "C6"])
        }
    }
}
