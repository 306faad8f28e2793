/// Finds and loads units across several unit directories, as systemd's unit search path does
/// (systemd.unit(5) "Unit File Load Path"): a later directory overrides an earlier one by file
/// name (like /etc over /usr/lib); `name@instance.type` falls back to the template
/// `name@.type`; a symlink to another unit name is an alias, one to /dev/null (or an empty file)
/// masks the unit; drop-ins come from `NAME.d/`, the template's `name@.type.d/`, the dash-prefix
/// hierarchy (`foo-.service.d/` for `foo-bar.service`) and the type-wide `service.d/`, merged by
/// file name (a later directory's file replaces an earlier one with the same name) and applied in
/// lexical order of their file names. The symlinks of `NAME.wants/` and `NAME.requires/` add
/// `Wants=`/`Requires=` dependencies to NAME, as `systemctl enable` means them to
/// (systemd.unit(5) "Mapping of unit properties to their inverses", `.wants/`).
/// A class: read-only once scanned, and handed to every `Accept=yes` instance's load, where a
/// copy of the struct it was cost 1,250 instructions a connection (docs/performance.md).
public final class UnitDirectoryLoader {
    public let directories: [String]
    public let host: HostFacts
    private let source: any UnitSource

    /// Unit file name → path, after precedence.
    public private(set) var fragments: [String: String] = [:]
    /// Alias name → the unit it points to (symlinks in the unit directories).
    public private(set) var symlinkAliases: [String: String] = [:]
    /// Unit names masked by a symlink to /dev/null or an empty file.
    public private(set) var masked: Set<String> = []
    /// Diagnostics about the directories themselves (missing, unreadable, bad names).
    public private(set) var diagnostics: [Diagnostic] = []
    /// Every entry of a `NAME.wants/` or `NAME.requires/` directory, in scan order.
    public private(set) var dependencyLinks: [DependencyLink] = []
    private var dropInDirectories: [String: [String]] = [:]
    private let isSearchPath: Bool

    /// `searchPath`: the directories are systemd's search path, where most do not exist; only
    /// `--units` directories must.
    public init(directories: [String], host: HostFacts = HostFacts(), source: any UnitSource = FileSystemUnitSource(), searchPath: Bool = false) {
        self.directories = directories
        self.isSearchPath = searchPath
        self.host = host
        self.source = source
        scan()
        checkAliases()
    }

    private func scan() {
        for directory in directories {
            guard let names = source.entries(of: directory) else {
                if isSearchPath && source.kind(of: directory) == .missing { continue }
                diagnostics.append(Diagnostic(.error, at: SourceLocation(file: directory, line: 0),
                                              "unit directory does not exist or cannot be read"))
                continue
            }
            for entry in names {
                let path = Self.join(directory, entry)
                let kind = source.kind(of: path)
                if entry.hasSuffix(".d"), kind == .directory {
                    dropInDirectories[String(entry.dropLast(2)), default: []].append(path)
                    continue
                }
                if kind == .directory, let link = DependencyLink.Kind(directoryName: entry) {
                    scanLinks(in: path, directory: directory, owner: String(entry.dropLast(link.suffix.count)), kind: link)
                    continue
                }
                guard let name = try? UnitName(entry) else { continue }
                switch kind {
                case .symlink(let target):
                    let targetName = Self.baseName(target)
                    if target == "/dev/null" {
                        masked.insert(name.name)
                    } else if targetName != name.name, (try? UnitName(targetName)) != nil {
                        symlinkAliases[name.name] = targetName
                        fragments[name.name] = nil
                    } else {
                        fragments[name.name] = path
                        masked.remove(name.name)
                    }
                case .regular(let size):
                    if size == 0 { masked.insert(name.name) } else { masked.remove(name.name) }
                    fragments[name.name] = path
                    symlinkAliases[name.name] = nil
                case .missing, .directory, .other:
                    continue
                }
            }
        }
    }

    /// The unit names in one `.wants/` or `.requires/` directory (symlinks, as `systemctl enable`
    /// makes them, or files: systemd takes any entry with a unit name).
    private func scanLinks(in path: String, directory: String, owner: String, kind: DependencyLink.Kind) {
        for entry in source.entries(of: path) ?? [] where (try? UnitName(entry)) != nil {
            var target: String?
            if case .symlink(let destination) = source.kind(of: Self.join(path, entry)) { target = destination }
            dependencyLinks.append(DependencyLink(directory: directory, owner: owner, kind: kind, unit: entry, target: target))
        }
    }

    /// Aliases that lead nowhere are reported, not skipped in silence: a chain of symlinks that
    /// comes back to itself (systemd: "Too many levels of symbolic links"), and an alias whose
    /// unit is not in any unit directory (systemd: the unit is "not-found").
    private func checkAliases() {
        for alias in symlinkAliases.keys.sorted() {
            var chain = [alias]
            var current = alias
            while let next = symlinkAliases[current], !chain.contains(next), chain.count <= symlinkAliases.count {
                chain.append(next)
                current = next
            }
            if let next = symlinkAliases[current] {
                diagnostics.append(Diagnostic(.error, at: SourceLocation(file: alias, line: 0), unit: alias,
                                              "symlink loop: \((chain + [next]).joined(separator: " -> ")), skipped"))
            } else if fragments[current] == nil && !masked.contains(current)
                        && (try? UnitName(current))?.templateName.flatMap({ fragments[$0] }) == nil {
                diagnostics.append(Diagnostic(.warning, at: SourceLocation(file: alias, line: 0), unit: alias,
                                              "alias of \(current), which is not in the unit directories"))
            }
        }
    }

