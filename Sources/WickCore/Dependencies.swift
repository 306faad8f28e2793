import WickUnits

/// The requirement relations between the loaded units (systemd.unit(5)), looked up both ways.
/// Ordering is `UnitGraph`'s.
struct Dependencies: Sendable {
    private var sections: [String: UnitSection] = [:]
    /// Units that follow `unit` on an explicit stop or restart: those that `Requires=`,
    /// `BindsTo=` or are `PartOf=` it (systemd's `UNIT_ATOM_PROPAGATE_STOP`/`_RESTART`).
    private var stoppedWith: [String: Set<String>] = [:]
    /// Units whose start jobs fail with `dependency` when `unit`'s start job fails: those with
    /// `Requires=`, `BindsTo=` or `Requisite=` on it (`UNIT_ATOM_PROPAGATE_START_FAILURE`).
    private var requiredBy: [String: Set<String>] = [:]
    /// Units that stop whenever `unit` becomes inactive, for any reason (`BindsTo=`).
    private var boundBy: [String: Set<String>] = [:]
    /// `Conflicts=`, both ways.
    private var conflicts: [String: Set<String>] = [:]

    init(units: [LoadedUnit]) {
        for unit in units {
            let name = unit.name.name, section = unit.settings.unit
            sections[name] = section
            for other in section.requires + section.bindsTo + section.partOf { stoppedWith[other, default: []].insert(name) }
            for other in section.requires + section.bindsTo + section.requisite { requiredBy[other, default: []].insert(name) }
            for other in section.bindsTo { boundBy[other, default: []].insert(name) }
            for other in section.conflicts {
                conflicts[name, default: []].insert(other)
                conflicts[other, default: []].insert(name)
            }
        }
    }

    func section(_ unit: String) -> UnitSection? { sections[unit] }

    /// What a start job of `unit` pulls in (one systemd transaction): `Requires=`, `BindsTo=` and
    /// `Wants=` units are started too.
    func pulled(by unit: String) -> [String] {
        guard let section = sections[unit] else { return [] }
        return section.requires + section.bindsTo + section.wants
    }

    func onFailure(of unit: String) -> [String] { sections[unit]?.onFailure ?? [] }
    func stoppedWith(_ unit: String) -> [String] { Self.ordered(stoppedWith[unit]) }
    func requiredBy(_ unit: String) -> [String] { Self.ordered(requiredBy[unit]) }
    func boundBy(_ unit: String) -> [String] { Self.ordered(boundBy[unit]) }
    func conflicts(of unit: String) -> [String] { Self.ordered(conflicts[unit]) }

    /// The names by name; none without allocating (most units have none, and every transition
    /// asks).
    private static func ordered(_ names: Set<String>?) -> [String] {
        guard let names, !names.isEmpty else { return [] }
        return names.sorted()
    }
}
