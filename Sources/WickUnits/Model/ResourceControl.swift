/// The cgroup settings of a unit (systemd.resource-control(5), systemd's `CGroupContext`), valid in
/// `[Service]` and `[Socket]`. Applied where wick has a writable cgroup v2 hierarchy with the
/// controller enabled; reported as not enforced otherwise (WickCore `ResourceSupport`).
public struct ResourceControl: Hashable, Sendable {
    public var memoryMin: CgroupLimit?
    public var memoryLow: CgroupLimit?
    public var memoryHigh: CgroupLimit?
    public var memoryMax: CgroupLimit?
    public var memorySwapMax: CgroupLimit?
    /// `MemoryLimit=` (cgroup v1, deprecated): systemd uses it as `MemoryMax=` on the unified
    /// hierarchy when no other memory limit is set.
    public var memoryLimit: CgroupLimit?
    /// `CPUWeight=` 1-10000 (`CPUShares=` converted as systemd's `cgroup_cpu_shares_to_weight()`);
    /// `cpuIdle` for `CPUWeight=idle`.
    public var cpuWeight: UInt64?
    public var cpuIdle = false
    /// `CPUQuota=` as microseconds of CPU time per second (`20%` is 200,000).
    public var cpuQuotaPerSecond: UInt64?
    /// `CPUQuotaPeriodSec=` in microseconds; nil is the kernel's 100 ms.
    public var cpuQuotaPeriod: UInt64?
    /// `IOWeight=` 1-10000.
    public var ioWeight: UInt64?
    /// `TasksMax=`; nil is systemd's `DefaultTasksMax=15%`.
    public var tasksMax: CgroupLimit?
    public var socketBindAllow: [SocketBindRule] = []
    public var socketBindDeny: [SocketBindRule] = []

    public init() {}

    /// The memory settings of the unified hierarchy, `MemoryLimit=` standing in for `MemoryMax=`.
    public var effectiveMemoryMax: CgroupLimit? {
        memoryMax ?? (memoryMin == nil && memoryLow == nil && memoryHigh == nil && memorySwapMax == nil ? memoryLimit : nil)
    }

    /// The directives set, each with the cgroup controller it needs, in systemd's order.
    public var controllerSettings: [(directive: String, controller: String)] {
        var set: [(String, String)] = []
        for (directive, value) in [("MemoryMin", memoryMin), ("MemoryLow", memoryLow), ("MemoryHigh", memoryHigh),
                                   ("MemoryMax", memoryMax), ("MemorySwapMax", memorySwapMax), ("MemoryLimit", memoryLimit)] where value != nil {
            set.append((directive, "memory"))
        }
        if cpuWeight != nil || cpuIdle { set.append(("CPUWeight", "cpu")) }
        if cpuQuotaPerSecond != nil { set.append(("CPUQuota", "cpu")) }
        if ioWeight != nil { set.append(("IOWeight", "io")) }
        if tasksMax != nil { set.append(("TasksMax", "pids")) }
        return set
    }
}
