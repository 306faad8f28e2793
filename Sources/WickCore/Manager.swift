import WickUnits

/// The unit graph at run time: owns every socket and service machine, routes events to them and
/// keeps each socket consistent with its service (systemd's `socket_notify_service_dead()`, the
/// trigger relation). Pure: the system is reached only through `ManagerPort`.
public struct Manager {
    public private(set) var sockets: [String: SocketMachine] = [:]
    public private(set) var services: [String: ServiceMachine] = [:]
    /// Accept=no: the service each socket activates, and the sockets of each service in fd order.
    public private(set) var serviceOfSocket: [String: String] = [:]
    public private(set) var socketsOfService: [String: [String]] = [:]
    /// Accept=yes: the socket and connection of each running instance.
    private var instances: [String: (socket: String, connection: AcceptedConnectionID)] = [:]
    /// Accept=yes: the next instance number per socket (systemd's `n_accepted`).
    private var nextInstanceNumber: [String: UInt64] = [:]
    /// Sockets paused by the poll limit, and when they listen again.
    public private(set) var pausedSockets: [String: Instant] = [:]
    /// Service units that start with the daemon (wanted by multi-user.target or default.target).
    public private(set) var bootServices: [String] = []
    /// Ordering (After=/Before=, socket before service) and the start order it gives.
    public private(set) var graph: UnitGraph
    /// The `[Unit]` section of every loaded unit, for requirement propagation.
    private var unitSections: [String: UnitSection] = [:]
    /// Set once shutdown began: units stop in reverse start order.
    public private(set) var shuttingDown = false
    private var advancingShutdown = false
    private var starting: Set<String> = []
    /// Start jobs waiting for the start jobs of the units they are ordered after.
    private var startJobs = StartJobs()
    /// Services whose start job runs (started, not yet active, failed or skipped).
    private var runningStartJobs: Set<String> = []
    /// How each service's last start job ended, numbered by when the job began, so that a waiter
    /// (`wick start`) sees only the jobs that began after its request.
    public private(set) var startOutcomes: [String: NumberedOutcome] = [:]
    public private(set) var outcomeSequence: UInt64 = 0
    /// When each running start job began (in `outcomeSequence`).
    private var startJobBegan: [String: UInt64] = [:]
    /// Units to start again once their stop has finished (`restart`).
    private var restartPending: Set<String> = []
    /// After a reload: the new machine of a service that was active, swapped in once it stops.
    private var pendingDefinitions: [String: ServiceMachine] = [:]
    /// After a reload: services removed from the unit files, dropped once they stop.
    private var removedServices: Set<String> = []

    /// Targets whose wanted units start with the daemon: there is no enable step in wick.
    public static let bootTargets: Set<String> = ["multi-user.target", "default.target", "graphical.target"]

    public init(units: [LoadedUnit], aliases: [String: String] = [:]) {
        var servicesByName: [String: LoadedUnit] = [:]
        for unit in units where unit.loadState == .loaded {
            if unit.isService && !unit.name.isTemplate {
                servicesByName[unit.name.name] = unit
                services[unit.name.name] = ServiceMachine(name: unit.name.name, settings: unit.settings.service, unit: unit.settings.unit)
            }
        }
        for unit in units where unit.loadState == .loaded && unit.isSocket && !unit.name.isTemplate {
            sockets[unit.name.name] = SocketMachine(name: unit.name.name, settings: unit.settings.socket)
            guard !unit.settings.socket.accept, let target = unit.activatedServiceName else { continue }
            let service = aliases[target] ?? target
            serviceOfSocket[unit.name.name] = service
        }
        for (socket, service) in serviceOfSocket {
            socketsOfService[service, default: []].append(socket)
        }
        for (service, list) in socketsOfService {
            // The socket with the service's own name first, then the others by name.
            let own = String(service.dropLast(".service".count)) + ".socket"
            socketsOfService[service] = list.sorted { ($0 == own ? 0 : 1, $0) < ($1 == own ? 0 : 1, $1) }
        }
        graph = UnitGraph(units: units.filter { $0.loadState == .loaded && !$0.name.isTemplate }, serviceOfSocket: serviceOfSocket)
        for unit in units where unit.loadState == .loaded { unitSections[unit.name.name] = unit.settings.unit }
        let order = Dictionary(uniqueKeysWithValues: graph.startOrder.enumerated().map { ($1, $0) })
        bootServices = servicesByName.values
            .filter { socketsOfService[$0.name.name] == nil && !Self.bootTargets.isDisjoint(with: $0.settings.install.wantedBy) }
            .map(\.name.name).sorted { (order[$0] ?? 0, $0) < (order[$1] ?? 0, $1) }
    }

