import Testing
@testable import WickCLI

/// `wick activate` read without swift-argument-parser (`ActivateOptions.parse`) means what the
/// parser reads from the same arguments, and leaves everything else to it.
@Suite struct ActivateOptionsTests {
    static let everyOption = [
        "-l", "80", "--listen", "/run/a", "--listen=@b", "-a", "--inetd", "-d", "--fdname", "x:y", "-E", "A=1",
        "--setenv=B", "--setenv", "C=2", "cat", "-l", "file",
    ]

    @Test(arguments: [everyOption, ["-l", "80", "cat"], ["--listen", "8080", "--accept", "--", "cat", "-l", "x"],
                      ["-l", "80", "--rearm", "--seqpacket", "/bin/sh", "-c", "echo"], ["--fdname=a:b", "-l", "1", "-l", "2", "x"], ["--fdname", "a", "--fdname", "b", "-l", "1", "cat"],
                      ["-l", "stream:80", "-l", "datagram:81", "--", "--odd-command"], ["-E", "X=-1", "-l", "1", "x"]])
    func theSameOptionsAsTheParser(_ arguments: [String]) throws {
        let direct = try #require(ActivateOptions.parse(arguments), "\(arguments)")
        #expect(direct == (try Activate.parse(arguments)).options)
    }

    /// Help, combined short flags, unknown options, missing values or values that look like
    /// options, a flag with a value, a flag twice, no command: the parser's to
    /// read or to refuse.
    @Test(arguments: [["--help"], ["-h"], ["-ad", "-l", "1", "cat"], ["-l"], ["-l", "-x", "cat"], ["--bogus", "cat"],
                      ["--accept=yes", "-l", "1", "cat"], ["-l", "80"],
                      ["--accept", "--accept", "-l", "1", "cat"], ["-l", "1", "--"], ["--listen=", "cat"], []])
    func everythingElseGoesToTheParser(_ arguments: [String]) {
        #expect(ActivateOptions.parse(arguments) == nil, "\(arguments)")
    }

    /// Whatever the direct reading accepts and validates (what `Wick.run` requires before it
    /// starts without the parser), the parser accepts too, with the same meaning.
    @Test(arguments: [["-l", "", "cat"], ["-l", "1", "-a", "--rearm", "cat"], ["-l", "a b", "cat"], ["-l", "1", "-l", "1", "cat"],
                      ["-E", "", "-l", "1", "cat"], ["-l", "1", "--inetd", "cat"], ["-l", "1", "-l", "2", "--inetd", "cat"],
                      ["-l", "1", "cat", "--", "x"], ["-l", "1", "--setenv==", "cat"], ["-l", "x=y", "cat"], ["-l", "1", "-", "cat"]])
    func whatIsReadDirectlyTheParserReadsAlike(_ arguments: [String]) {
        guard let direct = ActivateOptions.parse(arguments), (try? direct.validate()) != nil else { return }
        #expect((try? Activate.parse(arguments))?.options == direct, "\(arguments)")
    }

    /// Every option the parser declares is read directly too (one left out would only make
    /// `wick activate` slower to start, never different).
    @Test func everyDeclaredOptionIsReadDirectly() {
        let help = Activate.helpMessage()
        let names = Set(help.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "=" || $0 == "<" || $0 == "[" })
            .filter { $0.hasPrefix("-") && $0.count > 1 && $0.dropFirst().allSatisfy { $0 == "-" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) } }
            .map(String.init))
            .subtracting(["--help", "-h", "--version", "--"])
        #expect(names.count >= 12, "\(names)")
        let takesValue: Set<String> = ["-l", "--listen", "--fdname", "-E", "--setenv", "--environment"]
        for name in names {
            #expect(ActivateOptions.parse(takesValue.contains(name) ? [name, "v", "cat"] : [name, "cat"]) != nil, "\(name)")
        }
    }
}
