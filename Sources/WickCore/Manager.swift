import WickUnits

/// The unit graph at run time: owns every socket and service machine and the job queue, routes
/// events to them and keeps each socket consistent with its service (systemd's
/// `socket_notify_service_dead()`, the trigger relation).
///
/// Every request (a socket's traffic, the control socket, a dependency, a reload, shutdown)
/// becomes a job (`JobQueue`, systemd's job model); `dispatch` runs the jobs their ordering
/// allows, in one place, at the end of every event. Pure: the system is reached only through
/// `ManagerPort`.
public struct Manager {
    public internal(set) var sockets = MachineTable<SocketMachine>()
    public internal(set) var services = MachineTable<ServiceMachine>()
    /// Accept=no: the service each socket activates, and the sockets of each service in fd order.
    public internal(set) var serviceOfSocket: [UnitID: UnitID] = [:]
    public internal(set) var socketsOfService: [UnitID: [UnitID]] = [:]
    /// Accept=yes: the running instances and their connections.
    var instances = InstanceTable()
    /// Accept=yes: the template each socket instantiates (`Service=`, else NAME.socket's
    /// NAME@.service), named once.
    var templateOfSocket: [UnitID: UnitID] = [:]
    /// The `[Service]` execution settings of each template (`IPAddressAllow=` for `Accept=yes`).
    var templateExec: [UnitID: ExecContext] = [:]
    /// Service units that start with the daemon (wanted by multi-user.target or default.target).
    public internal(set) var bootServices: [UnitID] = []
    /// The units the daemon starts: nil for every socket and the services wanted by the boot
    /// targets (`--units`, the drop-in rule); else the units enabled in the search path
    /// (`BootUnits`), as systemd at boot.
    public let bootUnits: Set<String>?
    /// Ordering (After=/Before=, socket before service) and the start order it gives.
    public internal(set) var graph: UnitGraph
    /// Requirements (Requires=, Wants=, BindsTo=, PartOf=, Conflicts=, OnFailure=), both ways.
    var dependencies: Dependencies
    public internal(set) var queue = JobQueue()
    /// Set once shutdown began: only stop jobs are taken.
    public internal(set) var shuttingDown = false
    /// After a reload: services removed from the unit files, dropped once they stop.
    var removedServices: Set<UnitID> = []
    /// Services in the states that may wait for their leftovers to end (stop-sigterm and
    /// stop-sigkill without a main process, final-sigterm, final-sigkill).
    var leftoverWaiters: Set<UnitID> = []
    /// Instances loaded from their templates (named by another unit, or started by name).
    var fromTemplate: Set<UnitID> = []

    static func waitsForLeftovers(_ state: ServiceState) -> Bool {
        state == .stopSigterm || state == .stopSigkill || state == .finalSigterm || state == .finalSigkill
    }

    /// Targets whose wanted units start with the daemon under the drop-in rule (`--units`).
    public static let bootTargets: Set<String> = ["multi-user.target", "default.target", "graphical.target"]

    /// How long an `Accept=yes` socket stops accepting when accept(2) or a spawn fails for want
    /// of fds, memory or processes: connections wait in the backlog instead of being accepted and
    /// dropped, and the loop does not spin on a listener that stays readable. (systemd fails the
    /// socket with result `resources` on such an accept error; wick, as a container's init, keeps
    /// serving once the shortage ends: docs/reliability.md.)
    public static let resourceBackoff: TimeSpanNanoseconds = 200_000_000

