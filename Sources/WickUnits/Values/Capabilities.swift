/// A set of Linux capabilities as a bit mask (bit n = capability n), as systemd stores
/// `CapabilityBoundingSet=` and `AmbientCapabilities=` (systemd.exec(5) "Capabilities").
public struct CapabilitySet: Hashable, Sendable {
    public var mask: UInt64

    public init(mask: UInt64) { self.mask = mask }

    /// Every capability this table knows (systemd's `CAP_MASK_ALL` is every bit; the kernel
    /// ignores the ones it does not have).
    public static let all = CapabilitySet(mask: (1 << UInt64(Capabilities.names.count)) - 1)
    public static let none = CapabilitySet(mask: 0)

    public func contains(_ number: Int) -> Bool { number >= 0 && number < 64 && mask & (1 << UInt64(number)) != 0 }

    /// The names in the set, in number order (`CAP_CHOWN CAP_NET_BIND_SERVICE`).
    public var names: [String] {
        Capabilities.names.enumerated().filter { contains($0.offset) }.map { $0.element }
    }
}

/// The capability names of linux/capability.h, by number, and the parser of systemd's
/// capability lists (`config_parse_capability_set()`).
public enum Capabilities {
    public static let names = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// A capability's number from its name (`CAP_` included, any case) or a plain number
    /// (systemd's `capability_from_name()`).
    public static func number(_ name: String) -> Int? {
        if let number = Int(name), number >= 0, number < 64 { return number }
        return names.firstIndex(of: name.uppercased())
    }

    /// One assignment to a capability list: `~` inverts it, the empty assignment (or a bare `~`)
    /// replaces what was set, a later non-empty one merges (OR, or AND NOT when inverted).
    /// `current` nil means not set yet. Unknown names are skipped (systemd ignores them) and
    /// reported by the thrown error after the rest applied.
    public static func assign(_ value: String, to current: inout CapabilitySet?) throws(ValueError) {
        var text = Substring(value)
        let invert = text.first == "~"
        if invert { text = text.dropFirst() }
        var sum: UInt64 = 0
        var unknown: [String] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if let number = number(String(word)) { sum |= 1 << UInt64(number) } else { unknown.append(String(word)) }
        }
        if sum == 0 || current == nil {
            current = CapabilitySet(mask: invert ? ~sum & CapabilitySet.all.mask : sum)
        } else if var merged = current {
            merged.mask = invert ? merged.mask & ~sum : merged.mask | sum
            current = merged
        }
        if !unknown.isEmpty {
            throw ValueError("unknown capability \(unknown.joined(separator: ", ")), ignored (the others on the line apply)")
        }
    }
}

/// `SecureBits=` (systemd.exec(5), capabilities(7) "securebits"): the bits of prctl(2)
/// `PR_SET_SECUREBITS`.
public enum SecureBits {
    public static let bits: [String: UInt32] = [
        "noroot": 1 << 0, "noroot-locked": 1 << 1, "no-setuid-fixup": 1 << 2, "no-setuid-fixup-locked": 1 << 3,
        "keep-caps": 1 << 4, "keep-caps-locked": 1 << 5,
    ]

    /// Space-separated names. A later line replaces an earlier one, as systemd's parser does
    /// (its manual says they are OR'ed); the empty assignment resets.
    public static func parse(_ value: String) throws(ValueError) -> UInt32 {
        var mask: UInt32 = 0
        for word in value.split(separator: " ") {
            guard let bit = bits[String(word)] else {
                throw .expected("secure bits (\(bits.keys.sorted().joined(separator: ", ")))", got: String(word))
            }
            mask |= bit
        }
        return mask
    }
}
