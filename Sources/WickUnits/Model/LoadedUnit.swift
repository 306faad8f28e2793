/// A unit as loaded from its files: typed settings, where they came from, and every problem found.
/// Mirrors systemd's `LoadState=` (`loaded`, `bad-setting`, `masked`, `not-found`).
public struct LoadedUnit: Sendable {
    public enum LoadState: String, Sendable {
        case loaded, badSetting = "bad-setting", masked, notFound = "not-found"
    }

    /// The fields behind one reference, copied when written while shared: a copy of a loaded
    /// unit (out of a table, into a machine) is one retain instead of a dozen, several times for
    /// each `Accept=yes` connection (docs/performance.md, eleventh session).
    private final class Storage: @unchecked Sendable {
        var name: UnitName
        var loadState: LoadState
        var settings: UnitSettings
        var fragmentPath: String?
        var dropInPaths: [String]
        var diagnostics: [Diagnostic]
        var directiveLocations: [String: SourceLocation] = [:]

        init(name: UnitName, loadState: LoadState, settings: UnitSettings, fragmentPath: String?, dropInPaths: [String], diagnostics: [Diagnostic]) {
            (self.name, self.loadState, self.settings) = (name, loadState, settings)
            (self.fragmentPath, self.dropInPaths, self.diagnostics) = (fragmentPath, dropInPaths, diagnostics)
        }

        func copy() -> Storage {
            let copy = Storage(name: name, loadState: loadState, settings: settings, fragmentPath: fragmentPath,
                               dropInPaths: dropInPaths, diagnostics: diagnostics)
            copy.directiveLocations = directiveLocations
            return copy
        }
    }

    /// Mutated only while uniquely referenced, so sharing it across threads is safe.
    private var storage: Storage

    /// The storage, copied first when another value shares it.
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    public var name: UnitName { _read { yield storage.name } _modify { yield &unique.name } }
    public var loadState: LoadState { _read { yield storage.loadState } _modify { yield &unique.loadState } }
    public var settings: UnitSettings { _read { yield storage.settings } _modify { yield &unique.settings } }
    public var fragmentPath: String? { _read { yield storage.fragmentPath } _modify { yield &unique.fragmentPath } }
    public var dropInPaths: [String] { _read { yield storage.dropInPaths } _modify { yield &unique.dropInPaths } }
    public var diagnostics: [Diagnostic] { _read { yield storage.diagnostics } _modify { yield &unique.diagnostics } }
    /// Where each directive was last assigned, for messages about the unit as a whole.
    public var directiveLocations: [String: SourceLocation] {
        _read { yield storage.directiveLocations }
        _modify { yield &unique.directiveLocations }
    }

    public init(
        name: UnitName, loadState: LoadState, settings: UnitSettings = UnitSettings(),
        fragmentPath: String? = nil, dropInPaths: [String] = [], diagnostics: [Diagnostic] = []
    ) {
        storage = Storage(name: name, loadState: loadState, settings: settings, fragmentPath: fragmentPath,
                          dropInPaths: dropInPaths, diagnostics: diagnostics)
    }

    public var isSocket: Bool { name.type == "socket" }
    public var isService: Bool { name.type == "service" }

    /// The service a socket unit activates (systemd.socket(5)): `Service=` if set; otherwise the
    /// service with the socket's name, or its template `name@.service` with `Accept=yes`.
    /// An instance with no file of its own, loaded from its template's.
    public var isFromTemplate: Bool {
        guard name.isInstance, let template = name.templateName, let path = fragmentPath else { return false }
        return path.hasSuffix("/" + template) || path == template
    }

    public var activatedServiceName: String? {
        guard isSocket else { return nil }
        if let service = settings.socket.service { return service }
        if settings.socket.accept { return "\(name.prefix)@.service" }
        return name.stem + ".service"
    }
}
