/// A unit as loaded from its files: typed settings, where they came from, and every problem found.
/// Mirrors systemd's `LoadState=` (`loaded`, `bad-setting`, `masked`, `not-found`).
public struct LoadedUnit: Sendable {
    public enum LoadState: String, Sendable {
        case loaded, badSetting = "bad-setting", masked, notFound = "not-found"
    }

    public var name: UnitName
    public var loadState: LoadState
    public var settings: UnitSettings
    public var fragmentPath: String?
    public var dropInPaths: [String]
    public var diagnostics: [Diagnostic]
    /// Where each directive was last assigned, for messages about the unit as a whole.
    public var directiveLocations: [String: SourceLocation] = [:]

    public init(
        name: UnitName, loadState: LoadState, settings: UnitSettings = UnitSettings(),
        fragmentPath: String? = nil, dropInPaths: [String] = [], diagnostics: [Diagnostic] = []
    ) {
        self.name = name
        self.loadState = loadState
        self.settings = settings
        self.fragmentPath = fragmentPath
        self.dropInPaths = dropInPaths
        self.diagnostics = diagnostics
    }

    public var isSocket: Bool { name.type == "socket" }
    public var isService: Bool { name.type == "service" }

    /// The service a socket unit activates (systemd.socket(5)): `Service=` if set; otherwise the
    /// service with the socket's name, or its template `name@.service` with `Accept=yes`.
    public var activatedServiceName: String? {
        guard isSocket else { return nil }
        if let service = settings.socket.service { return service }
        if settings.socket.accept { return "\(name.prefix)@.service" }
        return name.stem + ".service"
    }
}
