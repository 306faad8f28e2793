/// The address of a socket endpoint as systemd.socket(5) `ListenStream=`/`ListenDatagram=`/
/// `ListenSequentialPacket=` read it (systemd's `socket_address_parse()`).
public enum SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// A bare port: `[::]:port` dual-stack, or `0.0.0.0:port` where IPv6 is unavailable.
    case anyPort(UInt16)
    case ipv4(bytes: [UInt8], port: UInt16)
    case ipv6(bytes: [UInt8], port: UInt16)
    /// A file-system socket path (at most 107 bytes, `sun_path` less its NUL).
    case unixPath(String)
    /// A Linux abstract-namespace socket, written `@name`; the name excludes the `@`.
    case unixAbstract(String)

    /// `sizeof(sun_path) - 1`.
    public static let maximumUnixPathLength = 107

    public var isUnix: Bool {
        switch self {
        case .unixPath, .unixAbstract: return true
        case .anyPort, .ipv4, .ipv6: return false
        }
    }

    public var description: String {
        switch self {
        case .anyPort(let port): return "[::]:\(port)"
        case .ipv4(let bytes, let port): return IPAddress.formatIPv4(bytes, port: port)
        case .ipv6(let bytes, let port): return "[\(IPAddress.formatIPv6(bytes))]:\(port)"
        case .unixPath(let path): return path
        case .unixAbstract(let name): return "@" + name
        }
    }

    public static func parse(_ value: String) throws(ValueError) -> SocketAddress {
        if let address = parseIPv4Port(value) { return address }
        return try parseAnyForm(value)
    }

    /// Every form, with the message for each refusal.
    static func parseAnyForm(_ value: String) throws(ValueError) -> SocketAddress {
        if value.hasPrefix("/") {
            guard value.utf8.count <= maximumUnixPathLength else {
                throw ValueError("socket path '\(value.prefix(60))…' is longer than \(maximumUnixPathLength) bytes (sun_path)")
            }
            return .unixPath(value)
        }
        if value.hasPrefix("@") {
            guard value.utf8.count - 1 <= maximumUnixPathLength - 1, value.count > 1 else {
                throw ValueError("abstract socket name '\(value.prefix(60))' must be 1 to \(maximumUnixPathLength - 1) bytes")
            }
            return .unixAbstract(String(value.dropFirst()))
        }
        if value.hasPrefix("vsock:") {
            throw ValueError("AF_VSOCK addresses ('\(value)') are not supported by wick")
        }
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else {
                throw ValueError("IPv6 address '\(value)' lacks the closing ']'")
            }
            let host = value[value.index(after: value.startIndex)..<close]
            let rest = value[value.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw ValueError("expected ':PORT' after ']' in '\(value)'")
            }
            if host.contains("%") {
                throw ValueError("IPv6 scope '\(host)' is not supported by wick; use BindToDevice=")
            }
            guard let bytes = IPAddress.parseIPv6(host) else {
                throw ValueError("'\(host)' is not a valid IPv6 address")
            }
            return .ipv6(bytes: bytes, port: try port(rest.dropFirst(), in: value))
        }
        // Byte-wise searches: ':' is ASCII, and Character comparisons cost a grapheme break each.
        if let colon = value.utf8.lastIndex(of: UInt8(ascii: ":")) {
            let host = value[..<colon]
            if host.utf8.contains(UInt8(ascii: ":")) {
                throw ValueError("IPv6 address in '\(value)' must be written in brackets: [ADDRESS]:PORT")
            }
            guard let bytes = IPAddress.parseIPv4(host) else {
                throw ValueError("'\(host)' is not an IPv4 address (host names are not resolved, as in systemd)")
            }
            return .ipv4(bytes: bytes, port: try port(value[value.index(after: colon)...], in: value))
        }
        guard value.allSatisfy({ $0.isASCII && $0.isNumber }), !value.isEmpty else {
            throw .expected("a port, IPv4:PORT, [IPv6]:PORT, an absolute socket path or @abstract", got: value)
        }
        return .anyPort(try port(Substring(value), in: value))
    }

    /// `A.B.C.D:PORT`, the common form, in one pass over the bytes (a thousand `ListenStream=`
    /// lines spent 3,000 instructions each in the general parse below). nil for anything else,
    /// which the general parse reads, or refuses with its message: both accept the same
    /// dotted quads (no leading zeros, as `IPAddress.parseIPv4`) and ports (1-65535).
    static func parseIPv4Port(_ value: String) -> SocketAddress? {
        value.utf8.withContiguousStorageIfAvailable { bytes -> SocketAddress? in
            var octets: [UInt8] = []
            octets.reserveCapacity(4)
            var number = 0, digits = 0, leadingZero = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    guard !leadingZero, digits < 3 else { return nil }
                    leadingZero = digits == 0 && byte == UInt8(ascii: "0")
                    number = number * 10 + Int(byte - UInt8(ascii: "0"))
                    digits += 1
                    guard number <= 255 else { return nil }
                } else if byte == UInt8(ascii: "."), digits > 0, octets.count < 3 {
                    octets.append(UInt8(number))
                    (number, digits, leadingZero) = (0, 0, false)
                } else if byte == UInt8(ascii: ":"), digits > 0, octets.count == 3 {
                    octets.append(UInt8(number))
                    break
                } else {
                    return nil
                }
            }
            guard octets.count == 4, index < bytes.count, bytes.count - index <= 5 else { return nil }
            var port = 0
            while index < bytes.count {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                port = port * 10 + Int(byte - UInt8(ascii: "0"))
                index += 1
            }
            guard port > 0, port <= Int(UInt16.max) else { return nil }
            return .ipv4(bytes: octets, port: UInt16(port))
        } ?? nil
    }

    private static func port(_ text: Substring, in value: String) throws(ValueError) -> UInt16 {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let port = UInt16(text), port > 0 else {
            throw ValueError("invalid port '\(text)' in '\(value)': expected 1-65535")
        }
        return port
    }
}