    // MARK: Reload (daemon-reload, SIGHUP)

    /// Takes new unit definitions (systemctl daemon-reload): sockets whose `Listen*=`, `Accept=` and
    /// `Service=` did not change keep their fds and state; changed ones are closed and opened anew;
    /// removed units stop; new ones start like at boot. A service that is active keeps its current
    /// definition until it stops, then takes the new one. Returns what changed, for the log.
    public mutating func reload(units: [LoadedUnit], aliases: [String: String], now: Instant, port: inout some ManagerPort) -> [String] {
        guard !shuttingDown else { return ["refused: wick is shutting down"] }
        var fresh = Manager(units: units, aliases: aliases)
        var changes: [String] = []
        for (name, old) in sockets {
            if let new = fresh.sockets[name], new.settings.listen == old.settings.listen,
               new.settings.accept == old.settings.accept, new.settings.service == old.settings.service {
                var kept = old
                kept.reloaded(with: new.settings)
                fresh.sockets[name] = kept
            } else {
                port.setPolling(socket: name, false)
                port.closeListeners(socket: name)
                changes.append(fresh.sockets[name] == nil ? "\(name): removed, closed" : "\(name): listeners changed, reopening")
            }
        }
        for (name, old) in services {
            let active = !Self.isFinal(old.state)
            if let new = fresh.services[name] {
                if active || old.state == .failed {
                    fresh.services[name] = old
                    fresh.pendingDefinitions[name] = new
                }
            } else if instances[name] != nil {
                fresh.services[name] = old
            } else if active {
                fresh.services[name] = old
                fresh.removedServices.insert(name)
                changes.append("\(name): removed, stopping")
            }
        }
        fresh.instances = instances
        fresh.nextInstanceNumber = nextInstanceNumber
        fresh.restartPending = restartPending
        fresh.startJobs = startJobs
        fresh.pausedSockets = pausedSockets.filter { fresh.sockets[$0.key] != nil }
        let previousSockets = Set(sockets.keys), previousServices = Set(services.keys)
        self = fresh
        for name in removedServices { stopService(name, now: now, port: &port) }
        for name in graph.startOrder where sockets[name]?.state == .dead {
            startSocket(name, now: now, port: &port)
            if !previousSockets.contains(name) { changes.append("\(name): new, listening") }
        }
        for name in bootServices where !previousServices.contains(name) {
            changes.append("\(name): new, starting")
            startService(name, now: now, port: &port)
        }
        return changes
    }

    // MARK: Events

    /// Opens every socket and starts the boot services.
    public mutating func startAll(now: Instant, port: inout some ManagerPort) {
        for cycle in graph.cycles { port.log(cycle.message) }
        for name in graph.startOrder where sockets[name] != nil { startSocket(name, now: now, port: &port) }
        for name in bootServices { startService(name, now: now, port: &port) }
    }

    /// Starts a socket unit (from dead or failed): `ExecStartPre=`, listeners, `ExecStartPost=`.
    public mutating func startSocket(_ name: String, now: Instant, port: inout some ManagerPort) {
        guard var socket = sockets[name], admitsStart(name, port: &port) else { return }
        // systemd's socket_start(): an Accept=no socket whose service is not loaded does not start
        // (it stays inactive, the start job fails).
        if let service = serviceOfSocket[name], services[service] == nil, [.dead, .failed].contains(socket.state) {
            port.log("\(name): Socket service \(service) not loaded, refusing.")
            return
        }
        socket.start(now: now, port: &port)
        sockets[name] = socket
    }

    /// Stops a socket unit: `ExecStopPre=`, the listeners close, `ExecStopPost=`. Its service keeps
    /// the fds it has (systemd warns the same way).
    public mutating func stopSocket(_ name: String, now: Instant, port: inout some ManagerPort) {
        guard var socket = sockets[name] else { return }
        pausedSockets[name] = nil
        socket.stop(now: now, port: &port)
        sockets[name] = socket
        startSocketIfRestarting(name, now: now, port: &port)
    }

