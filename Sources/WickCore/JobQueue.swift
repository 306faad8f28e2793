/// systemd's job types, as far as wick has them (systemctl(1) `list-jobs`): `restart` is a stop
/// that becomes a start once the unit is down (systemd's `JOB_RESTART`, patched to `JOB_START`).
public enum JobType: String, Sendable, Equatable {
    case start, stop, restart
}

/// A job waits until its ordering allows it to run, then runs until its unit has reached the
/// state the job asked for.
public enum JobState: String, Sendable, Equatable {
    case waiting, running
}

/// How a job ended, as `systemctl start` reports it.
public enum JobOutcome: Equatable, Sendable {
    /// The unit reached the state asked for, or a start was skipped by a condition (not an error
    /// for systemctl).
    case done
    /// The job failed: the unit's result (`exit-code`, `timeout` ...) or the job's own
    /// (`dependency`, `assert`, `canceled`).
    case failed(String)
}

public typealias JobID = UInt64

/// One unit's job (systemd's `Job`): a unit has at most one.
public struct Job: Sendable, Equatable {
    public let id: JobID
    public let unit: UnitID
    public internal(set) var type: JobType
    public internal(set) var state: JobState
}

/// A job that has ended, for the clients waiting for it (`wick start` without `--no-block`).
public struct FinishedJob: Sendable, Equatable {
    public let id: JobID
    public let unit: UnitID
    public let type: JobType
    public let outcome: JobOutcome
}

/// The job queue (systemd's `job.c`, simplified to one job per unit and the `replace` mode):
/// jobs are installed, merged or replaced here, and run in the order of their ids once
/// `isRunnable` allows; the manager runs them and reports how they end. Pure.
public struct JobQueue: Sendable {
    public private(set) var jobs: [UnitID: Job] = [:]
    /// The units whose job waits, and whose job runs: kept with every change, so that a pass of
    /// the dispatcher looks at the jobs that can move, not at every job (thousands of stop jobs
    /// at the shutdown of as many instances).
    public private(set) var waiting: Set<UnitID> = []
    public private(set) var running: Set<UnitID> = []
    /// Jobs that ended since the daemon last took them (`takeFinished()`).
    public private(set) var finished: [FinishedJob] = []
    private var lastID: JobID = 0

    public init() {}

    public subscript(unit: UnitID) -> Job? { jobs[unit] }

    /// Installs a job of `type` for `unit` (systemd's `job_install()` with
    /// `job_type_merge_and_collapse()`): a job of the same type is merged (the request joins the
    /// existing job); a start joins a restart, and a restart that has not run yet absorbs a
    /// waiting start; conflicting types (start and stop, restart and stop) replace the installed
    /// job, which ends `canceled`. Returns the job the request is answered by, the job it
    /// replaced, and whether the request was merged into an installed job.
    @discardableResult
    public mutating func install(_ type: JobType, unit: UnitID) -> (job: Job, replaced: Job?, merged: Bool) {
        if var existing = jobs[unit] {
            switch (existing.type, type) {
            case (.start, .start), (.stop, .stop), (.restart, .restart), (.restart, .start):
                return (existing, nil, true)
            case (.start, .restart) where existing.state == .waiting:
                existing.type = .restart
                jobs[unit] = existing
                return (existing, nil, true)
            case (.start, .restart), (.start, .stop), (.stop, .start), (.stop, .restart), (.restart, .stop):
                jobs[unit] = nil
                move(unit, from: existing.state, to: nil)
                record(existing, .failed("canceled"))
                let job = add(type, unit: unit)
                return (job, existing, false)
            }
        }
        return (add(type, unit: unit), nil, false)
    }

    private mutating func add(_ type: JobType, unit: UnitID) -> Job {
        lastID &+= 1
        let job = Job(id: lastID, unit: unit, type: type, state: .waiting)
        jobs[unit] = job
        move(unit, from: nil, to: .waiting)
        return job
    }

    /// Keeps `waiting` and `running` in step with a job's change of state (nil: no job), from
    /// the state the caller knows: no lookup of the job again, no set touched that is not changed.
    private mutating func move(_ unit: UnitID, from old: JobState?, to new: JobState?) {
        guard old != new else { return }
        switch old {
        case .waiting?: waiting.remove(unit)
        case .running?: running.remove(unit)
        case nil: break
        }
        switch new {
        case .waiting?: waiting.insert(unit)
        case .running?: running.insert(unit)
        case nil: break
        }
    }

    /// Whether `job` may run now, given the ordering (systemd's `job_is_runnable()` with
    /// `job_compare()`): a stop job always goes first. A job of a unit ordered after another unit
    /// waits for that unit's job unless it is itself a stop; a job of a unit ordered before
    /// another waits for that unit's job when that job is a stop (or a restart, which stops first).
    public func isRunnable(_ job: Job, graph: UnitGraph) -> Bool {
        guard job.state == .waiting else { return false }
        if job.type == .start {
            for other in graph.before[job.unit] ?? [] where jobs[other] != nil { return false }
        }
        for other in graph.after[job.unit] ?? [] {
            if let blocking = jobs[other], blocking.type != .start { return false }
        }
        return true
    }

    /// The waiting jobs that may run now, in the order they were installed.
    public func runnable(graph: UnitGraph) -> [Job] {
        // One list, sorted only when there is something to order (three arrays per dispatch before).
        var result: [Job] = []
        result.reserveCapacity(waiting.count)
        for unit in waiting {
            if let job = jobs[unit], isRunnable(job, graph: graph) { result.append(job) }
        }
        if result.count > 1 { result.sort { $0.id < $1.id } }
        return result
    }

    /// The units whose jobs `unit`'s job waits for (`wick list-jobs`).
    public func blockers(of unit: UnitID, graph: UnitGraph) -> [UnitID] {
        guard let job = jobs[unit], job.state == .waiting else { return [] }
        var units: [UnitID] = []
        if job.type == .start { units += (graph.before[unit] ?? []).filter { jobs[$0] != nil } }
        units += (graph.after[unit] ?? []).filter { jobs[$0].map { $0.type != .start } ?? false }
        return units.sorted()
    }

    public mutating func setRunning(_ unit: UnitID) {
        guard let index = jobs.index(forKey: unit) else { return }
        let old = jobs.values[index].state
        jobs.values[index].state = .running
        move(unit, from: old, to: .running)
    }

    /// A restart job's stop is done: it becomes a start job that waits for its turn again, with
    /// the same id (the client waiting for the restart waits for this start).
    public mutating func restartStopped(_ unit: UnitID) {
        guard var job = jobs[unit], job.type == .restart else { return }
        let old = job.state
        job.type = .start
        job.state = .waiting
        jobs[unit] = job
        move(unit, from: old, to: .waiting)
    }

    /// Ends `unit`'s job with `outcome`; returns it (nil when the unit had none).
    @discardableResult
    public mutating func finish(_ unit: UnitID, _ outcome: JobOutcome) -> Job? {
        guard let job = jobs.removeValue(forKey: unit) else { return nil }
        move(unit, from: job.state, to: nil)
        record(job, outcome)
        return job
    }

    private mutating func record(_ job: Job, _ outcome: JobOutcome) {
        finished.append(FinishedJob(id: job.id, unit: job.unit, type: job.type, outcome: outcome))
    }

    /// The jobs that ended since the last call, oldest first.
    public mutating func takeFinished() -> [FinishedJob] {
        defer { finished = [] }
        return finished
    }
}
