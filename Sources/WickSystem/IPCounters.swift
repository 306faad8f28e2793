import CWick

/// A TCP connection's traffic (TCP_INFO): payload bytes received and sent, and
/// segments in and out; what `IPAccounting=` counts for `Accept=yes` connections when wick has no
/// cgroup BPF counters.
public struct IPCounters: Equatable, Sendable {
    public var ingressBytes: UInt64 = 0
    public var egressBytes: UInt64 = 0
    public var ingressPackets: UInt64 = 0
    public var egressPackets: UInt64 = 0

    public init() {}

    /// The counters of a connected TCP socket; nil for another kind of socket.
    public static func read(_ fd: Int32) -> IPCounters? {
        var received: UInt64 = 0, sent: UInt64 = 0
        var segmentsIn: UInt32 = 0, segmentsOut: UInt32 = 0
        guard cwick_tcp_counters(fd, &received, &sent, &segmentsIn, &segmentsOut) == 0 else { return nil }
        var counters = IPCounters()
        counters.ingressBytes = received
        counters.egressBytes = sent
        counters.ingressPackets = UInt64(segmentsIn)
        counters.egressPackets = UInt64(segmentsOut)
        return counters
    }

    public mutating func add(_ other: IPCounters) {
        ingressBytes &+= other.ingressBytes
        egressBytes &+= other.egressBytes
        ingressPackets &+= other.ingressPackets
        egressPackets &+= other.egressPackets
    }
}
