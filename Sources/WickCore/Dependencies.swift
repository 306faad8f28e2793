import WickUnits

/// The requirement relations between the loaded units (systemd.unit(5)), looked up both ways.
/// Ordering is `UnitGraph`'s.
struct Dependencies: Sendable {
    private var sections: [UnitID: UnitSection] = [:]
    /// Units that follow `unit` on an explicit stop or restart: those that `Requires=`,
    /// `BindsTo=` or are `PartOf=` it (systemd's `UNIT_ATOM_PROPAGATE_STOP`/`_RESTART`).
    private var stoppedWith: [UnitID: Set<UnitID>] = [:]
    /// Units whose start jobs fail with `dependency` when `unit`'s start job fails: those with
    /// `Requires=`, `BindsTo=` or `Requisite=` on it (`UNIT_ATOM_PROPAGATE_START_FAILURE`).
    private var requiredBy: [UnitID: Set<UnitID>] = [:]
    /// Units that stop whenever `unit` becomes inactive, for any reason (`BindsTo=`).
    private var boundBy: [UnitID: Set<UnitID>] = [:]
    /// `Conflicts=`, both ways.
    private var conflicts: [UnitID: Set<UnitID>] = [:]

    init(units: [LoadedUnit]) {
        for unit in units {
            let name = UnitID(unit.name.name), section = unit.settings.unit
            sections[name] = section
            for other in section.requires + section.bindsTo + section.partOf { stoppedWith[UnitID(other), default: []].insert(name) }
            for other in section.requires + section.bindsTo + section.requisite { requiredBy[UnitID(other), default: []].insert(name) }
            for other in section.bindsTo { boundBy[UnitID(other), default: []].insert(name) }
            for other in section.conflicts.map({ UnitID($0) }) {
                conflicts[name, default: []].insert(other)
                conflicts[other, default: []].insert(name)
            }
        }
    }

    func section(_ unit: UnitID) -> UnitSection? { sections[unit] }

    /// What a start job of `unit` pulls in (one systemd transaction): `Requires=`, `BindsTo=` and
    /// `Wants=` units are started too.
    func pulled(by unit: UnitID) -> [UnitID] {
        guard let section = sections[unit] else { return [] }
        return (section.requires + section.bindsTo + section.wants).map { UnitID($0) }
    }

    func onFailure(of unit: UnitID) -> [UnitID] { sections[unit]?.onFailure.map { UnitID($0) } ?? [] }
    func stoppedWith(_ unit: UnitID) -> [UnitID] { Self.ordered(stoppedWith[unit]) }
    func requiredBy(_ unit: UnitID) -> [UnitID] { Self.ordered(requiredBy[unit]) }
    func boundBy(_ unit: UnitID) -> [UnitID] { Self.ordered(boundBy[unit]) }
    func conflicts(of unit: UnitID) -> [UnitID] { Self.ordered(conflicts[unit]) }

    /// The names by name; none without allocating (most units have none, and every transition
    /// asks).
    private static func ordered(_ names: Set<UnitID>?) -> [UnitID] {
        guard let names, !names.isEmpty else { return [] }
        return names.sorted()
    }
}