    public init(units: [LoadedUnit], aliases: [String: String] = [:], bootUnits: Set<String>? = nil) {
        self.bootUnits = bootUnits
        var servicesByName: [UnitID: LoadedUnit] = [:]
        for unit in units where unit.loadState == .loaded {
            if unit.isService && !unit.name.isTemplate {
                let id = unit.id
                servicesByName[id] = unit
                services[id] = ServiceMachine(name: id, settings: unit.settings.service, unit: unit.settings.unit)
            }
        }
        for unit in units where unit.loadState == .loaded && unit.isService && unit.name.isTemplate {
            templateExec[unit.id] = unit.settings.service.exec
        }
        for unit in units where unit.loadState == .loaded && unit.isSocket && !unit.name.isTemplate {
            let id = unit.id
            sockets[id] = SocketMachine(name: id, settings: unit.settings.socket)
            if unit.settings.socket.accept {
                // A loaded socket unit's name is valid: NAME.socket activates NAME@.service.
                templateOfSocket[id] = UnitID(unit.settings.socket.service ?? String(unit.name.name.dropLast(".socket".count)) + "@.service")
            }
            guard !unit.settings.socket.accept, let target = unit.activatedServiceName else { continue }
            serviceOfSocket[id] = UnitID(aliases[target] ?? target)
        }
        for (socket, service) in serviceOfSocket {
            socketsOfService[service, default: []].append(socket)
        }
        for (service, list) in socketsOfService {
            // The socket with the service's own name first, then the others by name.
            let own = UnitID(String(service.name.dropLast(".service".count)) + ".socket")
            socketsOfService[service] = list.sorted { ($0 == own ? 0 : 1, $0) < ($1 == own ? 0 : 1, $1) }
        }
        let loaded = units.filter { $0.loadState == .loaded }
        graph = UnitGraph(units: loaded.filter { !$0.name.isTemplate }, serviceOfSocket: serviceOfSocket)
        dependencies = Dependencies(units: loaded)
        let order = Dictionary(uniqueKeysWithValues: graph.startOrder.enumerated().map { ($1, $0) })
        let activated = socketsOfService
        // Under the drop-in rule an instance loaded from its template because something names it
        // starts with what names it, not at boot (its template's [Install] is not an enablement).
        fromTemplate = Set(loaded.filter(\.isFromTemplate).map(\.id))
        let selected: (LoadedUnit) -> Bool = { unit in
            if let bootUnits { return bootUnits.contains(unit.name.name) }
            return !unit.isFromTemplate && activated[unit.id] == nil && !Self.bootTargets.isDisjoint(with: unit.settings.install.wantedBy)
        }
        bootServices = servicesByName.filter { selected($0.value) }.map { $0.key }.sorted { (order[$0] ?? 0, $0) < (order[$1] ?? 0, $1) }
    }

    /// Whether the daemon starts `name` by itself (at start and when a reload adds it).
    func isBootUnit(_ name: UnitID) -> Bool { bootUnits?.contains(name.name) ?? !fromTemplate.contains(name) }

    // MARK: Requests

    /// Opens every socket and starts the boot services: one start job each, run in start order.
    public mutating func startAll(now: Instant, port: inout some ManagerPort) {
        for cycle in graph.cycles { port.log(cycle.message) }
        for name in graph.startOrder where sockets.contains(name) && isBootUnit(name) { install(.start, name, now: now, port: &port) }
        for name in bootServices { install(.start, name, now: now, port: &port) }
        dispatch(now: now, port: &port)
    }

    /// A start, stop or restart request for a service or socket (`wick start` ..., systemctl's
    /// `replace` job mode). Returns the job that answers it, nil when the unit is unknown or
    /// shutdown refuses the request.
    @discardableResult
    public mutating func enqueue(_ type: JobType, _ unit: UnitID, now: Instant, port: inout some ManagerPort) -> Job? {
        let job = install(type, unit, now: now, port: &port)
        dispatch(now: now, port: &port)
        return job
    }