    /// `restart` of a socket unit: the stop sequence, then the start sequence (new listeners).
    public mutating func restartSocket(_ name: String, now: Instant, port: inout some ManagerPort) {
        guard let socket = sockets[name] else { return }
        if [.dead, .failed].contains(socket.state) {
            startSocket(name, now: now, port: &port)
            return
        }
        restartPending.insert(name)
        stopSocket(name, now: now, port: &port)
    }

    private mutating func startSocketIfRestarting(_ name: String, now: Instant, port: inout some ManagerPort) {
        guard let socket = sockets[name], [.dead, .failed].contains(socket.state), !shuttingDown,
              restartPending.remove(name) != nil else { return }
        startSocket(name, now: now, port: &port)
    }

    /// Starts a service with its requirements (systemd.unit(5)): `Requires=`, `Wants=` and
    /// `BindsTo=` services start first (in start order); a missing `Requires=`/`BindsTo=` unit or an
    /// inactive `Requisite=` unit refuses the start (job result `dependency`); `Conflicts=` units
    /// are stopped. Units of other types (targets) are not units in wick and count as present.
    public mutating func startService(_ name: String, now: Instant, port: inout some ManagerPort) {
        startService(name, pullingDependencies: true, now: now, port: &port)
    }

    /// `pullingDependencies` false: a waiting start job that runs now; its requirements were
    /// started (and checked) when it was queued, as in one systemd transaction.
    private mutating func startService(_ name: String, pullingDependencies: Bool, now: Instant, port: inout some ManagerPort) {
        if let current = services[name], Self.isFinal(current.state), let replacement = pendingDefinitions.removeValue(forKey: name) {
            services[name] = replacement
        }
        guard var service = services[name], !starting.contains(name), !startJobs.contains(name), admitsStart(name, port: &port) else { return }
        if let section = unitSections[name] {
            if let failed = Self.firstFailure(section.asserts, port: &port) {
                port.log("\(name): assertion failed: Assert\(failed.check)=\(failed.negated ? "!" : "")\(failed.value), refusing to start (job result: assert)")
                endStartJob(name, .failed("assert"))
                return
            }
            if let failed = Self.firstFailure(section.conditions, port: &port) {
                port.log("\(name): condition not met: Condition\(failed.check)=\(failed.negated ? "!" : "")\(failed.value), not starting it")
                endStartJob(name, .done)
                return
            }
            let required = section.requires + section.bindsTo
            if let missing = required.first(where: { Self.isService($0) && services[$0] == nil && !isInstance($0) }) {
                port.log("\(name): refusing to start: required unit \(missing) is not loaded (job result: dependency)")
                endStartJob(name, .failed("dependency"))
                return
            }
            if let inactive = section.requisite.first(where: { Self.isService($0) && !(services[$0].map { [.running, .exited].contains($0.state) } ?? false) }) {
                port.log("\(name): refusing to start: Requisite=\(inactive) is not active (job result: dependency)")
                endStartJob(name, .failed("dependency"))
                return
            }
            for conflict in section.conflicts where services[conflict] != nil { stopService(conflict, now: now, port: &port) }
            if pullingDependencies {
                starting.insert(name)
                let order = Dictionary(uniqueKeysWithValues: graph.startOrder.enumerated().map { ($1, $0) })
                for dependency in (required + section.wants).filter({ services[$0] != nil }).sorted(by: { (order[$0] ?? 0) < (order[$1] ?? 0) }) {
                    startService(dependency, now: now, port: &port)
                }
                starting.remove(name)
            }
            if let index = required.firstIndex(where: { services[$0]?.state == .failed }) {
                port.log("\(name): refusing to start: required unit \(required[index]) failed (job result: dependency)")
                endStartJob(name, .failed("dependency"))
                return
            }
            guard let current = services[name] else { return }
            service = current
        }
        // Ordering (systemd.unit(5) After=/Before=): wait for the start jobs of the units this one
        // is ordered after, when they are still starting.
        let blockers = (graph.before[name] ?? []).filter(isStarting)
        if !blockers.isEmpty && Self.isFinal(service.state) {
            startJobs.add(name, waitingFor: blockers)
            port.log("\(name): start job waiting for \(blockers.sorted().joined(separator: ", ")) (ordered after)")
            return
        }
        runningStartJobs.insert(name)
        outcomeSequence &+= 1
        startJobBegan[name] = outcomeSequence
        let transitions = service.start(now: now, processes: &port)
        services[name] = service
        if transitions.isEmpty, let state = services[name]?.state {
            if [.running, .exited, .reload].contains(state) {
                // Already active: the job is done at once (systemd merges it).
                runningStartJobs.remove(name)
                endStartJob(name, .done)
            } else if Self.isStopping(state) {
                // Stopping: start once stopped, as systemd orders a start job after a stop job.
                runningStartJobs.remove(name)
                restartPending.insert(name)
            }
        }
        apply(transitions, now: now, port: &port)
    }

