import Testing
@testable import WickUnits

@Suite struct ValueTests {
    @Test(arguments: ["1", "yes", "y", "true", "t", "on", "YES", "On"])
    func trueWords(_ word: String) throws { #expect(try Boolean.parse(word)) }

    @Test(arguments: ["0", "no", "n", "false", "f", "off", "False"])
    func falseWords(_ word: String) throws { #expect(try !Boolean.parse(word)) }

    @Test func booleanRejectsOtherWords() {
        #expect(throws: ValueError.self) { try Boolean.parse("maybe") }
        #expect(throws: ValueError.self) { try Boolean.parse("") }
    }

    @Test func timeSpans() throws {
        #expect(try TimeSpan.parse("5") == .seconds(5))
        #expect(try TimeSpan.parse("5s") == .seconds(5))
        #expect(try TimeSpan.parse("1min 30s") == .seconds(90))
        #expect(try TimeSpan.parse("1min30s") == .seconds(90))
        #expect(try TimeSpan.parse("100ms") == .milliseconds(100))
        #expect(try TimeSpan.parse("2h") == .seconds(7200))
        #expect(try TimeSpan.parse("1.5s") == .milliseconds(1500))
        #expect(try TimeSpan.parse("1d 2h") == .seconds(93600))
        #expect(try TimeSpan.parse("3 weeks") == .seconds(3 * 604_800))
        #expect(try TimeSpan.parse("1y") == .seconds(31_557_600))
        #expect(try TimeSpan.parse("1M") == .seconds(2_629_800))
        #expect(try TimeSpan.parse("250us") == TimeSpan(microseconds: 250))
        #expect(try TimeSpan.parse("infinity") == .infinity)
        #expect(try TimeSpan.parse("0") == .zero)
        #expect(try TimeSpan.parse("20", defaultUnit: 1) == TimeSpan(microseconds: 20))
    }

    @Test(arguments: ["", "abc", "5x", "-5", "1..2s", "s", "99999999999999999999"])
    func timeSpanErrors(_ text: String) {
        #expect(throws: ValueError.self) { try TimeSpan.parse(text) }
    }

    @Test func timeSpanFormatting() {
        #expect(TimeSpan.seconds(90).description == "1min 30s")
        #expect(TimeSpan.milliseconds(100).description == "100ms")
        #expect(TimeSpan.infinity.description == "infinity")
        // format_timespan(t, 0): under a minute with a remainder, dot notation to the microsecond.
        #expect(TimeSpan.milliseconds(1500).description == "1.500000s")
        #expect(TimeSpan.milliseconds(61_500).description == "1min 1.500000s")
        #expect(TimeSpan(microseconds: 20_701).description == "20.701ms")
        #expect(TimeSpan(microseconds: 3_600_000_500).description == "1h 500us")
        #expect(TimeSpan(microseconds: 7).description == "7us")
        #expect(TimeSpan(microseconds: 1_000_001).description == "1.000001s")
        // With systemctl status's millisecond accuracy (its CPU: line).
        #expect(TimeSpan(microseconds: 1_234_567).formatted(accuracy: 1000) == "1.234s")
        #expect(TimeSpan(microseconds: 20_701).formatted(accuracy: 1000) == "20ms")
        #expect(TimeSpan(microseconds: 61_500_000).formatted(accuracy: 1000) == "1min 1.500s")
        #expect(TimeSpan(microseconds: 3_600_000_500).formatted(accuracy: 1000) == "1h")
        #expect(TimeSpan(microseconds: 700).formatted(accuracy: 1000) == "700us")
    }

    @Test func sizesArePowersOf1024() throws {
        #expect(try ByteSize.parse("4096") == 4096)
        #expect(try ByteSize.parse("64K") == 65536)
        #expect(try ByteSize.parse("8M") == 8 * 1024 * 1024)
        #expect(try ByteSize.parse("1G") == 1 << 30)
        #expect(try ByteSize.parse("1.5K") == 1536)
        #expect(throws: ValueError.self) { try ByteSize.parse("12Q") }
        #expect(throws: ValueError.self) { try ByteSize.parse("99999999999E") }
    }

    @Test func octalModes() throws {
        #expect(try FileMode.parse("0666") == 0o666)
        #expect(try FileMode.parse("600") == 0o600)
        #expect(try FileMode.parse("07777") == 0o7777)
        #expect(throws: ValueError.self) { try FileMode.parse("0888") }
        #expect(throws: ValueError.self) { try FileMode.parse("17777") }
        #expect(throws: ValueError.self) { try FileMode.parse("rw") }
    }

    @Test func signalNamesAndNumbers() throws {
        #expect(try Signal.parse("SIGTERM") == .terminate)
        #expect(try Signal.parse("TERM") == .terminate)
        #expect(try Signal.parse("9") == .kill)
        #expect(try Signal.parse("SIGRTMIN+2").number == 36)
        #expect(try Signal.parse("RTMAX-1").number == 63)
        #expect(Signal.hangup.description == "SIGHUP")
        #expect(throws: ValueError.self) { try Signal.parse("SIGFOO") }
        #expect(throws: ValueError.self) { try Signal.parse("0") }
        #expect(throws: ValueError.self) { try Signal.parse("65") }
    }

    @Test func exitStatusSets() throws {
        var set = ExitStatusSet()
        try set.add("1 2 8 SIGKILL")
        try set.add("TEMPFAIL")
        #expect(set.statuses == [1, 2, 8, 75])
        #expect(set.signals == [9])
        #expect(throws: ValueError.self) { try set.add("256") }
        #expect(throws: ValueError.self) { try set.add("BOGUS") }
    }

    @Test func resourceLimits() throws {
        #expect(try ResourceLimit.parse("1024", unit: .count) == ResourceLimit(soft: 1024, hard: 1024))
        #expect(try ResourceLimit.parse("1024:4096", unit: .count) == ResourceLimit(soft: 1024, hard: 4096))
        #expect(try ResourceLimit.parse("infinity", unit: .count) == ResourceLimit(soft: nil, hard: nil))
        #expect(try ResourceLimit.parse("64M", unit: .bytes) == ResourceLimit(soft: 64 << 20, hard: 64 << 20))
        #expect(try ResourceLimit.parse("1min", unit: .seconds) == ResourceLimit(soft: 60, hard: 60))
        #expect(throws: ValueError.self) { try ResourceLimit.parse("10:5", unit: .count) }
        #expect(throws: ValueError.self) { try ResourceLimit.parse("lots", unit: .count) }
    }
}

@Suite struct FractionTests {
    @Test func fractionsAreExact() throws {
        #expect(try ByteSize.parse("1.5K") == 1536)
        #expect(try ByteSize.parse("0.5M") == 524_288)
        #expect(try TimeSpan.parse("1.5min") == .seconds(90))
        #expect(try TimeSpan.parse("0.001s") == .milliseconds(1))
        #expect(try ByteSize.parse("15.5E") == 15 << 60 | 1 << 59)
        #expect(throws: ValueError.self) { try ByteSize.parse("16E") }
    }
}

@Suite struct SyslogDirectiveTests {
    @Test func syslogLevelIdentifierAndPrefixAreRead() {
        let unit = buildUnit("x.service", "[Service]\nExecStart=/bin/true\nSyslogIdentifier=greeter\nSyslogLevel=warning\nSyslogLevelPrefix=no\n")
        #expect(unit.settings.service.exec.syslogIdentifier == "greeter" && unit.settings.service.exec.syslogLevel == .warning)
        #expect(!unit.settings.service.exec.syslogLevelPrefix)
        #expect(messages(unit, .warning).isEmpty, "all three are applied: no 'not enforced' warning")
        #expect(buildUnit("y.service", "[Service]\nExecStart=/bin/true\nSyslogLevel=3\n").settings.service.exec.syslogLevel == .err)
        let bad = buildUnit("z.service", "[Service]\nExecStart=/bin/true\nSyslogLevel=loud\n")
        #expect(messages(bad, .error).contains { $0.contains("SyslogLevel=: expected a syslog level") }, "\(messages(bad, .error))")
        let defaults = buildUnit("d.service", "[Service]\nExecStart=/bin/true\n").settings.service.exec
        #expect(defaults.syslogLevel == .info && defaults.syslogLevelPrefix && defaults.syslogIdentifier == nil)
    }
}
