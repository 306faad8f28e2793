/// One `SocketBindAllow=`/`SocketBindDeny=` rule (systemd.resource-control(5)):
/// `{ [address-family:][transport-protocol:][ip-ports] | any }`, parsed as systemd's
/// `parse_socket_bind_item()`: the tokens in this order, each optional, separated by `:`.
public struct SocketBindRule: Hashable, Sendable, CustomStringConvertible {
    public enum Family: String, Sendable { case ipv4, ipv6 }
    public enum Transport: Int32, Sendable {
        case tcp = 6, udp = 17
        var name: String { self == .tcp ? "tcp" : "udp" }
    }

    /// nil matches both families.
    public var family: Family?
    /// nil matches every protocol.
    public var transport: Transport?
    /// nil matches every port (`any`).
    public var ports: ClosedRange<UInt16>?

    public init(family: Family? = nil, transport: Transport? = nil, ports: ClosedRange<UInt16>? = nil) {
        (self.family, self.transport, self.ports) = (family, transport, ports)
    }

    /// A rule of only a family (`ipv4`) or `any`: every bind() of that family matches.
    public var matchesEverything: Bool { transport == nil && ports == nil }

    public static func parse(_ value: String) throws(ValueError) -> SocketBindRule {
        let expected = "[ipv4|ipv6:][tcp|udp:][PORT|LOW-HIGH|any], ports 1-65535"
        var rule = SocketBindRule()
        var stage = 0   // 0 family, 1 transport, 2 ports, 3 done
        let tokens = value.split(separator: ":", omittingEmptySubsequences: false)
        guard !value.isEmpty else { throw .expected(expected, got: value) }
        for token in tokens {
            guard !token.isEmpty else { throw .expected(expected, got: value) }
            if stage == 0, let family = Family(rawValue: String(token)) {
                rule.family = family
                stage = 1
            } else if stage <= 1, token == "tcp" || token == "udp" {
                rule.transport = token == "tcp" ? .tcp : .udp
                stage = 2
            } else if stage <= 2 {
                if token != "any" { rule.ports = try ports(token, expected: expected, value: value) }
                stage = 3
            } else {
                throw .expected(expected, got: value)
            }
        }
        return rule
    }

    private static func ports(_ token: Substring, expected: String, value: String) throws(ValueError) -> ClosedRange<UInt16> {
        let bounds = token.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let low = UInt16(bounds[0]), low > 0 else { throw .expected(expected, got: value) }
        guard bounds.count == 2 else { return low...low }
        guard let high = UInt16(bounds[1]), high >= low else { throw .expected(expected, got: value) }
        return low...high
    }

    /// systemd's `cgroup_context_dump_socket_bind_item()` form: `ipv6:tcp:10000-65535`, `any`.
    public var description: String {
        let family = self.family.map { $0.rawValue + ":" } ?? ""
        let transport = self.transport.map { $0.name + ":" } ?? ""
        guard let ports else { return family + transport + "any" }
        return family + transport + (ports.count == 1 ? "\(ports.lowerBound)" : "\(ports.lowerBound)-\(ports.upperBound)")
    }
}
