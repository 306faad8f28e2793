import Testing
@testable import WickUnits

@Suite struct UnitBuilderTests {
    @Test func repeatedKeysAppendAndEmptyAssignmentResets() {
        let unit = buildUnit("a.service", """
            [Unit]
            After=x.service y.service
            After=z.service
            [Service]
            ExecStartPre=/bin/one
            ExecStartPre=/bin/two
            ExecStartPre=
            ExecStartPre=/bin/three
            ExecStart=/bin/main
            """)
        #expect(unit.loadState == .loaded)
        #expect(unit.settings.unit.after == ["x.service", "y.service", "z.service"])
        #expect(unit.settings.service.execStartPre.map(\.path) == ["/bin/three"])
    }

    @Test func laterSingleValueWinsAndDropInsApplyAfterTheFragment() {
        let unit = buildUnit("a.service", "[Service]\nExecStart=/bin/a\nRestart=always\nRestart=on-failure\nRestartSec=5\n",
                             dropIns: ["[Service]\nRestartSec=2min\nExecStart=\nExecStart=/bin/b\n"])
        #expect(unit.settings.service.restart == .onFailure)
        #expect(unit.settings.service.restartSec == .seconds(120))
        #expect(unit.settings.service.execStart.map(\.path) == ["/bin/b"])
    }

    @Test func defaultsAreSystemds() {
        let service = buildUnit("a.service", "[Service]\nExecStart=/bin/a\n").settings
        #expect(service.service.type == .simple)
        #expect(service.service.restart == .no)
        #expect(service.service.restartSec == .milliseconds(100))
        #expect(service.service.effectiveTimeoutStart == .seconds(90))
        #expect(service.unit.startLimitInterval == .seconds(10) && service.unit.startLimitBurst == 5)
        #expect(service.service.kill.mode == .controlGroup && service.service.kill.signal == .terminate)
        #expect(service.service.exec.effectiveStandardOutput == .journal)
        let socket = buildUnit("a.socket", "[Socket]\nListenStream=80\nAccept=yes\n").settings.socket
        #expect(socket.socketMode == 0o666 && socket.directoryMode == 0o755 && socket.maxConnections == 64)
        #expect(socket.effectiveTriggerLimit.burst == 200 && socket.effectiveTriggerLimit.interval == .seconds(2))
        #expect(socket.effectivePollLimit.burst == 150)
        #expect(buildUnit("b.socket", "[Socket]\nListenStream=80\n").settings.socket.effectiveTriggerLimit.burst == 20)
    }

    @Test func listenLinesKeepTheirOrder() {
        let unit = buildUnit("web.socket", """
            [Socket]
            ListenStream=127.0.0.1:18000
            ListenDatagram=/run/web.dgram
            ListenFIFO=/run/web.fifo
            ListenNetlink=kobject-uevent 1
            ListenStream=[::1]:18001
            FileDescriptorName=web
            """)
        #expect(unit.settings.socket.listen.map(\.directive) == ["ListenStream", "ListenDatagram", "ListenFIFO", "ListenNetlink", "ListenStream"])
        #expect(unit.settings.socket.fileDescriptorName == "web")
    }

    /// A run of one key is looked up once (UnitBuilder.apply): the values still apply in order,
    /// a key's location is its last assignment, in a run or after other keys, across sections,
    /// and a run broken by an unknown key or another section goes on as a run.
    @Test func runsOfOneKeyApplyInOrderAndKeepTheLastLocation() {
        let unit = buildUnit("web.socket", """
            [Socket]
            ListenStream=127.0.0.1:18000
            ListenStream=127.0.0.1:18001
            Backlog=5
            ListenStream=127.0.0.1:18002
            X-Mine=1
            ListenStream=127.0.0.1:18003
            Accept=maybe
            Accept=yes
            [Unit]
            Description=one
            [Socket]
            Backlog=7
            """)
        #expect(unit.settings.socket.listen.map { $0.description } == ["127.0.0.1:18000", "127.0.0.1:18001", "127.0.0.1:18002", "127.0.0.1:18003"])
        #expect(unit.directiveLocations["ListenStream"]?.line == 7)
        #expect(unit.directiveLocations["Accept"]?.line == 9)
        #expect(unit.directiveLocations["Description"]?.line == 11)
        #expect(unit.directiveLocations["Backlog"]?.line == 13)
        #expect(unit.settings.socket.backlog == 7)
        #expect(unit.settings.socket.accept)
        #expect(messages(unit, .error).count == 1, "Accept=maybe is refused once: \(messages(unit, .error))")
    }

