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
            return UnitFiles(searchPath: searchPath, loader: port.loader).state(of: name)?.rawValue ?? ""
        }
        guard let loaded = port.units[name] else { return "" }
        if loaded.loadState == .masked { return UnitFileState.masked.rawValue }
        if manager.sockets[name] != nil || manager.bootServices.contains(name) { return UnitFileState.enabled.rawValue }
        let install = loaded.settings.install
        return (install.wantedBy.isEmpty && install.requiredBy.isEmpty && install.alias.isEmpty ? UnitFileState.static : .disabled).rawValue
    }

    /// systemd's default and implicit dependencies (systemd.socket(5), systemd.service(5)
    /// "Implicit Dependencies", "Default Dependencies"): a socket is ordered before the service it
    /// triggers, sockets.target and shutdown.target and after sysinit.target; a service after its
    /// sockets, sysinit.target and basic.target; both conflict with shutdown.target; a unit wanted
    /// by a target is ordered before it.
    func implicitDependencies(_ loaded: LoadedUnit) -> (after: [String], before: [String], requires: [String], conflicts: [String]) {
        let name = loaded.name.name
        var after: [String] = [], before: [String] = []
        if loaded.isSocket, let service = manager.serviceOfSocket[name] ?? loaded.activatedServiceName { before.append(service) }
        if loaded.isService { after += manager.socketsOfService[name] ?? [] }
        guard loaded.settings.unit.defaultDependencies else { return (after, before, [], []) }
        after.append("sysinit.target")
        if loaded.isService { after.append("basic.target") }
        if loaded.isSocket { before.append("sockets.target") }
        before += (loaded.settings.install.wantedBy + loaded.settings.install.requiredBy).filter { $0.hasSuffix(".target") }
        before.append("shutdown.target")
        return (after, before, ["sysinit.target"], ["shutdown.target"])
    }

    /// `list-dependencies UNIT`: what the unit pulls in (Requires=, Requisite=, Wants=, BindsTo=
    /// and the `.wants/` links), or with `reverse` what pulls it in, recursively. A target wick
    /// does not run still has members: the units enabled into it.
    /// `budget` bounds the nodes of one answer: shared dependencies repeat in every branch, and
    /// unit files that all want each other would otherwise hold PID 1's loop for an exponential
    /// tree (a branch past the budget is left without children).
    func dependencyTree(_ name: String, reverse: Bool, path: [String], budget: inout Int) -> JSONValue {
        var members: [(String, JSONValue)] = [("unit", .string(name)), ("active", .string(activeState(name)))]
        budget -= 1
        guard !path.contains(name), path.count < 32, budget > 0 else { return .object(members) }
        var children: [JSONValue] = []
        for child in reverse ? dependents(of: name) : pulledIn(by: name) where budget > 0 {
            children.append(dependencyTree(child, reverse: reverse, path: path + [name], budget: &budget))
        }
        members.append(("children", .array(children)))
        return .object(members)
    }

    /// The most nodes `list-dependencies` answers with.
    static let dependencyTreeBudget = 5000

    private func activeState(_ name: String) -> String {
        if let socket = manager.sockets[name] { return socket.state.activeState }
        if let service = manager.services[name] { return service.state.activeState }
        // A target is active once wick runs: systemd reaches sockets.target and the boot targets.
        return name.hasSuffix(".target") ? "active" : "inactive"
    }

    private func pulledIn(by name: String) -> [String] {
        var list: [String] = []
        if let unit = port.units[name]?.settings.unit { list += unit.requires + unit.requisite + unit.wants + unit.bindsTo }
        if name.hasSuffix(".target") {
            list += port.loader.dependencyLinks.filter { $0.owner == name }.map(\.unit)
            if configuration.searchPath == nil {
                // The drop-in rule: the units whose [Install] names the target are in it.
                list += port.units.values.filter { unit in
                    (unit.settings.install.wantedBy + unit.settings.install.requiredBy).contains(name)
                        && (manager.sockets[unit.name.name] != nil || manager.services[unit.name.name] != nil)
                }.map(\.name.name)
            }
            if name == "default.target" { list.append("multi-user.target") }
            if name == "multi-user.target" { list.append("basic.target") }
            if name == "basic.target" { list.append("sockets.target") }
        }
        var seen: Set<String> = []
        return list.map(resolve).filter { seen.insert($0).inserted }.sorted { ($0.hasSuffix(".target") ? 1 : 0, $0) < ($1.hasSuffix(".target") ? 1 : 0, $1) }
    }

    private func dependents(of name: String) -> [String] {
        var list = port.units.values.filter { unit in
            let section = unit.settings.unit
            return (section.requires + section.requisite + section.wants + section.bindsTo).map(resolve).contains(name)
        }.map(\.name.name)
        if let loaded = port.units[name] {
            list += loaded.settings.install.wantedBy + loaded.settings.install.requiredBy
        }
        list += port.loader.dependencyLinks.filter { $0.unit == name }.map(\.owner)
        var seen: Set<String> = []
        return list.filter { seen.insert($0).inserted }.sorted()
    }
}
