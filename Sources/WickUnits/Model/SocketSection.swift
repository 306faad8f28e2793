/// The `[Socket]` section (systemd.socket(5) "Options"), with systemd's defaults.
public struct SocketSection: Hashable, Sendable {
    /// `BindIPv6Only=`: `default` follows the kernel's `bindv6only` sysctl.
    public enum BindIPv6Only: String, Sendable, CaseIterable {
        case `default`, both, ipv6Only = "ipv6-only"
    }

    /// `Timestamping=`.
    public enum Timestamping: String, Sendable, CaseIterable {
        case off, us, ns
    }

    /// The `Listen*=` lines in order: the fds are passed in this order.
    public var listen: [ListenSpec] = []
    public var accept = false
    /// `Service=`: the unit to activate instead of the one with the socket's name.
    public var service: String?
    /// `FileDescriptorName=`: `nil` means the socket unit's full name.
    public var fileDescriptorName: String?
    public var socketMode: UInt32 = 0o666
    public var directoryMode: UInt32 = 0o755
    public var socketUser: String?
    public var socketGroup: String?
    /// `Backlog=`: `nil` means SOMAXCONN's cap, systemd's default.
    public var backlog: UInt32?
    public var bindIPv6Only = BindIPv6Only.default
    public var bindToDevice: String?
    public var reusePort = false
    public var freeBind = false
    public var transparent = false
    public var broadcast = false
    public var keepAlive = false
    public var keepAliveTime: TimeSpan?
    public var keepAliveInterval: TimeSpan?
    public var keepAliveProbes: UInt32?
    public var noDelay = false
    public var deferAccept = TimeSpan.zero
    public var priority: Int32?
    public var receiveBuffer: UInt64?
    public var sendBuffer: UInt64?
    public var ipTOS: Int32?
    public var ipTTL: Int32?
    public var mark: Int32?
    public var tcpCongestion: String?
    public var passCredentials = false
    public var passSecurity = false
    public var passPacketInfo = false
    public var timestamping = Timestamping.off
    public var writable = false
    public var flushPending = false
    public var removeOnStop = false
    public var symlinks: [String] = []
    /// `MaxConnections=`: 64, systemd's default.
    public var maxConnections: UInt32 = 64
    /// `MaxConnectionsPerSource=`: `nil` or 0 (systemd's default, "disabled") mean no per-source limit.
    public var maxConnectionsPerSource: UInt32?
    /// `TriggerLimitIntervalSec=`/`TriggerLimitBurst=`: `nil` means systemd's defaults
    /// (see `effectiveTriggerLimit`).
    public var triggerLimitInterval: TimeSpan?
    public var triggerLimitBurst: UInt32?
    /// `PollLimitIntervalSec=`/`PollLimitBurst=` (systemd 255).
    public var pollLimitInterval: TimeSpan?
    public var pollLimitBurst: UInt32?
    public var execStartPre: [ExecCommand] = []
    public var execStartPost: [ExecCommand] = []
    public var execStopPre: [ExecCommand] = []
    public var execStopPost: [ExecCommand] = []
    /// `TimeoutSec=`: how long the socket's own commands may run (90 s).
    public var timeout = TimeSpan.seconds(90)
    public var exec = ExecContext()
    public var kill = KillContext()

    public init() {}

    /// systemd's trigger limit: 2 s, and a burst of 200 with `Accept=yes` or 20 without;
    /// `infinity` is systemd's "unset" and takes the 2 s too (socket_add_extras()).
    public var effectiveTriggerLimit: (interval: TimeSpan, burst: UInt32) {
        (Self.limitInterval(triggerLimitInterval), triggerLimitBurst ?? (accept ? 200 : 20))
    }

    /// systemd 255's poll limit: 2 s (also for `infinity`), and a burst of 150 with `Accept=yes`
    /// or 15 without.
    public var effectivePollLimit: (interval: TimeSpan, burst: UInt32) {
        (Self.limitInterval(pollLimitInterval), pollLimitBurst ?? (accept ? 150 : 15))
    }

    private static func limitInterval(_ interval: TimeSpan?) -> TimeSpan {
        guard let interval, !interval.isInfinite else { return .seconds(2) }
        return interval
    }
}
