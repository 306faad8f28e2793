import WickUnits

/// Installing and running jobs (systemd's `transaction.c` and `job.c`, simplified): what a job
/// pulls in when it is installed, and what it does when it runs.
extension Manager {
    /// Installs a job and what it pulls in, as one systemd transaction would: a start pulls
    /// start jobs for its `Requires=`, `BindsTo=` and `Wants=` units and stop jobs for its
    /// `Conflicts=`; a stop or restart spreads to the units that require it, are bound to it or
    /// are part of it. A request merged into an installed job pulls nothing again (this also ends
    /// requirement cycles). Once shutdown began only stop jobs are taken.
    @discardableResult
    mutating func install(_ type: JobType, _ unit: UnitID, now: Instant, port: inout some ManagerPort) -> Job? {
        guard services.contains(unit) || sockets.contains(unit) else { return nil }
        if type != .stop && shuttingDown {
            port.log("\(unit): \(type.rawValue) refused: wick is shutting down")
            return nil
        }
        let (job, replaced, merged) = queue.install(type, unit: unit)
        if let replaced {
            port.log("\(unit): \(replaced.type.rawValue) job canceled by a \(type.rawValue) job")
            jobEnded(replaced, .failed("canceled"), now: now, port: &port)
        }
        guard !merged else { return job }
        switch type {
        case .start:
            for other in dependencies.pulled(by: unit) { install(.start, other, now: now, port: &port) }
            for other in dependencies.conflicts(of: unit) where isUp(other) { install(.stop, other, now: now, port: &port) }
        case .stop:
            for other in dependencies.stoppedWith(unit) where isUp(other) { install(.stop, other, now: now, port: &port) }
        case .restart:
            // systemd's try-restart for the units that follow: only those that run.
            for other in dependencies.stoppedWith(unit) where isUp(other) { install(.restart, other, now: now, port: &port) }
        }
        return job
    }

    /// Whether a unit is started or starting (a stop or restart has something to do).
    private func isUp(_ unit: UnitID) -> Bool {
        if let service = services[unit] { return !Self.isFinal(service.state) || queue[unit] != nil }
        if let socket = sockets[unit] { return ![.dead, .failed].contains(socket.state) || queue[unit] != nil }
        return false
    }

    /// Runs every job its ordering allows, until none can run: the one place where jobs start.
    /// A run that ends a job can make others runnable, so it loops; each job changes state at
    /// most a few times per event, and the bound only guards the daemon against a bug.
    mutating func dispatch(now: Instant, port: inout some ManagerPort) {
        for _ in 0..<Self.dispatchPassLimit {
            // Most events leave no job behind (an Accept=yes instance's start job ends as it runs):
            // nothing to settle or run then.
            if queue.jobs.isEmpty { return }
            var progressed = settleSocketJobs(now: now, port: &port)
            for job in queue.runnable(graph: graph) where queue[job.unit] == job {
                if run(job, now: now, port: &port) { progressed = true }
            }
            if !progressed { return }
        }
        port.log("job queue: still busy after \(Self.dispatchPassLimit) passes; continuing at the next event")
    }

    static let dispatchPassLimit = 10_000

