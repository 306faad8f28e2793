import WickUnits

/// The eBPF programs wick attaches to a unit's cgroup, assembled here as systemd's
/// bpf-firewall.c assembles its own (no compiler, no libbpf), and loaded by WickSystem:
///
/// - `firewall`: a `BPF_PROG_TYPE_CGROUP_SKB` program for `BPF_CGROUP_INET_INGRESS` or `_EGRESS`
///   (systemd.resource-control(5) `IPAddressAllow=`/`IPAddressDeny=`, `IPAccounting=`): a packet
///   whose source (ingress) or destination (egress) matches an allow prefix passes, else one
///   matching a deny prefix is dropped, else it passes; each rule set must let it pass (the socket
///   unit's and the service's). Passed packets are counted in the accounting map as systemd does
///   (key 0 packets, key 1 bytes, `skb->len`, whole IP packets). systemd looks prefixes up in LPM
///   trie maps; wick compares them inline (a unit has a handful), which needs no map per rule set.
/// - `connectGuard`: `BPF_CGROUP_INET4_CONNECT`/`INET6_CONNECT`, the same rules on the address a
///   `connect()` or an unconnected `sendmsg()` names, so that connecting to a denied address fails
///   at once with EPERM. systemd has only the packet filter, under which a TCP SYN is dropped
///   and `connect()` waits for its timeout (about two minutes): a difference docs/resources.md
///   states.
/// - `socketBind`: `BPF_CGROUP_INET4_BIND`/`INET6_BIND` (`SocketBindAllow=`/`SocketBindDeny=`):
///   systemd's socket-bind.bpf.c rule: a `bind()` matching an allow rule is permitted, else one
///   matching a deny rule fails with EPERM, else it is permitted.
public enum CgroupPrograms {
    /// One eBPF instruction (`struct bpf_insn`): 8 bytes.
    public struct Instruction: Equatable, Sendable {
        public var code: UInt8
        /// dst_reg in the low nibble, src_reg in the high one.
        public var registers: UInt8
        public var offset: Int16
        public var immediate: Int32

        public init(code: UInt8, registers: UInt8, offset: Int16, immediate: Int32) {
            (self.code, self.registers, self.offset, self.immediate) = (code, registers, offset, immediate)
        }
    }

    /// linux/bpf.h values the loader passes with a program.
    public enum ProgramType: UInt32, Sendable { case cgroupSKB = 8, cgroupSockAddr = 18 }
    public enum AttachType: UInt32, Sendable, CaseIterable {
        case ingress = 0, egress = 1, bind4 = 8, bind6 = 9, connect4 = 10, connect6 = 11
        public var programType: ProgramType { self == .ingress || self == .egress ? .cgroupSKB : .cgroupSockAddr }
    }

    /// Which way packets go through a packet filter.
    public enum Direction: Sendable { case ingress, egress }
    /// The address family of a connect or bind hook.
    public enum Family: Sendable { case ipv4, ipv6 }

    /// A program to load: its instructions, with the accounting map's descriptor already placed.
    public struct Program: Equatable, Sendable {
        public var attach: AttachType
        public var instructions: [Instruction]
    }

    /// Accounting map keys (systemd's MAP_KEY_PACKETS, MAP_KEY_BYTES).
    public static let packetsKey: UInt32 = 0
    public static let bytesKey: UInt32 = 1

