import PropertyBased
import Testing
@testable import WickUnits

/// Random input never crashes or hangs the parser: every input gives a model and diagnostics, and
/// a unit is `bad-setting` exactly when it has an error.
@Suite struct ParserPropertyTests {
    static let tokens = [
        "[Unit]", "[Service]", "[Socket]", "[Install]", "[", "]", "\n", "\n", "\n", " ", "\t", "\r\n",
        "=", "#", ";", "\\", "\\\n", "\"", "'", "%", "%i", "%z", "$", "${", "}", "$$", "@", "-", "+", "!", ":",
        "ExecStart=", "ExecStart=/bin/sh -c ", "ListenStream=", "ListenDatagram=", "Accept=", "yes", "no",
        "Type=", "notify", "Restart=", "RestartSec=", "1min", "80", "[::1]:", "127.0.0.1:", "/run/x", "@a",
        "Environment=", "A=b", "\\x", "\\x4", "\\u12", "\0", "é", "\u{FFFD}", "TimeoutSec=", "infinity",
        "SuccessExitStatus=", "SIGKILL", "256", "User=", "Service=", "FileDescriptorName=", "ConditionPathExists=",
    ]

    static func check(_ unit: LoadedUnit) {
        #expect((unit.loadState == .badSetting) == unit.diagnostics.hasErrors)
        for diagnostic in unit.diagnostics {
            #expect(!diagnostic.message.isEmpty)
            #expect(diagnostic.location.file.hasPrefix("/units/"))
        }
    }

    @Test func randomTokenSoup() async {
        await propertyCheck(count: 400, input: Gen<String?>.element(of: Self.tokens).array(of: 0...80)) { tokens in
            let text = tokens.compactMap { $0 }.joined()
            Self.check(buildUnit("fuzz.service", text))
            Self.check(buildUnit("fuzz@x.socket", text))
        }
    }

    @Test func randomBytes() async {
        await propertyCheck(count: 300, input: Gen<UInt8>.value(in: 0...255).array(of: 0...400)) { bytes in
            let unit = UnitBuilder.build(
                name: try! UnitName("fuzz.socket"), fragment: UnitSourceFile(path: "/units/fuzz.socket", bytes: bytes))
            Self.check(unit)
        }
    }

    @Test func randomCommandLinesEitherParseOrSayWhy() async {
        await propertyCheck(count: 400, input: Gen<String?>.element(of: Self.tokens).array(of: 0...20)) { tokens in
            let text = "/bin/x " + tokens.compactMap { $0 }.joined()
            do throws(ValueError) {
                let commands = try ExecCommand.parse(text)
                #expect(!commands.isEmpty)
                for command in commands { _ = command.expandedArguments(environment: ["A": "1 2"]) }
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test func hostileFiles() {
        let hostile: [String] = [
            "\\", String(repeating: "\\", count: 100_000), "[", "]", "[]", "=", String(repeating: "[Service]\n", count: 10_000),
            "[Service]\nExecStart=\"" + String(repeating: "a", count: 200_000),
            "[Service]\nExecStart=" + String(repeating: "%", count: 1001),
            "[Socket]\nListenStream=" + String(repeating: "9", count: 5000),
        ]
        for text in hostile {
            Self.check(buildUnit("hostile.service", text))
        }
        let huge = buildUnit("huge.service", "[Service]\nExecStart=/bin/" + String(repeating: "y", count: 10 * 1024 * 1024))
        #expect(huge.loadState == .badSetting)
    }
}
