import Testing
@testable import WickUnits

@Suite struct ExecCommandTests {
    func one(_ text: String) throws -> ExecCommand {
        let commands = try ExecCommand.parse(text)
        #expect(commands.count == 1)
        return commands[0]
    }

    @Test func plainWords() throws {
        let command = try one("/usr/bin/foo  -a   b")
        #expect(command.path == "/usr/bin/foo")
        #expect(command.arguments == ["/usr/bin/foo", "-a", "b"])
        #expect(command.flags.isEmpty)
    }

    @Test func doubleAndSingleQuotesGroupWords() throws {
        #expect(try one(#"/bin/echo "a b" 'c d' e"#).arguments == ["/bin/echo", "a b", "c d", "e"])
        #expect(try one(#"/bin/echo a"b c"d"#).arguments == ["/bin/echo", "ab cd"])
        #expect(try one(#"/bin/echo "" x"#).arguments == ["/bin/echo", "", "x"])
    }

    @Test func backslashEscapes() throws {
        let command = try one(#"/bin/printf "a\tb\n" \x41\x42 \101 \\ \" \s \u00e9"#)
        #expect(command.arguments == ["/bin/printf", "a\tb\n", "AB", "A", "\\", "\"", " ", "é"])
    }

    @Test func unknownEscapesAreKeptAsWritten() throws {
        #expect(try one(#"/bin/grep \d+"#).arguments == ["/bin/grep", "\\d+"])
    }

    @Test func escapesInsideSingleQuotesToo() throws {
        #expect(try one(#"/bin/echo 'it\'s'"#).arguments == ["/bin/echo", "it's"])
    }

    @Test func prefixes() throws {
        let ignore = try one("-/bin/false")
        #expect(ignore.flags == [.ignoreFailure])
        #expect(ignore.path == "/bin/false")
        let argv0 = try one("@/usr/sbin/sshd sshd -i")
        #expect(argv0.flags == [.customArgv0])
        #expect(argv0.path == "/usr/sbin/sshd")
        #expect(argv0.arguments == ["sshd", "-i"])
        #expect(try one("-@:/bin/x y").flags == [.ignoreFailure, .customArgv0, .noEnvironmentExpansion])
        #expect(try one("+/bin/x").flags == [.fullPrivileges])
        #expect(try one("!/bin/x").flags == [.privilegedNoSetuid])
        #expect(try one("!!/bin/x").flags == [.ambientFallback])
        #expect(try one("!!/bin/x").prefixString == "!!")
        #expect(throws: ValueError.self) { try one("+!/bin/x") }
        #expect(throws: ValueError.self) { try one("@/bin/x") }
    }

    @Test func semicolonSeparatesCommandsAndEscapedSemicolonIsLiteral() throws {
        let commands = try ExecCommand.parse(#"/bin/a 1 ; /bin/b \; ";""#)
        #expect(commands.map(\.arguments) == [["/bin/a", "1"], ["/bin/b", ";", ";"]])
    }

    @Test func pathRules() throws {
        #expect(try one("true").path == "true")
        #expect(throws: ValueError.self) { try one("bin/true") }
        #expect(throws: ValueError.self) { try one("-") }
    }

    @Test func malformedInputIsAnError() {
        #expect(throws: ValueError.self) { try ExecCommand.parse(#"/bin/echo "unterminated"#) }
        #expect(throws: ValueError.self) { try ExecCommand.parse("/bin/echo 'x") }
        #expect(throws: ValueError.self) { try ExecCommand.parse(#"/bin/echo x\"#) }
        #expect(throws: ValueError.self) { try ExecCommand.parse(#"/bin/echo \x4"#) }
        #expect(throws: ValueError.self) { try ExecCommand.parse(#"/bin/echo \x00"#) }
        #expect(throws: ValueError.self) { try ExecCommand.parse("/bin/a ; ; /bin/b") }
    }

    @Test func specifiersExpandAfterUnquoting() throws {
        let resolver = SpecifierResolver(unit: try UnitName("getty@tty1.service"), host: HostFacts())
        let command = try ExecCommand.parse(#"/sbin/agetty "%I x" %%i"#, expand: resolver.expand)[0]
        #expect(command.arguments == ["/sbin/agetty", "tty1 x", "%i"])
    }

    @Test func dollarWordIsSplitAtWhitespace() throws {
        let command = try one("/bin/echo $OPTS end")
        #expect(command.expandedArguments(environment: ["OPTS": " -a  -b\tc "]) == ["/bin/echo", "-a", "-b", "c", "end"])
        #expect(command.expandedArguments(environment: [:]) == ["/bin/echo", "end"])
    }

    @Test func bracedVariableIsOneWordAnywhere() throws {
        let command = try one("/bin/echo ${OPTS} --x=${OPTS}! ${MISSING}")
        #expect(command.expandedArguments(environment: ["OPTS": "a b"]) == ["/bin/echo", "a b", "--x=a b!", ""])
    }

    @Test func dollarInsideAWordStaysAndDoubleDollarIsLiteral() throws {
        let command = try one("/bin/echo a$OPTS $$HOME cost$$")
        #expect(command.expandedArguments(environment: ["OPTS": "x", "HOME": "/h"]) == ["/bin/echo", "a$OPTS", "$HOME", "cost$"])
    }

    @Test func defaultAndAlternateValues() throws {
        let command = try one("/bin/echo ${A:-dflt} ${B:+alt} ${C:+alt}")
        #expect(command.expandedArguments(environment: ["B": "set"]) == ["/bin/echo", "dflt", "alt", ""])
    }

    /// What execve(2) would refuse (E2BIG) is refused while it is built: an argument of more
    /// than MAX_ARG_STRLEN with its NUL, or more than 2 MiB in all. (A line referencing a 60 KB
    /// value 20,000 times built gigabytes in the daemon.)
    @Test func expansionStopsAtWhatExecTakes() throws {
        let large = String(repeating: "x", count: 60_000)
        #expect(try one("/bin/echo ${A}${A}${A}").expandedArguments(environment: ["A": large]) == nil)
        #expect(try one("/bin/echo ${A}${A}").expandedArguments(environment: ["A": large])?.last?.utf8.count == 120_000)
        #expect(try one("/bin/echo x${A:-y}").expandedArguments(environment: ["A": String(repeating: "x", count: 131_070)])?.last?.utf8.count == 131_071)
        #expect(try one("/bin/echo x${A:-y}").expandedArguments(environment: ["A": String(repeating: "x", count: 131_071)]) == nil)
        let words = String(repeating: "${A} ", count: 40)
        #expect(try one("/bin/echo \(words)").expandedArguments(environment: ["A": large]) == nil, "2.4 MB in 40 arguments")
        #expect(try one("/bin/echo \(String(repeating: "${A} ", count: 30))").expandedArguments(environment: ["A": large])?.count == 31)
        let spaced = String(repeating: "ab ", count: 800_000)
        #expect(try one("/bin/echo $A").expandedArguments(environment: ["A": spaced]) == nil, "a $VAR word splitting into 2.4 MB")
        #expect(try one("/bin/echo $A").expandedArguments(environment: ["A": String(spaced.prefix(30_000))])?.count == 10_001)
    }

    @Test func colonPrefixDisablesExpansion() throws {
        let command = try one(":/bin/echo $A ${A}")
        #expect(command.expandedArguments(environment: ["A": "x"]) == ["/bin/echo", "$A", "${A}"])
    }
}
