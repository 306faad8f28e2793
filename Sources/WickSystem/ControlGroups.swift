import CWick
import Glibc
import WickCore
import WickUnits

/// What a unit's cgroup is given: its limits, its IP rules and accounting, its bind rules.
public struct CgroupSetup: Equatable, Sendable {
    public var resources: ResourceControl
    public var ipRules: [IPAccessFilter.Rules]
    public var ipAccounting: Bool
    /// Whether `connect()` to a denied address fails at once (services; not a socket unit's
    /// cgroup, which has only wick's sockets).
    public var guardsConnect: Bool

    public init(resources: ResourceControl, ipRules: [IPAccessFilter.Rules], ipAccounting: Bool, guardsConnect: Bool) {
        (self.resources, self.ipRules, self.ipAccounting, self.guardsConnect) = (resources, ipRules, ipAccounting, guardsConnect)
    }
}

/// What a unit's cgroup counts; nil where the controller (file) is missing.
public struct CgroupUsage: Equatable, Sendable {
    public var memoryCurrent: UInt64?
    public var tasksCurrent: UInt64?
    public var cpuUsageNanoseconds: UInt64?
    public var oomKills: UInt64?
    public init() {}
}

/// Per-unit cgroups in the unified (v2) hierarchy, where wick may write it (a delegated container
/// cgroup, or a hybrid host's unified hierarchy): each unit runs in `wick.slice/UNIT` below wick's
/// own cgroup, as systemd's system.slice (`wick-PID.slice` when wick is not PID 1, so that two
/// daemons in one cgroup never share units' cgroups; each holds its slice locked, see
/// `claimSlice`). Then a control-group kill reaches every process of the
/// unit, even one that left its process group (`cgroup.kill` for SIGKILL, every member otherwise),
/// and `status` lists them. Without a writable hierarchy `base` is nil and nothing changes.
public final class ControlGroups {
    /// The directory holding the units' cgroups, nil when there is none.
    public let base: String?
    /// `base` below the hierarchy's root, for `ControlGroup=` (`/wick.slice`).
    public let relativeBase: String
    /// What units' cgroups can have here: controllers, BPF.
    public let abilities: CgroupAbilities
    /// The slice's directory, open and locked with flock(2) for wick's life (-1 without a slice).
    private let sliceLock: Int32
    /// The cgroups wick configured (limits written, programs attached), with their IP accounting
    /// maps; an entry goes when its directory is removed.
    private var configured: [String: AccountingMaps] = [:]
    /// The counters of a unit's last cgroup, kept after it is removed (shown until the next start).
    private var lastCounters: [String: IPCounters] = [:]
    /// The units whose cgroup wick made and has not removed yet, with the setup it was given.
    private var made: [String: CgroupSetup] = [:]
    /// The units whose cgroup is in use: from `prepare` to `remove`. A cgroup made stays between
    /// runs of its unit, empty (see `remove`), and counts as none while it is not in use.
    private var inUse: Set<String> = []
    /// The cgroups `cgroup.kill` has killed: on kernel 6.18 every process later cloned into such
    /// a cgroup (CLONE_INTO_CGROUP) is killed too, one moved in is not (tested by
    /// SpawnIntoCgroupTests). Their unit's later commands of the run join by writing
    /// `cgroup.procs`; its next run gets a new cgroup.
    private var killed: Set<String> = []
    /// Why units run without cgroups on a host that has the hierarchy, for the daemon's log.
    public private(set) var unavailable: String?
    /// `usage_usec` of a kept cgroup when its unit's last run ended (read at `remove`, off the
    /// activation's path): the next run's CPU time counts from there.
    private var cpuBase: [String: UInt64] = [:]
    /// `oom_kill` of each unit's cgroup as last read.
    private var oomKillsSeen: [String: UInt64] = [:]

    struct AccountingMaps {
        var ingress: Int32?
        var egress: Int32?
    }

