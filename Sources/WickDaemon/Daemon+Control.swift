import Glibc
import WickControl
import WickCore
import WickSystem
import WickUnits

/// The verbs of the control protocol (docs/control-protocol.md), systemctl's semantics.
extension Daemon {
    func handleControl(_ request: ControlRequest, now current: Instant) -> ControlReply {
        let units = request.units.map(resolve)
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
        case "logs":
            return logs(units, request: request)
        default:
            return .response(respond(request, units: units, now: current))
        }
    }

    private func respond(_ request: ControlRequest, units: [String], now current: Instant) -> String {
        switch request.verb {
        case "ping":
            return ControlProtocol.success([("version", .number(Double(ControlProtocol.version))), ("pid", .number(Double(getpid())))])
        case "kill":
            let number = request.signal ?? SIGTERM
            let reached = units.filter { manager.killService($0, signal: number, port: &port) }
            return reached.count == units.count ? ControlProtocol.success()
                : ControlProtocol.failure("no process to signal in \(units.filter { !reached.contains($0) }.joined(separator: " "))", code: .refused)
        case "reset-failed":
            manager.resetFailed(units: units, now: current, port: &port)
            return ControlProtocol.success()
        case "reload":
            for unit in units where !manager.reloadService(unit, now: current, port: &port) {
                return ControlProtocol.failure("\(unit) cannot be reloaded: it is not running or has no ExecReload=", code: .refused)
            }
            return ControlProtocol.success()
        case "daemon-reload":
            let errors = reloadUnits(now: current)
            return ControlProtocol.success([("errors", .array(errors.map { .string($0) }))])
        case "poweroff":
            beginShutdown("poweroff requested", now: current)
            return ControlProtocol.success()
        case "list-jobs":
            return ControlProtocol.success([("jobs", .array(manager.queue.jobs.values.sorted { $0.id < $1.id }.map { job in
                .object([("id", .number(Double(job.id))), ("unit", .string(job.unit)), ("type", .string(job.type.rawValue)),
                         ("state", .string(job.state.rawValue)),
                         ("waiting_for", .array(manager.blockers(of: job.unit).map { .string($0) }))])
            }))])
        case "is-system-running":
            return ControlProtocol.success([("state", .string(systemState))])
        case "list-units":
            let names = units.isEmpty ? allUnitNames : units
            return ControlProtocol.success([("units", .array(names.map { report($0, logLines: 0) }))])
        case "list-sockets":
            let names = units.isEmpty ? manager.sockets.keys.sorted() : units.filter { manager.sockets[$0] != nil }
            return ControlProtocol.success([("sockets", .array(names.map { report($0, logLines: 0) }))])
        case "status":
            if units.isEmpty {
                return ControlProtocol.success([("system", systemReport), ("units", .array(allUnitNames.map { report($0, logLines: 0) }))])
            }
            return ControlProtocol.success([("units", .array(units.map { report($0, logLines: request.lines ?? 10) }))])
        case "show":
            return ControlProtocol.success([("units", .array(units.map { name in
                .object([("unit", .string(name)), ("properties", .array(properties(name).map { .array([.string($0.0), .string($0.1)]) }))])
            }))])
        case "cat":
            return ControlProtocol.success([("units", .array(units.map(sources)))])
        case "list-dependencies":
            let roots = units.isEmpty ? ["default.target"] : units
            return ControlProtocol.success([("units", .array(dependencyTrees(roots, reverse: request.reverse)))])
        default:
            return ControlProtocol.failure("unknown verb '\(request.verb)'", code: .unknownVerb)
        }
    }

    /// `start`, `stop`, `restart`: one job per unit (systemctl's `replace` mode). systemctl waits
    /// for the jobs, and the answer comes when they have finished; with `--no-block` at once.
    private func enqueueJobs(_ type: JobType, units: [String], noBlock: Bool, now current: Instant) -> ControlReply {
        var jobs: [JobID: String] = [:]
        var refused: [String] = []
        for unit in units {
            if let job = manager.enqueue(type, unit, now: current, port: &port) { jobs[job.id] = unit } else { refused.append(unit) }
        }
        if !refused.isEmpty {
            return .response(ControlProtocol.failure("\(type.rawValue) refused for \(refused.joined(separator: " "))", code: .refused))
        }
        return noBlock ? .response(ControlProtocol.success()) : .wait(ControlWait(jobs: jobs))
    }

    /// Answers every client whose jobs have all finished: success when each is done (a start
    /// skipped by a condition included), otherwise a failure naming the units and their results,
    /// as systemctl's "Job for X failed" does.
    func completeWaits(now current: Instant) {
        let finished = manager.takeFinishedJobs()
        guard !finished.isEmpty else { return }
        for (token, var wait) in control.pendingWaits() {
            for job in finished where wait.jobs.removeValue(forKey: job.id) != nil {
                if case .failed(let reason) = job.outcome { wait.failures.append("\(job.unit) (result: \(reason))") }
            }
            guard wait.jobs.isEmpty else {
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
    func resolve(_ name: String) -> String {
        var full = name
        if (try? UnitName(name)) == nil, (try? UnitName(name + ".service")) != nil { full = name + ".service" }
        return aliases[full] ?? full
    }

    private func isKnown(_ name: String) -> Bool { manager.services[name] != nil || manager.sockets[name] != nil }

    /// `logs` takes templates too: `name@.service` holds the lines of all its instances.
    private func isLogSource(_ name: String) -> Bool {
        isKnown(name) || port.output.buffers[name] != nil || port.units.values.contains { $0.activatedServiceName == name }
    }

    private var allUnitNames: [String] { (Array(manager.sockets.keys) + Array(manager.services.keys)).sorted() }

    /// `running`, `degraded` (a unit failed), `stopping` (systemd's `SystemState=`).
    var systemState: String {
        let failed = manager.sockets.values.contains { $0.state == .failed } || manager.services.values.contains { $0.state == .failed }
        return shutdownDeadline != nil ? "stopping" : failed ? "degraded" : "running"
    }

    private var systemReport: JSONValue {
        let failed = manager.sockets.values.filter { $0.state == .failed }.count + manager.services.values.filter { $0.state == .failed }.count
        return .object([
            ("state", .string(systemState)), ("pid", .number(Double(getpid()))), ("since", .number(Double(startedAt))),
            ("units", .number(Double(manager.sockets.count + manager.services.count))), ("failed", .number(Double(failed))),
            ("unit_directories", .array(configuration.unitDirectories.map { .string($0) })),
            ("since_monotonic_us", .number(Double(startedAtMonotonic.nanoseconds / 1000))),
        ])
    }

    /// `IPAccounting=` counters of a unit, null without data.
    private func ipMembers(_ name: String) -> [(String, JSONValue)] {
        let counters = port.ipCounters(name)
        return [("ip_ingress_bytes", counters.map { .number(Double($0.ingressBytes)) } ?? .null),
                ("ip_egress_bytes", counters.map { .number(Double($0.egressBytes)) } ?? .null)]
    }

    /// One unit's state as the protocol reports it (docs/control-protocol.md, "Unit objects").
    func report(_ name: String, logLines: Int) -> JSONValue {
        var members: [(String, JSONValue)] = [("unit", .string(name))]
        let loaded = port.units[name]
        // The D-Bus Description falls back to the unit name, as systemctl prints it.
        let description = loaded?.settings.unit.description ?? ""
        members.append(("description", .string(description.isEmpty ? name : description)))
        members.append(("load", .string(loaded?.loadState.rawValue ?? "loaded")))
        members.append(("unit_file_state", .string(unitFileState(name))))
        if let socket = manager.sockets[name] {
            members += [
                ("type", .string("socket")), ("active", .string(socket.state.activeState)), ("sub", .string(socket.state.rawValue)),
                ("result", .string(socket.result.rawValue)), ("since", wallClock(socket.activeStateChangedAt)),
                ("listen", .array(socket.settings.listen.map { .object([("address", .string($0.description)), ("type", .string($0.typeName))]) })),
                ("accept", .bool(socket.settings.accept)),
                ("triggers", .array((manager.serviceOfSocket[name] ?? loaded?.activatedServiceName).map { [.string($0)] } ?? [])),
                ("accepted", .number(Double(socket.acceptedCount))), ("connections", .number(Double(socket.connectionCount))),
                ("refused", .number(Double(socket.refusedCount))), ("activations", .number(Double(socket.activationCount))),
                ("last_latency_us", port.lastActivationLatency[name].map { .number(Double($0 / 1000)) } ?? .null),
            ]
            members += ipMembers(name)
        } else if let service = manager.services[name] {
            members += [
                ("type", .string("service")), ("active", .string(service.state.activeState)), ("sub", .string(service.state.rawValue)),
                ("result", .string(service.result.rawValue)), ("since", wallClock(service.activeStateChangedAt)),
                ("main_pid", service.mainPID.map { .number(Double($0)) } ?? .null),
                ("exec_main_pid", service.execMainPID.map { .number(Double($0)) } ?? .null),
                ("exec_main_command", service.execMainCommand.map { .string(([$0.path] + $0.arguments.dropFirst()).joined(separator: " ")) } ?? .null),
                ("control_pid", service.controlPID.map { .number(Double($0)) } ?? .null),
                ("status_text", service.statusText.map { .string($0) } ?? .null),
                ("spawn_error", service.lastSpawnError.map { .string($0.message) } ?? .null),
                ("sandbox_skipped", .array((port.execEnvironment.skippedSandbox[name] ?? []).map { .string($0) })),
                ("cgroup", port.controlGroups.relativePath(name).map { .string($0) } ?? .null),

                ("cgroup_processes", .array(port.controlGroups.processes(name).map { .number(Double($0)) })),
                ("restarts", .number(Double(service.restartCount))),
                ("triggered_by", .array((manager.socketsOfService[name] ?? []).map { .string($0) })),
            ]
            members += ipMembers(name)
            let usage = port.controlGroups.usage(name)
            members += [
                ("memory_current", usage.memoryCurrent.map { .number(Double($0)) } ?? .null),
                ("tasks_current", usage.tasksCurrent.map { .number(Double($0)) } ?? .null),
                ("cpu_usage_ns", usage.cpuUsageNanoseconds.map { .number(Double($0)) } ?? .null),
            ]
            switch service.lastExit {
            case .exited(let code):
                members += [("exit_code", .string("exited")), ("exit_status", .number(Double(code))),
                            ("exit_status_text", .string(SetupStatus.describe(code)))]
            case .signaled(let signal): members += [("exit_code", .string("killed")), ("exit_status", .number(Double(signal)))]
            case nil: break
            }
        }
        members.append(("fragment", loaded?.fragmentPath.map { .string($0) } ?? .null))
        members.append(("dropins", .array((loaded?.dropInPaths ?? []).map { .string($0) })))
        if logLines > 0 {
            let lines = port.output.buffers[name]?.recent(logLines) ?? []
            members.append(("log", .array(lines.map { LogLineJSON.encode(unit: name, line: $0) })))
        }
        return .object(members)
    }

    private func wallClock(_ instant: Instant?) -> JSONValue {
        instant.map { .number(Double(WallClock.microseconds(atMonotonic: $0.nanoseconds))) } ?? .null
    }

    /// `logs`: the buffered lines of the units (all when none are named), oldest first, merged by
    /// time; with `follow`, the connection then streams new lines.
    private func logs(_ units: [String], request: ControlRequest) -> ControlReply {
        var merged: [(String, LogBuffer.Line)] = []
        let names = units.isEmpty ? Array(port.output.buffers.keys) : units
        for name in names {
            for line in port.output.buffers[name]?.recent() ?? [] { merged.append((name, line)) }
        }
        merged.sort { $0.1.time < $1.1.time }
        var encoded = merged.map { LogLineJSON.encode(unit: $0.0, line: $0.1) }
        if let since = request.sinceMicroseconds {
            encoded.removeAll { ($0["time"]?.numberValue).map { Int64($0) < since } ?? false }
        }
        if let until = request.untilMicroseconds {
            encoded.removeAll { ($0["time"]?.numberValue).map { Int64($0) >= until } ?? false }
        }
        if let limit = request.lines { encoded = Array(encoded.suffix(max(0, limit))) }
        let response = ControlProtocol.success([("lines", .array(encoded))])
        return request.follow ? .follow(response, units: Set(units)) : .response(response)
    }

    /// `cat`: the fragment and drop-ins a unit was loaded from, read now (as `systemctl cat` does).
    private func sources(_ name: String) -> JSONValue {
        let loaded = port.units[name]
        let paths = [loaded?.fragmentPath].compactMap { $0 } + (loaded?.dropInPaths ?? [])
        let files: [JSONValue] = paths.map { path in
            let contents = try? FileSystemUnitSource().contents(of: path)
            return .object([
                ("path", .string(path)),
                ("contents", contents.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null),
            ])
        }
        return .object([("unit", .string(name)), ("files", .array(files))])
    }
}

/// One log line as the protocol sends it: `{"unit":…,"pid":…,"time":µs,"text":…}`.
enum LogLineJSON {
    static func encode(unit: String, line: LogBuffer.Line) -> JSONValue {
        .object([
            ("unit", .string(line.instance ?? unit)), ("pid", .number(Double(line.pid))),
            ("time", .number(Double(WallClock.microseconds(atMonotonic: line.time.nanoseconds)))), ("text", .string(line.text)),
            ("priority", .number(Double(line.priority.rawValue))), ("identifier", .string(line.identifier)),
        ])
    }
}