    /// The packet filter of one direction: nil when it would do nothing (no rules, no map).
    public static func firewall(_ direction: Direction, rules: [IPAccessFilter.Rules], accountingMap: Int32?) throws(TooLarge) -> Program? {
        let ruleSets = rules.filter { !$0.isEmpty }
        if ruleSets.isEmpty && accountingMap == nil { return nil }
        var a = Assembler()
        a.move(6, register: 1)
        a.loadWord(7, from: 6, offset: 16)            // skb->protocol (big-endian 16 bits)
        let deny = a.newLabel()
        for rules in ruleSets {
            a.move32(8, immediate: 0)
            for (prefixes, verdict) in [(rules.deny, accessDenied), (rules.allow, accessAllowed)] {
                for family in [4, 16] {
                    let matching = prefixes.filter { $0.bytes.count == family }
                    if matching.isEmpty { continue }
                    let skip = a.newLabel()
                    a.jump(.notEqual, 7, immediate: Int32(family == 4 ? 0x0008 : 0xdd86), to: skip)  // htons(ETH_P_IP), htons(ETH_P_IPV6)
                    // bpf_skb_load_bytes(skb, offset, fp - size, size)
                    let source = family == 4 ? 12 : 8
                    let offset = direction == .ingress ? source : source + family
                    a.move(1, register: 6)
                    a.move32(2, immediate: Int32(offset))
                    a.move(3, register: 10)
                    a.add(3, immediate: Int32(-family))
                    a.move32(4, immediate: Int32(family))
                    a.call(helperSKBLoadBytes)
                    a.jump(.notEqual, 0, immediate: 0, to: skip)
                    a.matchAny(matching, stackOffset: -family, onMatch: verdict, skip: skip)
                    a.place(skip)
                }
            }
            // Denied only by a deny match that no allow match overrides (systemd's post_insn).
            a.jump(.equal, 8, immediate: Int32(accessDenied), to: deny)
        }
        a.move(0, immediate: 1)
        if let map = accountingMap {
            a.count(map: map, key: packetsKey) { $0.move(1, immediate: 1) }
            a.count(map: map, key: bytesKey) { $0.loadWord(1, from: 6, offset: 0) }   // skb->len
            a.move(0, immediate: 1)
        }
        a.exit()
        if !ruleSets.isEmpty {
            a.returnVerdict(0, at: deny)
        }
        return Program(attach: direction == .ingress ? .ingress : .egress, instructions: try a.resolved())
    }

    /// The connect4/connect6 guard: nil without rules.
    public static func connectGuard(_ family: Family, rules: [IPAccessFilter.Rules]) throws(TooLarge) -> Program? {
        let hook: AttachType = family == .ipv4 ? .connect4 : .connect6
        let ruleSets = rules.filter { !$0.isEmpty }
        if ruleSets.isEmpty { return nil }
        var a = Assembler()
        a.move(6, register: 1)
        let deny = a.newLabel()
        for rules in ruleSets {
            a.move32(8, immediate: 0)
            for (prefixes, verdict) in [(rules.deny, accessDenied), (rules.allow, accessAllowed)] {
                if hook == .connect4 {
                    let v4 = prefixes.filter { $0.isIPv4 }
                    guard !v4.isEmpty else { continue }
                    let skip = a.newLabel()
                    a.matchAny(v4, context: 4, onMatch: verdict, skip: skip)   // user_ip4
                    a.place(skip)
                } else {
                    let v6 = prefixes.filter { !$0.isIPv4 }
                    // An IPv4-mapped address (::ffff:a.b.c.d) is matched against the IPv4 rules.
                    let mapped = prefixes.filter { $0.isIPv4 }.map {
                        IPAddressPrefix(bytes: Array(repeating: 0, count: 10) + [0xff, 0xff] + $0.bytes, length: 96 + $0.length)
                    }
                    guard !(v6 + mapped).isEmpty else { continue }
                    let skip = a.newLabel()
                    a.matchAny(v6 + mapped, context: 8, onMatch: verdict, skip: skip)   // user_ip6
                    a.place(skip)
                }
            }
            a.jump(.equal, 8, immediate: Int32(accessDenied), to: deny)
        }
        a.move(0, immediate: 1)
        a.exit()
        a.returnVerdict(0, at: deny)
        return Program(attach: hook, instructions: try a.resolved())
    }

    /// The bind4/bind6 program: nil without rules for that family.
    public static func socketBind(_ hookFamily: Family, allow: [SocketBindRule], deny: [SocketBindRule]) throws(TooLarge) -> Program? {
        let hook: AttachType = hookFamily == .ipv4 ? .bind4 : .bind6
        let family: SocketBindRule.Family = hookFamily == .ipv4 ? .ipv4 : .ipv6
        let allowed = allow.filter { $0.family == nil || $0.family == family }
        var denied = deny.filter { $0.family == nil || $0.family == family }
        // Nothing denied, or everything allowed: the program would pass every bind().
        if denied.isEmpty || allowed.contains(where: \.matchesEverything) { return nil }
        // The verifier refuses code no jump reaches: nothing after a rule that matches everything.
        if let first = denied.firstIndex(where: \.matchesEverything) { denied = Array(denied[...first]) }
        var a = Assembler()
        let pass = a.newLabel(), refuse = a.newLabel()
        let addressFamily: Int32 = hook == .bind4 ? 2 : 10
        a.loadWord(7, from: 1, offset: 0)              // user_family
        a.jump(.notEqual, 7, immediate: addressFamily, to: pass)
        a.loadWord(7, from: 1, offset: 28)             // family
        a.jump(.notEqual, 7, immediate: addressFamily, to: pass)
        a.loadWord(7, from: 1, offset: 24)             // user_port, network order
        a.byteSwap16(7)
        a.loadWord(8, from: 1, offset: 36)             // protocol
        for (rules, verdict) in [(allowed, pass), (denied, refuse)] {
            for rule in rules {
                let next = a.newLabel()
                if let transport = rule.transport { a.jump(.notEqual, 8, immediate: transport.rawValue, to: next) }
                if let ports = rule.ports {
                    a.jump(.lessThan, 7, immediate: Int32(ports.lowerBound), to: next)
                    a.jump(.greaterThan, 7, immediate: Int32(ports.upperBound), to: next)
                }
                a.jump(.always, 0, immediate: 0, to: verdict)
                a.place(next)
            }
        }
        a.returnVerdict(1, at: pass)
        a.returnVerdict(0, at: refuse)
        return Program(attach: hook, instructions: try a.resolved())
    }