    /// Runs one job; false when it cannot run yet (systemd's `-EAGAIN`: a start of a unit that is
    /// still stopping runs once it is down).
    private mutating func run(_ job: Job, now: Instant, port: inout some ManagerPort) -> Bool {
        if sockets.contains(job.unit) { return runSocketJob(job, now: now, port: &port) }
        // The machine is read here and changed in place below (`services[name]?.start`): a copy
        // changed and written back made every one of its arrays copied on write.
        guard let state = services[job.unit]?.state else {
            finishJob(job.unit, .failed("canceled"), now: now, port: &port)
            return true
        }
        let name = job.unit
        switch job.type {
        case .start:
            if Self.isStopping(state) { return false }
            if [.running, .exited, .reload].contains(state) {
                finishJob(name, .done, now: now, port: &port)
                return true
            }
            if [.condition, .startPre, .start, .startPost].contains(state) {
                queue.setRunning(name)
                return true
            }
            if let section = dependencies.section(name) ?? instances[name]?.section {
                let verdict = Admission.evaluate(name, section: section, services: services, jobs: queue) { port.checkPath($0, $1) }
                switch verdict {
                case .run:
                    break
                case .skip(let message):
                    port.log(message)
                    finishJob(name, .done, now: now, port: &port)
                    // An instance that never ran makes no transition: it ends here, its peer gets
                    // EOF (systemd collects the dead instance; service_done() closes its fd).
                    removeInstance(name, port: &port)
                    return true
                case .refuse(let result, let message):
                    port.log(message)
                    finishJob(name, .failed(result), now: now, port: &port)
                    removeInstance(name, port: &port)
                    return true
                }
            }
            queue.setRunning(name)
            let transitions = services[name]?.start(now: now, processes: &port) ?? []
            apply(transitions, now: now, port: &port)
        case .stop, .restart:
            if Self.isFinal(state) {
                stopDone(job, now: now, port: &port)
                return true
            }
            queue.setRunning(name)
            let transitions = services[name]?.stop(now: now, processes: &port) ?? []
            apply(transitions, now: now, port: &port)
        }
        return true
    }

    /// A socket's start job runs its start sequence and ends once it listens (or failed); a stop
    /// job ends once it is dead. `settleSocketJobs` watches them end.
    private mutating func runSocketJob(_ job: Job, now: Instant, port: inout some ManagerPort) -> Bool {
        guard var socket = sockets[job.unit] else { return false }
        let name = job.unit
        switch (job.type, socket.state) {
        case (.start, .listening), (.start, .running):
            finishJob(name, .done, now: now, port: &port)
        case (.start, .stopPre), (.start, .stopPost):
            return false
        case (.start, .startPre), (.start, .startPost):
            queue.setRunning(name)
        case (.start, .dead), (.start, .failed):
            // systemd's socket_start(): an Accept=no socket whose service is not loaded does not
            // start (it stays inactive, the start job fails).
            if let service = serviceOfSocket[name], !services.contains(service) {
                port.log("\(name): Socket service \(service) not loaded, refusing.")
                finishJob(name, .failed("invalid"), now: now, port: &port)
                return true
            }
            queue.setRunning(name)
            socket.start(now: now, port: &port)
            sockets[name] = socket
        case (.stop, .dead), (.stop, .failed), (.restart, .dead), (.restart, .failed):
            stopDone(job, now: now, port: &port)
        case (.stop, _), (.restart, _):
            queue.setRunning(name)
            socket.stop(now: now, port: &port)
            sockets[name] = socket
        }
        return true
    }

    /// Ends the running socket jobs whose socket reached the state they asked for; true when one
    /// ended.
    private mutating func settleSocketJobs(now: Instant, port: inout some ManagerPort) -> Bool {
        var settled = false
        // The running socket jobs, found from the smaller side: the sockets, or the running jobs.
        let candidates = sockets.count < queue.running.count
            ? sockets.keys.filter { queue.running.contains($0) } : queue.running.filter { sockets.contains($0) }
        for job in candidates.compactMap({ queue[$0] }).sorted(by: { $0.id < $1.id }) {
            guard let socket = sockets[job.unit] else { continue }
            switch (job.type, socket.state) {
            case (.start, .listening), (.start, .running):
                finishJob(job.unit, .done, now: now, port: &port)
            case (.start, .dead), (.start, .failed):
                finishJob(job.unit, .failed(socket.result == .success ? "canceled" : socket.result.rawValue), now: now, port: &port)
            case (.stop, .dead), (.stop, .failed), (.restart, .dead), (.restart, .failed):
                stopDone(job, now: now, port: &port)
            default:
                continue
            }
            settled = true
        }
        return settled
    }

