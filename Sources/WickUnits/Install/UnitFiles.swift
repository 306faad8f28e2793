/// The unit files of a search path as `systemctl enable`, `disable`, `mask`, `unmask`,
/// `preset` and `is-enabled` see them (systemd's src/shared/install.c): the states read from
/// the links, and the links an operation adds or removes, as values (`InstallChange`) that the
/// caller writes. Pure but for reading through `UnitSource`.
public struct UnitFiles {
    public let searchPath: UnitSearchPath
    public let loader: UnitDirectoryLoader
    private let source: any UnitSource

    /// `loader`: one already made over `searchPath.loaderOrder` (the daemon's).
    public init(searchPath: UnitSearchPath, loader: UnitDirectoryLoader? = nil, source: any UnitSource = FileSystemUnitSource()) {
        self.searchPath = searchPath
        self.source = source
        self.loader = loader ?? UnitDirectoryLoader(directories: searchPath.loaderOrder, source: source, searchPath: true)
    }

    /// Where `mask` and the links of `enable` go.
    var configuration: String { searchPath.host(UnitSearchPath.persistentConfiguration) }

    // MARK: State

    /// `systemctl is-enabled NAME`; nil when no unit file has the name. `install`: the unit's
    /// `[Install]` section when the caller has it loaded already (the daemon), else it is read.
    public func state(of name: String, install known: InstallSection? = nil) -> UnitFileState? {
        if let mask = maskPath(of: name) {
            return mask.hasPrefix(searchPath.host(UnitSearchPath.runtimeConfiguration) + "/") ? .maskedRuntime : .masked
        }
        guard let unit = try? UnitName(name) else { return nil }
        if loader.symlinkAliases[name] != nil, unit.instance == nil { return .alias }
        guard let fragment = fragmentPath(of: unit) else { return nil }
        // Links that name this unit (systemd's first find_symlinks_in_scope(), match_name).
        var enabledAtAll = false
        let install = known ?? loader.load(unit.templateName ?? name).settings.install
        for directory in searchPath.hostDirectories where isLinked(name, in: directory, fragment: fragment, install: install, matchName: true) {
            if searchPath.isPersistent(directory) { return .enabled }
            if searchPath.isRuntime(directory) { return .enabledRuntime }
            enabledAtAll = true
        }
        if enabledAtAll && unit.instance != nil { return .static }
        // Links to the same file under other names.
        if searchPath.hostDirectories.contains(where: { isLinked(name, in: $0, fragment: fragment, install: install, matchName: false) }) {
            return .indirect
        }
        if !install.wantedBy.isEmpty || !install.requiredBy.isEmpty || !install.alias.isEmpty { return .disabled }
        return install.also.isEmpty ? .static : .indirect
    }

    /// The symlink to /dev/null (or empty file) that masks `name`, highest priority first.
    func maskPath(of name: String) -> String? {
        for directory in searchPath.hostDirectories {
            let path = UnitDirectoryLoader.join(directory, name)
            switch source.kind(of: path) {
            case .symlink(let target) where target == "/dev/null": return path
            case .regular(let size) where size == 0: return path
            case .missing: continue
            default: return nil
            }
        }
        return nil
    }

    func fragmentPath(of unit: UnitName) -> String? {
        loader.fragments[unit.name] ?? unit.templateName.flatMap { loader.fragments[$0] }
    }

    private func isLinked(_ name: String, in directory: String, fragment: String, install: InstallSection, matchName: Bool) -> Bool {
        let fileName = UnitDirectoryLoader.baseName(fragment)
        for link in loader.dependencyLinks where link.directory == directory {
            let pointsHere = link.target.map { UnitDirectoryLoader.baseName($0) == fileName } ?? false
            if matchName ? link.unit == name : (pointsHere && link.unit != name) { return true }
        }
        guard matchName else { return false }
        // Alias= links `systemctl enable` made next to the units.
        return install.alias.contains { alias in
            if case .symlink(let target) = source.kind(of: UnitDirectoryLoader.join(directory, alias)) {
                return UnitDirectoryLoader.baseName(target) == fileName
            }
            return false
        }
    }

    // MARK: Operations

    /// `systemctl enable NAME...`: a link in `TARGET.wants/` per `WantedBy=`, in
    /// `TARGET.requires/` per `RequiredBy=`, one per `Alias=`, and the units of `Also=`. Returns
    /// the changes and the names that have no installation config (systemctl's warning).
    /// `force`: an existing symlink in the way is replaced (systemctl --force); a file never is.
    public func enable(_ names: [String], force: Bool = false) throws(InstallError) -> (changes: [InstallChange], notInstallable: [String]) {
        var changes: [InstallChange] = []
        var notInstallable: [String] = []
        var done: Set<String> = []
        var queue = names
        while !queue.isEmpty {
            let name = queue.removeFirst()
            guard done.insert(name).inserted else { continue }
            let unit = try existing(name, verb: "enable")
            let fragment = searchPath.inside(fragmentPath(of: unit)!)
            let install = loader.load(unit.templateName ?? name).settings.install
            var linkName = name
            if unit.isTemplate {
                guard let instance = install.defaultInstance, let instanced = try? UnitName("\(unit.prefix)@\(instance).\(unit.type)") else {
                    if install.wantedBy.isEmpty && install.requiredBy.isEmpty && install.alias.isEmpty && install.also.isEmpty {
                        notInstallable.append(name)
                    } else if !(install.wantedBy.isEmpty && install.requiredBy.isEmpty) {
                        throw InstallError("Failed to enable unit: Unit \(name) is a template without DefaultInstance=; name an instance (\(unit.prefix)@INSTANCE.\(unit.type)).")
                    }
                    queue += install.also
                    continue
                }
                linkName = instanced.name
            }
            if install.wantedBy.isEmpty && install.requiredBy.isEmpty && install.alias.isEmpty && install.also.isEmpty {
                notInstallable.append(name)
            }
            for (targets, kind) in [(install.wantedBy, DependencyLink.Kind.wants), (install.requiredBy, .requires)] {
                for target in targets {
                    let path = configuration + "/" + target + kind.suffix + "/" + linkName
                    changes += try link(path, to: fragment, verb: "enable", force: force)
                }
            }
            for alias in install.alias {
                changes += try link(configuration + "/" + alias, to: fragment, verb: "enable", force: force)
            }
            queue += install.also
        }
        return (changes, notInstallable)
    }

