import Glibc
import WickControl
import WickCore
import WickSystem
import WickUnits

/// The verbs of the control protocol (docs/control-protocol.md), systemctl's semantics.
extension Daemon {
    func handleControl(_ request: ControlRequest, now current: Instant) -> ControlReply {
        // systemctl's unit_name_mangle(): a name with a unit type's suffix is taken as written,
        // and refused when it is not a valid name (".service" was looked up as ".service.service").
        for name in request.units where Self.hasTypeSuffix(name) {
            do throws(ValueError) { _ = try UnitName(name) } catch {
                return .response(ControlProtocol.failure("invalid unit name: \(error.message)", code: .invalidRequest))
            }
        }
        // Each unit once: an answer is never made twice for one name (400 copies of one `cat`
        // held the loop for 12 s and 1.2 GB).
        var seen = Set<UnitID>()
        let units = request.units.map(resolve).filter { seen.insert($0).inserted }
        if ["start", "stop", "restart"].contains(request.verb) { loadOnDemand(units, now: current) }
        let verbsNeedingUnits: Set<String> = ["start", "stop", "restart", "kill", "reload", "show", "cat"]
        if verbsNeedingUnits.contains(request.verb), units.isEmpty {
            return .response(ControlProtocol.failure("\(request.verb) needs a unit name", code: .invalidRequest))
        }
        // systemctl show answers an unknown unit with LoadState=not-found; list-dependencies
        // takes targets, which wick does not run.
        let anyName: Set<String> = ["show", "list-dependencies"]
        if !anyName.contains(request.verb), let unknown = units.first(where: { request.verb == "logs" ? !isLogSource($0) : !isKnown($0) }) {
            return .response(ControlProtocol.failure("no such unit: \(unknown)", code: .noSuchUnit))
        }
        if shutdownDeadline != nil, ["start", "restart", "reload", "daemon-reload"].contains(request.verb) {
            return .response(ControlProtocol.failure("\(request.verb) refused: wick is shutting down", code: .refused))
        }
        switch request.verb {
        case "start", "stop", "restart":
            return enqueueJobs(JobType(rawValue: request.verb) ?? .start, units: units, noBlock: request.noBlock, now: current)
        case "reload":
            return reload(units, noBlock: request.noBlock, now: current)
        case "logs":
            return logs(units, request: request)
        default:
            return .response(respond(request, units: units, now: current))
        }
    }

    private func respond(_ request: ControlRequest, units: [UnitID], now current: Instant) -> String {
        switch request.verb {
        case "ping":
            return ControlProtocol.success([("version", .number(Double(ControlProtocol.version))), ("pid", .number(Double(getpid())))])
        case "kill":
            let number = request.signal ?? SIGTERM
            // kill(2) refuses other numbers (EINVAL): reporting them as sent would say nothing
            // of what happened (systemctl kill refuses them too).
            guard (1...Signal.realtimeMaximum).contains(number) else {
                return ControlProtocol.failure("invalid signal number \(number): expected 1-\(Signal.realtimeMaximum)", code: .invalidRequest)
            }
            let reached = units.filter { manager.killService($0, signal: number, port: &port) }
            return reached.count == units.count ? ControlProtocol.success()
                : ControlProtocol.failure("no process to signal in \(units.filter { !reached.contains($0) }.map(\.name).joined(separator: " "))", code: .refused)
        case "reset-failed":
            manager.resetFailed(units: units, now: current, port: &port)
            return ControlProtocol.success()
        case "daemon-reload":
            let errors = reloadUnits(now: current)
            return ControlProtocol.success([("errors", .array(errors.map { .string($0) }))])
        case "poweroff":
            beginShutdown("poweroff requested", now: current)
            return ControlProtocol.success()
        case "list-jobs":
            return ControlProtocol.success([("jobs", .array(manager.queue.jobs.values.sorted { $0.id < $1.id }.map { job in
                JobReport(id: job.id, unit: job.unit.name, type: job.type.rawValue, state: job.state.rawValue,
                          waitingFor: manager.blockers(of: job.unit).map(\.name)).json
            }))])
        case "is-system-running":
            return ControlProtocol.success([("state", .string(systemState))])
        case "list-units":
            let names = units.isEmpty ? allUnitNames : units
            return ControlProtocol.success([("units", .array(names.map { report($0, logLines: 0, usage: !units.isEmpty).json }))])
        case "list-sockets":
            let names = units.isEmpty ? manager.sockets.keys.sorted() : units.filter { manager.sockets.contains($0) }
            return ControlProtocol.success([("sockets", .array(names.map { report($0, logLines: 0, usage: false).json }))])
        case "status":
            if units.isEmpty {
                return ControlProtocol.success([("system", systemReport.json), ("units", .array(allUnitNames.map { report($0, logLines: 0, usage: false).json }))])
            }
            return ControlProtocol.success([("units", .array(units.map { report($0, logLines: request.lines ?? 10).json }))])
        case "show":
            return ControlProtocol.success([("units", .array(units.map { name in
                UnitProperties(unit: name.name, properties: properties(name).map { UnitProperties.Property($0.0, $0.1) }).json
            }))])
        case "cat":
            return ControlProtocol.success([("units", .array(units.map { sources($0).json }))])
        case "list-dependencies":
            let roots = units.isEmpty ? ["default.target"] : units.map(\.name)
            return ControlProtocol.success([("units", .array(dependencyTrees(roots, reverse: request.reverse).map { $0.json }))])
        default:
            return ControlProtocol.failure("unknown verb '\(request.verb)'", code: .unknownVerb)
        }
    }