    /// A packet filter that passes everything: the probe of whether cgroup BPF is available.
    public static let passAll = Program(attach: .egress, instructions: [
        Instruction(code: 0xb7, registers: 0, offset: 0, immediate: 1),   // r0 = 1
        Instruction(code: 0x95, registers: 0, offset: 0, immediate: 0),   // exit
    ])

    /// A rule list too long for one program's jumps.
    public struct TooLarge: Error, Equatable {}

    static let accessAllowed: UInt32 = 1
    static let accessDenied: UInt32 = 2
    static let helperMapLookup: Int32 = 1
    static let helperSKBLoadBytes: Int32 = 26
}

/// Builds instructions with forward labels, patched by `resolved()`.
struct Assembler {
    typealias Instruction = CgroupPrograms.Instruction
    struct Label { var index: Int }
    enum Condition: UInt8 { case always = 0x00, equal = 0x10, greaterThan = 0x20, notEqual = 0x50, lessThan = 0xa0 }

    private var instructions: [Instruction] = []
    private var labels: [Int?] = []
    private var fixups: [(instruction: Int, label: Int)] = []

    // Instruction classes and modes (linux/bpf_common.h, linux/bpf.h).
    private static let ld: UInt8 = 0x00, ldx: UInt8 = 0x01, st: UInt8 = 0x02, stx: UInt8 = 0x03
    private static let alu: UInt8 = 0x04, jmp: UInt8 = 0x05, jmp32: UInt8 = 0x06, alu64: UInt8 = 0x07
    private static let word: UInt8 = 0x00, doubleWord: UInt8 = 0x18, memory: UInt8 = 0x60, atomic: UInt8 = 0xc0
    private static let add: UInt8 = 0x00, and: UInt8 = 0x50, or: UInt8 = 0x40, mov: UInt8 = 0xb0, end: UInt8 = 0xd0
    private static let registerSource: UInt8 = 0x08, call: UInt8 = 0x80, exit: UInt8 = 0x90

    private mutating func emit(_ code: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, immediate: Int32 = 0) {
        instructions.append(Instruction(code: code, registers: dst | src << 4, offset: offset, immediate: immediate))
    }

    mutating func newLabel() -> Label {
        labels.append(nil)
        return Label(index: labels.count - 1)
    }

    mutating func place(_ label: Label) { labels[label.index] = instructions.count }

    mutating func move(_ dst: UInt8, register src: UInt8) { emit(Self.alu64 | Self.mov | Self.registerSource, dst: dst, src: src) }
    mutating func move(_ dst: UInt8, immediate: Int32) { emit(Self.alu64 | Self.mov, dst: dst, immediate: immediate) }
    mutating func move32(_ dst: UInt8, immediate: Int32) { emit(Self.alu | Self.mov, dst: dst, immediate: immediate) }
    mutating func add(_ dst: UInt8, immediate: Int32) { emit(Self.alu64 | Self.add, dst: dst, immediate: immediate) }
    mutating func and32(_ dst: UInt8, immediate: UInt32) { emit(Self.alu | Self.and, dst: dst, immediate: Int32(bitPattern: immediate)) }
    mutating func or32(_ dst: UInt8, immediate: UInt32) { emit(Self.alu | Self.or, dst: dst, immediate: Int32(bitPattern: immediate)) }
    /// The low 16 bits from big-endian to the machine's order, the rest cleared.
    mutating func byteSwap16(_ dst: UInt8) { emit(Self.alu | Self.end | Self.registerSource, dst: dst, immediate: 16) }
    mutating func loadWord(_ dst: UInt8, from base: UInt8, offset: Int16) { emit(Self.ldx | Self.memory | Self.word, dst: dst, src: base, offset: offset) }
    mutating func call(_ helper: Int32) { emit(Self.jmp | Self.call, immediate: helper) }
    mutating func exit() { emit(Self.jmp | Self.exit) }

