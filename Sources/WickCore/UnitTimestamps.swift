/// The timestamps systemd keeps for every unit (`unit_notify()`, systemctl show's
/// `InactiveExitTimestamp`, `ActiveEnterTimestamp`, `ActiveExitTimestamp`,
/// `InactiveEnterTimestamp`, `StateChangeTimestamp`), updated by each machine's one setter from
/// its old and new active state.
public struct UnitTimestamps: Equatable, Sendable {
    public private(set) var stateChange: Instant?
    public private(set) var inactiveExit: Instant?
    public private(set) var activeEnter: Instant?
    public private(set) var activeExit: Instant?
    public private(set) var inactiveEnter: Instant?

    public init() {}

    /// What systemctl status prints after "since" for a unit in `activeState` (print_status_info()):
    /// when it became active (a reload does not change that), inactive or failed, began to
    /// activate, or began to deactivate; the last change when that never happened (a start that
    /// failed at its spawn goes from inactive to failed at once).
    public func since(activeState: String) -> Instant? {
        let specific: Instant?
        switch activeState {
        case "active", "reloading": specific = activeEnter
        case "inactive", "failed": specific = inactiveEnter
        case "activating": specific = inactiveExit
        default: specific = activeExit
        }
        return specific ?? stateChange
    }

    /// `old` and `new` are active states: active, reloading, inactive, failed, activating,
    /// deactivating.
    mutating func record(from old: String, to new: String, now: Instant) {
        if old != new || stateChange == nil { stateChange = now }
        guard old != new else { return }
        let inactive = { (state: String) in state == "inactive" || state == "failed" }
        let active = { (state: String) in state == "active" || state == "reloading" }
        if inactive(old) && !inactive(new) { inactiveExit = now } else if !inactive(old) && inactive(new) { inactiveEnter = now }
        if !active(old) && active(new) { activeEnter = now } else if active(old) && !active(new) { activeExit = now }
    }
}
