import Testing
@testable import WickUnits

/// Values and names systemd 252 reads that wick read differently (load-fragment-gperf.gperf.in,
/// service_add_extras(), socket_add_extras(), socket_apply_socket_options()).
@Suite struct SystemdSpellingsTests {
    /// service_add_extras(): no `Type=` is `dbus` with `BusName=`, `simple` with `ExecStart=`,
    /// `oneshot` without (and a oneshot has no start timeout); a `Type=` written stays.
    @Test func aServiceWithoutTypeGetsSystemdsType() {
        let stopOnly = buildUnit("a.service", "[Service]\nExecStop=/bin/stop\nRemainAfterExit=yes\n")
        #expect(stopOnly.loadState == .loaded)
        #expect(stopOnly.settings.service.type == .oneshot)
        #expect(stopOnly.settings.service.effectiveTimeoutStart == .infinity)
        #expect(buildUnit("a.service", "[Service]\nExecStart=/bin/a\n").settings.service.type == .simple)
        #expect(buildUnit("a.service", "[Service]\nBusName=org.example.A\nExecStart=/bin/a\n").settings.service.type == .dbus)
        #expect(buildUnit("a.service", "[Service]\nType=simple\nBusName=org.example.A\nExecStart=/bin/a\n").settings.service.type == .simple)
        #expect(buildUnit("a.service", "[Service]\nType=exec\nExecStart=/bin/a\n", dropIns: ["[Service]\nExecStart=\n"]).loadState == .badSetting)
    }

    /// DEFINE_STRING_TABLE_LOOKUP_WITH_BOOLEAN: any boolean spelling is `yes` or `no`.
    @Test(arguments: [("on", "yes"), ("1", "yes"), ("TRUE", "yes"), ("t", "yes"), ("off", "no"), ("0", "no"), ("False", "no")])
    func protectAndPreserveTakeEveryBooleanSpelling(spelling: String, stored: String) {
        let unit = buildUnit("a.service", """
            [Service]
            ExecStart=/bin/a
            ProtectSystem=\(spelling)
            ProtectHome=\(spelling)
            RuntimeDirectoryPreserve=\(spelling)
            """)
        #expect(messages(unit, .error) == [])
        #expect(unit.settings.service.exec.protectSystem == stored)
        #expect(unit.settings.service.exec.protectHome == stored)
        #expect(unit.settings.service.exec.runtimeDirectoryPreserve == stored)
    }

