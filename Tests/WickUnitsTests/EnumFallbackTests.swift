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
