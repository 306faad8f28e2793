/// Socket units that listen on the same endpoint (issue 10 item 10). systemd checks nothing at
/// load time: the second unit to start fails with EADDRINUSE (result `resources`), or, for a Unix
/// path, silently takes the path over (socket_address_listen() unlinks and binds again). wick
/// names both units and the endpoint at load time and in `wick verify`, as a warning (the unit
/// files themselves are valid). Two IP sockets that both set `ReusePort=yes` may share a port.
public enum ListenConflicts {
    public static func diagnostics(for units: [LoadedUnit]) -> [Diagnostic] {
        let sockets = units.filter { $0.isSocket && !$0.name.isTemplate && $0.loadState == .loaded }
            .sorted { $0.name.name < $1.name.name }
        var result: [Diagnostic] = []
        for (index, later) in sockets.enumerated() {
            for earlier in sockets[..<index] {
                for spec in later.settings.socket.listen {
                    guard let other = earlier.settings.socket.listen.first(where: { overlaps(spec, $0, earlier.settings.socket, later.settings.socket) })
                    else { continue }
                    let what = spec == other ? "\(spec.directive)=\(spec)" : "\(spec.directive)=\(spec) (overlapping \(other))"
                    result.append(Diagnostic(
                        .warning, at: SourceLocation(file: later.fragmentPath ?? later.name.name, line: 0), unit: later.name.name,
                        "\(what) is also in \(earlier.name.name): only one of them can listen there (systemd fails the "
                            + "second to start with EADDRINUSE, or lets it take a Unix path over)"))
                }
            }
        }
        return result
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
