import Foundation
import Testing
import WickCore
import WickSystem
import WickUnits

/// The cgroup packet filters (CgroupPrograms) run by the kernel on crafted packets
/// (BPF_PROG_TEST_RUN): systemd's rule (allow wins, else deny, else pass) for IPv4 and IPv6,
/// source on ingress and destination on egress, several rule sets, and the accounting map.
/// Skipped, and reported as skipped, where cgroup BPF programs cannot be loaded.
@Suite struct CgroupProgramTests {
    static let bpf = CgroupBPF.available()

    /// An Ethernet header (the test run pulls it) and an IP header from `source` to `destination`.
    static func packet(from source: String, to destination: String) -> [UInt8] {
        if let s = IPAddress.parseIPv4(Substring(source)), let d = IPAddress.parseIPv4(Substring(destination)) {
            var ip: [UInt8] = [0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0] + s + d
            ip += [UInt8](repeating: 0, count: 20)
            return [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + ip
        }
        let s = IPAddress.parseIPv6(Substring(source))!, d = IPAddress.parseIPv6(Substring(destination))!
        let ip: [UInt8] = [0x60, 0, 0, 0, 0, 20, 6, 64] + s + d + [UInt8](repeating: 0, count: 20)
        return [UInt8](repeating: 0, count: 12) + [0x86, 0xdd] + ip
    }

    static func rules(allow: String, deny: String) throws -> IPAccessFilter.Rules {
        IPAccessFilter.Rules(allow: try IPAddressPrefix.parseList(allow), deny: try IPAddressPrefix.parseList(deny))
    }

    /// Runs the program of `direction` for `rules` on each packet: true where it passes.
    static func verdicts(_ direction: CgroupPrograms.Direction, _ rules: [IPAccessFilter.Rules], map: Int32? = nil,
                         _ packets: [(String, String)]) throws -> [Bool] {
        let program = try #require(try CgroupPrograms.firewall(direction, rules: rules, accountingMap: map))
        let fd = try CgroupBPF.load(program).get()
        defer { close(fd) }
        return try packets.map { source, destination in
            try #require(CgroupBPF.testRun(fd, packet: packet(from: source, to: destination))) == 1
        }
    }

    @Test(.enabled(if: bpf, "needs cgroup BPF (CAP_BPF or CAP_SYS_ADMIN)"))
    func allowWinsOverDenyForEachFamily() throws {
        let rules = [try Self.rules(allow: "127.0.0.2/32 2001:db8::/32", deny: "any")]
        #expect(try Self.verdicts(.ingress, rules, [
            ("127.0.0.2", "127.0.0.1"), ("127.0.0.1", "127.0.0.2"), ("2001:db8::1", "::1"), ("::1", "2001:db8::1"),
        ]) == [true, false, true, false])
        // Egress looks at the destination.
        #expect(try Self.verdicts(.egress, rules, [
            ("127.0.0.1", "127.0.0.2"), ("127.0.0.2", "127.0.0.1"), ("::1", "2001:db8:ffff::1"), ("2001:db8::1", "2001:db9::1"),
        ]) == [true, false, true, false])
    }

    @Test(.enabled(if: bpf, "needs cgroup BPF (CAP_BPF or CAP_SYS_ADMIN)"))
    func prefixesWithTheHighBitAndNestedRanges() throws {
        let rules = [try Self.rules(allow: "10.1.0.0/16", deny: "10.0.0.0/8 192.168.0.0/16 fe80::/10")]
        #expect(try Self.verdicts(.ingress, rules, [
            ("10.1.2.3", "1.1.1.1"), ("10.2.0.1", "1.1.1.1"), ("192.168.5.5", "1.1.1.1"), ("192.169.0.1", "1.1.1.1"),
            ("fe80::1", "::1"), ("fec0::1", "::1"),
        ]) == [true, false, false, true, false, true])
    }

    /// The socket unit's rules and the service's both apply: either may drop a packet.
    @Test(.enabled(if: bpf, "needs cgroup BPF (CAP_BPF or CAP_SYS_ADMIN)"))
    func everyRuleSetMustPass() throws {
        let rules = [try Self.rules(allow: "127.0.0.0/8", deny: "any"), try Self.rules(allow: "", deny: "127.0.0.3")]
        #expect(try Self.verdicts(.ingress, rules, [("127.0.0.2", "127.0.0.1"), ("127.0.0.3", "127.0.0.1"), ("10.0.0.1", "127.0.0.1")])
                == [true, false, false])
    }

    /// Passed packets are counted (packets, IP bytes), dropped ones are not, as in systemd.
    @Test(.enabled(if: bpf, "needs cgroup BPF (CAP_BPF or CAP_SYS_ADMIN)"))
    func theAccountingMapCountsPassedPackets() throws {
        let map = try CgroupBPF.accountingMap().get()
        defer { close(map) }
        let rules = [try Self.rules(allow: "", deny: "127.0.0.9")]
        #expect(try Self.verdicts(.ingress, rules, map: map, [("127.0.0.2", "127.0.0.1"), ("127.0.0.9", "127.0.0.1"), ("::1", "::1")])
                == [true, false, true])
        let counted = try #require(CgroupBPF.read(map: map))
        #expect(counted.packets == 2 && counted.bytes == 40 + 60, "\(counted)")
        // Accounting alone: everything passes and counts.
        #expect(try Self.verdicts(.egress, [], map: map, [("127.0.0.1", "127.0.0.9")]) == [true])
        #expect(CgroupBPF.read(map: map)?.packets == 3)
    }

    @Test func nothingToDoIsNoProgram() throws {
        #expect(try CgroupPrograms.firewall(.ingress, rules: [IPAccessFilter.Rules(allow: [], deny: [])], accountingMap: nil) == nil)
        #expect(try CgroupPrograms.connectGuard(.ipv4, rules: []) == nil)
        // Nothing denied, or everything allowed: every bind() passes, no program.
        #expect(try CgroupPrograms.socketBind(.ipv4, allow: [try SocketBindRule.parse("80")], deny: []) == nil)
        #expect(try CgroupPrograms.socketBind(.ipv4, allow: [try SocketBindRule.parse("ipv4")], deny: [try SocketBindRule.parse("any")]) == nil)
        // An IPv6-only rule set gives the bind4 hook nothing to do.
        #expect(try CgroupPrograms.socketBind(.ipv4, allow: [], deny: [try SocketBindRule.parse("ipv6:any")]) == nil)
        #expect(try CgroupPrograms.socketBind(.ipv6, allow: [], deny: [try SocketBindRule.parse("ipv6:any")]) != nil)
    }

    /// Every program kind passes the kernel's verifier, including rules that match everything
    /// followed by more rules (code after them would be unreachable, which the verifier refuses).
    @Test(.enabled(if: bpf, "needs cgroup BPF (CAP_BPF or CAP_SYS_ADMIN)"))
    func everyProgramPassesTheVerifier() throws {
        let rules = [try Self.rules(allow: "127.0.0.2 ::1 0.0.0.0/0", deny: "any 10.0.0.0/8")]
        let map = try CgroupBPF.accountingMap().get()
        defer { close(map) }
        let programs = [
            try CgroupPrograms.firewall(.ingress, rules: rules, accountingMap: map), try CgroupPrograms.firewall(.egress, rules: [], accountingMap: map),
            try CgroupPrograms.connectGuard(.ipv4, rules: rules), try CgroupPrograms.connectGuard(.ipv6, rules: rules),
            try CgroupPrograms.socketBind(.ipv4, allow: [try SocketBindRule.parse("tcp:8000-8100")], deny: [try SocketBindRule.parse("any"), try SocketBindRule.parse("udp")]),
            try CgroupPrograms.socketBind(.ipv6, allow: [], deny: [try SocketBindRule.parse("ipv6:udp:53")]),
        ]
        for program in programs {
            let fd = try CgroupBPF.load(try #require(program)).get()
            close(fd)
        }
    }

    /// Limits go into the cgroup files of the controllers that are enabled, in the kernel's
    /// formats (a directory standing in for a cgroup).
    @Test func limitsAreWrittenInTheKernelsFormats() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wick-cgroup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for file in ["memory.max", "memory.high", "memory.low", "cpu.weight", "cpu.max", "pids.max", "io.weight"] {
            FileManager.default.createFile(atPath: directory + "/" + file, contents: Data())
        }
        var resources = ResourceControl()
        resources.memoryMax = .absolute(512 << 20)
        resources.memoryHigh = .infinity
        resources.cpuWeight = 200
        resources.cpuQuotaPerSecond = 200_000
        resources.tasksMax = .absolute(10)
        resources.ioWeight = 300
        var warnings: [String] = []
        ControlGroups.writeLimits(directory, resources, controllers: ["memory", "cpu", "pids"], warnings: &warnings)
        func read(_ file: String) -> String { (try? String(contentsOfFile: directory + "/" + file, encoding: .utf8)) ?? "?" }
        #expect(read("memory.max") == "536870912" && read("memory.high") == "max" && read("memory.low") == "")
        #expect(read("cpu.weight") == "200" && read("cpu.max") == "20000 100000" && read("pids.max") == "10")
        #expect(read("io.weight") == "", "the io controller is not enabled")
        #expect(warnings.isEmpty, "\(warnings)")
        // A missing file (controller) is a warning, not a silent success.
        resources.memorySwapMax = .absolute(0)
        ControlGroups.writeLimits(directory, resources, controllers: ["memory"], warnings: &warnings)
        #expect(warnings.contains { $0.hasPrefix("memory.swap.max=0 could not be set") }, "\(warnings)")
    }
}