    public convenience init() {
        guard let (mount, own) = Self.unifiedHierarchy() else {
            self.init(mount: nil, own: "/", slice: "", bpf: false)
            return
        }
        self.init(mount: mount, own: own, slice: getpid() == 1 ? "wick.slice" : "wick-\(getpid()).slice", bpf: CgroupBPF.available())
    }

    /// What units' cgroups could have on this host, found without changing anything (for
    /// `wick verify`): a cgroup v2 hierarchy whose wick cgroup is writable, the controllers it
    /// offers, and whether cgroup BPF programs load.
    public static func probe() -> CgroupAbilities {
        guard let (mount, own) = unifiedHierarchy() else { return .none }
        let directory = mount + (own == "/" ? "" : own)
        guard access(directory, W_OK) == 0 else { return .none }
        let offered = Set(words(directory + "/cgroup.controllers")).intersection(["cpu", "io", "memory", "pids"])
        return CgroupAbilities(hierarchy: true, controllers: offered, bpf: CgroupBPF.available())
    }

    /// A hierarchy mounted at `mount` (nil: none), wick's cgroup `own` in it; tests give a
    /// directory that looks like one.
    public init(mount: String?, own: String, slice: String, bpf: Bool) {
        guard let mount else {
            (base, relativeBase, abilities, sliceLock) = (nil, "", .none, -1)
            return
        }
        let parent = mount + (own == "/" ? "" : own)
        Self.removeStaleSlices(parent)
        var failure = "\(slice) and \(Self.sliceNames - 1) other names are held by other daemons"
        guard let (name, lock) = Self.claimSlice(parent, slice, failure: &failure) else {
            (base, relativeBase, abilities, sliceLock) = (nil, "", .none, -1)
            unavailable = "no slice of wick's own could be made in \(parent) (\(failure)): units run without cgroups"
            return
        }
        let relative = (own == "/" ? "" : own) + "/" + name
        base = parent + "/" + name
        // A slice an earlier daemon left: its units' cgroups are not this daemon's (one that
        // cgroup.kill killed kills every process later cloned into it). The empty ones go; one
        // that still holds processes is taken as killed (`prepare`).
        for unit in FileSystemUnitSource().entries(of: parent + "/" + name) ?? [] where unit.hasSuffix(".service") || unit.hasSuffix(".socket") {
            _ = rmdir(parent + "/" + name + "/" + unit)
        }
        relativeBase = relative
        sliceLock = lock
        abilities = CgroupAbilities(hierarchy: true, controllers: Self.enableControllers(parent: parent, slice: parent + "/" + name), bpf: bpf)
    }

    deinit {
        if sliceLock >= 0 { closeDescriptor(sliceLock) }
    }

    /// `ControlGroup=` of a unit.
    public func relativePath(_ unit: String) -> String? { base == nil ? nil : relativeBase + "/" + unit }

    /// Makes the unit's cgroup and, the first time, writes its limits and attaches its programs;
    /// returns its `cgroup.procs`, which the child is born in or writes itself into (systemd's
    /// step "attach to the unit cgroup", 219/CGROUP), nil without cgroups. A cgroup that cannot be
    /// made or a program that cannot be attached fails the start, as unit_prepare_exec() does (a
    /// firewall must not look enforced when it is not); a limit the kernel refuses is a warning,
    /// as in systemd.
    public func prepare(_ unit: String, _ setup: CgroupSetup, warnings: inout [String]) -> Result<String?, CgroupBPF.Failure> {
        guard let base, !unit.containsByte(UInt8(ascii: "/")) else { return .success(nil) }
        let path = base + "/" + unit
        // Each command of a run (ExecStartPre=, ExecStart=, ...) joins the cgroup of the run.
        if inUse.contains(unit) { return .success(path + "/cgroup.procs") }
        if let kept = made[unit] {
            if kept == setup && !killed.contains(unit) {
                // The cgroup of the unit's last run: systemd makes a new one, whose counters
                // start at zero (unit_reset_accounting()); here they are reset instead.
                inUse.insert(unit)
                if let maps = configured[unit] {
                    maps.ingress.map(CgroupBPF.reset)
                    maps.egress.map(CgroupBPF.reset)
                }
                return .success(path + "/cgroup.procs")
            }
            // Settings changed by a reload: a new cgroup with the new limits and programs.
            discard(unit)
        }
        if mkdir(path, 0o755) != 0 {
            guard errno == EEXIST else { return .failure(CgroupBPF.Failure(description: "\(path): \(String(cString: strerror(errno)))")) }
            // Not made by this daemon (an earlier daemon's, with processes in it): it may have
            // been killed, so the unit's processes join it by writing cgroup.procs.
            if made[unit] == nil { killed.insert(unit) }
        }
        made[unit] = setup
        inUse.insert(unit)
        cpuBase[unit] = nil
        if configured[unit] == nil {
            lastCounters[unit] = nil
            Self.writeLimits(path, setup.resources, controllers: abilities.controllers, warnings: &warnings)
            switch attachPrograms(path, setup) {
            case .success(let maps): configured[unit] = maps
            case .failure(let failure):
                _ = rmdir(path)
                made[unit] = nil
                inUse.remove(unit)
                return .failure(failure)
            }
        }
        return .success(path + "/cgroup.procs")
    }