    /// Records how `name`'s start job ended.
    private mutating func endStartJob(_ name: String, _ outcome: StartOutcome) {
        let began: UInt64
        if let running = startJobBegan.removeValue(forKey: name) {
            began = running
        } else {
            outcomeSequence &+= 1
            began = outcomeSequence
        }
        startOutcomes[name] = NumberedOutcome(sequence: began, outcome: outcome)
    }

    /// A running start job ends when its service is active (done), or dead, failed or waiting to
    /// restart: done when it was skipped (`ExecCondition=`) or a oneshot that completed, failed
    /// otherwise, with the service's result.
    private mutating func trackStartJob(_ transition: ServiceTransition) {
        guard runningStartJobs.contains(transition.unit) else { return }
        switch transition.to {
        case .running, .exited:
            runningStartJobs.remove(transition.unit)
            endStartJob(transition.unit, .done)
        case .dead, .failed, .autoRestart:
            runningStartJobs.remove(transition.unit)
            let skippedOrDone = transition.to == .dead && [.success, .execCondition].contains(transition.result)
            endStartJob(transition.unit, skippedOrDone ? .done : .failed(transition.result.rawValue))
        case .condition, .startPre, .start, .startPost, .reload, .stop, .stopSigterm, .stopSigkill, .stopPost:
            break
        }
    }

    /// The start jobs in progress (`wick list-jobs`): running ones (the unit is starting) and
    /// waiting ones with the units they wait for, by unit name.
    public var jobs: [(unit: String, state: String, waitingFor: [String])] {
        let running = runningStartJobs.map { (unit: $0, state: "running", waitingFor: [String]()) }
        let waiting = startJobs.waiting.map { (unit: $0.key, state: "waiting", waitingFor: $0.value.sorted()) }
        return (running + waiting).sorted { $0.unit < $1.unit }
    }

    /// Whether the service `name` has a start job in progress: starting, or itself waiting.
    /// (Sockets start at boot, before any service, and run their own commands; a service does
    /// not wait for them.)
    private func isStarting(_ name: String) -> Bool {
        if startJobs.contains(name) { return true }
        return services[name].map { [.condition, .startPre, .start, .startPost].contains($0.state) } ?? false
    }

    /// A start job ended with `unit` reaching `state`: run the jobs that waited for it, and fail
    /// those that require it when it did not come up (job result `dependency`).
    private mutating func startJobFinished(_ unit: String, state: ServiceState, now: Instant, port: inout some ManagerPort) {
        guard !startJobs.waiting.isEmpty else { return }
        let succeeded = state == .running || state == .exited
        let (ready, failed) = startJobs.finished(unit, succeeded: succeeded) { job in
            (unitSections[job]?.requires ?? []) + (unitSections[job]?.bindsTo ?? [])
        }
        for job in failed {
            port.log("\(job): start job failed: required unit \(unit) did not start (job result: dependency)")
            endStartJob(job, .failed("dependency"))
            rearmSockets(of: job, now: now, port: &port)
        }
        for job in ready { startService(job, pullingDependencies: false, now: now, port: &port) }
    }

    /// The sockets of a service whose start job will not run poll again (their traffic waits).
    private mutating func rearmSockets(of service: String, now: Instant, port: inout some ManagerPort) {
        for socketName in socketsOfService[service] ?? [] where sockets[socketName]?.state == .running {
            sockets[socketName]?.serviceIdle(now: now, port: &port)
            pollAgain(socketName, port: &port)
        }
    }

