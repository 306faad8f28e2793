/// systemctl's unit file states (systemctl(1) `is-enabled`, systemd's `UnitFileState`): whether
/// `systemctl enable` linked a unit into the targets that start it.
public enum UnitFileState: String, Sendable {
    case enabled, enabledRuntime = "enabled-runtime", linked, linkedRuntime = "linked-runtime", alias, masked
    case maskedRuntime = "masked-runtime", `static`, indirect, disabled, generated, transient, bad

    /// `systemctl is-enabled` exits 0 for these (systemd 252, `show_installation_targets` aside).
    public var isEnabledForExit: Bool {
        switch self {
        case .enabled, .enabledRuntime, .static, .alias, .indirect, .generated: return true
        default: return false
        }
    }
}

/// A change `systemctl enable`, `disable`, `mask` or `unmask` makes in a configuration directory
/// (systemd's `InstallChange`); paths as the host sees them, targets as written into the link.
public enum InstallChange: Equatable, Sendable {
    case symlink(path: String, target: String)
    case unlink(path: String)

    /// systemctl's line for it (install.c `install_changes_dump()`, logged to stderr).
    public var message: String {
        switch self {
        case .symlink(let path, let target): return "Created symlink \(path) → \(target)."
        case .unlink(let path): return "Removed \"\(path)\"."
        }
    }
}

/// An install operation refused, in systemctl's words.
public struct InstallError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
