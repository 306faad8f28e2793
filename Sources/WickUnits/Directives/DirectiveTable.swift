/// Every directive wick knows, by section; `Condition*=`/`Assert*=` are generated from
/// `UnitCondition.allChecks`.
enum DirectiveTable {
    nonisolated(unsafe) static let unit: [String: Directive] = {
        var table = UnitDirectives.unit
        for check in UnitCondition.allChecks {
            table["Condition" + check] = UnitDirectives.condition(check, assert: false)
            table["Assert" + check] = UnitDirectives.condition(check, assert: true)
        }
        return table
    }()

    /// The directives of `section` in a unit of `type` (`socket`, `service`, or another type,
    /// which gets `[Unit]` and `[Install]` only).
    static func directives(section: String, unitType: String) -> [String: Directive]? {
        switch (section, unitType) {
        case ("Unit", _): return unit
        case ("Install", _): return UnitDirectives.install
        case ("Socket", "socket"): return SocketDirectives.table
        case ("Service", "service"): return ServiceDirectives.table
        default: return nil
        }
    }

    /// Sections systemd knows for its other unit types: reported as misplaced, not unknown.
    static let otherSystemdSections: Set<String> = [
        "Socket", "Service", "Timer", "Mount", "Automount", "Swap", "Path", "Slice", "Scope",
    ]
}
