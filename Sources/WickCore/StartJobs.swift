/// Start jobs that wait (systemd's job model, for start jobs): with `After=b.service` on `a`, a's
/// start job runs only once b's start job has finished, that is once b is active (after its
/// `ExecStartPost=`) or has failed. When b's job fails, a's job fails too with result
/// `dependency` if a `Requires=` or `BindsTo=` b; with `Wants=` or ordering alone a starts anyway.
struct StartJobs: Sendable {
    /// Each waiting job's unit and the units whose start jobs it waits for.
    private(set) var waiting: [String: Set<String>] = [:]

    func contains(_ unit: String) -> Bool { waiting[unit] != nil }

    mutating func add(_ unit: String, waitingFor units: Set<String>) {
        waiting[unit, default: []].formUnion(units)
    }

    mutating func cancel(_ unit: String) { waiting[unit] = nil }

    mutating func cancelAll() { waiting = [:] }

    /// `unit`'s start job ended; `required(job)` is what a waiting job's unit requires. Returns the
    /// jobs that may run now and those that fail with `dependency`, both in name order, and
    /// removes them.
    mutating func finished(_ unit: String, succeeded: Bool, required: (String) -> [String]) -> (ready: [String], failed: [String]) {
        var ready: [String] = [], failed: [String] = []
        for job in waiting.keys.sorted() {
            guard var units = waiting[job], units.contains(unit) else { continue }
            if !succeeded && required(job).contains(unit) {
                failed.append(job)
                waiting[job] = nil
                continue
            }
            units.remove(unit)
            if units.isEmpty {
                ready.append(job)
                waiting[job] = nil
            } else {
                waiting[job] = units
            }
        }
        return (ready, failed)
    }
}

/// How a start job ended, as `systemctl start` reports it.
public enum StartOutcome: Equatable, Sendable {
    /// The unit is active, or was skipped by a condition (not an error for systemctl).
    case done
    /// The job failed: the unit's result (`exit-code`, `timeout` ...) or the job's own
    /// (`dependency`, `assert`).
    case failed(String)
}

public struct NumberedOutcome: Equatable, Sendable {
    /// When the job began (`Manager.outcomeSequence`).
    public var sequence: UInt64
    public var outcome: StartOutcome
}