    /// A socket whose service is idle again is polled again, unless the poll limit paused it or
    /// shutdown began (then no traffic may start anything).
    private func pollAgain(_ name: String, port: inout some ManagerPort) {
        guard !shuttingDown, pausedSockets[name] == nil, sockets[name]?.isPolled == true else { return }
        port.setPolling(socket: name, true)
    }

    /// Once shutdown began no unit starts again, whoever asks (systemd refuses start jobs while
    /// shutdown.target's are queued): a socket's traffic, `wick start`, a restart, a dependency.
    private func admitsStart(_ name: String, port: inout some ManagerPort) -> Bool {
        guard shuttingDown else { return true }
        port.log("\(name): start refused: wick is shutting down")
        return false
    }

    public mutating func stopService(_ name: String, now: Instant, port: inout some ManagerPort) {
        guard var service = services[name] else { return }
        // A stop replaces a start in progress: that start job is canceled (systemd's job merging).
        if startJobs.contains(name) {
            startJobs.cancel(name)
            endStartJob(name, .failed("canceled"))
        }
        if runningStartJobs.remove(name) != nil { endStartJob(name, .failed("canceled")) }
        let transitions = service.stop(now: now, processes: &port)
        services[name] = service
        apply(transitions, now: now, port: &port)
    }

    /// `restart` (systemctl restart): stop, then start once stopped. A socket-activated service
    /// keeps its sockets open, so connections meanwhile wait in the backlog.
    public mutating func restartService(_ name: String, now: Instant, port: inout some ManagerPort) {
        guard let service = services[name] else { return }
        if Self.isFinal(service.state) || service.state == .autoRestart {
            _ = services[name]?.resetFailed(now: now)
            startService(name, now: now, port: &port)
            return
        }
        restartPending.insert(name)
        stopService(name, now: now, port: &port)
    }

    /// `kill`: sends `signal` to the service's process group (`KillMode=control-group`: a shell
    /// wrapper's children too). False when it has no process.
    public mutating func killService(_ name: String, signal: Int32, port: inout some ManagerPort) -> Bool {
        guard let service = services[name], let pid = service.processGroup ?? service.mainPID else { return false }
        return port.kill(pid: pid, signal: signal, group: service.processGroup != nil)
    }

    /// `reload`: runs the service's `ExecReload=`; false when it cannot be reloaded now.
    public mutating func reloadService(_ name: String, now: Instant, port: inout some ManagerPort) -> Bool {
        guard var service = services[name] else { return false }
        let (accepted, transitions) = service.reload(now: now, processes: &port)
        services[name] = service
        apply(transitions, now: now, port: &port)
        return accepted
    }

    /// A listener of `socketName` is readable.
    public mutating func socketReadable(_ socketName: String, now: Instant, port: inout some ManagerPort) {
        guard var socket = sockets[socketName] else { return }
        let reaction = socket.readable(now: now)
        sockets[socketName] = socket
        switch reaction {
        case .ignore:
            return
        case .pause(let until):
            port.setPolling(socket: socketName, false)
            pausedSockets[socketName] = until
            port.log("\(socketName): poll limit hit, pausing until the interval ends")
        case .fail:
            port.setPolling(socket: socketName, false)
            port.closeListeners(socket: socketName)
            port.log("\(socketName): trigger limit hit, refusing further activation (unit failed: trigger-limit-hit)")
        case .activateService:
            port.setPolling(socket: socketName, false)
            guard let serviceName = serviceOfSocket[socketName], services[serviceName] != nil else {
                port.log("\(socketName): service \(serviceOfSocket[socketName] ?? "?") is not loaded, refusing activation")
                socket.serviceHitStartLimit(now: now)
                sockets[socketName] = socket
                port.closeListeners(socket: socketName)
                return
            }
            startService(serviceName, now: now, port: &port)
            // A start job that waits keeps the socket handed over (not polled) until it runs.
            if let service = services[serviceName], !service.state.holdsSockets, !startJobs.contains(serviceName) {
                sockets[socketName]?.serviceIdle(now: now, port: &port)
                pollAgain(socketName, port: &port)
            }
        case .accept:
            acceptConnection(socketName, now: now, port: &port)
        }
    }