    /// The cgroup of a socket unit whose IP sockets are filtered or counted by cgroup programs
    /// (systemd's socket_address_listen_in_cgroup()): made with its programs, and returned open
    /// for `BindOptions.controlGroup`; nil without cgroup BPF or with nothing to attach.
    public func prepareSocket(_ unit: String, rules: [IPAccessFilter.Rules], accounting: Bool) -> Result<Int32?, CgroupBPF.Failure> {
        guard let base, abilities.bpf, !unit.containsByte(UInt8(ascii: "/")), accounting || rules.contains(where: { !$0.isEmpty }) else { return .success(nil) }
        var warnings: [String] = []
        let setup = CgroupSetup(resources: ResourceControl(), ipRules: rules, ipAccounting: accounting, guardsConnect: false)
        switch prepare(unit, setup, warnings: &warnings) {
        case .failure(let failure): return .failure(failure)
        case .success(nil): return .success(nil)
        case .success: break
        }
        let fd = open(base + "/" + unit, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        return fd >= 0 ? .success(fd) : .failure(CgroupBPF.Failure(description: "\(unit)'s cgroup: \(String(cString: strerror(errno)))"))
    }

    /// Whether `cgroup.kill` killed the unit's cgroup (its processes must join it by writing
    /// `cgroup.procs`).
    public func wasKilled(_ unit: String) -> Bool { killed.contains(unit) }

    /// Whether the unit runs in a cgroup of its own now.
    public func isInUse(_ unit: String) -> Bool { base != nil && inUse.contains(unit) }

    /// `IPAccounting=` counters from the unit's cgroup programs (live, or of its last cgroup);
    /// nil when the unit has none.
    public func ipCounters(_ unit: String) -> IPCounters? {
        guard let maps = configured[unit], maps.ingress != nil || maps.egress != nil else { return lastCounters[unit] }
        var counters = IPCounters()
        if let ingress = maps.ingress, let read = CgroupBPF.read(map: ingress) { (counters.ingressPackets, counters.ingressBytes) = read }
        if let egress = maps.egress, let read = CgroupBPF.read(map: egress) { (counters.egressPackets, counters.egressBytes) = read }
        return counters
    }

    /// Whether the unit's cgroup counted an OOM kill (`memory.events` `oom_kill`) since the last
    /// call; false without the memory controller.
    public func newOOMKill(_ unit: String) -> Bool {
        guard let base, inUse.contains(unit), let count = Self.field("oom_kill", of: base + "/" + unit + "/memory.events") else { return false }
        defer { oomKillsSeen[unit] = count }
        return count > oomKillsSeen[unit, default: 0]
    }

    /// What the unit's cgroup counts (systemd's `MemoryCurrent=`, `TasksCurrent=`, `CPUUsageNSec=`):
    /// nil where the file (the controller) is missing.
    public func usage(_ unit: String) -> CgroupUsage {
        guard let base, inUse.contains(unit) else { return CgroupUsage() }
        let path = base + "/" + unit
        var usage = CgroupUsage()
        usage.memoryCurrent = Self.number(path + "/memory.current")
        // pids.current with the pids controller; without it the threads are counted, which is
        // what it would say.
        usage.tasksCurrent = Self.number(path + "/pids.current")
            ?? Self.read(path + "/cgroup.threads").map { UInt64($0.split(separator: "\n").count) }
        usage.cpuUsageNanoseconds = Self.field("usage_usec", of: path + "/cpu.stat").map { total in
            let own = total - min(total, cpuBase[unit] ?? 0)
            return own.multipliedReportingOverflow(by: 1000).overflow ? .max : own * 1000
        }
        usage.oomKills = Self.field("oom_kill", of: path + "/memory.events")
        return usage
    }

    /// The unit whose cgroup `pid` is in (/proc/PID/cgroup), nil when it is in none of wick's.
    public func unit(of pid: Int32) -> String? {
        guard base != nil, !inUse.isEmpty,
              let bytes = try? FileSystemUnitSource(maximumFileSize: 1 << 16).contents(of: "/proc/\(pid)/cgroup") else { return nil }
        // cgroup v2: the one line "0::/path".
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("0::") {
            let path = line.dropFirst(3), prefix = relativeBase + "/"
            guard path.hasPrefix(prefix) else { return nil }
            let unit = String(path.dropFirst(prefix.count).prefix { $0 != "/" })
            return inUse.contains(unit) ? unit : nil
        }
        return nil
    }

    /// The processes in the unit's cgroup.
    public func processes(_ unit: String) -> [Int32] {
        guard let base, inUse.contains(unit), let bytes = try? FileSystemUnitSource(maximumFileSize: 1 << 20).contents(of: base + "/" + unit + "/cgroup.procs") else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }.filter { $0 > 1 }
    }