    /// `start`, `stop`, `restart`: one job per unit (systemctl's `replace` mode). systemctl waits
    /// for the jobs, and the answer comes when they have finished; with `--no-block` at once.
    private func enqueueJobs(_ type: JobType, units: [UnitID], noBlock: Bool, now current: Instant) -> ControlReply {
        var jobs: [JobID: String] = [:]
        var refused: [String] = []
        for unit in units {
            if let job = manager.enqueue(type, unit, now: current, port: &port) { jobs[job.id] = unit.name } else { refused.append(unit.name) }
        }
        if !refused.isEmpty {
            return .response(ControlProtocol.failure("\(type.rawValue) refused for \(refused.joined(separator: " "))", code: .refused))
        }
        return noBlock ? .response(ControlProtocol.success()) : .wait(ControlWait(jobs: jobs))
    }

    /// `start`, `stop`, `restart` of an instance nothing named: loaded from its template now, with
    /// what it names, as systemd's manager_load_unit() loads a unit on demand (systemctl start
    /// getty@tty2.service). The other units keep their definitions: no reload.
    private func loadOnDemand(_ units: [UnitID], now current: Instant) {
        guard shutdownDeadline == nil else { return }
        var added: [LoadedUnit] = []
        for name in units where !isKnown(name) {
            // Service and socket instances: the units wick runs (a .target instance is answered
            // "no such unit" without being loaded again at each request).
            guard let parsed = try? UnitName(name.name), parsed.isInstance, parsed.type == "service" || parsed.type == "socket" else { continue }
            let unit = port.loader.load(name.name)
            // A missing template is the answer's "no such unit", not a log line per request.
            if unit.loadState != .notFound {
                for diagnostic in unit.diagnostics where diagnostic.severity == .error { port.log(diagnostic.description) }
            }
            if unit.loadState == .loaded { added.append(unit) }
        }
        guard !added.isEmpty else { return }
        let known = Set(definitions.map(\.name.name)).union(added.map(\.name.name))
        added += port.loader.loadNamedInstances(of: added, known: known).filter { $0.loadState == .loaded }
        for unit in added { port.units[unit.id] = unit }
        manager.add(added, to: definitions, aliases: aliases)
        definitions += added
        port.rebuildJoins()
        port.socketsOfService = manager.socketsOfService
        port.log("loaded \(added.map(\.name.name).joined(separator: ", ")) from \(added.count == 1 ? "its template" : "their templates")")
    }

    /// `reload`: each service's `ExecReload=`, waited for as systemctl waits for the reload job
    /// (unless `--no-block`): a reload whose command fails or times out fails the answer ("Job
    /// for X failed"), and one asked for during a reload waits for that reload.
    private func reload(_ units: [UnitID], noBlock: Bool, now current: Instant) -> ControlReply {
        var reloads: [UnitID: UInt64] = [:]
        for unit in units {
            guard let ended = manager.reloadService(unit, now: current, port: &port) else {
                let reason = manager.services[unit].map { $0.settings.execReload.isEmpty ? "it has no ExecReload=" : "it is not active" } ?? "it is not a service"
                return .response(ControlProtocol.failure("\(unit) cannot be reloaded: \(reason)", code: .refused))
            }
            reloads[unit] = ended
        }
        return noBlock ? .response(ControlProtocol.success()) : .wait(ControlWait(jobs: [:], reloads: reloads))
    }