    /// A stop job is done; a restart job's stop is, and its start waits for its turn.
    private mutating func stopDone(_ job: Job, now: Instant, port: inout some ManagerPort) {
        if job.type == .restart {
            queue.restartStopped(job.unit)
        } else {
            finishJob(job.unit, .done, now: now, port: &port)
        }
    }

    /// Ends `unit`'s job.
    mutating func finishJob(_ unit: UnitID, _ outcome: JobOutcome, now: Instant, port: inout some ManagerPort) {
        guard let job = queue.finish(unit, outcome) else { return }
        jobEnded(job, outcome, now: now, port: &port)
    }

    /// After a job ended: a start job that did not succeed fails the waiting start jobs of the
    /// units that require its unit, with `dependency` (systemd's `job_fail_dependencies()`), and
    /// the sockets of a service that will not start listen again.
    private mutating func jobEnded(_ job: Job, _ outcome: JobOutcome, now: Instant, port: inout some ManagerPort) {
        if job.type != .stop, outcome != .done {
            for dependent in dependencies.requiredBy(job.unit) {
                guard let other = queue[dependent], other.type != .stop, other.state == .waiting else { continue }
                port.log("\(dependent): start job failed: required unit \(job.unit) did not start (job result: dependency)")
                finishJob(dependent, .failed("dependency"), now: now, port: &port)
            }
        }
        rearmSockets(of: job.unit, now: now, port: &port)
    }

    /// The sockets of a service that neither holds them nor has a job to start it listen again
    /// (their traffic waits in the backlog meanwhile).
    mutating func rearmSockets(of service: UnitID, now: Instant, port: inout some ManagerPort) {
        guard queue[service] == nil, services[service]?.state.holdsSockets != true else { return }
        for socketName in socketsOfService[service] ?? [] {
            sockets[socketName]?.serviceIdle(now: now, port: &port)
        }
    }

    // MARK: Accept=yes

    mutating func acceptConnection(_ socketName: UnitID, now: Instant, port: inout some ManagerPort) {
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
        // The socket's execution context alone (a copy of its whole [Socket] section was 700
        // instructions a connection).
        guard let socketExec = sockets[socketName]?.settings.exec, let template = templateOfSocket[socketName] else {
            port.closeConnection(connection)
            return
        }
        // The socket filter dropped denied peers before the handshake; a connection that was
        // queued before it or came another way is checked again here (no arrays built when
        // neither unit has rules, as for most).
        func rules(_ exec: ExecContext?) -> IPAccessFilter.Rules? {
            guard let exec else { return nil }
            let rules = IPAccessFilter.Rules(allow: exec.ipAddressAllow, deny: exec.ipAddressDeny)
            return rules.isEmpty ? nil : rules
        }
        let socketRules = rules(socketExec), serviceRules = rules(templateExec[template])
        let allowed = (socketRules == nil && serviceRules == nil)
            || (connection.source.flatMap(IPAccessFilter.peer).map { IPAccessFilter.allows($0, [socketRules, serviceRules].compactMap { $0 }) } ?? true)
        if !allowed { port.log(.warning, "\(socketName): connection from \(connection.source ?? connection.instanceSuffix) refused by IPAddressAllow=/IPAddressDeny=") }
        guard sockets[socketName]?.admitConnection(source: connection.source, allowedByAddress: allowed) == true else {
            port.closeConnection(connection)
            return
        }
        let instance = instances.nextInstance(socket: socketName, connection: connection)
        guard let (id, unit) = port.instantiate(template: template, instance: instance, connection: connection),
              unit.loadState == .loaded else {
            port.log("\(socketName): Failed to queue service startup job (Maybe the service file is missing or not a template unit?): \(template) cannot be loaded")
            port.closeConnection(connection)
            sockets[socketName]?.connectionClosed(source: connection.source)
            sockets[socketName]?.instanceCouldNotStart(now: now, port: &port)
            return
        }
        services[id] = ServiceMachine(name: id, settings: unit.settings.service, unit: unit.settings.unit)
        instances.add(unit: id, socket: socketName, connection: connection, section: unit.settings.unit)
        install(.start, id, now: now, port: &port)
    }

