import Testing
@testable import WickCore
import WickUnits

/// journald's native protocol and the `<N>` prefix, as wick writes and reads them.
@Suite struct JournalEntryTests {
    @Test func fieldsAreNameValueLinesAndMultiLineValuesAreBinary() {
        #expect(JournalEntry.encode([("MESSAGE", "hi"), ("PRIORITY", "6")]) == Array("MESSAGE=hi\nPRIORITY=6\n".utf8))
        let binary = JournalEntry.encode([("MESSAGE", "a\nb")])
        #expect(binary == Array("MESSAGE\n".utf8) + [3, 0, 0, 0, 0, 0, 0, 0] + Array("a\nb\n".utf8))
        #expect(JournalEntry.encode([("_PID", "1"), ("lower", "x"), ("9LIVES", "x"), ("", "x"), ("OK_1", "y")]) == Array("OK_1=y\n".utf8),
                "trusted, lower-case, digit-first and empty names are never sent")
        let line = String(decoding: JournalEntry.serviceLine(unit: "web.service", identifier: "nginx", pid: 42, priority: .warning, message: "slow"), as: UTF8.self)
        #expect(line == "MESSAGE=slow\nPRIORITY=4\nSYSLOG_IDENTIFIER=nginx\nSYSLOG_PID=42\nOBJECT_SYSTEMD_UNIT=web.service\nWICK_UNIT=web.service\n")
    }

    @Test func theSyslogPrefixIsReadOnlyWhenItIsOne() {
        #expect(SyslogPrefix.split("<3>boom") == (.err, "boom"))
        #expect(SyslogPrefix.split("<7>") == (.debug, ""))
        for text in ["<8>x", "<a>x", "<3", "3>x", "", "<<3>x", "é<3>"] {
            #expect(SyslogPrefix.split(text) == (nil, text), "\(text)")
        }
    }
}