    /// `systemctl disable NAME...`: removes from /etc/systemd/system every link that enables the
    /// unit (in any `.wants/`/`.requires/`, and its `Alias=` names), and those of `Also=`.
    public func disable(_ names: [String]) throws(InstallError) -> [InstallChange] {
        var changes: [InstallChange] = []
        var done: Set<String> = []
        var queue = names
        while !queue.isEmpty {
            let name = queue.removeFirst()
            guard done.insert(name).inserted else { continue }
            guard let unit = try? UnitName(name) else { throw InstallError("Failed to disable unit: Invalid unit name \"\(name)\".") }
            let install = loader.load(unit.templateName ?? name).settings.install
            let fileName = fragmentPath(of: unit).map(UnitDirectoryLoader.baseName) ?? name
            for link in loader.dependencyLinks where link.directory == configuration {
                let pointsHere = link.target.map { UnitDirectoryLoader.baseName($0) == fileName } ?? false
                let instanceOfIt = unit.isTemplate && (try? UnitName(link.unit))?.templateName == name
                if link.unit == name || (pointsHere && (instanceOfIt || link.unit == name || !unit.isTemplate)) {
                    changes.append(.unlink(path: configuration + "/" + link.owner + link.kind.suffix + "/" + link.unit))
                }
            }
            for alias in install.alias {
                let path = configuration + "/" + alias
                if case .symlink(let target) = source.kind(of: path), UnitDirectoryLoader.baseName(target) == fileName {
                    changes.append(.unlink(path: path))
                }
            }
            queue += install.also
        }
        var seen: Set<String> = []
        return changes.filter { if case .unlink(let path) = $0 { return seen.insert(path).inserted } else { return true } }
    }

    /// `systemctl mask NAME...`: /etc/systemd/system/NAME → /dev/null. A file already there that
    /// is not such a link is refused, as systemctl does.
    public func mask(_ names: [String], force: Bool = false) throws(InstallError) -> [InstallChange] {
        var changes: [InstallChange] = []
        for name in names {
            guard (try? UnitName(name)) != nil else { throw InstallError("Failed to mask unit: Invalid unit name \"\(name)\".") }
            changes += try link(configuration + "/" + name, to: "/dev/null", verb: "mask", force: force)
        }
        return changes
    }

    /// `systemctl unmask NAME...`: removes the /dev/null links of the configuration directories.
    public func unmask(_ names: [String]) -> [InstallChange] {
        var changes: [InstallChange] = []
        for name in names {
            for directory in [configuration, searchPath.host(UnitSearchPath.runtimeConfiguration)] {
                let path = directory + "/" + name
                if case .symlink(let target) = source.kind(of: path), target == "/dev/null" { changes.append(.unlink(path: path)) }
            }
        }
        return changes
    }

    /// `systemctl preset NAME...`: enable or disable each as the preset files say.
    public func preset(_ names: [String], rules: PresetRules, force: Bool = false) throws(InstallError) -> (changes: [InstallChange], notInstallable: [String]) {
        let enabling = names.filter { rules.enables($0) }
        let disabling = names.filter { !rules.enables($0) }
        let enabled = try enable(enabling, force: force)
        return (try disable(disabling) + enabled.changes, enabled.notInstallable)
    }

    private func existing(_ name: String, verb: String) throws(InstallError) -> UnitName {
        guard let unit = try? UnitName(name) else { throw InstallError("Failed to \(verb) unit: Invalid unit name \"\(name)\".") }
        if let mask = maskPath(of: name) { throw InstallError("Failed to \(verb) unit: Unit file \(searchPath.inside(mask)) is masked.") }
        guard fragmentPath(of: unit) != nil else { throw InstallError("Failed to \(verb) unit: Unit file \(name) does not exist.") }
        return unit
    }

    /// A link at `path` to `target`: nothing when it is already there, refused when something
    /// else is (a symlink is replaced with `force`).
    private func link(_ path: String, to target: String, verb: String, force: Bool) throws(InstallError) -> [InstallChange] {
        switch source.kind(of: path) {
        case .missing: return [.symlink(path: path, target: target)]
        case .symlink(let existing) where existing == target: return []
        case .symlink where force: return [.unlink(path: path), .symlink(path: path, target: target)]
        case .symlink(let existing):
            throw InstallError("Failed to \(verb) unit, file \"\(searchPath.inside(path))\" already exists and is a symlink to \"\(existing)\".")
        default: throw InstallError("Failed to \(verb) unit, file \"\(searchPath.inside(path))\" already exists.")
        }
    }
}
