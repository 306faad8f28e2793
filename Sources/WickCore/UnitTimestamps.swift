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
