import Testing
@testable import WickCore
import WickUnits

/// `IPAddressAllow=`/`IPAddressDeny=` (issue 13, ingress on wick's sockets): the prefixes, the
/// rule, and the classic BPF program run here by a small interpreter on IPv4 and IPv6 headers.
@Suite struct IPAccessFilterTests {
    /// Runs a classic BPF program over a packet whose network header is `header`.
    static func run(_ program: [IPAccessFilter.Instruction], header: [UInt8]) -> UInt32 {
        var a: UInt32 = 0, pc = 0
        func load(_ k: UInt32, bytes: Int) -> UInt32 {
            let offset = Int(k &- IPAccessFilter.network)
            return (0..<bytes).reduce(UInt32(0)) { $0 << 8 | UInt32(offset + $1 < header.count ? header[offset + $1] : 0) }
        }
        while pc < program.count {
            let i = program[pc]
            pc += 1
            switch i.code {
            case IPAccessFilter.loadWord: a = load(i.k, bytes: 4)
            case IPAccessFilter.loadByte: a = load(i.k, bytes: 1)
            case IPAccessFilter.shiftRight: a >>= i.k
            case IPAccessFilter.and: a &= i.k
            case IPAccessFilter.jumpIfEqual: pc += Int(a == i.k ? i.jt : i.jf)
            case IPAccessFilter.jump: pc += Int(i.k)
            case IPAccessFilter.returnConstant: return i.k
            default: return 0xdead
            }
        }
        return 0xdead
    }

    static func ipv4(_ source: [UInt8]) -> [UInt8] { [0x45] + Array(repeating: 0, count: 11) + source + [127, 0, 0, 1] }
    static func ipv6(_ source: [UInt8]) -> [UInt8] { [0x60] + Array(repeating: 0, count: 7) + source + Array(repeating: 0, count: 16) }

    func rules(_ allow: String, _ deny: String) throws -> IPAccessFilter.Rules {
        IPAccessFilter.Rules(allow: try IPAddressPrefix.parseList(allow), deny: try IPAddressPrefix.parseList(deny))
    }

    @Test func prefixesParseAndPrintAsSystemdDoes() throws {
        #expect(try IPAddressPrefix.parseList("any").map(\.description) == ["0.0.0.0/0", "::/0"])
        #expect(try IPAddressPrefix.parseList("localhost 192.0.2.77/24 fe80::1/64").map(\.description)
                == ["127.0.0.0/8", "::1/128", "192.0.2.0/24", "fe80::/64"], "host bits cleared")
        #expect(throws: ValueError.self) { try IPAddressPrefix.parseList("300.1.1.1") }
        #expect(throws: ValueError.self) { try IPAddressPrefix.parseList("10.0.0.0/33") }
    }

    @Test func allowWinsOverDenyAndBothUnitsApply() throws {
        let set = try rules("127.0.0.2/32 ::1", "any")
        #expect(IPAccessFilter.allows([127, 0, 0, 2], [set]) && !IPAccessFilter.allows([127, 0, 0, 1], [set]))
        #expect(!IPAccessFilter.allows([127, 0, 0, 2], [set, try rules("", "127.0.0.0/8")]), "the service's rules apply too")
        #expect(IPAccessFilter.peer("::ffff:127.0.0.2") == [127, 0, 0, 2] && IPAccessFilter.peer("uid:0") == nil)
    }

    @Test func theProgramDropsWhatTheRulesDeny() throws {
        let sets = [try rules("127.0.0.2/32 fd00::/8", "any"), try rules("", "127.0.0.3 fd00::5")]
        let program = try #require(IPAccessFilter.program(sets))
        for (source, expected) in [([UInt8]([127, 0, 0, 2]), true), ([127, 0, 0, 1], false), ([127, 0, 0, 3], false), ([10, 1, 2, 3], false)] {
            #expect((Self.run(program, header: Self.ipv4(source)) != 0) == expected, "\(source)")
            #expect((Self.run(program, header: Self.ipv4(source)) != 0) == IPAccessFilter.allows(source, sets))
        }
        let fd01: [UInt8] = [0xfd] + Array(repeating: 0, count: 14) + [1], fd05: [UInt8] = [0xfd] + Array(repeating: 0, count: 14) + [5]
        let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
        #expect(Self.run(program, header: Self.ipv6(fd01)) != 0)
        #expect(Self.run(program, header: Self.ipv6(fd05)) == 0, "allowed by the socket, denied by the service")
        #expect(Self.run(program, header: Self.ipv6(loopback)) == 0)
        #expect(IPAccessFilter.program([try rules("", "")]) == nil, "nothing to filter")
    }
}
