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
    public mutating func opened(success: Bool) {
        if success {
            setState(.listening)
        } else {
            fail(.resources)
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
            fail(.triggerLimitHit)
            return .fail
        }
        if settings.accept { return .accept }
        activationCount += 1
        setState(.running)
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
    public mutating func serviceActive() {
        if state == .listening { setState(.running) }
    }

    /// Accept=no: the service stopped (or waits to restart): listen again.
    public mutating func serviceIdle() {
        if state == .running { setState(.listening) }
    }

    /// The service hit its start limit: the socket fails and stops listening, as in systemd.
    public mutating func serviceHitStartLimit() {
        fail(.serviceStartLimitHit)
    }

    /// `reset-failed`: back to dead with the trigger-limit history forgotten.
    public mutating func resetFailed() {
        triggerLimit.reset()
        pollLimit.reset()
        if state == .failed {
            result = .success
            setState(.dead)
        }
    }

    private mutating func fail(_ newResult: SocketResult) {
        if result == .success { result = newResult }
        setState(.failed)
    }

    /// The one setter (systemd's `socket_set_state`).
    private mutating func setState(_ new: SocketState) {
        state = new
    }

    /// Whether wick polls the listeners in this state.
    public var isPolled: Bool { state == .listening }
    /// Whether the listeners are open in this state.
    public var holdsListeners: Bool { state == .listening || state == .running }
}