    @Test func protectKeepsItsWordsAndRefusesOthers() {
        let unit = buildUnit("a.service", "[Service]\nExecStart=/bin/a\nProtectSystem=strict\nProtectHome=tmpfs\nRuntimeDirectoryPreserve=restart\n")
        #expect(unit.settings.service.exec.protectSystem == "strict")
        #expect(unit.settings.service.exec.protectHome == "tmpfs")
        #expect(unit.settings.service.exec.runtimeDirectoryPreserve == "restart")
        #expect(messages(buildUnit("a.service", "[Service]\nExecStart=/bin/a\nProtectSystem=sometimes\n"), .error)
            == ["ProtectSystem=: expected one of full, strict or a boolean, got 'sometimes'"])
    }

    /// unit_patch_contexts(): `DynamicUser=yes` implies a private /tmp, `ProtectSystem=strict`,
    /// `ProtectHome=read-only` (unless set), `NoNewPrivileges=` and `RestrictSUIDSGID=`.
    @Test func aDynamicUserImpliesSystemdsSandbox() {
        let exec = buildUnit("a.service", "[Service]\nExecStart=/bin/a\nDynamicUser=yes\nProtectHome=yes\n").settings.service.exec
        #expect(exec.privateTmp && exec.protectSystem == "strict" && exec.protectHome == "yes" && exec.noNewPrivileges && exec.restrictSUIDSGID)
        #expect(buildUnit("a.service", "[Service]\nExecStart=/bin/a\nDynamicUser=yes\n").settings.service.exec.protectHome == "read-only")
        let plain = buildUnit("a.service", "[Service]\nExecStart=/bin/a\n").settings.service.exec
        #expect(!plain.privateTmp && plain.protectSystem == "no" && !plain.noNewPrivileges && !plain.restrictSUIDSGID)
    }

    /// ip_tos_from_string(): `IPTOS=` takes the four names of systemd.socket(5) or 0-255.
    @Test func ipTOSTakesItsNames() {
        for (name, value) in [("low-delay", 0x10), ("throughput", 0x08), ("reliability", 0x04), ("low-cost", 0x02), ("184", 184)] {
            let unit = buildUnit("a.socket", "[Socket]\nListenStream=127.0.0.1:9\nIPTOS=\(name)\n")
            #expect(unit.loadState == .loaded && unit.settings.socket.ipTOS == Int32(value), "\(name)")
        }
        #expect(messages(buildUnit("a.socket", "[Socket]\nListenStream=127.0.0.1:9\nIPTOS=fast\n"), .error)
            == ["IPTOS=: expected a number from 0 to 255 or one of low-delay, throughput, reliability, low-cost, got 'fast'"])
    }

    /// The older names systemd 252 still reads, with their meaning.
    @Test func olderSpellingsMeanWhatTheyMeanInSystemd() {
        let unit = buildUnit("a.service", """
            [Unit]
            BindTo=b.service
            PropagateReloadTo=c.service
            PropagateReloadFrom=d.service
            StartLimitInterval=0
            [Service]
            ExecStart=/bin/a
            ReadWriteDirectories=/var/a
            ReadOnlyDirectories=/etc/a
            InaccessibleDirectories=/srv/a
            """)
        #expect(unit.diagnostics.isEmpty)
        #expect(unit.settings.unit.bindsTo == ["b.service"])
        #expect(unit.settings.unit.propagatesReloadTo == ["c.service"])
        #expect(unit.settings.unit.reloadPropagatedFrom == ["d.service"])
        #expect(unit.settings.unit.startLimitInterval == .zero)
        #expect(unit.settings.service.exec.readWritePaths == ["/var/a"])
        #expect(unit.settings.service.exec.readOnlyPaths == ["/etc/a"])
        #expect(unit.settings.service.exec.inaccessiblePaths == ["/srv/a"])
    }

    /// config_parse_obsolete_unit_deps(): the `*Overridable=` forms are `Requires=`/`Requisite=`.
    @Test func overridableDependenciesAreRequirements() {
        let unit = buildUnit("a.service", "[Unit]\nRequiresOverridable=b.service\nRequisiteOverridable=c.service\n[Service]\nExecStart=/bin/a\n")
        #expect(unit.settings.unit.requires == ["b.service"] && unit.settings.unit.requisite == ["c.service"])
        #expect(messages(unit, .warning) == ["RequiresOverridable= is obsolete: read as Requires=, as systemd does",
                                             "RequisiteOverridable= is obsolete: read as Requisite=, as systemd does"])
    }

    /// An ignored directive takes any value (systemd reads most as plain strings): a quote or a
    /// trailing backslash does not make the unit fail to load.
    @Test func anUnsupportedDirectiveTakesAnyValue() {
        let unit = buildUnit("a.service", "[Unit]\nRebootArgument=it's\n[Service]\nExecStart=/bin/a\nPAMName=foo\"\n")
        #expect(unit.loadState == .loaded && messages(unit, .error).isEmpty)
    }

    /// systemd 252's emergency actions; the empty assignment is `none` (so it stands in for no
    /// command), an unknown one is refused.
    @Test func emergencyActionsAreSystemds() {
        #expect(buildUnit("a.service", "[Unit]\nSuccessAction=exit\n[Service]\nType=oneshot\n").loadState == .loaded)
        #expect(buildUnit("a.service", "[Unit]\nSuccessAction=\n[Service]\nType=oneshot\n").loadState == .badSetting)
        #expect(messages(buildUnit("a.service", "[Unit]\nSuccessAction=bogus\n[Service]\nExecStart=/bin/a\n"), .error).first?
            .hasPrefix("SuccessAction=: expected one of none, reboot") == true)
    }

    /// systemd 252 reads `StartLimitIntervalSec=` and `SuccessAction=` in `[Unit]` only
    /// ("Unknown key name ... in section 'Service', ignoring"): the default limit stays.
    @Test func startLimitIntervalSecInServiceIsIgnoredAsInSystemd() {
        let unit = buildUnit("a.service", "[Service]\nExecStart=/bin/a\nStartLimitIntervalSec=0\nSuccessAction=exit\nStartLimitInterval=30\n")
        #expect(unit.settings.unit.startLimitInterval == .seconds(30))
        #expect(unit.settings.unit.successAction == "none")
        #expect(messages(unit, .warning) == [
            "unknown directive StartLimitIntervalSec= in section [Service], ignoring it (systemd reads it in [Unit] only)",
            "unknown directive SuccessAction= in section [Service], ignoring it (systemd reads it in [Unit] only)",
        ])
        #expect(buildUnit("a.service", "[Service]\nExecStart=/bin/a\nStartLimitIntervalSec=0\n").settings.unit.startLimitInterval == .seconds(10))
    }

    /// A directive systemd 252 knows and wick does not implement is named as such, not as unknown.
    @Test func systemdDirectivesWickIgnoresAreNotCalledUnknown() {
        let unit = buildUnit("a.service", """
            [Unit]
            PropagatesStopTo=b.service
            JobTimeoutAction=none
            [Service]
            ExecStart=/bin/a
            ExitType=cgroup
            TimeoutStopFailureMode=kill
            IOReadBandwidthMax=/dev/sda 1M
            """)
        #expect(unit.loadState == .loaded)
        #expect(messages(unit, .warning) == [
            "PropagatesStopTo= is not supported: wick ignores it", "JobTimeoutAction= is not supported: wick ignores it",
            "ExitType= is not supported: wick ignores it", "TimeoutStopFailureMode= is not supported: wick ignores it",
            "IOReadBandwidthMax= is not supported: wick ignores it",
        ])
        #expect(messages(buildUnit("a.socket", "[Socket]\nListenStream=80\nSocketProtocol=sctp\n"), .warning)
            == ["SocketProtocol= is not supported: wick ignores it"])
        #expect(messages(buildUnit("a.service", "[Service]\nExecStart=/bin/a\nNoSuchThing=1\n"), .warning)
            == ["unknown directive NoSuchThing= in section [Service], ignoring it"])
    }

    /// socket_add_extras(): `infinity` is the trigger and poll limits' "unset", 2 s.
    @Test func anInfiniteLimitIntervalIsTheDefault() {
        let socket = buildUnit("a.socket", "[Socket]\nListenStream=80\nTriggerLimitIntervalSec=infinity\nPollLimitIntervalSec=infinity\n").settings.socket
        #expect(socket.effectiveTriggerLimit.interval == .seconds(2))
        #expect(socket.effectivePollLimit.interval == .seconds(2))
        let off = buildUnit("a.socket", "[Socket]\nListenStream=80\nTriggerLimitIntervalSec=0\nTriggerLimitBurst=7\n").settings.socket
        #expect(off.effectiveTriggerLimit.interval == .zero && off.effectiveTriggerLimit.burst == 7)
    }
}