    /// Answers every client whose jobs have all finished: success when each is done (a start
    /// skipped by a condition included), otherwise a failure naming the units and their results,
    /// as systemctl's "Job for X failed" does.
    func completeWaits(now current: Instant) {
        let finished = manager.takeFinishedJobs()
        guard !finished.isEmpty || control.waitsForReloads else { return }
        for (token, var wait) in control.pendingWaits() {
            for job in finished where wait.jobs.removeValue(forKey: job.id) != nil {
                if case .failed(let reason) = job.outcome { wait.failures.append("\(job.unit) (result: \(reason))") }
            }
            // A reload has ended once its count passed; it failed with its command, or when the
            // service is no longer active (systemd's unit_notify() for a reload job).
            for (unit, ended) in wait.reloads {
                guard let service = manager.services[unit] else {
                    wait.reloads[unit] = nil
                    wait.failures.append("\(unit) (result: removed)")
                    continue
                }
                guard service.reloadsEnded >= ended else { continue }
                wait.reloads[unit] = nil
                if service.reloadResult != .success {
                    wait.failures.append("\(unit) (result: \(service.reloadResult.rawValue))")
                } else if service.state.activeState != "active" && service.state.activeState != "reloading" {
                    // Cut short by a stop (systemd cancels the reload job) or by the service's end.
                    wait.failures.append("\(unit) (result: \(service.result == .success ? "canceled" : service.result.rawValue))")
                }
            }
            guard wait.jobs.isEmpty && wait.reloads.isEmpty else {
                control.update(token, wait)
                continue
            }
            let text = wait.failures.isEmpty ? ControlProtocol.success()
                : ControlProtocol.failure("Job for \(wait.failures.joined(separator: ", ")) failed. See 'wick status' and 'wick logs' for details.")
            control.complete(token, text, now: current)
        }
    }

    /// A name as the user typed it: an alias resolves to its unit, a name without a type suffix
    /// means the service (systemctl's `unit_name_mangle`).
    func resolve(_ name: String) -> UnitID {
        var full = name
        if !Self.hasTypeSuffix(name), (try? UnitName(name + ".service")) != nil { full = name + ".service" }
        return UnitID(aliases[full] ?? full)
    }

    /// Whether `name` ends in `.TYPE` for a unit type systemd knows.
    static func hasTypeSuffix(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return UnitName.types.contains(String(name[name.index(after: dot)...]))
    }

    private func isKnown(_ name: UnitID) -> Bool { manager.services.contains(name) || manager.sockets.contains(name) }

    /// `logs` takes templates too: `name@.service` holds the lines of all its instances.
    private func isLogSource(_ name: UnitID) -> Bool {
        isKnown(name) || port.output.buffers[name.name] != nil || port.units.values.contains { $0.activatedServiceName == name.name }
    }

    private var allUnitNames: [UnitID] { (Array(manager.sockets.keys) + Array(manager.services.keys)).sorted() }

    /// `running`, `degraded` (a unit failed), `stopping` (systemd's `SystemState=`).
    var systemState: String {
        let failed = manager.sockets.values.contains { $0.state == .failed } || manager.services.values.contains { $0.state == .failed }
        return shutdownDeadline != nil ? "stopping" : failed ? "degraded" : "running"
    }

    private var systemReport: SystemReport {
        let failed = manager.sockets.values.filter { $0.state == .failed }.count + manager.services.values.filter { $0.state == .failed }.count
        return SystemReport(
            state: systemState, pid: getpid(), since: startedAt, sinceMonotonicMicroseconds: startedAtMonotonic.nanoseconds / 1000,
            units: UInt64(manager.sockets.count + manager.services.count), failed: UInt64(failed), unitDirectories: configuration.unitDirectories)
    }

