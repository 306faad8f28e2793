// One accessor per field of UnitSectionFields (written by a script from its declarations), so
// that `unit.after` and the directive tables' key paths (`\UnitSection.after`) work as on stored
// properties. A field added there gets its line here.
extension UnitSection {
    public var description: String { get { fields.value.description } _modify { yield &fields.value.description } }
    public var documentation: [String] { get { fields.value.documentation } _modify { yield &fields.value.documentation } }
    public var requires: [String] { get { fields.value.requires } _modify { yield &fields.value.requires } }
    public var requisite: [String] { get { fields.value.requisite } _modify { yield &fields.value.requisite } }
    public var wants: [String] { get { fields.value.wants } _modify { yield &fields.value.wants } }
    public var bindsTo: [String] { get { fields.value.bindsTo } _modify { yield &fields.value.bindsTo } }
    public var partOf: [String] { get { fields.value.partOf } _modify { yield &fields.value.partOf } }
    public var upholds: [String] { get { fields.value.upholds } _modify { yield &fields.value.upholds } }
    public var conflicts: [String] { get { fields.value.conflicts } _modify { yield &fields.value.conflicts } }
    public var before: [String] { get { fields.value.before } _modify { yield &fields.value.before } }
    public var after: [String] { get { fields.value.after } _modify { yield &fields.value.after } }
    public var onFailure: [String] { get { fields.value.onFailure } _modify { yield &fields.value.onFailure } }
    public var onSuccess: [String] { get { fields.value.onSuccess } _modify { yield &fields.value.onSuccess } }
    public var propagatesReloadTo: [String] { get { fields.value.propagatesReloadTo } _modify { yield &fields.value.propagatesReloadTo } }
    public var reloadPropagatedFrom: [String] { get { fields.value.reloadPropagatedFrom } _modify { yield &fields.value.reloadPropagatedFrom } }
    public var joinsNamespaceOf: [String] { get { fields.value.joinsNamespaceOf } _modify { yield &fields.value.joinsNamespaceOf } }
    public var requiresMountsFor: [String] { get { fields.value.requiresMountsFor } _modify { yield &fields.value.requiresMountsFor } }
    public var defaultDependencies: Bool { get { fields.value.defaultDependencies } _modify { yield &fields.value.defaultDependencies } }
    public var stopWhenUnneeded: Bool { get { fields.value.stopWhenUnneeded } _modify { yield &fields.value.stopWhenUnneeded } }
    public var refuseManualStart: Bool { get { fields.value.refuseManualStart } _modify { yield &fields.value.refuseManualStart } }
    public var refuseManualStop: Bool { get { fields.value.refuseManualStop } _modify { yield &fields.value.refuseManualStop } }
    public var ignoreOnIsolate: Bool { get { fields.value.ignoreOnIsolate } _modify { yield &fields.value.ignoreOnIsolate } }
    public var jobTimeout: TimeSpan { get { fields.value.jobTimeout } _modify { yield &fields.value.jobTimeout } }
    public var startLimitInterval: TimeSpan { get { fields.value.startLimitInterval } _modify { yield &fields.value.startLimitInterval } }
    public var startLimitBurst: UInt32 { get { fields.value.startLimitBurst } _modify { yield &fields.value.startLimitBurst } }
    public var startLimitAction: String { get { fields.value.startLimitAction } _modify { yield &fields.value.startLimitAction } }
    public var failureAction: String { get { fields.value.failureAction } _modify { yield &fields.value.failureAction } }
    public var successAction: String { get { fields.value.successAction } _modify { yield &fields.value.successAction } }
    public var conditions: [UnitCondition] { get { fields.value.conditions } _modify { yield &fields.value.conditions } }
    public var asserts: [UnitCondition] { get { fields.value.asserts } _modify { yield &fields.value.asserts } }
}
