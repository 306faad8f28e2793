import WickUnits

/// A socket unit's state, with systemd's names (systemd.socket(5), `systemctl status`).
public enum SocketState: String, Sendable, Equatable {
    case dead, listening, running, failed

    public var activeState: String {
        switch self {
        case .dead: return "inactive"
        case .listening, .running: return "active"
        case .failed: return "failed"
        }
    }
}

/// Why a socket unit failed (systemd.socket(5) `Result=`).
public enum SocketResult: String, Sendable, Equatable {
    case success
    case resources
    case triggerLimitHit = "trigger-limit-hit"
    case serviceStartLimitHit = "service-start-limit-hit"
}

/// What the manager should do about a readable listener.
public enum SocketReaction: Equatable, Sendable {
    /// Accept=no: start the service and stop polling.
    case activateService
    /// Accept=yes: accept one connection.
    case accept
    /// The trigger limit was hit: stop listening, the unit failed.
    case fail
    /// The poll limit was hit: stop polling until the given instant, then listen again.
    case pause(until: Instant)
    case ignore
}

/// One socket unit's state machine (systemd's `socket.c`), with the counters systemd shows in
/// `list-sockets` (`NAccepted=`, `NConnections=`, `NRefused=`).
public struct SocketMachine: Sendable {
    public let name: String
    public let settings: SocketSection
    public private(set) var state = SocketState.dead
    public private(set) var result = SocketResult.success
    public private(set) var acceptedCount: UInt64 = 0
    public private(set) var connectionCount: UInt32 = 0
    public private(set) var refusedCount: UInt64 = 0
    public private(set) var activationCount: UInt64 = 0
    /// When the active state (active, inactive, failed) last changed: systemctl's "since".
    public private(set) var activeStateChangedAt: Instant?
    private var triggerLimit: RateLimit
    private var pollLimit: RateLimit
    private var connectionsPerSource: [String: UInt32] = [:]

    public init(name: String, settings: SocketSection) {
        self.name = name
        self.settings = settings
        let limit = settings.effectiveTriggerLimit
        triggerLimit = RateLimit(interval: limit.interval, burst: limit.burst)
        let poll = settings.effectivePollLimit
        pollLimit = RateLimit(interval: poll.interval, burst: poll.burst)
    }

    /// The listeners were opened (or could not be: the unit failed with `resources`).
    public mutating func opened(success: Bool, now: Instant) {
        if success {
            setState(.listening, now: now)
        } else {
            fail(.resources, now: now)
        }
    }

    /// A listener is readable. Counts towards the poll limit (systemd 255: pause for the rest of
    /// the interval) and the trigger limit (fail).
    public mutating func readable(now: Instant) -> SocketReaction {
        guard state == .listening else { return .ignore }
        if !pollLimit.allow(now: now), let end = pollLimit.windowEnd {
            return .pause(until: end)
        }
        if !triggerLimit.allow(now: now) {
            fail(.triggerLimitHit, now: now)
            return .fail
        }
        if settings.accept { return .accept }
        activationCount += 1
        setState(.running, now: now)
        return .activateService
    }

    /// Accept=yes: whether one more connection may get its own service instance
    /// (`MaxConnections=`, `MaxConnectionsPerSource=`); a refused one is counted.
    public mutating func admitConnection(source: String) -> Bool {
        acceptedCount += 1
        let fromSource = connectionsPerSource[source, default: 0]
        guard connectionCount < settings.maxConnections,
              fromSource < (settings.maxConnectionsPerSource ?? .max) else {
            refusedCount += 1
            return false
        }
        connectionCount += 1
        connectionsPerSource[source] = fromSource + 1
        activationCount += 1
        return true
    }

    public mutating func connectionClosed(source: String) {
        if connectionCount > 0 { connectionCount -= 1 }
        if let count = connectionsPerSource[source] {
            connectionsPerSource[source] = count > 1 ? count - 1 : nil
        }
    }

    /// Accept=no: the service was started another way (boot, `wick start`): it holds the
    /// listeners now, so wick stops polling them.
    public mutating func serviceActive(now: Instant) {
        if state == .listening { setState(.running, now: now) }
    }

    /// Accept=no: the service stopped (or waits to restart): listen again.
    public mutating func serviceIdle(now: Instant) {
        if state == .running { setState(.listening, now: now) }
    }

    /// The service hit its start limit: the socket fails and stops listening, as in systemd.
    public mutating func serviceHitStartLimit(now: Instant) {
        fail(.serviceStartLimitHit, now: now)
    }

    /// `reset-failed`: back to dead with the trigger-limit history forgotten.
    public mutating func resetFailed(now: Instant) {
        triggerLimit.reset()
        pollLimit.reset()
        if state == .failed {
            result = .success
            setState(.dead, now: now)
        }
    }

    private mutating func fail(_ newResult: SocketResult, now: Instant) {
        if result == .success { result = newResult }
        setState(.failed, now: now)
    }

    /// The one setter (systemd's `socket_set_state`).
    private mutating func setState(_ new: SocketState, now: Instant) {
        if new.activeState != state.activeState || activeStateChangedAt == nil { activeStateChangedAt = now }
        state = new
    }

    /// Whether wick polls the listeners in this state.
    public var isPolled: Bool { state == .listening }
    /// Whether the listeners are open in this state.
    public var holdsListeners: Bool { state == .listening || state == .running }
}