    private mutating func pauseForResources(_ socketName: UnitID, reason: String, now: Instant, port: inout some ManagerPort) {
        guard let socket = sockets[socketName], socket.pausedUntil == nil else { return }
        sockets[socketName]?.pause(until: now.adding(Self.resourceBackoff), port: &port)
        port.log("\(socketName): \(reason), not accepting for \(Self.resourceBackoff / 1_000_000) ms")
    }

    // MARK: Keeping jobs, sockets and services consistent

    mutating func apply(_ transitions: [ServiceTransition], now: Instant, port: inout some ManagerPort) {
        for transition in transitions {
            if Self.waitsForLeftovers(transition.to) {
                leftoverWaiters.insert(transition.unit)
            } else if !leftoverWaiters.isEmpty {
                leftoverWaiters.remove(transition.unit)
            }
            // An Accept=yes instance's transitions are per connection: debug, as in systemd.
            let instanceSocket = instances.socket(of: transition.unit)
            let perConnection = instanceSocket != nil
            // systemd's service_set_state(): an instance that goes down, or whose main process
            // ended with `RemainAfterExit=yes` (exited), closes its connection first
            // (service_close_socket_fd()), before its log line and unit_notify(); the peer's EOF
            // does not wait for the bookkeeping below. One that goes dead with a job that runs it
            // again (`wick restart`) keeps it for that run (`!(state == SERVICE_DEAD && u->job)`):
            // that start runs in this event's dispatch, an instance being ordered after nothing.
            let keptForNextRun = perConnection && transition.to == .dead && runsAgain(transition.unit)
            if perConnection, !keptForNextRun, Self.isFinal(transition.to) || transition.to == .exited {
                closeInstanceConnection(transition.unit, port: &port)
            }
            if !perConnection || port.logsDebug || transition.result != .success {
                port.log(perConnection && transition.result == .success ? .debug : .info,
                         "\(transition.unit): \(transition.from.rawValue) -> \(transition.to.rawValue)"
                         + (transition.result == .success ? "" : " (result: \(transition.result.rawValue))"))
            }
            trackJob(transition, now: now, port: &port)
            // systemd's service_enter_dead() ends the exec runtime (the private /tmp, the network
            // namespace) whenever a service goes down: also when a start whose spawn failed goes
            // from dead or failed to failed without leaving them, and when it waits to restart (a
            // fresh /tmp for the next run; its runtime directories and dynamic user stay then).
            // Only a reset of a failed unit (failed -> dead) ends nothing.
            let stopped = Self.isFinal(transition.to) && !(transition.from == .failed && transition.to == .dead)
            if stopped || transition.to == .autoRestart {
                port.serviceStopped(transition.unit, restarting: transition.to == .autoRestart || queue[transition.unit] != nil)
            }
            propagate(transition, now: now, port: &port)
            if let instanceSocket {
                if transition.to == .failed && transition.result == .resources {
                    pauseForResources(instanceSocket, reason: "\(transition.unit) could not be spawned", now: now, port: &port)
                }
                if Self.isFinal(transition.to) && !keptForNextRun { removeInstance(transition.unit, port: &port) }
                continue
            }
            // Each socket changed in place (no copy of its machine per transition).
            for socketName in socketsOfService[transition.unit] ?? [] {
                if transition.to == .failed && transition.result == .startLimitHit {
                    guard sockets[socketName]?.serviceHitStartLimit(now: now, port: &port) != nil else { continue }
                    port.log("\(socketName): service \(transition.unit) hit its start limit, socket stops listening (unit failed: service-start-limit-hit)")
                } else if transition.to.holdsSockets {
                    sockets[socketName]?.serviceActive(now: now, port: &port)
                } else if queue[transition.unit] == nil {
                    sockets[socketName]?.serviceIdle(now: now, port: &port)
                }
            }
        }
    }

