import WickUnits

/// Everything the manager asks of the system besides processes: the daemon implements it with
/// sockets and epoll; tests record the calls.
public protocol ManagerPort: ProcessPort {
    /// Opens every listener of a socket unit; the error says what failed
    /// (`bind([::]:80): Address already in use`).
    mutating func openListeners(socket: UnitID, settings: SocketSection) -> Result<Void, SocketOpenError>
    mutating func closeListeners(socket: UnitID)
    /// A reload reopens the socket (its `Listen*=` changed): of its open listeners, opened for
    /// `listen`, the ones whose address is in `staying` are kept for its next `openListeners`
    /// and the others close at once, before any socket opens (an address may move to another
    /// socket in the same reload). systemd keeps the fds of unchanged addresses at a reload.
    mutating func keepListenersForReopen(socket: UnitID, listen: [ListenSpec], staying: [ListenSpec])
    /// Discards what waits on a socket unit's listeners (`FlushPending=`): pending connections
    /// are accepted and closed, pending datagrams and bytes read and dropped.
    mutating func flushListeners(socket: UnitID)
    /// Starts or stops polling a socket unit's listeners.
    mutating func setPolling(socket: UnitID, _ polling: Bool)
    /// Accepts one connection on a readable listener. The connection's instance suffix is the
    /// name systemd 252 gives it, without the counter (`127.0.0.1:80-127.0.0.1:5000`).
    mutating func accept(socket: UnitID) -> AcceptOutcome
    /// Closes wick's copy of an accepted connection: a refused one at once, an instance's when it
    /// leaves its active states (systemd's `service_close_socket_fd()`).
    mutating func closeConnection(_ connection: AcceptedConnectionID)
    /// The instance of `connection` ended and left the manager: the port forgets its unit.
    mutating func instanceRemoved(_ connection: AcceptedConnectionID)
    /// Loads `template@instance.service` for one connection and hands it the connection.
    mutating func instantiate(template: UnitID, instance: String, connection: AcceptedConnectionID) -> (UnitID, LoadedUnit)?
    /// A line of wick's own log, written when `level` is within the configured `--log-level`.
    mutating func log(_ level: LogLevel, _ message: String)
    /// Whether debug lines are written: the per-connection lines of `Accept=yes` instances are
    /// debug (systemd logs them at debug too), and are not even formatted otherwise.
    var logsDebug: Bool { get }
    /// A service has stopped (dead or failed), or waits to restart (`auto-restart`); `restarting`
    /// then and when a job starts it again. The port ends its exec runtime (private /tmp, network
    /// namespace), removes its runtime directories (per `RuntimeDirectoryPreserve=`) and, unless
    /// restarting, releases its dynamic user.
    mutating func serviceStopped(_ unit: UnitID, restarting: Bool)
    /// Whether one path check (`PathExists`, `DirectoryNotEmpty` ...) holds, before negation.
    mutating func checkPath(_ check: String, _ path: String) -> Bool
}

extension ManagerPort {
    /// An info line.
    public mutating func log(_ message: String) { log(.info, message) }
}

public struct SocketOpenError: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A connection the daemon accepted: an opaque id and the `LOCAL-REMOTE` (or `PID-UID`) part of
/// the instance name.
public struct AcceptedConnectionID: Hashable, Sendable {
    public var id: UInt64
    public var instanceSuffix: String
    /// The peer for `MaxConnectionsPerSource=`: its IP address; nil for a peer of another family
    /// (a Unix one), which systemd's socket_acquire_peer() does not count.
    public var source: String?

    public init(id: UInt64, instanceSuffix: String, source: String?) {
        self.id = id
        self.instanceSuffix = instanceSuffix
        self.source = source
    }
}

/// What accepting on a readable `Accept=yes` listener gave.
public enum AcceptOutcome: Equatable, Sendable {
    case accepted(AcceptedConnectionID)
    /// Nothing was pending (another waker took it, or the peer gave up).
    case nothingPending
    /// accept(2) failed for want of fds or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): the reason.
    case exhausted(String)
}