    @Test func badValueIsAnErrorWithFileLineAndDirective() {
        let unit = buildUnit("a.socket", "[Socket]\nListenStream=80\nBacklog=lots\n")
        #expect(unit.loadState == .badSetting)
        let error = unit.diagnostics.first { $0.severity == .error }!
        #expect(error.description == "/units/a.socket:3: error: Backlog=: expected a non-negative number, got 'lots'")
        #expect(error.directive == "Backlog" && error.unit == "a.socket")
    }

    @Test func unknownDirectiveAndSectionAreWarnings() {
        let unit = buildUnit("a.service", "[Service]\nExecStart=/bin/a\nFrobnicate=yes\nX-Mine=ok\n[Foo]\nA=b\n[X-Vendor]\nB=c\n[Socket]\nAccept=yes\n")
        #expect(unit.loadState == .loaded)
        #expect(messages(unit, .warning) == [
            "unknown section [Foo], ignoring it",
            "section [Socket] does not belong in a .service unit, ignoring it",
            "unknown directive Frobnicate= in section [Service], ignoring it",
        ])
    }

    @Test func notEnforcedDirectivesWarnOncePlainly() {
        let unit = buildUnit("a.service", "[Service]\nExecStart=/bin/a\nSlice=a.slice\nSlice=b.slice\nProtectSystem=strict\nProtectSystem=full\nDynamicUser=yes\nUser=nobody\n")
        #expect(messages(unit, .warning) == [
            "Slice= is not enforced: wick creates no slices or device cgroups; this is left to the container runtime",
            "DynamicUser= is partly applied: a uid from 61184-65519 stable while wick runs, with systemd's implied PrivateTmp=, ProtectSystem=strict, ProtectHome=read-only, NoNewPrivileges= and RestrictSUIDSGID=; the implied RemoveIPC= and /var/lib/private are not",
        ])
        #expect(unit.settings.service.exec.protectSystem == "strict", "DynamicUser= makes it strict, whatever it was (unit_patch_contexts())")
        #expect(unit.settings.service.exec.user == "nobody")
    }

    @Test func unitLevelChecks() {
        // systemd's service_verify(), in its order.
        #expect(messages(buildUnit("a.service", "[Service]\nType=simple\n"), .error)
            == ["service has no ExecStart=, ExecStop= or SuccessAction= setting, refusing to load it"])
        #expect(messages(buildUnit("a.service", "[Service]\nType=simple\nExecStop=/a\n"), .error)
            == ["service has no ExecStart= setting, which only Type=oneshot allows, refusing to load it"])
        #expect(messages(buildUnit("a.service", "[Service]\nType=oneshot\nExecStop=/a\n"), .error)
            == ["service has no ExecStart= and no SuccessAction= setting and not RemainAfterExit=yes, refusing to load it"])
        #expect(buildUnit("a.service", "[Service]\nType=oneshot\nExecStop=/a\nRemainAfterExit=yes\n").loadState == .loaded)
        #expect(buildUnit("a.service", "[Unit]\nSuccessAction=exit\n[Service]\nType=oneshot\n").loadState == .loaded)
        #expect(messages(buildUnit("a.service", "[Service]\nExecStart=/a\nExecStart=/b\n"), .error).count == 1)
        #expect(buildUnit("a.service", "[Service]\nType=oneshot\nExecStart=/a\nExecStart=/b\n").loadState == .loaded)
        #expect(messages(buildUnit("a.service", "[Service]\nType=oneshot\nExecStart=/a\nRestart=always\n"), .error).count == 1)
        #expect(messages(buildUnit("a.socket", "[Socket]\nAccept=yes\n"), .error) == ["socket unit has no Listen*= setting, refusing to load it"])
        let udp = buildUnit("a.socket", "[Socket]\nListenDatagram=514\nAccept=yes\n")
        #expect(udp.diagnostics.first { $0.severity == .error }?.description
            == "/units/a.socket:3: error: Accept=yes works only on stream and sequential-packet sockets, but ListenDatagram=[::]:514 is not one")
        #expect(buildUnit("a.socket", "[Socket]\nListenStream=1\nAccept=yes\nService=b.service\n").loadState == .badSetting)
        // socket_verify(): Symlinks= needs exactly one node in the file system (it failed only at
        // the start, with result resources).
        #expect(messages(buildUnit("a.socket", "[Socket]\nListenStream=/run/a\nListenFIFO=/run/b\nSymlinks=/run/c\n"), .error)
            == ["Symlinks= needs exactly one socket path or FIFO in the unit, refusing to load it"])
        #expect(buildUnit("a.socket", "[Socket]\nListenStream=@abstract\nSymlinks=/run/c\n").loadState == .badSetting)
        #expect(buildUnit("a.socket", "[Socket]\nListenStream=/run/a\nListenStream=127.0.0.1:9\nSymlinks=/run/c\n").loadState == .loaded)
    }

    @Test func aRejectedValueIsNotReportedAgainAsMissing() {
        let unit = buildUnit("a.service", "[Service]\nExecStart=/bin/x 'open\n")
        #expect(messages(unit, .error) == ["ExecStart=: unbalanced quoting: missing closing ' in '/bin/x 'open'"])
    }

    @Test func socketToServiceMatching() {
        #expect(buildUnit("foo.socket", "[Socket]\nListenStream=1\n").activatedServiceName == "foo.service")
        #expect(buildUnit("foo.socket", "[Socket]\nListenStream=1\nAccept=true\n").activatedServiceName == "foo@.service")
        #expect(buildUnit("syslog.socket", "[Socket]\nListenDatagram=/dev/log\nService=rsyslog.service\n").activatedServiceName == "rsyslog.service")
        #expect(buildUnit("a@x.socket", "[Socket]\nListenStream=/run/%i\n").activatedServiceName == "a@x.service")
        #expect(buildUnit("a@x.socket", "[Socket]\nListenStream=/run/%i\n").settings.socket.listen == [.stream(.unixPath("/run/x"))])
    }

    @Test func environmentAndConditions() {
        let unit = buildUnit("a@inst.service", """
            [Unit]
            ConditionPathExists=|!/etc/%i
            AssertPathIsDirectory=/srv
            [Service]
            Environment="A=1 2" B=%i
            Environment=C=
            EnvironmentFile=-/etc/default/a
            ExecStart=/bin/a $A
            """)
        #expect(unit.loadState == .loaded)
        #expect(unit.settings.service.exec.environment == [
            EnvironmentVariable(name: "A", value: "1 2"), EnvironmentVariable(name: "B", value: "inst"),
            EnvironmentVariable(name: "C", value: ""),
        ])
        #expect(unit.settings.service.exec.environmentFiles == [EnvironmentFile(path: "/etc/default/a", optional: true)])
        #expect(unit.settings.unit.conditions == [UnitCondition(check: "PathExists", value: "/etc/inst", negated: true, triggering: true)])
        #expect(unit.settings.unit.asserts.count == 1)
        #expect(buildUnit("b.service", "[Service]\nExecStart=/a\nEnvironment=1A=x\n").loadState == .badSetting)
    }

    /// `Condition*=` and `Assert*=` are found by their check's name (DirectiveTable.unit): every
    /// check in both forms, nothing else with the prefix.
    @Test func everyConditionAndAssertIsKnownAndNoOtherWordWithTheirPrefix() {
        for check in UnitCondition.allChecks {
            #expect(DirectiveTable.directive("Condition" + check, section: "Unit", unitType: "service") != nil, "Condition\(check)")
            #expect(DirectiveTable.directive("Assert" + check, section: "Unit", unitType: "socket") != nil, "Assert\(check)")
        }
        for word in ["Condition", "Assert", "ConditionPathExist", "AssertPathExistsGlobs", "ConditionDescription", "conditionPathExists"] {
            #expect(DirectiveTable.directive(word, section: "Unit", unitType: "service") == nil, "\(word)")
        }
        let unit = buildUnit("a.service", "[Unit]\nConditionFoo=1\nAssertHost=x\n[Service]\nExecStart=/a\n")
        #expect(messages(unit, .warning).contains { $0.contains("unknown directive ConditionFoo=") })
        #expect(unit.settings.unit.asserts.count == 1)
    }

    /// The exec directives kept out of the table (ExecDirectives.exec): every `Limit*=`,
    /// resource-control and parsed-only sandboxing name is found in both sections.
    @Test func limitsResourcesAndParsedOnlyWordsAreFoundInBothSections() {
        let names = ExecDirectives.limits.map { $0.directive } + ExecDirectives.sandboxBooleans.map { $0.0 }
            + ExecDirectives.sandboxWords.map { $0.0 } + ExecDirectives.unsupported.sorted() + ["MemoryMax", "CPUWeight", "TasksMax", "IOWeight", "SocketBindDeny"]
        for name in names {
            #expect(DirectiveTable.directive(name, section: "Service", unitType: "service") != nil, "\(name)")
            #expect(DirectiveTable.directive(name, section: "Socket", unitType: "socket") != nil, "\(name)")
        }
        let unit = buildUnit("a.service", "[Service]\nExecStart=/a\nLimitNOFILE=1024:4096\nMemoryMax=1G\nLogLevelMax=debug\n")
        #expect(unit.settings.service.exec.limits["NOFILE"] == ResourceLimit(soft: 1024, hard: 4096))
        #expect(unit.settings.service.exec.resources.memoryMax != nil)
        #expect(messages(unit, .warning).contains { $0.hasPrefix("LogLevelMax= is not") })
    }

    @Test func standardStreams() {
        let unit = buildUnit("a@.service", "[Service]\nExecStart=/a\nStandardInput=socket\nStandardError=append:/var/log/a.log\n")
        #expect(unit.settings.service.exec.standardInput == .socket)
        #expect(unit.settings.service.exec.effectiveStandardOutput == .inherit)
        #expect(unit.settings.service.exec.standardError == .append("/var/log/a.log"))
        #expect(buildUnit("b.service", "[Service]\nExecStart=/a\nStandardInput=append:/x\n").loadState == .badSetting)
    }

    @Test func unsupportedTypesWarnAndPrivilegePrefixesAreHonoured() {
        let unit = buildUnit("a.service", "[Service]\nType=dbus\nBusName=org.a\nExecStart=+/bin/a\n")
        #expect(unit.loadState == .loaded)
        #expect(messages(unit, .warning).contains("Type=dbus runs as Type=simple in wick: the bus name is not awaited"))
        #expect(!messages(unit, .warning).contains { $0.contains("prefix") }, "+ is honoured")
    }

    @Test func capabilityListsParseAsSystemdDoes() {
        func bounding(_ lines: String...) -> (CapabilitySet?, [String]) {
            let unit = buildUnit("c.service", "[Service]\nExecStart=/a\n" + lines.map { "CapabilityBoundingSet=\($0)\n" }.joined())
            return (unit.settings.service.exec.capabilityBoundingSet, messages(unit, .error) + messages(unit, .warning))
        }
        #expect(bounding("CAP_NET_BIND_SERVICE cap_chown").0?.names == ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"])
        #expect(bounding("CAP_CHOWN", "CAP_KILL").0?.names == ["CAP_CHOWN", "CAP_KILL"], "lines merge")
        #expect(bounding("~CAP_SYS_ADMIN").0?.contains(21) == false && bounding("~CAP_SYS_ADMIN").0?.contains(0) == true)
        #expect(bounding("CAP_CHOWN CAP_KILL", "~CAP_KILL").0?.names == ["CAP_CHOWN"], "an inverted line removes")
        #expect(bounding("").0 == CapabilitySet.none, "empty is the empty set, as in systemd")
        #expect(bounding().0 == nil, "not set: the bounding set is left alone")
        let (set, reported) = bounding("CAP_CHOWN CAP_FROB NET_ADMIN")
        #expect(set?.names == ["CAP_CHOWN"], "unknown names are skipped, the rest applies")
        #expect(reported.contains { $0.contains("CapabilityBoundingSet=") && $0.contains("unknown capability CAP_FROB, NET_ADMIN") }, "\(reported)")
    }

    @Test func malformedExecSettingsNameTheDirective() {
        let unit = buildUnit("m.service", "[Service]\nExecStart=/a\nLimitNOFILE=lots\nLimitNICE=+25\nPersonality=sparc\nCPUSchedulingPolicy=deadline\nSecureBits=keep-all\n")
        let reported = messages(unit, .error) + messages(unit, .warning)
        for directive in ["LimitNOFILE=", "LimitNICE=", "Personality=", "CPUSchedulingPolicy=", "SecureBits="] {
            #expect(reported.contains { $0.hasPrefix(directive) }, "\(directive) in \(reported)")
        }
        #expect(unit.settings.service.exec.limits["NOFILE"] == nil && unit.settings.service.exec.personality == nil)
        #expect(buildUnit("p.service", "[Service]\nExecStart=/a\nPersonality=x86\n").settings.service.exec.personality == 8)
    }
}
