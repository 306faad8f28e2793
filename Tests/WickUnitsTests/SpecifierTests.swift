import Testing
@testable import WickUnits

@Suite struct SpecifierTests {
    var host: HostFacts {
        var host = HostFacts()
        host.hostname = "box.example.org"
        host.machineID = "0123456789abcdef0123456789abcdef"
        host.bootID = "fedcba9876543210fedcba9876543210"
        host.runtimeDirectory = "/run/user/1000"
        host.userName = "alice"
        host.userID = 1000
        host.groupName = "staff"
        host.groupID = 50
        host.home = "/home/alice"
        return host
    }

    func expand(_ text: String, unit: String) throws -> String {
        try SpecifierResolver(unit: try UnitName(unit), fragmentPath: "/lib/systemd/system/x.service", host: host).expand(text)
    }

    @Test func unitNameSpecifiers() throws {
        let unit = #"foo-bar@a\x2db-c.service"#
        #expect(try expand("%n", unit: unit) == unit)
        #expect(try expand("%N", unit: unit) == #"foo-bar@a\x2db-c"#)
        #expect(try expand("%p", unit: unit) == "foo-bar")
        #expect(try expand("%P", unit: unit) == "foo/bar")
        #expect(try expand("%i", unit: unit) == #"a\x2db-c"#)
        #expect(try expand("%I", unit: unit) == "a-b/c")
        #expect(try expand("%j", unit: unit) == "bar")
        #expect(try expand("%J", unit: unit) == "bar")
        #expect(try expand("%f", unit: unit) == "/a-b/c")
        #expect(try expand("%f", unit: "dev-sda1.service") == "/dev/sda1")
        #expect(try expand("%y %Y", unit: unit) == "/lib/systemd/system/x.service /lib/systemd/system")
    }

    /// systemd's specifier_printf() refuses a result over LONG_LINE_MAX (1 MiB).
    @Test func expansionStopsAtOneMebibyte() throws {
        let unit = String(repeating: "a", count: 200) + ".service"
        #expect(try expand(String(repeating: "%n", count: 5_000), unit: unit).utf8.count == 5_000 * 208)
        #expect(throws: ValueError.self) { try expand(String(repeating: "%n", count: 6_000), unit: unit) }
        let unitFile = buildUnit(unit, "[Service]\nExecStart=/bin/true\nEnvironment=X=\(String(repeating: "%n", count: 500_000))\n")
        #expect(messages(unitFile, .error).first?.hasPrefix("Environment=: specifiers expand to more than 1048576 bytes") == true,
                "\(messages(unitFile, .error))")
    }

    @Test func hostAndUserSpecifiers() throws {
        let text = "%t %T %V %h %u %U %g %G %H %l %m %b %%"
        #expect(try expand(text, unit: "x.socket")
            == "/run/user/1000 /tmp /var/tmp /home/alice alice 1000 staff 50 box.example.org box 0123456789abcdef0123456789abcdef fedcba9876543210fedcba9876543210 %")
    }

    @Test func templateHasEmptyInstance() throws {
        #expect(try expand("[%i]", unit: "foo@.service") == "[]")
        #expect(try expand("[%i]", unit: "foo.service") == "[]")
    }

    @Test func unknownAndIncompleteSpecifiersAreErrors() throws {
        #expect(throws: ValueError("unknown specifier '%z' (write %% for a literal %)")) { try expand("a%z", unit: "x.service") }
        #expect(throws: ValueError.self) { try expand("100%", unit: "x.service") }
        #expect(throws: ValueError.self) { try expand("%o", unit: "x.service") }
    }

    @Test func escapingMatchesSystemdEscape() throws {
        #expect(UnitNameEscaping.escape("foo/bar-baz") == #"foo-bar\x2dbaz"#)
        #expect(UnitNameEscaping.escape(".hidden a") == #"\x2ehidden\x20a"#)
        #expect(UnitNameEscaping.escape("über") == #"\xc3\xbcber"#)
        #expect(try UnitNameEscaping.escapePath("/dev/sda1") == "dev-sda1")
        #expect(try UnitNameEscaping.escapePath("//var//lib/") == "var-lib")
        #expect(try UnitNameEscaping.escapePath("/") == "-")
        #expect(throws: ValueError.self) { try UnitNameEscaping.escapePath("/a/../b") }
        #expect(try UnitNameEscaping.unescape(#"foo-bar\x2dbaz"#) == "foo/bar-baz")
        #expect(try UnitNameEscaping.unescapePath("-") == "/")
        #expect(throws: ValueError.self) { try UnitNameEscaping.unescape(#"a\x"#) }
        for text in ["a b/c-d", "über/..x", "/"] {
            #expect(try UnitNameEscaping.unescape(UnitNameEscaping.escape(text)) == text)
        }
    }
}