/// One `Listen*=` line of a socket unit (systemd.socket(5)); the fds are passed in the order of
/// these lines.
public enum ListenSpec: Hashable, Sendable, CustomStringConvertible {
    case stream(SocketAddress)
    case datagram(SocketAddress)
    case sequentialPacket(SocketAddress)
    case fifo(path: String)
    case special(path: String)
    /// `ListenNetlink=FAMILY [GROUP]`: the family's protocol number and the `nl_groups` bit mask.
    case netlink(family: String, protocolNumber: Int32, group: UInt32)
    case messageQueue(name: String)

    /// A TCP, UDP or SCTP endpoint (what `IPAddressAllow=`/`IPAddressDeny=` filter).
    public var isInternet: Bool {
        switch self {
        case .stream(let address), .datagram(let address), .sequentialPacket(let address): return !address.isUnix
        case .fifo, .special, .netlink, .messageQueue: return false
        }
    }

    /// The directive that declares this kind of endpoint.
    public var directive: String {
        switch self {
        case .stream: return "ListenStream"
        case .datagram: return "ListenDatagram"
        case .sequentialPacket: return "ListenSequentialPacket"
        case .fifo: return "ListenFIFO"
        case .special: return "ListenSpecial"
        case .netlink: return "ListenNetlink"
        case .messageQueue: return "ListenMessageQueue"
        }
    }

    /// systemd's `list-sockets` TYPE column.
    public var typeName: String {
        switch self {
        case .stream: return "Stream"
        case .datagram: return "Datagram"
        case .sequentialPacket: return "SequentialPacket"
        case .fifo: return "FIFO"
        case .special: return "Special"
        case .netlink: return "Netlink"
        case .messageQueue: return "MessageQueue"
        }
    }

