/// The instances loaded units name: systemd loads every unit another one names in a dependency
/// (unit_add_dependency_by_name() → manager_load_unit()), and an instance without a file of its
/// own comes from its template (`Wants=rdma-load-modules@rdma.service`, a template socket's
/// `BindsTo=cockpit-wsinstance-https@%i.service`). wick runs services and sockets, so those are
/// the ones loaded here: named by the requirement dependencies (the ones that start or stop a
/// unit, and `OnFailure=`/`OnSuccess=`) and by a socket as its service.
extension UnitDirectoryLoader {
    /// The instances `units` name, and those they name in turn, that are not `known`, loaded;
    /// at most `limit` (a template naming `%i%i` instances would otherwise go on to the name's
    /// length limit). One whose template is missing is left out, as a missing unit is.
    public func loadNamedInstances(of units: [LoadedUnit], known: Set<String>, limit: Int = 4096) -> [LoadedUnit] {
        var seen = known
        var pending = units
        var loaded: [LoadedUnit] = []
        while let unit = pending.popLast(), loaded.count < limit {
            for name in Self.namedInstances(of: unit) where loaded.count < limit && seen.insert(name).inserted {
                let instance = load(name)
                guard instance.loadState != .notFound else { continue }
                loaded.append(instance)
                pending.append(instance)
            }
        }
        return loaded
    }

    static func namedInstances(of unit: LoadedUnit) -> [String] {
        // A template is not a unit: what it names with `%i` exists only for its instances.
        guard !unit.name.isTemplate else { return [] }
        let section = unit.settings.unit
        var names = section.wants + section.requires + section.requisite + section.bindsTo + section.partOf + section.upholds
            + section.onFailure + section.onSuccess
        if let service = unit.activatedServiceName { names.append(service) }
        return names.filter { name in
            guard let parsed = try? UnitName(name) else { return false }
            return parsed.isInstance && (parsed.type == "service" || parsed.type == "socket")
        }
    }
}
