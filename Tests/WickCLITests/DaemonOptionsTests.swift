import Testing
@testable import WickCLI

/// `wick daemon` read without swift-argument-parser (`DaemonOptions.parse`) means what the
/// parser reads from the same arguments, and leaves everything else to it.
@Suite struct DaemonOptionsTests {
    static let everyOption = [
        "--units", "/a", "--units=/b", "--root", "/r", "--runtime-dir=/run/x", "--control", "/c", "--exit-with", "x.service",
        "--control-group", "g", "--metrics", "127.0.0.1:9", "--watch", "--sandbox", "best-effort", "--log-level", "debug",
        "--log-format=json", "--log-target", "journal", "--journal-socket", "/j", "--shutdown-timeout", "3s",
    ]

    @Test func theDefaultsAreTheParsers() throws {
        #expect(try DaemonCommand.parse([]).options == DaemonOptions.defaults)
        #expect(DaemonOptions.parse([]) == DaemonOptions.defaults)
    }

    @Test(arguments: [everyOption, ["--units", "units"], ["--watch", "--units=u", "--units", "v"], ["--metrics=8080"],
                      ["--log-level", "7", "--shutdown-timeout=1min 5s"], ["--control", "=x"], ["--root=a=b"]])
    func theSameOptionsAsTheParser(_ arguments: [String]) throws {
        let direct = try #require(DaemonOptions.parse(arguments), "\(arguments)")
        #expect(direct == (try DaemonCommand.parse(arguments)).options)
    }

    /// Help, short and unknown options, missing values, a flag with a value, a single-valued
    /// option twice: the parser's to read or to refuse.
    @Test(arguments: [["--help"], ["-h"], ["--version"], ["--root", "a", "--root", "b"], ["--units"], ["--units", "--watch"],
                      ["--watch=yes"], ["--bogus", "x"], ["units"], ["--"], ["--units", "-x"], ["--units="]])
    func everythingElseGoesToTheParser(_ arguments: [String]) {
        #expect(DaemonOptions.parse(arguments) == nil)
    }

    /// Whatever the direct reading accepts and validates (what `Wick.run` requires before it
    /// starts the daemon without the parser), the parser accepts too, with the same meaning.
    @Test(arguments: [["--units", ""], ["--watch", "--watch"], ["--units", "a", "--units", "a"], ["--sandbox", "nope"],
                      ["--control", "-"], ["--units", "a b"], ["--root=="], ["--units", "x", "extra"], ["--log-level="],
                      ["--exit-with", "x.service", "--exit-with=y.service"], ["---units", "x"], ["--units\u{0}", "x"]])
    func whatIsReadDirectlyTheParserReadsAlike(_ arguments: [String]) {
        guard let direct = DaemonOptions.parse(arguments), (try? direct.validate()) != nil else { return }
        #expect((try? DaemonCommand.parse(arguments))?.options == direct, "\(arguments)")
    }

    /// Every long option the parser declares is read directly too (a new one left out would only
    /// make `wick daemon` slower to start, never different).
    @Test func everyDeclaredOptionIsReadDirectly() {
        let help = DaemonCommand.helpMessage()
        let names = Set(help.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "=" || $0 == "<" })
            .filter { $0.hasPrefix("--") && $0.count > 2 && $0.dropFirst(2).allSatisfy { $0 == "-" || ("a"..."z").contains($0) } }
            .map(String.init))
            .subtracting(["--help", "--version"])
        #expect(names.count >= 14, "\(names)")
        for name in names {
            #expect(DaemonOptions.parse(name == "--watch" ? [name] : [name, "v"]) != nil, "\(name)")
        }
    }
}
