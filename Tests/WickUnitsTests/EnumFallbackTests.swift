import Testing
@testable import WickUnits

/// systemd's enum parsers that fall back to a boolean (issue 10, item 8), one test per fallback,
/// and the plain enums that do not.
@Suite struct EnumFallbackTests {
    func socket(_ line: String) -> LoadedUnit { buildUnit("s.socket", "[Socket]\nListenStream=80\n\(line)\n") }

    @Test(arguments: [
        ("yes", SocketSection.BindIPv6Only.ipv6Only), ("true", .ipv6Only), ("on", .ipv6Only), ("1", .ipv6Only),
        ("no", .both), ("false", .both), ("off", .both), ("0", .both),
        ("ipv6-only", .ipv6Only), ("both", .both), ("default", .default),
    ])
    func bindIPv6OnlyTakesABoolean(value: String, expected: SocketSection.BindIPv6Only) {
        let unit = socket("BindIPv6Only=\(value)")
        #expect(unit.loadState == .loaded && unit.settings.socket.bindIPv6Only == expected, "\(unit.diagnostics)")
    }

    @Test(arguments: [
        ("yes", SocketSection.Timestamping.ns), ("no", .off), ("nsec", .ns), ("usec", .us), ("µs", .us), ("us", .us), ("off", .off),
    ])
    func timestampingTakesABooleanAndTimeUnits(value: String, expected: SocketSection.Timestamping) {
        let unit = socket("Timestamping=\(value)")
        #expect(unit.loadState == .loaded && unit.settings.socket.timestamping == expected, "\(unit.diagnostics)")
    }

    @Test func aWordThatIsNeitherIsAnErrorNamingBoth() {
        let unit = socket("BindIPv6Only=maybe")
        #expect(messages(unit, .error).contains { $0.contains("BindIPv6Only") && $0.contains("or a boolean") && $0.contains("maybe") }, "\(unit.diagnostics)")
    }

    /// Restart=, Type=, NotifyAccess= and KillMode= have no boolean fallback in systemd.
    @Test(arguments: ["Restart=yes", "Type=yes", "NotifyAccess=yes", "KillMode=yes"])
    func plainEnumsRefuseBooleans(line: String) {
        let unit = buildUnit("x.service", "[Service]\nExecStart=/bin/x\n\(line)\n")
        #expect(!messages(unit, .error).isEmpty, "\(line)")
    }
}

/// Issue 10 item 10: two socket units on one endpoint are named at load time and by verify.
@Suite struct ListenConflictTests {
    func conflicts(_ files: [String: String]) -> [String] {
        let loader = UnitDirectoryLoader(directories: ["/u"], source: MemoryUnitSource(files: files.reduce(into: [:]) { $0["/u/" + $1.key] = $1.value }))
        return ListenConflicts.diagnostics(for: loader.loadAll()).map(\.description)
    }

    @Test func theSamePortInTwoPackagesIsNamed() {
        let found = conflicts(["ssh.socket": "[Socket]\nListenStream=22\n", "dropbear.socket": "[Socket]\nListenStream=0.0.0.0:22\n"])
        #expect(found.count == 1 && found[0].contains("ssh.socket") && found[0].contains("dropbear.socket") && found[0].contains("22"), "\(found)")
    }

    @Test func differentProtocolsPortsOrReusePortDoNotConflict() {
        #expect(conflicts(["a.socket": "[Socket]\nListenStream=53\n", "b.socket": "[Socket]\nListenDatagram=53\n"]).isEmpty)
        #expect(conflicts(["a.socket": "[Socket]\nListenStream=127.0.0.1:80\n", "b.socket": "[Socket]\nListenStream=127.0.0.2:80\n"]).isEmpty)
        #expect(conflicts(["a.socket": "[Socket]\nListenStream=80\nReusePort=yes\n", "b.socket": "[Socket]\nListenStream=80\nReusePort=yes\n"]).isEmpty)
        #expect(conflicts(["a.socket": "[Socket]\nListenStream=/run/a\n", "b.socket": "[Socket]\nListenStream=/run/a\n"]).count == 1)
    }
}
