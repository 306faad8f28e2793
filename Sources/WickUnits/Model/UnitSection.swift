/// The `[Unit]` section (systemd.unit(5) "[Unit] Section Options"), with systemd's defaults.
/// Its fields sit behind one shared reference (`CopyOnWrite`), as `ExecContext`'s do: a service
/// machine and an `Accept=yes` instance each keep the section, and every copy of it was 33
/// fields' worth of reference counting, three times a connection (docs/performance.md).
public struct UnitSection: Hashable, Sendable {
    var fields = CopyOnWrite(UnitSectionFields())

    public init() {}
}

/// The fields of `UnitSection`, kept behind one reference (see `UnitSection`).
public struct UnitSectionFields: Hashable, Sendable {
    public var description = ""
    public var documentation: [String] = []
    public var requires: [String] = []
    public var requisite: [String] = []
    public var wants: [String] = []
    public var bindsTo: [String] = []
    public var partOf: [String] = []
    public var upholds: [String] = []
    public var conflicts: [String] = []
    public var before: [String] = []
    public var after: [String] = []
    public var onFailure: [String] = []
    public var onSuccess: [String] = []
    public var propagatesReloadTo: [String] = []
    public var reloadPropagatedFrom: [String] = []
    public var joinsNamespaceOf: [String] = []
    public var requiresMountsFor: [String] = []
    /// wick adds no implicit targets; accepted for compatibility (docs/unit-files.md).
    public var defaultDependencies = true
    public var stopWhenUnneeded = false
    public var refuseManualStart = false
    public var refuseManualStop = false
    public var ignoreOnIsolate = false
    public var jobTimeout = TimeSpan.infinity
    /// `StartLimitIntervalSec=`: systemd's `DefaultStartLimitIntervalSec=10s`.
    public var startLimitInterval = TimeSpan.seconds(10)
    /// `StartLimitBurst=`: systemd's `DefaultStartLimitBurst=5`.
    public var startLimitBurst: UInt32 = 5
    public var startLimitAction = "none"
    public var failureAction = "none"
    public var successAction = "none"
    /// `Condition*=` in order of appearance.
    public var conditions: [UnitCondition] = []
    /// `Assert*=` in order of appearance.
    public var asserts: [UnitCondition] = []

    public init() {}
}

/// One `Condition*=`/`Assert*=` line (systemd.unit(5) "Conditions and Asserts"):
/// `ConditionPathExists=|!/path` is a triggering (`|`), negated (`!`) check of a path.
public struct UnitCondition: Hashable, Sendable {
    /// The check without the `Condition`/`Assert` prefix: `PathExists`.
    public var check: String
    public var value: String
    public var negated: Bool
    /// `|`: the unit starts if any triggering condition holds (and all others hold).
    public var triggering: Bool

    public init(check: String, value: String, negated: Bool, triggering: Bool) {
        self.check = check
        self.value = value
        self.negated = negated
        self.triggering = triggering
    }

    /// The checks wick evaluates (file-system checks need no host knowledge).
    public static let pathChecks: Set<String> = [
        "PathExists", "PathExistsGlob", "PathIsDirectory", "PathIsSymbolicLink", "PathIsMountPoint",
        "PathIsReadWrite", "DirectoryNotEmpty", "FileNotEmpty", "FileIsExecutable",
    ]

    /// Every check systemd 252 knows.
    public static let allChecks: Set<String> = pathChecks.union([
        "PathIsEncrypted", "Architecture", "Firmware", "Virtualization", "Host", "KernelCommandLine",
        "KernelVersion", "Credential", "Environment", "Security", "Capability", "ACPower",
        "NeedsUpdate", "FirstBoot", "User", "Group", "ControlGroupController", "Memory", "CPUs",
        "CPUFeature", "OSRelease", "MemoryPressure", "CPUPressure", "IOPressure",
    ])
}

/// The `[Install]` section (systemd.unit(5) "[Install] Section Options"): what `systemctl enable`
/// links (`UnitFiles`). Under `wick daemon --units` there is no enable step: units wanted by
/// `multi-user.target` or `default.target` start with the daemon, and `Alias=` names resolve to
/// the unit.
public struct InstallSection: Hashable, Sendable {
    public var wantedBy: [String] = []
    public var requiredBy: [String] = []
    public var alias: [String] = []
    public var also: [String] = []
    public var defaultInstance: String?

    public init() {}
}
