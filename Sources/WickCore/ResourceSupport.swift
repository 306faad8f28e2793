import WickUnits

/// What the host lets wick do with cgroups: found once at start-up by WickSystem.
public struct CgroupAbilities: Equatable, Sendable {
    /// A cgroup v2 hierarchy wick can make units' cgroups in.
    public var hierarchy: Bool
    /// The controllers enabled for units' cgroups (`memory`, `cpu`, `io`, `pids`).
    public var controllers: Set<String>
    /// Cgroup BPF programs load and attach (kernel, privileges, no seccomp/LSM refusal).
    public var bpf: Bool

    public init(hierarchy: Bool, controllers: Set<String>, bpf: Bool) {
        (self.hierarchy, self.controllers, self.bpf) = (hierarchy, controllers, bpf)
    }

    public static let none = CgroupAbilities(hierarchy: false, controllers: [], bpf: false)
}

/// Which systemd.resource-control(5) settings of a unit this host cannot enforce, with why: said
/// by `wick verify` and logged once per unit when it starts, so that no limit looks enforced that
/// is not (the rest are applied by WickSystem's `ControlGroups`).
public enum ResourceSupport {
    public struct Report: Equatable, Sendable {
        public var directive: String
        public var message: String
    }

    /// `acceptInstance`: the service runs as the instances of an `Accept=yes` socket, which stay
    /// in wick's cgroup (moving each connection's process into a cgroup costs an RCU grace
    /// period, about 10 ms); their connections are still filtered and counted on the socket.
    public static func unenforced(_ exec: ExecContext, isService: Bool, acceptInstance: Bool = false, abilities: CgroupAbilities) -> [Report] {
        var reports: [Report] = []
        let resources = exec.resources
        let instanceReason = "the instances of an Accept=yes socket run in wick's cgroup, not one of their own"
        for (directive, controller) in resources.controllerSettings {
            let reason: String
            if acceptInstance {
                reason = instanceReason
            } else if !isService {
                reason = "wick applies resource limits to services, not to a socket unit's own commands"
            } else if !abilities.hierarchy {
                reason = "wick has no writable cgroup v2 hierarchy"
            } else if !abilities.controllers.contains(controller) {
                reason = "the '\(controller)' controller is not enabled in wick's cgroup (its parent did not delegate it)"
            } else {
                continue
            }
            reports.append(Report(directive: directive, message: "\(directive)= is not enforced: \(reason)"))
        }
        let programs = abilities.hierarchy && abilities.bpf && !acceptInstance
        if !programs || !isService {
            for (directive, rules) in [("SocketBindAllow", resources.socketBindAllow), ("SocketBindDeny", resources.socketBindDeny)] where !rules.isEmpty {
                reports.append(Report(directive: directive, message: "\(directive)= is not enforced: "
                    + (!isService ? "wick applies it to services only" : acceptInstance ? instanceReason
                        : "it needs cgroup BPF (a writable cgroup v2 hierarchy and CAP_BPF or CAP_SYS_ADMIN)")))
            }
        }
        if !programs {
            for (directive, prefixes) in [("IPAddressAllow", exec.ipAddressAllow), ("IPAddressDeny", exec.ipAddressDeny)] where !prefixes.isEmpty {
                reports.append(Report(directive: directive, message: "\(directive)= is partly applied: traffic to the sockets wick passes is "
                    + "filtered; connections the service opens itself are not ("
                    + (acceptInstance ? instanceReason : "that needs cgroup BPF: a writable cgroup v2 hierarchy and CAP_BPF or CAP_SYS_ADMIN") + ")"))
            }
        }
        if !programs && exec.ipAccounting && !(acceptInstance && abilities.hierarchy && abilities.bpf) {
            reports.append(Report(directive: "IPAccounting", message: "IPAccounting= is partly applied: the TCP connections of Accept=yes "
                + "sockets are counted (TCP_INFO, payload bytes); other traffic is not (that needs cgroup BPF)"))
        }
        return reports
    }
}
