/// Socket units that listen on the same endpoint (issue 10 item 10). systemd checks nothing at
/// load time: the second unit to start fails with EADDRINUSE (result `resources`), or, for a Unix
/// path, silently takes the path over (socket_address_listen() unlinks and binds again). wick
/// names both units and the endpoint at load time and in `wick verify`, as a warning (the unit
/// files themselves are valid). Two IP sockets that both set `ReusePort=yes` may share a port.
public enum ListenConflicts {
    /// Linear in the number of endpoints: only endpoints of one kind on one port or path are
    /// compared (2,000 socket units load without a quadratic pass). Each endpoint is two
    /// indices chained to the previous one of its key: no array per key, no names copied
    /// until a conflict is found (1,000 endpoints cost 2.3 million instructions that way).
    public static func diagnostics(for units: [LoadedUnit]) -> [Diagnostic] {
        struct Endpoint {
            var unit: Int
            var listen: Int
            /// The previous endpoint of the same key, -1 for none.
            var next: Int
        }
        var endpoints: [Endpoint] = []
        var latest: [Key: Int] = [:]
        var lists: [[ListenSpec]] = Array(repeating: [], count: units.count)
        for (index, unit) in units.enumerated() where unit.isSocket && !unit.name.isTemplate && unit.loadState == .loaded {
            lists[index] = unit.settings.socket.listen
        }
        let total = lists.reduce(0) { $0 + $1.count }
        endpoints.reserveCapacity(total)
        latest.reserveCapacity(total)
        for (unit, list) in lists.enumerated() {
            for (listen, spec) in list.enumerated() {
                let previous = latest.updateValue(endpoints.count, forKey: key(spec)) ?? -1
                endpoints.append(Endpoint(unit: unit, listen: listen, next: previous))
            }
        }
        var result: [Diagnostic] = []
        var reported: Set<[String]> = []
        for head in latest.values where endpoints[head].next >= 0 {
            var group: [(unit: String, file: String, spec: ListenSpec, socket: Int)] = []
            var index = head
            while index >= 0 {
                let endpoint = endpoints[index]
                let unit = units[endpoint.unit]
                group.append((unit.name.name, unit.fragmentPath ?? unit.name.name, lists[endpoint.unit][endpoint.listen], endpoint.unit))
                index = endpoint.next
            }
            let ordered = group.sorted { ($0.unit, $0.spec.description) < ($1.unit, $1.spec.description) }
            for (index, later) in ordered.enumerated() {
                guard let earlier = ordered[..<index].first(where: {
                    $0.unit != later.unit
                        && overlaps(later.spec, $0.spec, units[$0.socket].settings.socket, units[later.socket].settings.socket)
                }), reported.insert([later.unit, later.spec.description]).inserted else { continue }
                let what = later.spec == earlier.spec ? "\(later.spec.directive)=\(later.spec)"
                    : "\(later.spec.directive)=\(later.spec) (overlapping \(earlier.spec))"
                result.append(Diagnostic(
                    .warning, at: SourceLocation(file: later.file, line: 0), unit: later.unit,
                    "\(what) is also in \(earlier.unit): only one of them can listen there (systemd fails the "
                        + "second to start with EADDRINUSE, or lets it take a Unix path over)"))
            }
        }
        return result.sorted { ($0.location.file, $0.message) < ($1.location.file, $1.message) }
    }

    /// Endpoints that may overlap share a key: the kind and the port (IP) or the path. A typed
    /// key: built as a string it cost 3,000 instructions per endpoint at start-up.
    enum Key: Hashable {
        enum Kind: Hashable { case stream, datagram, sequentialPacket, fifo, special, messageQueue }
        case port(Kind, UInt16)
        case path(Kind, String)
        case abstract(Kind, String)
        case netlink(family: String, group: UInt32)
    }

    static func key(_ spec: ListenSpec) -> Key {
        func address(_ kind: Key.Kind, _ address: SocketAddress) -> Key {
            switch address {
            case .anyPort(let port), .ipv4(_, let port), .ipv6(_, let port): return .port(kind, port)
            case .unixPath(let path): return .path(kind, path)
            case .unixAbstract(let name): return .abstract(kind, name)
            }
        }
        switch spec {
        case .stream(let value): return address(.stream, value)
        case .datagram(let value): return address(.datagram, value)
        case .sequentialPacket(let value): return address(.sequentialPacket, value)
        case .fifo(let path): return .path(.fifo, path)
        case .special(let path): return .path(.special, path)
        case .messageQueue(let name): return .path(.messageQueue, name)
        case .netlink(let family, _, let group): return .netlink(family: family, group: group)
        }
    }

    static func overlaps(_ a: ListenSpec, _ b: ListenSpec, _ first: SocketSection, _ second: SocketSection) -> Bool {
        switch (a, b) {
        case (.stream(let x), .stream(let y)), (.datagram(let x), .datagram(let y)), (.sequentialPacket(let x), .sequentialPacket(let y)):
            if !x.isUnix && first.reusePort && second.reusePort { return false }
            return overlaps(x, y)
        case (.fifo(let x), .fifo(let y)), (.special(let x), .special(let y)), (.messageQueue(let x), .messageQueue(let y)):
            return x == y
        default:
            return false
        }
    }

    /// Equal endpoints, or a wildcard address and another address on the same port (`[::]:80`
    /// and a bare `80` take every address of both families, `0.0.0.0:80` every IPv4 one).
    static func overlaps(_ x: SocketAddress, _ y: SocketAddress) -> Bool {
        if x == y { return true }
        guard let (xPort, xWild, xFamily) = ip(x), let (yPort, yWild, yFamily) = ip(y), xPort == yPort else { return false }
        if xFamily == 0 || yFamily == 0 { return true }   // a bare port: both families
        guard xFamily == yFamily else { return xFamily == 6 && xWild || yFamily == 6 && yWild }   // [::] is dual-stack by default
        return xWild || yWild
    }

    /// The port, whether the address is a wildcard, and the family (4, 6, or 0 for a bare port).
    private static func ip(_ address: SocketAddress) -> (UInt16, Bool, Int)? {
        switch address {
        case .anyPort(let port): return (port, true, 0)
        case .ipv4(let bytes, let port): return (port, bytes.allSatisfy { $0 == 0 }, 4)
        case .ipv6(let bytes, let port): return (port, bytes.allSatisfy { $0 == 0 }, 6)
        case .unixPath, .unixAbstract: return nil
        }
    }
}