    /// Signals every process of the unit's cgroup: SIGKILL through `cgroup.kill` (kernel 5.14),
    /// other signals to each member. False when the unit has no cgroup or nobody was there.
    @discardableResult
    public func signal(_ unit: String, _ number: Int32, signalledGroup: Int32? = nil) -> Bool {
        guard let base, inUse.contains(unit) else { return false }
        if number == SIGKILL, Self.write("1", to: base + "/" + unit + "/cgroup.kill") {
            killed.insert(unit)
            return true
        }
        // Each process once, as systemd's cg_kill_recursive() keeps a set of those signalled:
        // the members of `signalledGroup` already had it (a second SIGTERM is "quit now" to
        // some daemons).
        let members = processes(unit).filter { $0 != getpid() }
        for pid in members where signalledGroup == nil || getpgid(pid) != signalledGroup { _ = kill(pid, number) }
        return !members.isEmpty
    }

    /// The unit's run is over. systemd removes its cgroup (unit_prune_cgroup()); wick keeps it,
    /// empty, for the unit's next start: a process born into a cgroup made for it, and the
    /// rmdir after it, cost about 200 microseconds per activation (the kernel's new css_set),
    /// most of the difference to an activator without cgroups. While it is not in use it counts
    /// as none (no usage, no processes, nothing to signal); its IP counters stay readable until
    /// the next start resets them, as systemd's do. A cgroup that still holds processes
    /// (`KillMode=none` or `process`) stays in use, as systemd keeps a populated cgroup: `status`
    /// lists them, a stop or kill reaches them, and the next start joins them.
    public func remove(_ unit: String) {
        guard let base, inUse.contains(unit) else { return }
        let path = base + "/" + unit
        if Self.field("populated", of: path + "/cgroup.events") == 1 { return }
        inUse.remove(unit)
        cpuBase[unit] = Self.field("usage_usec", of: path + "/cpu.stat")
    }

