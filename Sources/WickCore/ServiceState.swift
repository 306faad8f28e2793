/// A service's sub-state, with systemd's names (systemd.service(5), `systemctl status`).
public enum ServiceState: String, Sendable, Equatable, CaseIterable {
    case dead
    /// `ExecCondition=` commands run.
    case condition
    case startPre = "start-pre"
    case start
    case startPost = "start-post"
    case running
    case exited
    case reload
    case stop
    case stopSigterm = "stop-sigterm"
    case stopSigkill = "stop-sigkill"
    case stopPost = "stop-post"
    /// After the stop commands: what is left of the unit gets the stop signal, then (after
    /// `TimeoutStopSec=`) the final kill signal (systemd's FINAL_SIGTERM, FINAL_SIGKILL).
    case finalSigterm = "final-sigterm"
    case finalSigkill = "final-sigkill"
    case failed
    case autoRestart = "auto-restart"

    /// systemd's `ActiveState=` for this sub-state.
    public var activeState: String {
        switch self {
        case .dead: return "inactive"
        case .failed: return "failed"
        case .condition, .startPre, .start, .startPost, .autoRestart: return "activating"
        case .running, .exited: return "active"
        case .reload: return "reloading"
        case .stop, .stopSigterm, .stopSigkill, .stopPost, .finalSigterm, .finalSigkill: return "deactivating"
        }
    }

    /// States in which the service's sockets are handed over (not polled by wick).
    public var holdsSockets: Bool {
        switch self {
        case .condition, .startPre, .start, .startPost, .running, .reload, .stop, .stopSigterm, .stopSigkill, .stopPost, .finalSigterm, .finalSigkill:
            return true
        case .dead, .failed, .autoRestart, .exited: return false
        }
    }
}

/// A state change, reported to the manager and logged as `Changed A -> B`.
public struct ServiceTransition: Equatable, Sendable {
    public var unit: UnitID
    public var from: ServiceState
    public var to: ServiceState
    public var result: ServiceResult
}
