/// Every directive wick knows, by section; `Condition*=`/`Assert*=` are generated from
/// `UnitCondition.allChecks`.
enum DirectiveTable {
    /// `[Unit]`: its own directives, then `Condition*=` and `Assert*=` by their check's name (a
    /// table entry for each of the 66 cost 90,000 instructions at every start).
    static func unit(_ key: String) -> Directive? {
        if let make = UnitDirectives.unit[key] { return make() }
        for (prefix, assert) in [("Condition", false), ("Assert", true)] where key.hasPrefix(prefix) {
            let check = String(key.dropFirst(prefix.count))
            if UnitCondition.allChecks.contains(check) { return UnitDirectives.condition(check, assert: assert) }
        }
        return nil
    }

    /// Whether a unit of `type` has `section` (`socket` and `service` units their own; every
    /// type `[Unit]` and `[Install]`).
    static func hasSection(_ section: String, unitType: String) -> Bool {
        switch (section, unitType) {
        case ("Unit", _), ("Install", _), ("Socket", "socket"), ("Service", "service"): return true
        default: return false
        }
    }

    /// The directive `key` of `section` in a unit of `type`, nil when the section or the key is
    /// unknown. `[Service]` and `[Socket]` have their own directives, then systemd.kill(5)'s and
    /// systemd.exec(5)'s (with systemd.resource-control(5)'s) on their execution context.
    static func directive(_ key: String, section: String, unitType: String) -> Directive? {
        switch (section, unitType) {
        case ("Unit", _): return unit(key)
        case ("Install", _): return UnitDirectives.install[key]?()
        case ("Socket", "socket"): return SocketDirectives.table[key] ?? ExecDirectives.directive(key, \.socket.exec, kill: \.socket.kill)
        case ("Service", "service"): return ServiceDirectives.table[key] ?? ExecDirectives.directive(key, \.service.exec, kill: \.service.kill)
        default: return nil
        }
    }

    /// Why an unknown key is ignored; one systemd reads only in `[Unit]` says so.
    static func unknownReason(_ key: String, section: String) -> String {
        let placement = section != "Unit" && unit(key) != nil ? " (systemd reads it in [Unit] only)" : ""
        return "unknown directive \(key)= in section [\(section)], ignoring it" + placement
    }

    /// Sections systemd knows for its other unit types: reported as misplaced, not unknown.
    static let otherSystemdSections: Set<String> = [
        "Socket", "Service", "Timer", "Mount", "Automount", "Swap", "Path", "Slice", "Scope",
    ]
}
