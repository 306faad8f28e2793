import WickControl
import WickCore
import WickSystem
import WickUnits

/// `wick show UNIT`: properties under systemd's D-Bus names (org.freedesktop.systemd1.Unit,
/// .Service, .Socket, as `systemctl show` prints them), values in systemd's formats: time spans as
/// `1min 30s`, timestamps as `Mon 2026-11-23 10:55:01 UTC`, booleans as yes/no, lists space-separated.
/// Wick's own additions start with `Wick`.
extension Daemon {
    func properties(_ id: UnitID) -> [(String, String)] {
        let name = id.name
        guard let loaded = port.units[id], manager.sockets.contains(id) || manager.services.contains(id) else {
            // systemctl show of a unit that is not loaded: status 0, LoadState=not-found.
            return [("Id", name), ("Names", name), ("Description", name), ("LoadState", "not-found"), ("ActiveState", "inactive"),
                    ("SubState", "dead"), ("LoadError", "org.freedesktop.systemd1.NoSuchUnit \"Unit \(name) not found.\""),
                    ("UnitFileState", unitFileState(name))]
        }
        let unit = loaded.settings.unit
        var list: [(String, String)] = [
            ("Id", name),
            ("Names", ([name] + aliases.filter { $0.value == name }.keys.sorted()).joined(separator: " ")),
            // The D-Bus property falls back to the unit name (unit_description()).
            ("Description", unit.description.isEmpty ? name : unit.description),
            ("LoadState", loaded.loadState.rawValue),
            ("UnitFileState", unitFileState(name)),
        ]
        let yes = { (value: Bool) in value ? "yes" : "no" }
        if let socket = manager.sockets[id] {
            let settings = socket.settings
            list += [
                ("ActiveState", socket.state.activeState), ("SubState", socket.state.rawValue), ("Result", socket.result.rawValue),
            ]
            list += Self.timestampProperties(socket.timestamps)
            list += settings.listen.map { ("Listen", "\($0.description) (\($0.typeName))") }
            list += [
                ("Accept", yes(settings.accept)),
                ("Triggers", manager.triggered(by: id).map(\.name).joined(separator: " ")),
                ("NAccepted", String(socket.acceptedCount)), ("NConnections", String(socket.connectionCount)),
                ("NRefused", String(socket.refusedCount)),
                ("Backlog", String(settings.backlog ?? UInt32(Int32.max))),  // SOMAXCONN_DELUXE
                ("MaxConnections", String(settings.maxConnections)),
                ("MaxConnectionsPerSource", String(settings.maxConnectionsPerSource ?? 0)),
                // socket_fdname(): FileDescriptorName= or the unit's full name, as in LISTEN_FDNAMES.
                ("FileDescriptorName", settings.fileDescriptorName ?? name),
                ("SocketMode", Self.octalMode(settings.socketMode)),
                ("DirectoryMode", Self.octalMode(settings.directoryMode)),
                ("SocketUser", settings.socketUser ?? ""), ("SocketGroup", settings.socketGroup ?? ""),
                ("Symlinks", settings.symlinks.joined(separator: " ")), ("RemoveOnStop", yes(settings.removeOnStop)),
                ("TriggerLimitIntervalUSec", settings.effectiveTriggerLimit.interval.description),
                ("TriggerLimitBurst", String(settings.effectiveTriggerLimit.burst)),
                ("ControlPID", String(socket.controlPID ?? 0)), ("TimeoutUSec", settings.timeout.description),
                ("WickActivations", String(socket.activationCount)),
                ("WickLastActivationLatencyUSec", port.lastActivationLatency[id].map { TimeSpan(microseconds: $0 / 1000).description } ?? ""),
            ]
            for (key, commands) in [
                ("ExecStartPre", settings.execStartPre), ("ExecStartPost", settings.execStartPost),
                ("ExecStopPre", settings.execStopPre), ("ExecStopPost", settings.execStopPost),
            ] {
                list += commands.map { (key, Self.execProperty($0)) }
            }
        } else if let service = manager.services[id] {
            let settings = loaded.settings.service
            var exitCode = "0", exitStatus = "0"
            switch service.lastExit {
            case .exited(let code): (exitCode, exitStatus) = ("1", String(code))
            case .signaled(let signal): (exitCode, exitStatus) = ("2", String(signal))
            case nil: break
            }
            list += [
                ("ActiveState", service.state.activeState), ("SubState", service.state.rawValue), ("Result", service.result.rawValue), ("ReloadResult", service.reloadResult.rawValue),
                ("Type", settings.type.rawValue), ("Restart", settings.restart.rawValue),
                ("RestartUSec", settings.restartSec.description),
                ("TimeoutStartUSec", settings.effectiveTimeoutStart.description), ("TimeoutStopUSec", settings.timeoutStop.description),
                ("RuntimeMaxUSec", settings.runtimeMax.description), ("WatchdogUSec", settings.watchdog.description),
                ("NotifyAccess", service.notifyAccess.rawValue), ("RemainAfterExit", yes(settings.remainAfterExit)),
                ("FileDescriptorStoreMax", String(settings.fileDescriptorStoreMax)),
                ("NFileDescriptorStore", String(port.fdStores.entries(of: id).count)),
                ("FileDescriptorStorePreserve", settings.fileDescriptorStorePreserve.rawValue),
                ("PIDFile", settings.pidFile ?? ""),
                ("MainPID", String(service.mainPID ?? 0)), ("ControlPID", String(service.controlPID ?? 0)),
                ("ExecMainPID", String(service.execMainPID ?? 0)),
                ("ExecMainCode", exitCode), ("ExecMainStatus", exitStatus),
                ("NRestarts", String(service.restartCount)), ("StatusText", service.statusText ?? ""),
                ("StatusErrno", String(service.statusErrno)),
                ("WickLastSpawnError", service.lastSpawnError?.message ?? ""),
                ("TriggeredBy", manager.triggering(id).map(\.name).joined(separator: " ")),
            ]
            list += Self.timestampProperties(service.timestamps)
            for (key, commands) in [
                ("ExecStartPre", settings.execStartPre), ("ExecStart", settings.execStart), ("ExecStartPost", settings.execStartPost),
                ("ExecReload", settings.execReload), ("ExecStop", settings.execStop), ("ExecStopPost", settings.execStopPost),
            ] {
                list += commands.map { (key, Self.execProperty($0)) }
            }
            let exec = settings.exec
            list += [
                ("WorkingDirectory", exec.workingDirectory ?? ""), ("User", exec.user ?? ""), ("Group", exec.group ?? ""),
                ("InvocationID", port.execEnvironment.currentInvocationID(id)),
                ("ControlGroup", port.controlGroups.relativePath(name) ?? ""),
                ("KillMode", settings.kill.mode.rawValue), ("KillSignal", String(settings.kill.signal.number)),
            ]
        }
        // systemd.resource-control(5), for sockets and services alike, printed as systemctl's
        // bus-print-properties.c does ("[no data]", "[not set]", "infinity").
        if loaded.isSocket || loaded.isService {
            list += Self.resourceProperties(loaded.isSocket ? loaded.settings.socket.exec : loaded.settings.service.exec,
                                            counters: port.ipCounters(id),
                                            usage: loaded.isService ? port.controlGroups.usage(name) : CgroupUsage())
        }
        let implicit = implicitDependencies(loaded)
        let merged = { (explicit: [String], added: [String]) in
            var seen: Set<String> = []
            return (explicit + added).filter { seen.insert($0).inserted }.joined(separator: " ")
        }
        list += [
            ("Requires", merged(unit.requires, implicit.requires)), ("Wants", unit.wants.joined(separator: " ")),
            ("BindsTo", unit.bindsTo.joined(separator: " ")), ("PartOf", unit.partOf.joined(separator: " ")),
            ("Conflicts", merged(unit.conflicts, implicit.conflicts)), ("Before", merged(unit.before, implicit.before)),
            ("After", merged(unit.after, implicit.after)), ("OnFailure", unit.onFailure.joined(separator: " ")),
            ("StartLimitIntervalUSec", unit.startLimitInterval.description), ("StartLimitBurst", String(unit.startLimitBurst)),
            ("FragmentPath", loaded.fragmentPath ?? ""), ("DropInPaths", loaded.dropInPaths.joined(separator: " ")),
        ]
        return list
    }

