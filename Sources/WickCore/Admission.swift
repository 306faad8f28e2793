import WickUnits

/// Whether a start job may start its service now: the checks of systemd's `unit_start()` and
/// `unit_test_assert()`/`unit_test_condition()`, in that order (systemd.unit(5)). Pure: the units
/// and a path check are given.
enum Admission: Equatable {
    case run
    /// A condition does not hold: the job is done, the unit not started (not a failure).
    case skip(message: String)
    /// The job fails with `result` (`assert`, `dependency`).
    case refuse(result: String, message: String)

    /// The states a `Requisite=` service may be in (built once: a set literal per start cost
    /// 1,300 instructions).
    static let requisiteActive: Set<ServiceState> = [.running, .exited, .reload]

    /// `Assert*=` first (job result `assert`), then `Condition*=` (skipped), then a `Requires=` or
    /// `BindsTo=` service that is not loaded or has failed without a job that could bring it back,
    /// and an inactive `Requisite=` (job result `dependency`). Units of other types (targets) are
    /// not units in wick and count as present.
    static func evaluate(
        _ name: UnitID, section: UnitSection, services: MachineTable<ServiceMachine>, jobs: JobQueue, checkPath: (String, String) -> Bool
    ) -> Admission {
        if let failed = firstFailure(section.asserts, checkPath: checkPath) {
            return .refuse(result: "assert", message: "\(name): assertion failed: Assert\(failed.check)=\(failed.negated ? "!" : "")\(failed.value), refusing to start (job result: assert)")
        }
        if let failed = firstFailure(section.conditions, checkPath: checkPath) {
            return .skip(message: "\(name): condition not met: Condition\(failed.check)=\(failed.negated ? "!" : "")\(failed.value), not starting it")
        }
        let required = (section.requires + section.bindsTo).filter { $0.hasSuffix(".service") }.map { UnitID($0) }
        if let missing = required.first(where: { services[$0] == nil && !((try? UnitName($0.name))?.isInstance ?? false) }) {
            return .refuse(result: "dependency", message: "\(name): refusing to start: required unit \(missing) is not loaded (job result: dependency)")
        }
        if let failed = required.first(where: { services[$0]?.state == .failed && jobs[$0] == nil }) {
            return .refuse(result: "dependency", message: "\(name): refusing to start: required unit \(failed) failed (job result: dependency)")
        }
        if let inactive = section.requisite.first(where: { $0.hasSuffix(".service") && !requisiteActive.contains(services[UnitID($0)]?.state ?? .dead) }) {
            return .refuse(result: "dependency", message: "\(name): refusing to start: Requisite=\(inactive) is not active (job result: dependency)")
        }
        return .run
    }

    /// Every non-triggering check must hold, and when there are triggering (`|`) checks at least
    /// one of them must. Only path checks are evaluated; the others are assumed to hold (`wick
    /// verify` warns). Returns the first failure.
    static func firstFailure(_ conditions: [UnitCondition], checkPath: (String, String) -> Bool) -> UnitCondition? {
        var failedTriggers: [UnitCondition] = []
        var anyTriggerHolds = false
        for condition in conditions where UnitCondition.pathChecks.contains(condition.check) {
            let holds = checkPath(condition.check, condition.value) != condition.negated
            if condition.triggering {
                if holds { anyTriggerHolds = true } else { failedTriggers.append(condition) }
            } else if !holds {
                return condition
            }
        }
        return anyTriggerHolds ? nil : failedTriggers.first
    }
}
