import WickUnits

/// `IPAddressAllow=`/`IPAddressDeny=` on the sockets wick owns (systemd.resource-control(5)):
/// a packet from an address matching an allow prefix passes, else one matching a deny prefix is
/// dropped, else it passes; the socket unit's rules and the service's both apply. systemd enforces
/// them with cgroup BPF; wick, which owns the listeners, attaches a classic BPF socket filter
/// (`SO_ATTACH_FILTER`) so that SYNs and datagrams from denied sources never reach the socket, and
/// checks an accepted peer again. Pure: the program is built here, attached by the daemon.
public enum IPAccessFilter {
    public struct Rules: Equatable, Sendable {
        public var allow: [IPAddressPrefix]
        public var deny: [IPAddressPrefix]
        public init(allow: [IPAddressPrefix], deny: [IPAddressPrefix]) { (self.allow, self.deny) = (allow, deny) }
        public var isEmpty: Bool { allow.isEmpty && deny.isEmpty }
    }

    /// One classic BPF instruction (`struct sock_filter`).
    public struct Instruction: Equatable, Sendable {
        public var code: UInt16
        public var jt: UInt8
        public var jf: UInt8
        public var k: UInt32
    }

    /// Whether every rule set lets `address` (4 or 16 bytes) through.
    public static func allows(_ address: [UInt8], _ ruleSets: [Rules]) -> Bool {
        ruleSets.allSatisfy { rules in
            rules.allow.contains { $0.contains(address) } || !rules.deny.contains { $0.contains(address) }
        }
    }

    /// A peer's address from its text (an IPv4-mapped IPv6 address is the IPv4 one, as its
    /// packets are); nil for a Unix peer.
    public static func peer(_ text: String) -> [UInt8]? {
        if let v4 = IPAddress.parseIPv4(Substring(text)) { return v4 }
        guard let v6 = IPAddress.parseIPv6(Substring(text)) else { return nil }
        return v6.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] ? Array(v6.suffix(4)) : v6
    }

    // Classic BPF (linux/filter.h).
    static let loadWord: UInt16 = 0x20, loadByte: UInt16 = 0x30, shiftRight: UInt16 = 0x74, and: UInt16 = 0x54
    static let jumpIfEqual: UInt16 = 0x15, jump: UInt16 = 0x05, returnConstant: UInt16 = 0x06
    /// `SKF_NET_OFF`: offsets from the network header, whatever layer the socket sees.
    static let network = UInt32(bitPattern: -0x100000)

    private enum Label: Hashable { case accept, drop, ipv6, next(family: Int, set: Int) }

    private struct Pending {
        var instruction: Instruction
        var target: Label?
    }

    /// The filter program, or nil when there is nothing to filter.
    public static func program(_ ruleSets: [Rules]) -> [Instruction]? {
        let sets = ruleSets.filter { !$0.isEmpty }
        guard !sets.isEmpty else { return nil }
        var code: [Pending] = []
        var labels: [Label: Int] = [:]
        func emit(_ op: UInt16, jt: UInt8 = 0, jf: UInt8 = 0, _ k: UInt32 = 0, to target: Label? = nil) {
            code.append(Pending(instruction: Instruction(code: op, jt: jt, jf: jf, k: k), target: target))
        }
        // The IP version from the first nibble of the network header.
        emit(loadByte, network)
        emit(shiftRight, 4)
        emit(jumpIfEqual, jt: 0, jf: 1, 6)
        emit(jump, to: .ipv6)
        emit(jumpIfEqual, jt: 1, jf: 0, 4)
        emit(jump, to: .accept)
        for (family, offset, width) in [(4, UInt32(12), 1), (6, UInt32(8), 4)] {
            if family == 6 { labels[.ipv6] = code.count }
            for (index, rules) in sets.enumerated() {
                for (prefixes, target) in [(rules.allow, Label.next(family: family, set: index)), (rules.deny, Label.drop)] {
                    for prefix in prefixes where prefix.bytes.count == width * 4 {
                        // Compare the words the prefix covers; a mismatch skips to the next prefix.
                        let words = (prefix.length + 31) / 32
                        for word in 0..<words {
                            let bits = min(32, prefix.length - word * 32)
                            let mask: UInt32 = bits == 32 ? .max : ~(UInt32.max >> UInt32(bits))
                            let value = prefix.bytes[(word * 4)..<(word * 4 + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                            emit(loadWord, network &+ offset &+ UInt32(word * 4))
                            emit(and, mask)
                            emit(jumpIfEqual, jt: 0, jf: UInt8((words - 1 - word) * 3 + 1), value & mask)
                        }
                        emit(jump, to: target)
                    }
                }
                labels[.next(family: family, set: index)] = code.count
            }
            emit(jump, to: .accept)
        }
        labels[.accept] = code.count
        emit(returnConstant, UInt32.max)
        labels[.drop] = code.count
        emit(returnConstant, 0)
        return code.enumerated().map { index, pending in
            var instruction = pending.instruction
            if let target = pending.target, let position = labels[target] { instruction.k = UInt32(position - index - 1) }
            return instruction
        }
    }
}