    /// Whether a job will start `unit` again once it is down: a restart (its start follows its
    /// stop) or a start or restart waiting for its turn.
    private func runsAgain(_ unit: UnitID) -> Bool {
        guard let job = queue[unit], job.type != .stop else { return false }
        return job.type == .restart || job.state == .waiting
    }

    /// systemd's `service_close_socket_fd()`: the instance's connection closed and its socket's
    /// count of connections (`MaxConnections=`, `MaxConnectionsPerSource=`) lowered, once.
    private mutating func closeInstanceConnection(_ unit: UnitID, port: inout some ManagerPort) {
        guard let instance = instances.closingConnection(unit) else { return }
        port.closeConnection(instance.connection)
        sockets[instance.socket]?.connectionClosed(source: instance.connection.source)
    }

    /// An `Accept=yes` instance leaves the manager (systemd collects the dead instance): its
    /// connection closed if it was not, the port forgets it, its machine goes.
    private mutating func removeInstance(_ unit: UnitID, port: inout some ManagerPort) {
        closeInstanceConnection(unit, port: &port)
        guard let ended = instances.remove(unit) else { return }
        port.instanceRemoved(ended.connection)
        services[unit] = nil
    }

    /// A running job ends with its unit's transition: a start when the service is active (done),
    /// or dead, failed or waiting to restart (done when skipped by `ExecCondition=` or a oneshot
    /// that completed, failed otherwise, with the service's result); a stop when it is down.
    private mutating func trackJob(_ transition: ServiceTransition, now: Instant, port: inout some ManagerPort) {
        guard let job = queue[transition.unit], job.state == .running else { return }
        switch (job.type, transition.to) {
        case (.start, .running), (.start, .exited):
            finishJob(job.unit, .done, now: now, port: &port)
        case (.start, .dead), (.start, .failed), (.start, .autoRestart):
            let skippedOrDone = transition.to == .dead && [.success, .execCondition].contains(transition.result)
            finishJob(job.unit, skippedOrDone ? .done : .failed(transition.result.rawValue), now: now, port: &port)
        case (.stop, .dead), (.stop, .failed), (.restart, .dead), (.restart, .failed):
            stopDone(job, now: now, port: &port)
        default:
            break
        }
    }

    /// A service that ended: a reload's removal takes effect; `OnFailure=`
    /// units start when it failed; units with `BindsTo=` on it stop (systemd.unit(5)).
    private mutating func propagate(_ transition: ServiceTransition, now: Instant, port: inout some ManagerPort) {
        guard Self.isFinal(transition.to) else { return }
        if !removedServices.isEmpty, removedServices.remove(transition.unit) != nil { services[transition.unit] = nil }
        guard !Self.isFinal(transition.from) || transition.to == .failed else { return }
        if transition.to == .failed, !shuttingDown {
            let failed = services[transition.unit]
            for unit in dependencies.onFailure(of: transition.unit) where services.contains(unit) {
                port.log("\(transition.unit): failed, starting OnFailure=\(unit)")
                if let failed {
                    services[unit]?.triggered(by: Monitor(unit: transition.unit, result: failed.result, exit: failed.lastExit, invocation: failed.invocation))
                }
                install(.start, unit, now: now, port: &port)
            }
        }
        for name in dependencies.boundBy(transition.unit) {
            guard let dependent = services[name], !Self.isFinal(dependent.state), !Self.isStopping(dependent.state) else { continue }
            port.log("\(name): stopping, as \(transition.unit), which it is bound to, stopped")
            install(.stop, name, now: now, port: &port)
        }
    }
}
