import Testing
@testable import WickCore
import WickUnits

/// What the daemon starts by itself (`Manager.bootUnits`), the unit timestamps systemctl and
/// systemd-analyze read, and the list-dependencies index.
@Suite struct BootSelectionTests {
    static let files = [
        "on.socket": "[Socket]\nListenStream=8080\n",
        "off.socket": "[Socket]\nListenStream=8081\n",
        "job.service": "[Service]\nExecStart=/bin/job\n[Install]\nWantedBy=multi-user.target\n",
        "worker.service": "[Service]\nExecStart=/bin/worker\n",
        "on.service": "[Service]\nExecStart=/bin/on\n", "off.service": "[Service]\nExecStart=/bin/off\n",
        "new.service": "[Service]\nExecStart=/bin/new\n", "other.service": "[Service]\nExecStart=/bin/other\n",
    ]

    @Test func theDropInRuleStartsEverySocketAndTheWantedServices() {
        var port = FakePort()
        var manager = Manager(units: units(Self.files))
        manager.startAll(now: .seconds(0), port: &port)
        #expect(manager.sockets["on.socket"]?.state == .listening && manager.sockets["off.socket"]?.state == .listening)
        #expect(manager.bootServices == ["job.service"])
    }

    @Test func searchPathModeStartsOnlyTheEnabledUnitsAndAReloadAddsNewlyEnabledSockets() {
        var port = FakePort()
        var manager = Manager(units: units(Self.files), bootUnits: ["on.socket", "worker.service"])
        manager.startAll(now: .seconds(0), port: &port)
        #expect(manager.sockets["on.socket"]?.state == .listening)
        #expect(manager.bootServices == ["worker.service"], "job.service's WantedBy= says nothing until it is enabled")
        #expect(manager.services["worker.service"]?.state == .running && manager.services["job.service"]?.state == .dead)
        #expect(manager.sockets["off.socket"]?.state == .dead)
        var more = Self.files
        more["new.socket"] = "[Socket]\nListenStream=8082\n"
        more["other.socket"] = "[Socket]\nListenStream=8083\n"
        _ = manager.reload(units: units(more), aliases: [:], bootUnits: ["on.socket", "worker.service", "new.socket"], now: .seconds(1), port: &port)
        #expect(manager.sockets["new.socket"]?.state == .listening && manager.sockets["other.socket"]?.state == .dead,
                "a new enabled socket listens, a new disabled one waits")
        #expect(manager.sockets["off.socket"]?.state == .dead)
    }

    @Test func timestampsFollowSystemdsUnitNotify() {
        var stamps = UnitTimestamps()
        stamps.record(from: "inactive", to: "activating", now: .seconds(1))
        stamps.record(from: "activating", to: "active", now: .seconds(2))
        stamps.record(from: "active", to: "active", now: .seconds(3))
        #expect(stamps.inactiveExit == .seconds(1) && stamps.activeEnter == .seconds(2) && stamps.stateChange == .seconds(2))
        stamps.record(from: "active", to: "deactivating", now: .seconds(4))
        stamps.record(from: "deactivating", to: "failed", now: .seconds(5))
        #expect(stamps.activeExit == .seconds(4) && stamps.inactiveEnter == .seconds(5) && stamps.activeEnter == .seconds(2))
    }

    @Test func theDependencyIndexIsBoundedAndGoesBothWays() {
        let loaded = units([
            "a.service": "[Unit]\nWants=b.service\nRequires=c.service\n[Service]\nExecStart=/a\n[Install]\nWantedBy=multi-user.target\n",
            "b.service": "[Unit]\nWants=a.service\n[Service]\nExecStart=/b\n",
            "c.service": "[Service]\nExecStart=/c\n",
        ])
        let links = [DependencyLink(directory: "/etc/systemd/system", owner: "sockets.target", kind: .wants, unit: "s.socket", target: nil)]
        let index = DependencyIndex(units: loaded, links: links, targetMembers: loaded, resolve: { $0 })
        #expect(index.pulls["multi-user.target"] == ["a.service", "basic.target"])
        #expect(index.pulledBy["a.service"] == ["b.service", "multi-user.target"])
        var budget = 100
        let tree = index.tree("default.target", reverse: false, budget: &budget)
        #expect(tree.children.map(\.unit) == ["multi-user.target"])
        let a = tree.children[0].children[0]
        #expect(a.unit == "a.service" && a.children.map(\.unit) == ["b.service", "c.service"])
        #expect(a.children[0].children.map(\.unit) == ["a.service"] && a.children[0].children[0].children.isEmpty, "a cycle ends the branch")
        var small = 3
        #expect(index.tree("default.target", reverse: false, budget: &small).children[0].children.count == 1, "the budget cuts the tree")
        var search = 100
        let noMembers = DependencyIndex(units: loaded, links: links, targetMembers: nil, resolve: { $0 })
        #expect(noMembers.tree("sockets.target", reverse: false, budget: &search).children.map(\.unit) == ["s.socket"])
        #expect(noMembers.pulls["multi-user.target"] == ["basic.target"], "search-path mode: only links make members")
    }
}
