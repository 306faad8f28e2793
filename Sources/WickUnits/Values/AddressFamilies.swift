/// Names systemd 252 accepts for address families and namespace types.
public enum AddressFamilies {
    /// Every name `RestrictAddressFamilies=` accepts (src/basic/af-list.c `af_from_name()`, a gperf table generated
    /// by src/basic/generate-af-list.sh from `<sys/socket.h>`: every `AF_*` macro defined as a `PF_*` one except
    /// `AF_UNSPEC` and `AF_MAX`), with its Linux number (glibc's bits/socket.h, x86_64). The aliases `AF_LOCAL`,
    /// `AF_FILE` (both 1, `AF_UNIX`) and `AF_ROUTE` (16, `AF_NETLINK`) are accepted too. systemd looks names up
    /// case-insensitively (gperf `--ignore-case`); use `number(_:)` for that.
    public static let numbers: [String: Int32] = [
        "AF_LOCAL": 1,
        "AF_UNIX": 1,
        "AF_FILE": 1,
        "AF_INET": 2,
        "AF_AX25": 3,
        "AF_IPX": 4,
        "AF_APPLETALK": 5,
        "AF_NETROM": 6,
        "AF_BRIDGE": 7,
        "AF_ATMPVC": 8,
        "AF_X25": 9,
        "AF_INET6": 10,
        "AF_ROSE": 11,
        "AF_DECnet": 12,
        "AF_NETBEUI": 13,
        "AF_SECURITY": 14,
        "AF_KEY": 15,
        "AF_NETLINK": 16,
        "AF_ROUTE": 16,
        "AF_PACKET": 17,
        "AF_ASH": 18,
        "AF_ECONET": 19,
        "AF_ATMSVC": 20,
        "AF_RDS": 21,
        "AF_SNA": 22,
        "AF_IRDA": 23,
        "AF_PPPOX": 24,
        "AF_WANPIPE": 25,
        "AF_LLC": 26,
        "AF_IB": 27,
        "AF_MPLS": 28,
        "AF_CAN": 29,
        "AF_TIPC": 30,
        "AF_BLUETOOTH": 31,
        "AF_IUCV": 32,
        "AF_RXRPC": 33,
        "AF_ISDN": 34,
        "AF_PHONET": 35,
        "AF_IEEE802154": 36,
        "AF_CAIF": 37,
        "AF_ALG": 38,
        "AF_NFC": 39,
        "AF_VSOCK": 40,
        "AF_KCM": 41,
        "AF_QIPCRTR": 42,
        "AF_SMC": 43,
        "AF_XDP": 44,
        "AF_MCTP": 45,
    ]

    /// `AF_UNSPEC`, which systemd's parser does not accept by name.
    public static let unspecified: Int32 = 0

    /// One past the highest family in the table (`AF_MAX` of the header used).
    public static let familyMax: Int32 = 46

    /// The number of an `AF_*` name, compared case-insensitively as systemd does; nil if unknown.
    public static func number(_ name: String) -> Int32? {
        if let exact = numbers[name] { return exact }
        return byLowercasedName[name.lowercased()]
    }

    /// The name systemd prints for a number (src/basic/af-to-name.awk skips the aliases `AF_LOCAL`, `AF_FILE`,
    /// `AF_ROUTE`); nil if unknown.
    public static func name(_ number: Int32) -> String? {
        canonicalNames[number]
    }

    private static let byLowercasedName: [String: Int32] = Dictionary(
        numbers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first }
    )

    private static let canonicalNames: [Int32: String] = Dictionary(
        numbers.filter { !["AF_LOCAL", "AF_FILE", "AF_ROUTE"].contains($0.key) }.map { ($0.value, $0.key) },
        uniquingKeysWith: { first, _ in first }
    )

    /// The namespace types `RestrictNamespaces=` accepts, with their `CLONE_NEW*` flag (src/basic/namespace-util.c
    /// `namespace_info[]`, parsed by src/shared/nsflags.c `namespace_flags_from_string()`, case-sensitive, in
    /// this order: cgroup ipc net mnt pid user uts time). "time" parses, but it is not in `NAMESPACE_FLAGS_ALL`:
    /// a `~` list retains `~flags & NAMESPACE_FLAGS_ALL`, so time ends up blocked; `RestrictNamespaces=no` retains
    /// the seven others, and `seccomp_restrict_namespaces()` installs nothing when those seven are all retained.
    public static let namespaceFlags: [String: Int32] = [
        "cgroup": 0x02000000, // CLONE_NEWCGROUP
        "ipc": 0x08000000, // CLONE_NEWIPC
        "net": 0x40000000, // CLONE_NEWNET
        "mnt": 0x00020000, // CLONE_NEWNS
        "pid": 0x20000000, // CLONE_NEWPID
        "user": 0x10000000, // CLONE_NEWUSER
        "uts": 0x04000000, // CLONE_NEWUTS
        "time": 0x00000080, // CLONE_NEWTIME
    ]

    /// The names of `namespaceFlags` in systemd's order (`namespace_flags_to_string()` prints them so).
    public static let namespaceNames: [String] = ["cgroup", "ipc", "net", "mnt", "pid", "user", "uts", "time"]

    /// src/shared/nsflags.h `NAMESPACE_FLAGS_ALL`: cgroup, ipc, net, mnt, pid, user and uts (not time).
    public static let namespaceFlagsAll: Int32 = 0x7E020000
}
