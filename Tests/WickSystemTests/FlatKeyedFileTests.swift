import Glibc
import Testing
@testable import WickSystem

/// `ControlGroups.field`: one `key value` line of a flat-keyed cgroup file (cgroup v2's
/// cpu.stat, cgroup.events, memory.events), as the kernel writes them and on malformed lines.
@Suite struct FlatKeyedFileTests {
    static let cpuStat = Array("""
        usage_usec 5301
        user_usec 5001
        system_usec 300
        core_sched.force_idle_usec 0
        nr_periods 0
        nr_throttled 0
        throttled_usec 0

        """.utf8)

    @Test func aKeyGivesItsNumber() {
        #expect(ControlGroups.field("usage_usec", in: Self.cpuStat) == 5301)
        #expect(ControlGroups.field("system_usec", in: Self.cpuStat) == 300)
        #expect(ControlGroups.field("throttled_usec", in: Self.cpuStat) == 0)
        #expect(ControlGroups.field("populated", in: Array("populated 1\nfrozen 0\n".utf8)) == 1)
    }

    @Test func onlyAWholeKeyOnALineOfTwoWordsCounts() {
        #expect(ControlGroups.field("usage", in: Self.cpuStat) == nil, "a prefix of a key")
        #expect(ControlGroups.field("usage_usec_total", in: Self.cpuStat) == nil)
        #expect(ControlGroups.field("oom_kill", in: Array("oom_kill 1 2\noom_kill 3\n".utf8)) == 3, "three words: not a field")
        #expect(ControlGroups.field("oom", in: Array("oom x\noom 18446744073709551616\n".utf8)) == nil, "not a number, too big")
        #expect(ControlGroups.field("low", in: Array("low  7\n\n\nhigh 8".utf8)) == 7, "runs of spaces and blank lines")
        #expect(ControlGroups.field("high", in: Array("low 7\nhigh 8".utf8)) == 8, "no final newline")
        #expect(ControlGroups.field("max", in: []) == nil)
        #expect(ControlGroups.field("a", in: Array("b 1\na 2\n".utf8)[4...]) == 2, "a slice not starting at 0")
        #expect(ControlGroups.field("a", in: Array("a 2".utf8)[1...]) == nil, "a word cut by the slice is not the key")
    }

    /// From a file: read whole (past the first buffer of 1,024 bytes), a missing file is nil.
    @Test func aFileIsReadWhole() throws {
        let path = "/tmp/wick-flat-keyed-\(getpid())"
        defer { unlink(path) }
        var text = ""
        for index in 0..<200 { text += "filler_\(index) \(index)\n" }
        text += "usage_usec 42\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        #expect(fd >= 0)
        #expect(Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == text.utf8.count)
        close(fd)
        #expect(text.utf8.count > 2048)
        #expect(ControlGroups.field("usage_usec", of: path) == 42)
        #expect(ControlGroups.field("filler_0", of: path) == 0)
        #expect(ControlGroups.field("usage_usec", of: path + ".missing") == nil)
    }

    /// A file of exactly 1 MiB is read whole; one byte more and it is not read.
    @Test func aFileOfOneMebibyteIsTheLimit() throws {
        let path = "/tmp/wick-flat-keyed-limit-\(getpid())"
        defer { unlink(path) }
        let tail = Array("usage_usec 42\n".utf8)
        for extra in [0, 1] {
            var bytes = [UInt8](repeating: UInt8(ascii: "\n"), count: (1 << 20) + extra - tail.count)
            bytes += tail
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            #expect(fd >= 0)
            #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
            close(fd)
            #expect(ControlGroups.field("usage_usec", of: path) == (extra == 0 ? 42 : nil), "\(bytes.count) bytes")
        }
    }
}

/// `ControlGroups.contains`: the byte search that picks the cgroup2 line of /proc/self/mountinfo
/// before it is split into fields.
@Suite struct MountinfoLineTests {
    @Test func findsThePatternAnywhereAndOnlyWhole() {
        let pattern = Array(" - cgroup2 ".utf8)
        let line = Array("35 24 0:30 / /sys/fs/cgroup/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw".utf8)
        #expect(ControlGroups.contains(line[...], pattern))
        #expect(ControlGroups.contains(line[10...], pattern), "a slice not starting at 0")
        #expect(!ControlGroups.contains(Array("36 24 0:31 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids".utf8)[...], pattern))
        #expect(!ControlGroups.contains(Array("x - cgroup2".utf8)[...], pattern), "cut short at the end")
        #expect(ControlGroups.contains(Array("  -  - cgroup2 x".utf8)[...], pattern), "a false start before the match")
        #expect(ControlGroups.contains(pattern[...], pattern), "the whole line")
        #expect(!ControlGroups.contains([][...], pattern))
        #expect(!ControlGroups.contains(line[...], []), "an empty pattern matches nothing")
    }
}
