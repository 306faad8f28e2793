import WickControl
import WickCore
import WickUnits

/// What systemctl derives about units beyond their own state: the unit file state, the
/// dependencies systemd adds by itself, and the dependency tree of `list-dependencies`.
extension Daemon {
    /// `UnitFileState=`: read from the links in search-path mode (`UnitFiles`, as `systemctl
    /// is-enabled`). Under `--units` there is no enable step: the units the drop-in rule starts
    /// are `enabled`, the others `static` or, with an `[Install]` section, `disabled`.
    func unitFileState(_ name: String) -> String {
        if let searchPath = configuration.searchPath {
            return UnitFiles(searchPath: searchPath, loader: port.loader).state(of: name, install: port.units[UnitID(name)]?.settings.install)?.rawValue ?? ""
        }
        let id = UnitID(name)
        guard let loaded = port.units[id] else { return "" }
        if loaded.loadState == .masked { return UnitFileState.masked.rawValue }
        if manager.sockets.contains(id) || manager.bootServices.contains(id) { return UnitFileState.enabled.rawValue }
        let install = loaded.settings.install
        return (install.wantedBy.isEmpty && install.requiredBy.isEmpty && install.alias.isEmpty ? UnitFileState.static : .disabled).rawValue
    }

    /// systemd's default and implicit dependencies (systemd.socket(5), systemd.service(5)
    /// "Implicit Dependencies", "Default Dependencies"): a socket is ordered before the service it
    /// triggers, sockets.target and shutdown.target and after sysinit.target; a service after its
    /// sockets, sysinit.target and basic.target; both conflict with shutdown.target; a unit wanted
    /// by a target is ordered before it.
    func implicitDependencies(_ loaded: LoadedUnit) -> (after: [String], before: [String], requires: [String], conflicts: [String]) {
        let name = loaded.id
        var after: [String] = [], before: [String] = []
        if loaded.isSocket, let service = manager.serviceOfSocket[name]?.name ?? loaded.activatedServiceName { before.append(service) }
        if loaded.isService { after += (manager.socketsOfService[name] ?? []).map(\.name) }
        guard loaded.settings.unit.defaultDependencies else { return (after, before, [], []) }
        after.append("sysinit.target")
        if loaded.isService { after.append("basic.target") }
        if loaded.isSocket { before.append("sockets.target") }
        before += (loaded.settings.install.wantedBy + loaded.settings.install.requiredBy).filter { $0.hasSuffix(".target") }
        before.append("shutdown.target")
        return (after, before, ["sysinit.target"], ["shutdown.target"])
    }

    /// `list-dependencies UNIT...`: the trees below the units (or above them with `reverse`),
    /// each node with its active state, at most `dependencyTreeBudget` nodes per answer.
    func dependencyTrees(_ roots: [String], reverse: Bool) -> [DependencyNode] {
        let loaded = Array(port.units.values)
        let members = configuration.searchPath == nil
            ? loaded.filter { manager.sockets.contains($0.id) || manager.services.contains($0.id) } : nil
        let index = DependencyIndex(units: loaded, links: port.loader.dependencyLinks, targetMembers: members, resolve: { resolve($0).name })
        var budget = Self.dependencyTreeBudget
        return roots.map { encode(index.tree($0, reverse: reverse, budget: &budget)) }
    }

    private func encode(_ node: DependencyIndex.Node) -> DependencyNode {
        DependencyNode(unit: node.unit, active: activeState(node.unit), children: node.children.map(encode))
    }

    /// The most nodes `list-dependencies` answers with.
    static let dependencyTreeBudget = 5000

    private func activeState(_ name: String) -> String {
        let id = UnitID(name)
        if let socket = manager.sockets[id] { return socket.state.activeState }
        if let service = manager.services[id] { return service.state.activeState }
        // A target is active once wick runs: systemd reaches sockets.target and the boot targets.
        return name.hasSuffix(".target") ? "active" : "inactive"
    }
}