    /// One unit's state as the protocol reports it (docs/control-protocol.md, "Unit objects").
    /// `usage`: read the cgroup's processes, memory, tasks and CPU and the IP counters (files and
    /// BPF maps per unit); the overviews of every unit (`status`, `list-units`, `list-sockets`
    /// without names) leave them out, so that they cost the daemon's loop no file reads per unit.
    func report(_ name: UnitID, logLines: Int, usage readsUsage: Bool = true) -> UnitReport {
        let loaded = port.units[name]
        // The D-Bus Description falls back to the unit name, as systemctl prints it.
        let description = loaded?.settings.unit.description ?? ""
        var report = UnitReport(
            unit: name.name, description: description.isEmpty ? name.name : description, load: loaded?.loadState.rawValue ?? "loaded",
            unitFileState: unitFileState(name.name), active: "inactive", sub: "dead", result: "success",
            fragment: loaded?.fragmentPath, dropIns: loaded?.dropInPaths ?? [])
        let counters = readsUsage ? port.ipCounters(name) : nil
        if let socket = manager.sockets[name] {
            (report.active, report.sub, report.result) = (socket.state.activeState, socket.state.rawValue, socket.result.rawValue)
            report.since = wallClock(socket.activeStateChangedAt)
            report.details = .socket(SocketDetails(
                listen: socket.settings.listen.map { SocketDetails.Listen(address: $0.description, type: $0.typeName) },
                accept: socket.settings.accept, triggers: manager.triggered(by: name).map(\.name),
                accepted: socket.acceptedCount, connections: UInt64(socket.connectionCount), refused: socket.refusedCount,
                activations: socket.activationCount, lastLatencyMicroseconds: port.lastActivationLatency[name].map { $0 / 1000 }))
            (report.ipIngressBytes, report.ipEgressBytes) = (counters?.ingressBytes, counters?.egressBytes)
        } else if let service = manager.services[name] {
            (report.active, report.sub, report.result) = (service.state.activeState, service.state.rawValue, service.result.rawValue)
            report.since = wallClock(service.activeStateChangedAt)
            var exit: ServiceDetails.Exit?
            switch service.lastExit {
            case .exited(let code): exit = .init(code: .exited, status: code, statusText: SetupStatus.describe(code))
            case .signaled(let signal): exit = .init(code: .killed, status: signal)
            case nil: break
            }
            let usage = readsUsage ? port.controlGroups.usage(name.name) : CgroupUsage()
            report.details = .service(ServiceDetails(
                mainPID: service.mainPID, execMainPID: service.execMainPID,
                execMainCommand: service.execMainCommand.map { ([$0.path] + $0.arguments.dropFirst()).joined(separator: " ") },
                controlPID: service.controlPID, statusText: service.statusText, spawnError: service.lastSpawnError?.message,
                sandboxSkipped: port.execEnvironment.skippedSandbox[name] ?? [], cgroup: port.controlGroups.relativePath(name.name),
                cgroupProcesses: readsUsage ? port.controlGroups.processes(name.name) : [], restarts: UInt64(service.restartCount),
                triggeredBy: manager.triggering(name).map(\.name), memoryCurrent: usage.memoryCurrent, tasksCurrent: usage.tasksCurrent,
                cpuUsageNanoseconds: usage.cpuUsageNanoseconds, exit: exit,
                fdStore: UInt64(port.fdStores.entries(of: name).count),
                fdStoreMax: UInt64(port.units[name]?.settings.service.fileDescriptorStoreMax ?? 0)))
            (report.ipIngressBytes, report.ipEgressBytes) = (counters?.ingressBytes, counters?.egressBytes)
        }
        if logLines > 0 {
            report.log = (port.output.buffers[name.name]?.recent(logLines) ?? []).map { LogLineJSON.line(unit: name.name, $0) }
        }
        return report
    }

    private func wallClock(_ instant: Instant?) -> Int64? {
        instant.map { WallClock.microseconds(atMonotonic: $0.nanoseconds) }
    }

    /// `logs`: the buffered lines of the units (all when none are named), oldest first, merged by
    /// time; with `follow`, the connection then streams new lines.
    private func logs(_ units: [UnitID], request: ControlRequest) -> ControlReply {
        var merged: [(String, LogBuffer.Line)] = []
        let names = units.isEmpty ? Array(port.output.buffers.keys) : units.map(\.name)
        for name in names {
            for line in port.output.buffers[name]?.recent() ?? [] { merged.append((name, line)) }
        }
        merged.sort { $0.1.time < $1.1.time }
        var lines = merged.map { LogLineJSON.line(unit: $0.0, $0.1) }
        if let since = request.sinceMicroseconds { lines.removeAll { $0.time < since } }
        if let until = request.untilMicroseconds { lines.removeAll { $0.time >= until } }
        if let limit = request.lines { lines = Array(lines.suffix(max(0, limit))) }
        let response = ControlProtocol.success([("lines", .array(lines.map { $0.json }))])
        return request.follow ? .follow(response, units: Set(units.map(\.name))) : .response(response)
    }

    /// `cat`: the fragment and drop-ins a unit was loaded from, read now (as `systemctl cat` does).
    private func sources(_ name: UnitID) -> UnitSources {
        let loaded = port.units[name]
        let paths = [loaded?.fragmentPath].compactMap { $0 } + (loaded?.dropInPaths ?? [])
        return UnitSources(unit: name.name, files: paths.map { path in
            UnitSources.File(path: path, contents: (try? FileSystemUnitSource().contents(of: path)).map { String(decoding: $0, as: UTF8.self) })
        })
    }
}

/// A buffered line as the protocol reports it (an instance's line under its own name).
enum LogLineJSON {
    static func line(unit: String, _ line: LogBuffer.Line) -> LogLine {
        LogLine(unit: line.instance ?? unit, pid: line.pid, time: WallClock.microseconds(atMonotonic: line.time.nanoseconds),
                text: line.text, priority: line.priority.rawValue, identifier: line.identifier)
    }
}