    private mutating func acceptConnection(_ socketName: String, now: Instant, port: inout some ManagerPort) {
        let connection: AcceptedConnectionID
        switch port.accept(socket: socketName) {
        case .accepted(let accepted):
            connection = accepted
        case .nothingPending:
            return
        case .exhausted(let reason):
            pauseForResources(socketName, reason: reason, now: now, port: &port)
            return
        }
        guard let name = try? UnitName(socketName), sockets[socketName]?.admitConnection(source: connection.source) == true else {
            port.closeConnection(connection)
            return
        }
        let number = nextInstanceNumber[socketName, default: 0]
        nextInstanceNumber[socketName] = number &+ 1
        let template = sockets[socketName]?.settings.service ?? "\(name.prefix)@.service"
        let instance = "\(number)-\(connection.instanceSuffix)"
        guard let unit = port.instantiate(template: template, instance: instance, connection: connection),
              unit.loadState == .loaded else {
            port.log("\(socketName): Failed to queue service startup job (Maybe the service file is missing or not a template unit?): \(template) cannot be loaded")
            port.closeConnection(connection)
            sockets[socketName]?.connectionClosed(source: connection.source)
            sockets[socketName]?.instanceCouldNotStart(now: now, port: &port)
            return
        }
        services[unit.name.name] = ServiceMachine(name: unit.name.name, settings: unit.settings.service, unit: unit.settings.unit)
        instances[unit.name.name] = (socketName, connection)
        startService(unit.name.name, now: now, port: &port)
    }

    /// How long an `Accept=yes` socket stops accepting when accept(2) or a spawn fails for want
    /// of fds, memory or processes: connections wait in the backlog instead of being accepted and
    /// dropped, and the loop does not spin on a listener that stays readable. (systemd fails the
    /// socket with result `resources` on such an accept error; wick, as a container's init, keeps
    /// serving once the shortage ends: docs/reliability.md.)
    public static let resourceBackoff: TimeSpanNanoseconds = 200_000_000

    private mutating func pauseForResources(_ socketName: String, reason: String, now: Instant, port: inout some ManagerPort) {
        guard pausedSockets[socketName] == nil else { return }
        port.setPolling(socket: socketName, false)
        pausedSockets[socketName] = now.adding(Self.resourceBackoff)
        port.log("\(socketName): \(reason), not accepting for \(Self.resourceBackoff / 1_000_000) ms")
    }

    /// A process of `unit` ended.
    public mutating func processExited(unit: String, pid: Int32, exit: ProcessExit, now: Instant, port: inout some ManagerPort) {
        if var socket = sockets[unit] {
            socket.controlExited(pid: pid, exit: exit, now: now, port: &port)
            sockets[unit] = socket
            startSocketIfRestarting(unit, now: now, port: &port)
            advanceShutdown(now: now, port: &port)
            return
        }
        guard var service = services[unit] else { return }
        let transitions = service.processExited(pid: pid, exit: exit, now: now, processes: &port)
        services[unit] = service
        apply(transitions, now: now, port: &port)
    }

    /// An sd_notify(3) message from `pid`, accepted per `NotifyAccess=` (systemd.service(5)):
    /// `main` takes the main process only, `exec` also control processes, `all` any process of the
    /// service's process group (`senderGroup`), `none` nothing. Returns whether it was accepted.
    @discardableResult
    public mutating func notifyReceived(
        pid: Int32, senderGroup: Int32?, owner: String?, message: NotifyMessage, now: Instant, port: inout some ManagerPort
    ) -> Bool {
        let candidates = owner.map { [$0] } ?? services.keys.sorted()
        for name in candidates {
            guard var service = services[name] else { continue }
            let allowed: Bool
            switch service.settings.effectiveNotifyAccess {
            case .none: allowed = false
            case .main: allowed = pid == service.mainPID
            case .exec: allowed = pid == service.mainPID || pid == service.controlPID
            case .all: allowed = pid == service.mainPID || pid == service.controlPID
                || (senderGroup != nil && senderGroup == service.processGroup)
            }
            guard allowed else { continue }
            let transitions = service.notify(message, now: now, processes: &port)
            services[name] = service
            apply(transitions, now: now, port: &port)
            return true
        }
        return false
    }

