import Testing
@testable import WickUnits

@Suite struct UnitFileLexerTests {
    func lex(_ text: String) -> UnitFileLexer { UnitFileLexer(file: "t.service", text: text) }
    func pairs(_ lexer: UnitFileLexer) -> [String] { lexer.assignments.map { "\($0.section).\($0.key)=\($0.value)" } }

    @Test func sectionsKeysAndTrimmedValues() {
        let lexer = lex("[Unit]\n  Description =  Hello world  \n[Service]\nExecStart=/bin/true\n")
        #expect(pairs(lexer) == ["Unit.Description=Hello world", "Service.ExecStart=/bin/true"])
        #expect(lexer.assignments[1].location == SourceLocation(file: "t.service", line: 4))
        #expect(lexer.diagnostics.isEmpty)
    }

    /// systemd's config_parse() skips a UTF-8 byte order mark at the start of a file (only there).
    @Test func aByteOrderMarkAtTheStartIsSkipped() {
        let lexer = lex("\u{FEFF}[Unit]\nDescription=a\n")
        #expect(pairs(lexer) == ["Unit.Description=a"])
        #expect(lexer.diagnostics.isEmpty)
        #expect(!lex("[Unit]\n\u{FEFF}Description=a\n").diagnostics.isEmpty || pairs(lex("[Unit]\n\u{FEFF}Description=a\n")) != ["Unit.Description=a"])
    }

    @Test func commentsWithHashAndSemicolon() {
        let lexer = lex("# comment\n[Unit]\n; another\n   # indented\nDescription=a # not a comment\n")
        #expect(pairs(lexer) == ["Unit.Description=a # not a comment"])
    }

    @Test func continuationJoinsWithSpaceAndKeepsFirstLineNumber() {
        let lexer = lex("[Service]\nExecStart=/bin/echo a \\\n  b \\\n  c\nUser=x\n")
        #expect(pairs(lexer) == ["Service.ExecStart=/bin/echo a    b    c", "Service.User=x"])
        #expect(lexer.assignments[0].location.line == 2)
        #expect(lexer.assignments[1].location.line == 5)
    }

    @Test func commentLinesInsideAContinuationAreSkipped() {
        let lexer = lex("[Service]\nExecStart=/bin/echo one \\\n# a comment\n; another\n  two\n")
        #expect(pairs(lexer) == ["Service.ExecStart=/bin/echo one    two"])
    }

    @Test func escapedBackslashAtEndIsNotAContinuation() {
        let lexer = lex("[Service]\nExecStart=/bin/echo a\\\\\nUser=x\n")
        #expect(pairs(lexer) == ["Service.ExecStart=/bin/echo a\\\\", "Service.User=x"])
    }

    @Test func anOddRunOfBackslashesContinuesWhateverPrecedesIt() {
        #expect(pairs(lex("[Service]\nExecStart=a\\\\\\\nb\n")) == ["Service.ExecStart=a\\\\ b"], "three: the last escapes the newline")
        #expect(pairs(lex("[Service]\nExecStart=a\\b\\\nc\n")) == ["Service.ExecStart=a\\b c"], "an escaped letter before the run")
        #expect(pairs(lex("[Service]\nExecStart=\\x\\\\\nUser=y\n")) == ["Service.ExecStart=\\x\\\\", "Service.User=y"], "two: literal")
    }

    @Test func continuationAtEndOfFileIsFinished() {
        #expect(pairs(lex("[Unit]\nDescription=a \\")) == ["Unit.Description=a"])
        #expect(pairs(lex("[Unit]\nDescription=a \\\n")) == ["Unit.Description=a"])
    }

    @Test func crlfLineEndings() {
        let lexer = lex("[Unit]\r\nDescription=x \\\r\n y\r\n")
        #expect(pairs(lexer) == ["Unit.Description=x   y"])
    }

    @Test func assignmentOutsideSectionAndMissingEqualsAreWarnings() {
        let lexer = lex("Foo=bar\n[Unit]\njunk line\n")
        #expect(lexer.assignments.isEmpty)
        #expect(lexer.diagnostics.map(\.severity) == [.warning, .warning])
        #expect(lexer.diagnostics[0].description.hasPrefix("t.service:1: warning: assignment outside"))
        #expect(lexer.diagnostics[1].location.line == 3)
    }

    @Test func badSectionHeaderIsAnError() {
        let lexer = lex("[Unit\nDescription=x\n")
        #expect(lexer.diagnostics.first?.severity == .error)
        #expect(lexer.assignments.isEmpty)
    }

    @Test func nulBytesAndInvalidUTF8AreErrorsNotCrashes() {
        var bytes = Array("[Unit]\nDescription=a".utf8)
        bytes += [0, 0x41, 0x0A] + Array("Documentation=\u{FF}".utf8) + [0xFF, 0xFE, 0x0A]
        let lexer = UnitFileLexer(file: "t.service", bytes: bytes)
        #expect(lexer.diagnostics.count == 2)
        #expect(lexer.diagnostics.allSatisfy { $0.severity == .error })
    }

    @Test func aLineLongerThanOneMebibyteFailsTheFile() {
        let text = "[Unit]\nDescription=" + String(repeating: "x", count: 10 * 1024 * 1024) + "\n"
        let lexer = lex(text)
        #expect(lexer.assignments.isEmpty)
        #expect(lexer.diagnostics.first?.message.contains("line too long") == true)
    }

    @Test func aFileOfOnlyBackslashesIsEmpty() {
        #expect(lex("\\").assignments.isEmpty)
        #expect(lex("\\\n\\\n\\").diagnostics.isEmpty)
    }
}