    /// Removes a kept cgroup that is no longer wanted (settings changed, unit gone).
    private func discard(_ unit: String) {
        guard let base, made[unit] != nil else { return }
        let counters = ipCounters(unit)
        guard rmdir(base + "/" + unit) == 0 else { return }
        made[unit] = nil
        inUse.remove(unit)
        killed.remove(unit)
        oomKillsSeen[unit] = nil
        cpuBase[unit] = nil
        if let maps = configured.removeValue(forKey: unit) {
            lastCounters[unit] = counters
            maps.ingress.map(closeDescriptor)
            maps.egress.map(closeDescriptor)
        }
    }

    /// After a reload: the kept cgroups of units that are no longer loaded go.
    public func prune(keeping units: Set<String>) {
        for unit in made.keys where !units.contains(unit) && !inUse.contains(unit) { discard(unit) }
    }

    /// wick is exiting: its slice goes (once its units' cgroups are empty and removed).
    public func removeAll() {
        guard let base else { return }
        for entry in FileSystemUnitSource().entries(of: base) ?? [] where entry != "." && entry != ".." {
            _ = rmdir(base + "/" + entry)
        }
        _ = rmdir(base)
    }

    /// How many slice names a daemon tries (`wick.slice`, `wick-2.slice` ...): as many daemons
    /// as PID 1 of their namespaces can share one hierarchy (there were three).
    static let sliceNames = 64