    /// Every service whose deadline has passed, and every paused socket whose pause is over.
    public mutating func timersFired(now: Instant, port: inout some ManagerPort) {
        for (name, until) in pausedSockets where until <= now {
            pausedSockets[name] = nil
            pollAgain(name, port: &port)
        }
        for name in sockets.keys.sorted() {
            guard var socket = sockets[name], let deadline = socket.deadline, deadline <= now else { continue }
            socket.timerFired(now: now, port: &port)
            sockets[name] = socket
        }
        for name in services.keys.sorted() {
            guard var service = services[name], let deadline = service.deadline, deadline <= now else { continue }
            let transitions = service.timerFired(now: now, processes: &port)
            services[name] = service
            apply(transitions, now: now, port: &port)
        }
    }

    /// The earliest deadline of any unit: the event loop sleeps until then and no longer.
    public var nextDeadline: Instant? {
        (services.values.compactMap(\.deadline) + sockets.values.compactMap(\.deadline) + pausedSockets.values).min()
    }

    /// `reset-failed`: failed units (all, or those named) back to dead, their start-limit and
    /// trigger-limit history forgotten; failed sockets listen again.
    public mutating func resetFailed(units: [String] = [], now: Instant, port: inout some ManagerPort) {
        let selected = { (name: String) in units.isEmpty || units.contains(name) }
        for name in services.keys.sorted() where selected(name) {
            _ = services[name]?.resetFailed(now: now)
        }
        for name in sockets.keys.sorted() where selected(name) && sockets[name]?.state == .failed {
            sockets[name]?.resetFailed(now: now)
            startSocket(name, now: now, port: &port)
        }
    }

    /// Begins the orderly shutdown: every service stops once all units ordered after it have
    /// stopped (reverse start order, systemd's stop jobs); returns whether all are stopped.
    public mutating func stopAll(now: Instant, port: inout some ManagerPort) -> Bool {
        shuttingDown = true
        startJobs.cancelAll()
        // No traffic starts anything any more: every socket stops being polled now, even those
        // that stop only after their services.
        for name in sockets.keys.sorted() { port.setPolling(socket: name, false) }
        pausedSockets = [:]
        advanceShutdown(now: now, port: &port)
        return allStopped
    }

    private mutating func advanceShutdown(now: Instant, port: inout some ManagerPort) {
        guard shuttingDown, !advancingShutdown else { return }
        advancingShutdown = true
        defer { advancingShutdown = false }
        var progressed = true
        while progressed {
            progressed = false
            for name in services.keys.sorted() {
                guard let service = services[name], !Self.isFinal(service.state), !Self.isStopping(service.state) else { continue }
                guard blockers(of: name).isEmpty else { continue }
                stopService(name, now: now, port: &port)
                progressed = true
            }
            for name in sockets.keys.sorted() {
                guard let socket = sockets[name], [.listening, .running, .startPost, .startPre].contains(socket.state) else { continue }
                guard blockers(of: name).isEmpty else { continue }
                stopSocket(name, now: now, port: &port)
                progressed = true
            }
        }
    }

    /// Evaluates `Condition*=`/`Assert*=` (systemd.unit(5)): every non-triggering check must hold,
    /// and when there are triggering (`|`) checks at least one of them must. Only path checks are
    /// evaluated; the others are assumed to hold (`wick verify` warns). Returns the first failure.
    static func firstFailure(_ conditions: [UnitCondition], port: inout some ManagerPort) -> UnitCondition? {
        var failedTriggers: [UnitCondition] = []
        var anyTriggerHolds = false
        for condition in conditions where UnitCondition.pathChecks.contains(condition.check) {
            let holds = port.checkPath(condition.check, condition.value) != condition.negated
            if condition.triggering {
                if holds { anyTriggerHolds = true } else { failedTriggers.append(condition) }
            } else if !holds {
                return condition
            }
        }
        return anyTriggerHolds ? nil : failedTriggers.first
    }

    /// Units ordered after `name` that have not stopped yet: `name` stops after them.
    private func blockers(of name: String) -> [String] {
        graph.orderedAfter(name).filter { unit in
            if let service = services[unit] { return !Self.isFinal(service.state) }
            if let socket = sockets[unit] { return ![.dead, .failed].contains(socket.state) }
            return false
        }
    }