    /// Whether `Accept=yes` can work on it (connection-oriented sockets only).
    /// The node in the file system it makes: a Unix socket's path (not an abstract one) or a
    /// FIFO's (systemd's socket_find_symlink_target() counts these).
    public var fileSystemPath: String? {
        switch self {
        case .stream(.unixPath(let path)), .datagram(.unixPath(let path)), .sequentialPacket(.unixPath(let path)), .fifo(let path):
            return path
        case .stream, .datagram, .sequentialPacket, .special, .netlink, .messageQueue:
            return nil
        }
    }

    public var canAccept: Bool {
        switch self {
        case .stream, .sequentialPacket: return true
        case .datagram, .fifo, .special, .netlink, .messageQueue: return false
        }
    }

    public var description: String {
        switch self {
        case .stream(let address), .datagram(let address), .sequentialPacket(let address): return address.description
        case .fifo(let path), .special(let path): return path
        case .netlink(let family, _, let group): return "\(family) \(group)"
        case .messageQueue(let name): return name
        }
    }

    /// Netlink families by systemd 252's names (`netlink_family_table`), with protocol numbers;
    /// a number names a family too (netlink_family_from_string() falls back to one).
    static let netlinkFamilies: [String: Int32] = [
        "route": 0, "firewall": 3, "inet-diag": 4, "nflog": 5, "xfrm": 6,
        "selinux": 7, "iscsi": 8, "audit": 9, "fib-lookup": 10, "connector": 11, "netfilter": 12,
        "ip6-fw": 13, "dnrtmsg": 14, "kobject-uevent": 15, "generic": 16, "scsitransport": 18,
        "ecryptfs": 19, "rdma": 20,
    ]

    static func parseStream(_ value: String) throws(ValueError) -> ListenSpec { .stream(try SocketAddress.parse(value)) }
    static func parseDatagram(_ value: String) throws(ValueError) -> ListenSpec { .datagram(try SocketAddress.parse(value)) }

    static func parseSequentialPacket(_ value: String) throws(ValueError) -> ListenSpec {
        let address = try SocketAddress.parse(value)
        guard address.isUnix else {
            throw ValueError("ListenSequentialPacket= takes a Unix socket path or @abstract name, got '\(value)'")
        }
        return .sequentialPacket(address)
    }

    static func parseFIFO(_ value: String) throws(ValueError) -> ListenSpec { .fifo(path: try absolutePath(value)) }
    static func parseSpecial(_ value: String) throws(ValueError) -> ListenSpec { .special(path: try absolutePath(value)) }

    static func parseNetlink(_ value: String) throws(ValueError) -> ListenSpec {
        let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let familyWord = words.first, words.count <= 2 else {
            throw .expected("a netlink family and an optional group, such as 'kobject-uevent 1'", got: value)
        }
        let family = String(familyWord)
        guard let number = netlinkFamilies[family] ?? Int32(family).flatMap({ $0 >= 0 ? $0 : nil }) else {
            throw ValueError("unknown netlink family '\(family)' (expected a number or one of \(netlinkFamilies.keys.sorted().joined(separator: ", ")))")
        }
        var group: UInt32 = 0
        if words.count == 2 {
            guard let parsed = UInt32(words[1]) else { throw ValueError("invalid netlink group '\(words[1])': expected a number") }
            group = parsed
        }
        return .netlink(family: family, protocolNumber: number, group: group)
    }

    static func parseMessageQueue(_ value: String) throws(ValueError) -> ListenSpec {
        guard value.hasPrefix("/"), value.count > 1, !value.dropFirst().contains("/") else {
            throw .expected("a message queue name such as '/myqueue' (one leading slash, no others)", got: value)
        }
        return .messageQueue(name: value)
    }

    static func absolutePath(_ value: String) throws(ValueError) -> String {
        guard value.hasPrefix("/") else { throw .expected("an absolute path", got: value) }
        let components = value.split(separator: "/")
        guard !components.contains(where: { $0 == ".." || $0 == "." }) else {
            throw ValueError("path '\(value)' is not normalized ('.' or '..' components)")
        }
        return value
    }
}
