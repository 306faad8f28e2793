import Testing
import WickCore
import WickUnits

/// What `wick verify` and the daemon say a host cannot enforce (ResourceSupport).
@Suite struct ResourceSupportTests {
    static var exec: ExecContext {
        var exec = ExecContext()
        exec.resources.memoryMax = .absolute(1 << 30)
        exec.resources.tasksMax = .absolute(10)
        exec.resources.socketBindDeny = [SocketBindRule()]
        exec.ipAddressDeny = IPAddressPrefix.named["any"]!
        exec.ipAccounting = true
        return exec
    }

    @Test func withoutCgroupsEverythingIsReported() {
        let reports = ResourceSupport.unenforced(Self.exec, isService: true, abilities: .none)
        #expect(reports.map(\.directive) == ["MemoryMax", "TasksMax", "SocketBindDeny", "IPAddressDeny", "IPAccounting"])
        #expect(reports[0].message == "MemoryMax= is not enforced: wick has no writable cgroup v2 hierarchy")
        #expect(reports[3].message.hasPrefix("IPAddressDeny= is partly applied: traffic to the sockets wick passes is filtered"))
    }

    @Test func onlyTheMissingControllerIsReported() {
        let abilities = CgroupAbilities(hierarchy: true, controllers: ["pids"], bpf: true)
        let reports = ResourceSupport.unenforced(Self.exec, isService: true, abilities: abilities)
        #expect(reports.map(\.message) == ["MemoryMax= is not enforced: the 'memory' controller is not enabled in wick's cgroup (its parent did not delegate it)"])
        let everything = CgroupAbilities(hierarchy: true, controllers: ["memory", "pids", "cpu", "io"], bpf: true)
        #expect(ResourceSupport.unenforced(Self.exec, isService: true, abilities: everything).isEmpty)
    }

    @Test func aSocketUnitsLimitsAreNotApplied() {
        let everything = CgroupAbilities(hierarchy: true, controllers: ["memory", "pids", "cpu", "io"], bpf: true)
        let reports = ResourceSupport.unenforced(Self.exec, isService: false, abilities: everything)
        #expect(reports.map(\.directive) == ["MemoryMax", "TasksMax", "SocketBindDeny"], "IP rules and accounting do apply to a socket unit")
    }

    /// The instances of an Accept=yes socket stay in wick's cgroup: their limits, bind rules
    /// and own traffic are reported; IPAccounting= is not (the socket unit counts the connection).
    @Test func acceptInstancesAreReportedWhateverTheHost() {
        let everything = CgroupAbilities(hierarchy: true, controllers: ["memory", "pids", "cpu", "io"], bpf: true)
        let reports = ResourceSupport.unenforced(Self.exec, isService: true, acceptInstance: true, abilities: everything)
        #expect(reports.map(\.directive) == ["MemoryMax", "TasksMax", "SocketBindDeny", "IPAddressDeny"])
        #expect(reports[0].message == "MemoryMax= is not enforced: the instances of an Accept=yes socket run in wick's cgroup, not one of their own")
    }
}