    /// Takes new unit definitions (systemctl daemon-reload), as `ReloadPlan` says; `instances`
    /// are the live `Accept=yes` instances loaded anew from their templates. Returns what
    /// changed, for the log.
    public mutating func reload(
        units: [LoadedUnit], instances reloadedInstances: [LoadedUnit] = [], aliases: [String: String], bootUnits: Set<String>? = nil,
        now: Instant, port: inout some ManagerPort
    ) -> [String] {
        guard !shuttingDown else { return ["refused: wick is shutting down"] }
        var fresh = Manager(units: units, aliases: aliases, bootUnits: bootUnits)
        let plan = ReloadPlan(sockets: sockets.all, services: services.all, instances: { instances.contains($0) }, new: fresh)
        for name in plan.keptSockets {
            guard var kept = sockets[name], let new = fresh.sockets[name] else { continue }
            kept.reloaded(with: new.settings)
            fresh.sockets[name] = kept
        }
        for name in plan.closedSockets {
            // A socket that stays keeps the listeners of the addresses it keeps, whatever its
            // `Accept=` (systemd's socket_deserialize_item() matches fds by address): a service
            // holding them is not in the way of the new open, and what waits in their backlogs
            // stays.
            if let old = sockets[name], let new = fresh.sockets[name] {
                port.keepListenersForReopen(socket: name, listen: old.settings.listen, staying: new.settings.listen)
            }
            sockets[name]?.closeForReload(port: &port)
        }
        for name in plan.keptServices {
            guard var kept = services[name], let new = fresh.services[name], let unit = fresh.dependencies.section(name) else { continue }
            kept.reloaded(with: new.settings, unit: unit)
            fresh.services[name] = kept
        }
        // An instance runs on and takes its template's new definition, as a kept service does
        // (systemd loads every unit anew); one whose template no longer loads keeps its own.
        let newInstances = Dictionary(reloadedInstances.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        for name in plan.instances {
            guard var kept = services[name] else { continue }
            if let new = newInstances[name] {
                kept.reloaded(with: new.settings.service, unit: new.settings.unit)
                instances.reloaded(name, section: new.settings.unit)
            }
            fresh.services[name] = kept
        }
        for name in plan.removedServices {
            fresh.services[name] = services[name]
            fresh.removedServices.insert(name)
        }
        fresh.instances = instances
        fresh.queue = queue
        // The services waiting for their leftovers keep waiting (each machine was carried over).
        fresh.leftoverWaiters = leftoverWaiters.filter { fresh.services.contains($0) }
        // A reopened socket counts its live instances' connections again.
        for name in plan.closedSockets {
            for connection in instances.openConnections(of: name) { fresh.sockets[name]?.connectionCarriedOver(source: connection.source) }
        }
        let previousServices = Set(services.keys)
        self = fresh
        var changes = plan.changes
        for (unit, _) in queue.jobs where !services.contains(unit) && !sockets.contains(unit) {
            finishJob(unit, .failed("canceled"), now: now, port: &port)
        }
        for name in removedServices { install(.stop, name, now: now, port: &port) }
        for name in graph.startOrder where sockets.contains(name) && !plan.keptSockets.contains(name) && isBootUnit(name) {
            install(.start, name, now: now, port: &port)
            if !plan.closedSockets.contains(name) { changes.append("\(name): new, listening") }
        }
        for name in bootServices where !previousServices.contains(name) {
            changes.append("\(name): new, starting")
            install(.start, name, now: now, port: &port)
        }
        dispatch(now: now, port: &port)
        // A reopened socket whose service runs on is handed over again (running, not polling),
        // as the socket it replaced was.
        for name in plan.closedSockets {
            guard let service = serviceOfSocket[name], services[service]?.state.holdsSockets == true else { continue }
            sockets[name]?.serviceActive(now: now, port: &port)
        }
        return changes
    }

    /// Units loaded while wick runs (an instance started by name that nothing named: systemd's
    /// manager_load_unit() on demand): the graph and maps are made again with them; every
    /// machine, instance and job stays as it is (no reload: the other units keep their
    /// definitions, counters and limits).
    public mutating func add(_ added: [LoadedUnit], to definitions: [LoadedUnit], aliases: [String: String]) {
        var fresh = Manager(units: definitions + added, aliases: aliases, bootUnits: bootUnits)
        for (name, machine) in sockets { fresh.sockets[name] = machine }
        for (name, machine) in services { fresh.services[name] = machine }
        fresh.instances = instances
        fresh.queue = queue
        fresh.shuttingDown = shuttingDown
        fresh.removedServices = removedServices
        fresh.leftoverWaiters = leftoverWaiters
        self = fresh
    }

    /// `kill`: sends `signal` to the service's process group (`KillMode=control-group`: a shell
    /// wrapper's children too). False when it has no process.
    public mutating func killService(_ name: UnitID, signal: Int32, port: inout some ManagerPort) -> Bool {
        guard let service = services[name] else { return false }
        // Without a process of its own (stopped, `KillMode=process` or `none` left some), what
        // is in its cgroup: systemd's unit_kill() signals the cgroup.
        guard let pid = service.processGroup ?? service.mainPID else { return port.signalControlGroup(unit: name, signal: signal) }
        return port.kill(pid: pid, signal: signal, group: service.processGroup != nil, unit: name)
    }

    /// `reload`: runs the service's `ExecReload=`; the `reloadsEnded` count that says it has
    /// ended, nil when it cannot be reloaded now.
    public mutating func reloadService(_ name: UnitID, now: Instant, port: inout some ManagerPort) -> UInt64? {
        guard var service = services[name] else { return nil }
        // During a reload, the one queued after it.
        let target = service.reloadsEnded &+ (service.state == .reload ? 2 : 1)
        let (accepted, transitions) = service.reload(now: now, processes: &port)
        services[name] = service
        apply(transitions, now: now, port: &port)
        dispatch(now: now, port: &port)
        return accepted ? target : nil
    }

    /// `reset-failed`: failed units (all, or those named) back to dead, their start-limit and
    /// trigger-limit history forgotten; failed sockets listen again.
    public mutating func resetFailed(units: [UnitID] = [], now: Instant, port: inout some ManagerPort) {
        let selected = { (name: UnitID) in units.isEmpty || units.contains(name) }
        for name in services.keys.sorted() where selected(name) {
            _ = services[name]?.resetFailed(now: now)
        }
        for name in sockets.keys.sorted() where selected(name) && sockets[name]?.state == .failed {
            sockets[name]?.resetFailed(now: now, port: &port)
            install(.start, name, now: now, port: &port)
        }
        dispatch(now: now, port: &port)
    }

    /// Begins the orderly shutdown: no traffic starts anything any more, and every unit gets a
    /// stop job, so that each stops once the units ordered after it have stopped (reverse start
    /// order); waiting start jobs are canceled by them. Returns whether all are stopped.
    public mutating func stopAll(now: Instant, port: inout some ManagerPort) -> Bool {
        shuttingDown = true
        for name in sockets.keys.sorted() { sockets[name]?.refuseTraffic(port: &port) }
        for name in (Array(services.keys) + Array(sockets.keys)).sorted() { install(.stop, name, now: now, port: &port) }
        dispatch(now: now, port: &port)
        return allStopped
    }

    // MARK: Events

    /// A listener of `socketName` is readable.
    public mutating func socketReadable(_ socketName: UnitID, now: Instant, port: inout some ManagerPort) {
        // In place: no copy of the machine per wake-up.
        guard let reaction = sockets[socketName]?.readable(now: now, port: &port) else { return }
        switch reaction {
        case .ignore:
            return
        case .pause:
            port.log("\(socketName): poll limit hit, pausing until the interval ends")
        case .fail:
            port.log("\(socketName): trigger limit hit, refusing further activation (unit failed: trigger-limit-hit)")
        case .activateService:
            guard let serviceName = serviceOfSocket[socketName], services.contains(serviceName) else {
                port.log("\(socketName): service \(serviceOfSocket[socketName] ?? "?") is not loaded, refusing activation")
                sockets[socketName]?.serviceHitStartLimit(now: now, port: &port)
                return
            }
            install(.start, serviceName, now: now, port: &port)
            dispatch(now: now, port: &port)
            // A start job that waits keeps the socket handed over until it runs or fails.
            rearmSockets(of: serviceName, now: now, port: &port)
        case .accept:
            acceptConnection(socketName, now: now, port: &port)
            dispatch(now: now, port: &port)
        }
    }

    /// A process of `unit` ended.
    public mutating func processExited(unit: UnitID, pid: Int32, exit: ProcessExit, now: Instant, port: inout some ManagerPort) {
        // In place: no copy of the machine per exit.
        if sockets.contains(unit) {
            sockets[unit]?.controlExited(pid: pid, exit: exit, now: now, port: &port)
        } else if let transitions = services[unit]?.processExited(pid: pid, exit: exit, now: now, processes: &port) {
            apply(transitions, now: now, port: &port)
        }
        dispatch(now: now, port: &port)
    }

    /// A process wick reaped that is no unit's main or control process (a leftover of a unit,
    /// or an orphan re-parented to wick): the services waiting for their process group and
    /// cgroup to empty look again.
    public mutating func leftoverReaped(now: Instant, port: inout some ManagerPort) {
        guard !leftoverWaiters.isEmpty else { return }
        for name in leftoverWaiters.sorted() {
            guard let transitions = services[name]?.leftoversMayHaveGone(now: now, processes: &port) else { continue }
            apply(transitions, now: now, port: &port)
        }
        dispatch(now: now, port: &port)
    }

    /// The OOM killer killed a process in the service's cgroup (`OOMPolicy=`).
    public mutating func controlGroupOOM(unit: UnitID, now: Instant, port: inout some ManagerPort) {
        guard var service = services[unit] else { return }
        let transitions = service.controlGroupOOM(now: now, processes: &port)
        services[unit] = service
        apply(transitions, now: now, port: &port)
        dispatch(now: now, port: &port)
    }

    /// An sd_notify(3) message from `pid`, accepted per `NotifyAccess=` (systemd.service(5)):
    /// `main` takes the main process only, `exec` also control processes, `all` any process of the
    /// service: `owner` (a process wick tracks for it, or one in its cgroup) or one in its process
    /// group (`senderGroup`); `none` nothing. Returns the service that accepted
    /// it (its fd store takes the message's fds), nil when none did.
    @discardableResult
    public mutating func notifyReceived(
        pid: Int32, senderGroup: Int32?, owner: UnitID?, message: NotifyMessage, now: Instant, port: inout some ManagerPort
    ) -> UnitID? {
        let candidates = owner.map { [$0] } ?? services.keys.sorted()
        for name in candidates {
            guard var service = services[name] else { continue }
            let allowed: Bool
            switch service.notifyAccess {
            case .none: allowed = false
            case .main: allowed = pid == service.mainPID
            case .exec: allowed = pid == service.mainPID || pid == service.controlPID
            case .all: allowed = pid == service.mainPID || pid == service.controlPID || owner == name
                || (senderGroup != nil && senderGroup == service.processGroup)
            }
            guard allowed else { continue }
            let transitions = service.notify(message, now: now, processes: &port)
            services[name] = service
            // service_notify_message()'s log lines.
            if message.statusInvalid { port.log(.warning, "\(name): Status message in notification message is not UTF-8 clean, ignoring.") }
            if message.notifyAccessInvalid { port.log(.warning, "\(name): Failed to parse NOTIFYACCESS= field value in notification message, ignoring.") }
            if message.errorInvalid { port.log(.warning, "\(name): Failed to parse ERRNO= field value in notification message.") }
            if message.watchdogInvalid { port.log(.warning, "\(name): Passed WATCHDOG= field is invalid, ignoring.") }
            if message.watchdogTrigger { port.log(.err, "\(name): Watchdog request (last status: \(service.statusText ?? "<unset>"))!") }
            apply(transitions, now: now, port: &port)
            dispatch(now: now, port: &port)
            return name
        }
        return nil
    }

    /// Every unit whose deadline has passed: command timeouts, a socket's pause, a service's
    /// timeouts, watchdog and restart timer.
    public mutating func timersFired(now: Instant, port: inout some ManagerPort) {
        // Only the units that are due (the tables' deadline heaps), in name order.
        for name in sockets.due(now) { sockets[name]?.timerFired(now: now, port: &port) }
        for name in services.due(now) {
            // service_dispatch_watchdog() and service_dispatch_timer(): a missed ping, and a reload
            // that timed out, are named (the service runs on after the reload).
            if let service = services[name], service.watchdogDue(now) {
                port.log(.err, "\(name): Watchdog timeout (limit \(service.watchdogLimit))!")
            } else if services[name]?.state == .reload {
                port.log(.warning, "\(name): Reload operation timed out. Killing reload process.")
            }
            guard let transitions = services[name]?.timerFired(now: now, processes: &port) else { continue }
            apply(transitions, now: now, port: &port)
        }
        dispatch(now: now, port: &port)
    }

    /// The earliest deadline of any unit: the event loop sleeps until then and no longer.
    public mutating func nextDeadline() -> Instant? {
        [services.earliest(), sockets.earliest()].compactMap { $0 }.min()
    }

    /// The jobs that ended since the last call, for the clients waiting for them.
    public mutating func takeFinishedJobs() -> [FinishedJob] { queue.takeFinished() }

    /// The units whose jobs `unit`'s waiting job waits for (`wick list-jobs`).
    public func blockers(of unit: UnitID) -> [UnitID] { queue.blockers(of: unit, graph: graph) }

    /// What a socket triggers (systemd's `Triggers=`): its service, or with `Accept=yes` its
    /// live instances (socket_enter_running() adds a Triggers= dependency on each instance it
    /// makes; the template is triggered by nothing: have_non_accept_socket() is false).
    public func triggered(by socket: UnitID) -> [UnitID] {
        if let service = serviceOfSocket[socket] { return [service] }
        return sockets[socket]?.settings.accept == true ? instances.units(of: socket) : []
    }

    /// The sockets that trigger `service` (systemd's `TriggeredBy=`): those naming it, or an
    /// `Accept=yes` instance's socket.
    public func triggering(_ service: UnitID) -> [UnitID] {
        if let sockets = socketsOfService[service] { return sockets }
        return instances.socket(of: service).map { [$0] } ?? []
    }

    public static func isFinal(_ state: ServiceState) -> Bool { state == .dead || state == .failed }

    static func isStopping(_ state: ServiceState) -> Bool {
        [.stop, .stopSigterm, .stopSigkill, .stopPost, .finalSigterm, .finalSigkill].contains(state)
    }

    public var allStopped: Bool {
        services.values.allSatisfy { [.dead, .failed, .exited].contains($0.state) }
            && sockets.values.allSatisfy { [.dead, .failed].contains($0.state) }
    }
}
