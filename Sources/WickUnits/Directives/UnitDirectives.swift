/// `[Unit]` and `[Install]` (systemd.unit(5)).
enum UnitDirectives {
    nonisolated(unsafe) static let unit: [String: () -> Directive] = [
        "Description": { .text(\.unit.description) },
        "Documentation": { .words(\.unit.documentation) },
        "Requires": { .unitNames(\.unit.requires) },
        "Requisite": { .unitNames(\.unit.requisite) },
        "Wants": { .unitNames(\.unit.wants) },
        "BindsTo": { .unitNames(\.unit.bindsTo) },
        // systemd 252's older spellings (load-fragment-gperf.gperf.in), same meaning.
        "BindTo": { .unitNames(\.unit.bindsTo) },
        // config_parse_obsolete_unit_deps(): read as Requires=/Requisite=, with a warning.
        "RequiresOverridable": { Directive.unitNames(\.unit.requires).with(.notEnforced("obsolete: read as Requires=, as systemd does")) },
        "RequisiteOverridable": { Directive.unitNames(\.unit.requisite).with(.notEnforced("obsolete: read as Requisite=, as systemd does")) },
        "PartOf": { .unitNames(\.unit.partOf) },
        "Upholds": { .unitNames(\.unit.upholds) },
        "Conflicts": { .unitNames(\.unit.conflicts) },
        "Before": { .unitNames(\.unit.before) },
        "After": { .unitNames(\.unit.after) },
        "OnFailure": { .unitNames(\.unit.onFailure) },
        "OnSuccess": { .unitNames(\.unit.onSuccess) },
        "PropagatesReloadTo": { .unitNames(\.unit.propagatesReloadTo) },
        "ReloadPropagatedFrom": { .unitNames(\.unit.reloadPropagatedFrom) },
        "PropagateReloadTo": { .unitNames(\.unit.propagatesReloadTo) },
        "PropagateReloadFrom": { .unitNames(\.unit.reloadPropagatedFrom) },
        "JoinsNamespaceOf": { Directive.unitNames(\.unit.joinsNamespaceOf) },
        "RequiresMountsFor": { Directive.paths(\.unit.requiresMountsFor).with(.notEnforced(
            "not enforced: wick manages no mounts; the paths are assumed to be mounted")) },
        "DefaultDependencies": { .boolean(\.unit.defaultDependencies) },
        "StopWhenUnneeded": { Directive.boolean(\.unit.stopWhenUnneeded).with(NotEnforced.jobs) },
        "RefuseManualStart": { Directive.boolean(\.unit.refuseManualStart).with(NotEnforced.jobs) },
        "RefuseManualStop": { Directive.boolean(\.unit.refuseManualStop).with(NotEnforced.jobs) },
        "IgnoreOnIsolate": { Directive.boolean(\.unit.ignoreOnIsolate).with(NotEnforced.jobs) },
        "AllowIsolate": { Directive(NotEnforced.jobs) { _, value, _ throws(ValueError) in _ = try Boolean.parse(value) } },
        "JobTimeoutSec": { Directive.time(\.unit.jobTimeout).with(NotEnforced.jobs) },
        "StartLimitIntervalSec": { .time(\.unit.startLimitInterval) },
        "StartLimitInterval": { .time(\.unit.startLimitInterval) },
        "StartLimitBurst": { .count(\.unit.startLimitBurst) },
        "StartLimitAction": { Directive.emergencyAction(\.unit.startLimitAction).with(NotEnforced.actions) },
        "FailureAction": { Directive.emergencyAction(\.unit.failureAction).with(NotEnforced.actions) },
        "SuccessAction": { Directive.emergencyAction(\.unit.successAction).with(NotEnforced.actions) },
    ].merging([
        "SourcePath", "PropagatesStopTo", "StopPropagatedFrom",
        "OnSuccessJobMode", "OnFailureJobMode", "OnFailureIsolate", "IgnoreOnSnapshot", "JobRunningTimeoutSec",
        "JobTimeoutAction", "JobTimeoutRebootArgument", "FailureActionExitStatus", "SuccessActionExitStatus",
        "RebootArgument", "CollectMode",
    ].map { ($0, { Directive.unsupported }) }) { known, _ in known }

    nonisolated(unsafe) static let install: [String: () -> Directive] = [
        "WantedBy": { .unitNames(\.install.wantedBy) },
        "RequiredBy": { .unitNames(\.install.requiredBy) },
        "Alias": { .unitNames(\.install.alias) },
        "Also": { .unitNames(\.install.also) },
        "DefaultInstance": { .optionalText(\.install.defaultInstance) },
    ]

    /// `Condition*=`/`Assert*=`: `|` marks a triggering condition, `!` negates; the empty
    /// assignment resets all conditions (or asserts) so far.
    static func condition(_ check: String, assert: Bool) -> Directive {
        let keyPath: WritableKeyPath<UnitSettings, [UnitCondition]> = assert ? \.unit.asserts : \.unit.conditions
        let support = UnitCondition.pathChecks.contains(check) ? DirectiveSupport.supported : NotEnforced.conditions
        return Directive(support) { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            var rest = Substring(value)
            let triggering = rest.first == "|"
            if triggering { rest = rest.dropFirst().drop { $0 == " " } }
            let negated = rest.first == "!"
            if negated { rest = rest.dropFirst().drop { $0 == " " } }
            var operand = try resolver.expand(String(rest))
            if UnitCondition.pathChecks.contains(check) {
                operand = try ListenSpec.absolutePath(operand)
            }
            Directive.append([UnitCondition(check: check, value: operand, negated: negated, triggering: triggering)], to: &settings, at: keyPath)
        }
    }
}
