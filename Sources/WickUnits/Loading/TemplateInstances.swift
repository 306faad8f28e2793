/// Instances of templates, built cheaply for `Accept=yes` (one instance per connection).
///
/// systemd loads `name@INSTANCE.service` from the template's files for every instance
/// (systemd.unit(5), "templates"). The settings of an instance differ from the template's only
/// through the specifiers that name the instance or the unit (`%i`, `%I`, `%n`, `%N`) and through
/// drop-ins of that one instance. So the first instance of a template is loaded in full, together
/// with a probe instance of another name; when both load and their settings are equal, the
/// settings do not depend on the instance, and later instances without drop-ins of their own are
/// copies with their own name: no file is read or parsed per connection. Otherwise every instance
/// is loaded in full, as systemd does.
///
/// The files are read as of the loader's creation (the last start or `daemon-reload`): an edit of
/// the template takes effect for new instances at the next reload, the rule for every other unit.
public struct TemplateInstances: Sendable {
    /// Per template: the first loaded instance when the settings do not depend on the instance,
    /// nil when they do.
    private var prototypes: [String: LoadedUnit?] = [:]
    static let probeInstance = "wick-instance-probe"

    public init() {}

    public mutating func load(_ name: UnitName, with loader: UnitDirectoryLoader) -> LoadedUnit {
        guard let template = name.templateName, name.isInstance, !loader.hasOwnDropIns(name.name) else {
            return loader.load(name.name)
        }
        if let cached = prototypes[template] {
            guard var unit = cached else { return loader.load(name.name) }
            unit.name = name
            return unit
        }
        let unit = loader.load(name.name)
        guard unit.loadState == .loaded, let probeName = try? UnitName(template).instantiated(Self.probeInstance),
              probeName.name != name.name else { return unit }
        let probe = loader.load(probeName.name)
        prototypes[template] = probe.loadState == .loaded && probe.settings == unit.settings ? unit : .some(nil)
        return unit
    }
}