    /// systemctl show's unit timestamps, each also as `...Monotonic` (CLOCK_MONOTONIC µs, 0
    /// when never), which systemd-analyze reads.
    static func timestampProperties(_ stamps: UnitTimestamps) -> [(String, String)] {
        var list: [(String, String)] = []
        for (key, instant) in [
            ("StateChangeTimestamp", stamps.stateChange), ("InactiveExitTimestamp", stamps.inactiveExit),
            ("ActiveEnterTimestamp", stamps.activeEnter), ("ActiveExitTimestamp", stamps.activeExit),
            ("InactiveEnterTimestamp", stamps.inactiveEnter),
        ] {
            list.append((key, instant.map { Timestamp.full(WallClock.microseconds(atMonotonic: $0.nanoseconds)) } ?? ""))
            list.append((key + "Monotonic", String((instant?.nanoseconds ?? 0) / 1000)))
        }
        return list
    }

    static func resourceProperties(_ exec: ExecContext, counters: IPCounters?, usage: CgroupUsage) -> [(String, String)] {
        func counter(_ value: KeyPath<IPCounters, UInt64>) -> String { counters.map { String($0[keyPath: value]) } ?? "[no data]" }
        func limit(_ value: CgroupLimit?, total: UInt64) -> String { value.flatMap { $0.resolved(total: total) }.map(String.init) ?? "infinity" }
        let resources = exec.resources
        let memory = ControlGroups.physicalMemory()
        return [
            ("MemoryCurrent", usage.memoryCurrent.map(String.init) ?? "[not set]"),
            ("CPUUsageNSec", usage.cpuUsageNanoseconds.map(String.init) ?? "[not set]"),
            ("TasksCurrent", usage.tasksCurrent.map(String.init) ?? "[not set]"),
            ("IPIngressBytes", counter(\.ingressBytes)), ("IPIngressPackets", counter(\.ingressPackets)),
            ("IPEgressBytes", counter(\.egressBytes)), ("IPEgressPackets", counter(\.egressPackets)),
            ("CPUWeight", resources.cpuIdle ? "idle" : resources.cpuWeight.map(String.init) ?? "[not set]"),
            ("CPUQuotaPerSecUSec", resources.cpuQuotaPerSecond.map { TimeSpan(microseconds: $0).description } ?? "infinity"),
            ("CPUQuotaPeriodUSec", resources.cpuQuotaPeriod.map { TimeSpan(microseconds: $0).description } ?? "infinity"),
            ("IOWeight", resources.ioWeight.map(String.init) ?? "[not set]"),
            // Unset: 0. `infinity`: systemctl prints MemoryLow's as "infinity" and MemoryMin's as the
            // number (bus-print-properties.c names only the former).
            ("MemoryMin", resources.memoryMin.map { $0.resolved(total: memory).map(String.init) ?? String(UInt64.max) } ?? "0"),
            ("MemoryLow", resources.memoryLow.map { limit($0, total: memory) } ?? "0"),
            ("MemoryHigh", limit(resources.memoryHigh, total: memory)), ("MemoryMax", limit(resources.memoryMax, total: memory)),
            ("MemorySwapMax", limit(resources.memorySwapMax, total: memory)), ("MemoryLimit", limit(resources.memoryLimit, total: memory)),
            ("TasksMax", limit(resources.tasksMax ?? .share(permyriad: 1500), total: ControlGroups.taskLimit())),
            ("IPAccounting", exec.ipAccounting ? "yes" : "no"),
            ("IPAddressAllow", exec.ipAddressAllow.map { $0.description }.joined(separator: " ")),
            ("IPAddressDeny", exec.ipAddressDeny.map { $0.description }.joined(separator: " ")),
            ("SocketBindAllow", resources.socketBindAllow.map { $0.description }.joined(separator: " ")),
            ("SocketBindDeny", resources.socketBindDeny.map { $0.description }.joined(separator: " ")),
        ]
    }

    /// systemctl's rendering of a mode (`UMask`, `SocketMode` ...): `%04o`.
    static func octalMode(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.utf8.count)) + digits
    }

    /// systemctl's rendering of an `Exec*=` property: `{ path=… ; argv[]=… ; ignore_errors=no }`.
    static func execProperty(_ command: ExecCommand) -> String {
        "{ path=\(command.path) ; argv[]=\(command.arguments.joined(separator: " ")) ; ignore_errors=\(command.flags.contains(.ignoreFailure) ? "yes" : "no") }"
    }
}