    /// The empty slices of earlier daemons that are gone (killed with SIGKILL, they could not
    /// clean up after themselves): a `wick-*.slice` nobody holds locked. The lock, not the PID
    /// in the name, tells: a daemon in another PID namespace shares the hierarchy, and its PID
    /// means nothing here (a wick as PID 1 in a test's namespace saw every other daemon's PID as
    /// dead and removed their slices between their start and their first unit).
    private static func removeStaleSlices(_ parent: String) {
        let source = FileSystemUnitSource()
        for entry in source.entries(of: parent) ?? [] where entry.hasPrefix("wick-") && entry.hasSuffix(".slice") {
            let path = parent + "/" + entry
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            defer { closeDescriptor(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            // The units' cgroups are directories; rmdir leaves the interface files alone.
            for unit in source.entries(of: path) ?? [] where unit != "." && unit != ".." {
                _ = rmdir(path + "/" + unit)
            }
            _ = rmdir(path)
        }
    }

    /// Makes wick's slice and locks it (flock(2) on the directory, released by the kernel
    /// however wick ends), so that `removeStaleSlices` of another daemon leaves it alone. A sweep
    /// between the mkdir and the lock removes it: it is made again. A name another live daemon
    /// holds (the same PID in two PID namespaces) gets a suffix, `wick-PID-2.slice`. Returns the
    /// name and the locked descriptor; nil when no slice can be made.
    private static func claimSlice(_ parent: String, _ slice: String, failure: inout String) -> (String, Int32)? {
        let stem = slice.hasSuffix(".slice") ? String(slice.dropLast(6)) : slice
        for attempt in 0..<(sliceNames * 3) {
            let name = attempt < 3 ? slice : "\(stem)-\(attempt / 3 + 1).slice"
            let path = parent + "/" + name
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                failure = "mkdir \(name): \(String(cString: strerror(errno)))"
                return nil
            }
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            var opened = stat(), named = stat()
            if flock(fd, LOCK_EX | LOCK_NB) == 0, fstat(fd, &opened) == 0, stat(path, &named) == 0,
               opened.st_ino == named.st_ino, opened.st_dev == named.st_dev {
                return (name, fd)
            }
            closeDescriptor(fd)
            // Held: a sweep about to remove it, or a live daemon's; look again shortly.
            usleep(1_000)
        }
        return nil
    }

    // MARK: Limits and programs

    /// systemd's cgroup_context_apply() for the unified hierarchy: each setting into its file
    /// where the controller is enabled (the others are reported by `ResourceSupport`).
    public static func writeLimits(_ path: String, _ resources: ResourceControl, controllers: Set<String>, warnings: inout [String]) {
        func set(_ file: String, _ value: String) {
            if !Self.write(value, to: path + "/" + file) { warnings.append("\(file)=\(value) could not be set: \(String(cString: strerror(errno)))") }
        }
        func limit(_ value: CgroupLimit, total: UInt64) -> String { value.resolved(total: total).map(String.init) ?? "max" }
        if controllers.contains("memory") {
            let memory = Self.physicalMemory()
            let settings: [(String, CgroupLimit?)] = [("memory.min", resources.memoryMin), ("memory.low", resources.memoryLow),
                                                      ("memory.high", resources.memoryHigh), ("memory.max", resources.effectiveMemoryMax),
                                                      ("memory.swap.max", resources.memorySwapMax)]
            for (file, value) in settings { if let value { set(file, limit(value, total: memory)) } }
        }
        if controllers.contains("cpu") {
            if let weight = resources.cpuWeight { set("cpu.weight", String(weight)) }
            if resources.cpuIdle { set("cpu.idle", "1") }
            if let perSecond = resources.cpuQuotaPerSecond {
                // systemd: the quota for one period, at least 1 ms.
                let period = resources.cpuQuotaPeriod ?? 100_000
                let (product, overflow) = perSecond.multipliedReportingOverflow(by: period)
                set("cpu.max", "\(overflow ? UInt64.max / 1_000_000 : max(product / 1_000_000, 1000)) \(period)")
            }
        }
        if controllers.contains("io"), let weight = resources.ioWeight { set("io.weight", "default \(weight)") }
        if controllers.contains("pids") {
            // systemd's DefaultTasksMax=15% of the kernel's limit when the unit sets none.
            set("pids.max", limit(resources.tasksMax ?? .share(permyriad: 1500), total: Self.taskLimit()))
        }
    }

    /// The unit's IP firewall, accounting and bind rules as cgroup programs (CgroupPrograms).
    private func attachPrograms(_ path: String, _ setup: CgroupSetup) -> Result<AccountingMaps, CgroupBPF.Failure> {
        let rules = setup.ipRules.filter { !$0.isEmpty }
        let bind = (setup.resources.socketBindAllow, setup.resources.socketBindDeny)
        var maps = AccountingMaps()
        guard abilities.bpf, setup.ipAccounting || !rules.isEmpty || !(bind.0.isEmpty && bind.1.isEmpty) else { return .success(maps) }
        let cgroup = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard cgroup >= 0 else { return .failure(CgroupBPF.Failure(description: "\(path): \(String(cString: strerror(errno)))")) }
        defer { closeDescriptor(cgroup) }
        func release() { maps.ingress.map(closeDescriptor); maps.egress.map(closeDescriptor) }
        if setup.ipAccounting {
            switch (CgroupBPF.accountingMap(), CgroupBPF.accountingMap()) {
            case (.success(let ingress), .success(let egress)): (maps.ingress, maps.egress) = (ingress, egress)
            case (.failure(let failure), let other), (let other, .failure(let failure)):
                if case .success(let fd) = other { closeDescriptor(fd) }
                return .failure(failure)
            }
        }
        var programs: [CgroupPrograms.Program] = []
        do throws(CgroupPrograms.TooLarge) {
            programs += [try CgroupPrograms.firewall(.ingress, rules: rules, accountingMap: maps.ingress),
                         try CgroupPrograms.firewall(.egress, rules: rules, accountingMap: maps.egress)].compactMap { $0 }
            if setup.guardsConnect {
                programs += [try CgroupPrograms.connectGuard(.ipv4, rules: rules),
                             try CgroupPrograms.connectGuard(.ipv6, rules: rules)].compactMap { $0 }
            }
            programs += [try CgroupPrograms.socketBind(.ipv4, allow: bind.0, deny: bind.1),
                         try CgroupPrograms.socketBind(.ipv6, allow: bind.0, deny: bind.1)].compactMap { $0 }
        } catch {
            release()
            return .failure(CgroupBPF.Failure(description: "too many IPAddressAllow=/IPAddressDeny= prefixes for one BPF program"))
        }
        for program in programs {
            if case .failure(let failure) = CgroupBPF.attach(program, to: cgroup) {
                release()
                return .failure(failure)
            }
        }
        return .success(maps)
    }

    /// Enables the controllers wick's cgroup has for the units' cgroups: in wick's cgroup's and
    /// the slice's `cgroup.subtree_control`. A cgroup with processes cannot pass domain
    /// controllers down ("no internal processes"), so wick as PID 1 first moves itself into
    /// `init.scope` beside the slice, as systemd does; otherwise it leaves its cgroup alone.
    /// Returns the controllers the units' cgroups get.
    static func enableControllers(parent: String, slice: String) -> Set<String> {
        let wanted = ["cpu", "io", "memory", "pids"]
        let available = Set((read(parent + "/cgroup.controllers") ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        let offered = wanted.filter(available.contains)
        if offered.isEmpty { return [] }
        func enable(_ directory: String) {
            for controller in offered { _ = write("+" + controller, to: directory + "/cgroup.subtree_control") }
        }
        enable(parent)
        if !Set(words(parent + "/cgroup.subtree_control")).isSuperset(of: offered), getpid() == 1 {
            let scope = parent + "/init.scope"
            if mkdir(scope, 0o755) == 0 || errno == EEXIST, write("0", to: scope + "/cgroup.procs") { enable(parent) }
        }
        enable(slice)
        return Set(words(slice + "/cgroup.subtree_control")).intersection(offered)
    }

    private static func words(_ path: String) -> [String] {
        (read(path) ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }

    private static func read(_ path: String) -> String? {
        (try? FileSystemUnitSource(maximumFileSize: 1 << 20).contents(of: path)).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func number(_ path: String) -> UInt64? {
        read(path).flatMap { $0.split(separator: "\n").first.flatMap { UInt64($0) } }
    }

    /// A `key value` line of a flat-keyed file (cpu.stat, memory.events, cgroup.events), read
    /// when each run ends (at most 1 MiB, by the unit files' reader) and walked in place: split
    /// into arrays of lines and words it cost 10,000 instructions a file, two files a run.
    static func field(_ key: String, of path: String) -> UInt64? {
        guard let bytes = try? FileSystemUnitSource(maximumFileSize: 1 << 20).contents(of: path) else { return nil }
        return field(key, in: bytes[...])
    }

    /// The number of the first line of exactly two words (runs of spaces between them) whose
    /// first word is `key`; nil when there is none, or when that line's second word is not a
    /// decimal number that fits (digits only: the kernel writes no sign).
    static func field(_ key: String, in bytes: ArraySlice<UInt8>) -> UInt64? {
        let key = Array(key.utf8)
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            var lineEnd = lineStart
            while lineEnd < bytes.endIndex && bytes[lineEnd] != newline { lineEnd += 1 }
            // The words of the line: up to three are enough to tell "exactly two".
            var first: Range<Int>?, second: Range<Int>?, third = false
            var index = lineStart
            while index < lineEnd && !third {
                while index < lineEnd && bytes[index] == space { index += 1 }
                guard index < lineEnd else { break }
                let start = index
                while index < lineEnd && bytes[index] != space { index += 1 }
                if first == nil { first = start..<index } else if second == nil { second = start..<index } else { third = true }
            }
            if let first, let second, !third, bytes[first].elementsEqual(key) {
                var value: UInt64 = 0
                for byte in bytes[second] {
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                    let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                    let (sum, carry) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                    guard !overflow, !carry else { return nil }
                    value = sum
                }
                return value
            }
            lineStart = lineEnd + 1
        }
        return nil
    }

    static func field(_ key: String, in bytes: [UInt8]) -> UInt64? { field(key, in: bytes[...]) }

    /// MemTotal of /proc/meminfo, for `MemoryMax=N%`.
    public static func physicalMemory() -> UInt64 {
        for line in (read("/proc/meminfo") ?? "").split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let kilobytes = UInt64(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            return kilobytes.multipliedReportingOverflow(by: 1024).overflow ? .max : kilobytes * 1024
        }
        return .max
    }

    /// systemd's system_tasks_max(): the lowest of kernel.threads-max, kernel.pid_max less one
    /// (pid 0 is no process) and the `pids.max` of the root cgroup, pid 1's without
    /// `/init.scope` (cg_get_root_path()), which has one only inside a cgroup namespace: a
    /// container's pids limit.
    public static func taskLimit() -> UInt64 {
        // TASKS_MAX (4194303, the kernel's PID_MAX_LIMIT less one) stands for what cannot be read.
        let tasksMaximum: UInt64 = 4_194_303
        let pids = number("/proc/sys/kernel/pid_max").map { $0 > 0 ? $0 - 1 : $0 } ?? tasksMaximum
        return min(tasksMaximum, number("/proc/sys/kernel/threads-max") ?? tasksMaximum, pids, rootTasksMax() ?? tasksMaximum)
    }

    private static func rootTasksMax() -> UInt64? {
        guard let mount = unifiedHierarchy()?.mount,
              let line = read("/proc/1/cgroup")?.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
        return tasksMax(rootOf: String(line.dropFirst(3)), mount: mount)
    }

    /// The `pids.max` of the root cgroup for pid 1's cgroup `path` under `mount`: nil when it
    /// has none (the host's root) or it says `max`.
    static func tasksMax(rootOf path: String, mount: String) -> UInt64? {
        var root = Substring(path)
        for suffix in ["/init.scope", "/system.slice", "/system"] where root.hasSuffix(suffix) {
            root = root.dropLast(suffix.utf8.count)
            break
        }
        guard !root.contains("..") else { return nil }
        return number(mount + (root == "/" ? "" : String(root)) + "/pids.max")
    }

    private static func write(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return text.withCString { Glibc.write(fd, $0, strlen($0)) } == text.utf8.count
    }

    /// The unified hierarchy's mount point (from /proc/self/mountinfo, fstype cgroup2) and wick's
    /// cgroup in it (`0::PATH` of /proc/self/cgroup).
    /// Whether `bytes` holds `pattern` anywhere.
    static func contains(_ bytes: ArraySlice<UInt8>, _ pattern: [UInt8]) -> Bool {
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var start = bytes.startIndex
        while let found = bytes[start...].firstIndex(of: first) {
            if bytes[found...].starts(with: pattern) { return true }
            start = found + 1
        }
        return false
    }

    private static func unifiedHierarchy() -> (mount: String, own: String)? {
        let source = FileSystemUnitSource(maximumFileSize: 4 << 20)
        guard let mountinfo = try? source.contents(of: "/proc/self/mountinfo"),
              let cgroup = try? source.contents(of: "/proc/self/cgroup") else { return nil }
        var mount: String?
        // Split as bytes (space and newline are ASCII): split by Character, the mount table of a
        // host cost 680,000 instructions at every start.
        let marker = Array(" - cgroup2 ".utf8)
        for line in mountinfo.split(separator: UInt8(ascii: "\n")) {
            // Only a cgroup2 line is split into its fields (an array per line of the host's
            // mount table cost 150,000 instructions at every start).
            guard Self.contains(line, marker) else { continue }
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
            let fields = line.split(separator: UInt8(ascii: " "))
            guard let separator = fields.firstIndex(where: { $0.elementsEqual("-".utf8) }), separator + 1 < fields.count,
                  fields[separator + 1].elementsEqual("cgroup2".utf8), separator > 4 else { continue }
            if fields[3].elementsEqual("/".utf8) { mount = String(decoding: fields[4], as: UTF8.self); break }
        }
        let own = cgroup.split(separator: UInt8(ascii: "\n")).first { $0.starts(with: "0::".utf8) }
            .map { String(decoding: $0.dropFirst(3), as: UTF8.self) }
        guard let mount, let own, !own.contains("..") else { return nil }
        // The mount point may be covered by another mount (a tmpfs over it): cgroup2's magic.
        var filesystem = statfs()
        guard statfs(mount, &filesystem) == 0, filesystem.f_type == 0x6367_7270 else { return nil }   // CGROUP2_SUPER_MAGIC
        return (mount, own)
    }
}