    public static func isFinal(_ state: ServiceState) -> Bool { state == .dead || state == .failed }

    static func isStopping(_ state: ServiceState) -> Bool {
        [.stop, .stopSigterm, .stopSigkill, .stopPost].contains(state)
    }

    static func isService(_ name: String) -> Bool { name.hasSuffix(".service") }

    private func isInstance(_ name: String) -> Bool { (try? UnitName(name))?.isInstance ?? false }

    public var allStopped: Bool {
        services.values.allSatisfy { [.dead, .failed, .exited].contains($0.state) }
            && sockets.values.allSatisfy { [.dead, .failed].contains($0.state) }
    }

    /// `OnFailure=` units start when a unit fails; units with `BindsTo=` or `PartOf=` on a unit
    /// stop when it stops (systemd.unit(5)).
    private mutating func propagate(_ transition: ServiceTransition, now: Instant, port: inout some ManagerPort) {
        if Self.isFinal(transition.to) {
            if removedServices.remove(transition.unit) != nil { services[transition.unit] = nil }
            if transition.to == .dead, let replacement = pendingDefinitions.removeValue(forKey: transition.unit) {
                services[transition.unit] = replacement
            }
        }
        if Self.isFinal(transition.to), restartPending.remove(transition.unit) != nil, !shuttingDown {
            startService(transition.unit, now: now, port: &port)
            return
        }
        guard Self.isFinal(transition.to), !Self.isFinal(transition.from) || transition.to == .failed else { return }
        if transition.to == .failed, !shuttingDown {
            for unit in unitSections[transition.unit]?.onFailure ?? [] where services[unit] != nil {
                port.log("\(transition.unit): failed, starting OnFailure=\(unit)")
                startService(unit, now: now, port: &port)
            }
        }
        for (name, section) in unitSections.sorted(by: { $0.key < $1.key })
        where section.bindsTo.contains(transition.unit) || section.partOf.contains(transition.unit) {
            guard let dependent = services[name], !Self.isFinal(dependent.state), !Self.isStopping(dependent.state) else { continue }
            port.log("\(name): stopping, as \(transition.unit), which it is bound to, stopped")
            stopService(name, now: now, port: &port)
        }
    }

    // MARK: Keeping sockets and services consistent

    private mutating func apply(_ transitions: [ServiceTransition], now: Instant, port: inout some ManagerPort) {
        defer { advanceShutdown(now: now, port: &port) }
        for transition in transitions {
            port.log("\(transition.unit): \(transition.from.rawValue) -> \(transition.to.rawValue)"
                     + (transition.result == .success ? "" : " (result: \(transition.result.rawValue))"))
            trackStartJob(transition)
            propagate(transition, now: now, port: &port)
            if [.running, .exited, .dead, .failed, .autoRestart].contains(transition.to) {
                startJobFinished(transition.unit, state: transition.to, now: now, port: &port)
            }
            if let instance = instances[transition.unit] {
                if transition.to == .failed && transition.result == .resources {
                    pauseForResources(instance.socket, reason: "\(transition.unit) could not be spawned", now: now, port: &port)
                }
                if [.dead, .failed].contains(transition.to) {
                    port.closeConnection(instance.connection)
                    sockets[instance.socket]?.connectionClosed(source: instance.connection.source)
                    instances[transition.unit] = nil
                    services[transition.unit] = nil
                }
                continue
            }
            for socketName in socketsOfService[transition.unit] ?? [] {
                guard var socket = sockets[socketName] else { continue }
                if transition.to == .failed && transition.result == .startLimitHit {
                    socket.serviceHitStartLimit(now: now)
                    port.setPolling(socket: socketName, false)
                    port.closeListeners(socket: socketName)
                    port.log("\(socketName): service \(transition.unit) hit its start limit, socket stops listening (unit failed: service-start-limit-hit)")
                } else if transition.to.holdsSockets {
                    if socket.state == .listening {
                        socket.serviceActive(now: now)
                        port.setPolling(socket: socketName, false)
                    }
                } else if socket.state == .running {
                    socket.serviceIdle(now: now, port: &port)
                    sockets[socketName] = socket
                    pollAgain(socketName, port: &port)
                }
                sockets[socketName] = socket
            }
        }
    }
}