    /// Every unit name found, aliases excluded, sorted.
    public var unitNames: [String] {
        Array(Set(fragments.keys).union(masked)).sorted()
    }

    /// Loads one unit by name (instances fall back to their template). A symlink alias loads the
    /// unit it points to.
    public func load(_ requested: String) -> LoadedUnit {
        let name: UnitName
        do throws(ValueError) {
            name = try UnitName(symlinkAliases[requested] ?? requested)
        } catch {
            let placeholder = (try? UnitName("invalid.service"))!
            return LoadedUnit(name: placeholder, loadState: .notFound, diagnostics: [
                Diagnostic(.error, at: SourceLocation(file: requested, line: 0), unit: requested, error.message),
            ])
        }
        if masked.contains(name.name) {
            return LoadedUnit(name: name, loadState: .masked, fragmentPath: fragments[name.name])
        }
        guard let fragmentPath = fragments[name.name] ?? name.templateName.flatMap({ fragments[$0] }) else {
            return UnitBuilder.build(name: name, fragment: nil, host: host)
        }
        var diagnostics: [Diagnostic] = []
        guard let fragment = read(fragmentPath, into: &diagnostics) else {
            var unit = LoadedUnit(name: name, loadState: .badSetting, fragmentPath: fragmentPath)
            unit.diagnostics = diagnostics
            return unit
        }
        let dropIns = dropInPaths(for: name).compactMap { readDropIn($0, into: &diagnostics) }
        var unit = UnitBuilder.build(name: name, fragment: fragment, dropIns: dropIns, host: host)
        unit.diagnostics.insert(contentsOf: diagnostics, at: 0)
        for link in dependencyLinks where link.owner == name.name || link.owner == requested {
            switch link.kind {
            case .wants: if !unit.settings.unit.wants.contains(link.unit) { unit.settings.unit.wants.append(link.unit) }
            case .requires: if !unit.settings.unit.requires.contains(link.unit) { unit.settings.unit.requires.append(link.unit) }
            }
        }
        if diagnostics.hasErrors { unit.loadState = .badSetting }
        return unit
    }

    /// All units, in name order.
    public func loadAll() -> [LoadedUnit] {
        unitNames.map(load)
    }

    /// The drop-in files for `name`, in the order they apply.
    /// Whether `NAME.d/` exists for exactly this unit name (an instance's own drop-ins).
    public func hasOwnDropIns(_ name: String) -> Bool { dropInDirectories[name] != nil }

    public func dropInPaths(for name: UnitName) -> [String] {
        var candidates = [name.type]
        let stemPrefix = name.instance != nil ? name.prefix : name.stem
        var dashes: [String] = []
        var partial = ""
        for part in stemPrefix.split(separator: "-", omittingEmptySubsequences: false).dropLast() {
            partial += part + "-"
            dashes.append(partial + "." + name.type)
        }
        candidates += dashes
        if let template = name.templateName, template != name.name { candidates.append(template) }
        candidates.append(name.name)
        var byFileName: [String: String] = [:]
        for directory in directories {
            for candidate in candidates {
                for dropInDirectory in dropInDirectories[candidate, default: []]
                where dropInDirectory.hasPrefix(directory + "/") || dropInDirectory.hasPrefix(directory) && directory.hasSuffix("/") {
                    for entry in source.entries(of: dropInDirectory) ?? [] where entry.hasSuffix(".conf") {
                        byFileName[entry] = Self.join(dropInDirectory, entry)
                    }
                }
            }
        }
        return byFileName.keys.sorted().map { byFileName[$0]! }
    }

    /// A drop-in as systemd's conf_files_list() takes them (CONF_FILES_REGULAR,
    /// CONF_FILES_FILTER_MASKED): one linked to /dev/null masks it (nothing, no message); a
    /// dangling link or a file that is not regular is passed over with a warning, and the unit
    /// loads without it (it made the whole unit bad-setting).
    private func readDropIn(_ path: String, into diagnostics: inout [Diagnostic]) -> UnitSourceFile? {
        var current = path
        for _ in 0..<32 {
            switch source.kind(of: current) {
            case .symlink(let target):
                if target == "/dev/null" { return nil }
                current = target.hasPrefix("/") ? target : Self.join(String(current[..<(current.lastIndex(of: "/") ?? current.endIndex)]), target)
                continue
            case .regular:
                return read(path, from: current, into: &diagnostics)
            case .missing, .directory, .other:
                break
            }
            break
        }
        diagnostics.append(Diagnostic(.warning, at: SourceLocation(file: path, line: 0),
                                      "drop-in is not a regular file (or a dangling link), skipped, as systemd skips it"))
        return nil
    }

    /// The file at `path` (read from `resolved`, where a link to it leads).
    private func read(_ path: String, from resolved: String? = nil, into diagnostics: inout [Diagnostic]) -> UnitSourceFile? {
        do throws(ValueError) {
            return UnitSourceFile(path: path, bytes: try source.contents(of: resolved ?? path))
        } catch {
            diagnostics.append(Diagnostic(.error, at: SourceLocation(file: path, line: 0), error.message))
            return nil
        }
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
