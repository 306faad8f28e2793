/// systemd's unit search path for the system manager (systemd.unit(5) "Unit File Load Path",
/// `systemd-analyze unit-paths` on Debian 12, without the generator and transient directories
/// wick has no use for), highest priority first: `/etc` overrides `/run` overrides the vendor
/// directories.
public struct UnitSearchPath: Equatable, Sendable {
    /// The local configuration directory: `systemctl enable` and `mask` write here.
    public static let persistentConfiguration = "/etc/systemd/system"
    /// The runtime configuration directory (`systemctl --runtime`).
    public static let runtimeConfiguration = "/run/systemd/system"
    public static let defaults = [
        persistentConfiguration, runtimeConfiguration, "/usr/local/lib/systemd/system", "/lib/systemd/system",
        "/usr/lib/systemd/system",
    ]

    /// The directories, highest priority first, as absolute paths inside the root.
    public let directories: [String]
    /// The root the paths are below (`--root=`); "" for /.
    public let root: String

    /// `$SYSTEMD_UNIT_PATH` replaces the defaults, as systemd's: a colon-separated list, and an
    /// empty last component (`/srv/units:`) appends the defaults after it.
    public init(root: String = "", environment: String? = nil) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        guard let environment, !environment.isEmpty else {
            directories = Self.defaults
            return
        }
        var list = environment.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let appendDefaults = list.last == ""
        list.removeAll { $0.isEmpty }
        directories = list + (appendDefaults ? Self.defaults : [])
    }

    /// The directories as the file system sees them (below the root), highest priority first.
    public var hostDirectories: [String] { directories.map { root + $0 } }

    /// The order `UnitDirectoryLoader` takes: a later directory overrides an earlier one.
    public var loaderOrder: [String] { hostDirectories.reversed() }

    /// A path inside the root as the host sees it.
    public func host(_ path: String) -> String { root + path }

    /// A path as the host sees it, back inside the root ("" root: unchanged).
    public func inside(_ path: String) -> String {
        guard !root.isEmpty, path.hasPrefix(root + "/") else { return path }
        return String(path.dropFirst(root.count))
    }

    public func isRuntime(_ hostDirectory: String) -> Bool { hostDirectory == host(Self.runtimeConfiguration) }
    public func isPersistent(_ hostDirectory: String) -> Bool { hostDirectory == host(Self.persistentConfiguration) }
}