    /// `label: r0 = verdict; exit` (1 passes, 0 refuses).
    mutating func returnVerdict(_ verdict: Int32, at label: Label) {
        place(label)
        move(0, immediate: verdict)
        exit()
    }

    /// A 64-bit comparison with an immediate (sign-extended), or `always`.
    mutating func jump(_ condition: Condition, _ register: UInt8, immediate: Int32, to label: Label) {
        fixups.append((instructions.count, label.index))
        emit(Self.jmp | condition.rawValue, dst: condition == .always ? 0 : register, immediate: condition == .always ? 0 : immediate)
    }

    /// A 32-bit comparison (the immediate is not sign-extended against a zero-extended word).
    mutating func jump32NotEqual(_ register: UInt8, immediate: UInt32, to label: Label) {
        fixups.append((instructions.count, label.index))
        emit(Self.jmp32 | Condition.notEqual.rawValue, dst: register, immediate: Int32(bitPattern: immediate))
    }

    /// Sets `verdict` in r8 when the address at `stackOffset` from the frame pointer (loaded by
    /// skb_load_bytes, network order) lies in one of the prefixes, then goes to `skip`.
    mutating func matchAny(_ prefixes: [IPAddressPrefix], stackOffset: Int, onMatch verdict: UInt32, skip: Label) {
        matchAny(prefixes, base: 10, offset: stackOffset, onMatch: verdict, skip: skip)
    }

    /// The same on the address in the program's context (`struct bpf_sock_addr`) at `context`.
    mutating func matchAny(_ prefixes: [IPAddressPrefix], context: Int, onMatch verdict: UInt32, skip: Label) {
        matchAny(prefixes, base: 6, offset: context, onMatch: verdict, skip: skip)
    }

    private mutating func matchAny(_ prefixes: [IPAddressPrefix], base: UInt8, offset: Int, onMatch verdict: UInt32, skip: Label) {
        // The verifier refuses code no jump reaches: nothing after a prefix that matches everything.
        let reachable = prefixes.firstIndex { $0.length == 0 }.map { prefixes[...$0] } ?? prefixes[...]
        for prefix in reachable {
            let next = newLabel()
            for word in 0..<(prefix.bytes.count / 4) {
                let mask = Self.networkWord(IPAddressPrefix(bytes: Array(repeating: 0xff, count: prefix.bytes.count), length: prefix.length).bytes, word)
                if mask == 0 { continue }
                loadWord(9, from: base, offset: Int16(offset + 4 * word))
                and32(9, immediate: mask)
                jump32NotEqual(9, immediate: Self.networkWord(prefix.bytes, word), to: next)
            }
            or32(8, immediate: verdict)
            jump(.always, 0, immediate: 0, to: skip)
            place(next)
        }
    }

    /// Adds to the counter `key` of an array map the value the closure leaves in r1 (atomic).
    mutating func count(map: Int32, key: UInt32, value: (inout Assembler) -> Void) {
        let done = newLabel()
        emit(Self.st | Self.memory | Self.word, dst: 10, offset: -4, immediate: Int32(bitPattern: key))
        move(2, register: 10)
        add(2, immediate: -4)
        emit(Self.ld | Self.doubleWord, dst: 1, src: 1, immediate: map)   // BPF_LD_MAP_FD: src_reg BPF_PSEUDO_MAP_FD
        emit(0)
        call(CgroupPrograms.helperMapLookup)
        jump(.equal, 0, immediate: 0, to: done)
        value(&self)
        emit(Self.stx | Self.atomic | Self.doubleWord, dst: 0, src: 1, immediate: 0)   // lock *(u64 *)r0 += r1
        place(done)
    }

    /// Four bytes of an address as the little-endian word a 32-bit load of them gives.
    private static func networkWord(_ bytes: [UInt8], _ index: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[index * 4 + $1]) << (8 * $1) }
    }

    /// The instructions with every jump's offset set to its label; a jump beyond eBPF's 16-bit
    /// offsets (tens of thousands of prefixes) is refused, never truncated.
    func resolved() throws(CgroupPrograms.TooLarge) -> [Instruction] {
        var result = instructions
        for (index, label) in fixups {
            guard let target = labels[label], let offset = Int16(exactly: target - index - 1) else { throw CgroupPrograms.TooLarge() }
            result[index].offset = offset
        }
        return result
    }
}
