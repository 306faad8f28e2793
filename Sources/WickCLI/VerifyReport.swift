import WickCore
import WickSystem
import WickUnits

/// The diagnostics of `wick verify` for a set of paths, in file and line order.
struct VerifyReport {
    var diagnostics: [Diagnostic]
    var unitCount: Int

    /// `abilities`: what this host's cgroups allow, against which resource settings are checked
    /// (nil: not checked).
    static func make(paths: [String], source: any UnitSource = FileSystemUnitSource(),
                     abilities: CgroupAbilities? = ControlGroups.probe()) -> VerifyReport {
        var diagnostics: [Diagnostic] = []
        var unitCount = 0
        var loaded: [LoadedUnit] = []
        for path in paths {
            switch source.kind(of: path) {
            case .directory:
                let loader = UnitDirectoryLoader(directories: [path], source: source)
                diagnostics += loader.diagnostics
                for unit in loader.loadAll() {
                    diagnostics += unit.diagnostics
                    loaded.append(unit)
                    unitCount += 1
                }
            case .regular, .symlink:
                let (directory, file) = split(path)
                guard (try? UnitName(file)) != nil else {
                    diagnostics.append(Diagnostic(
                        .error, at: SourceLocation(file: path, line: 0),
                        "'\(file)' is not a unit file name (expected NAME.service, NAME.socket, NAME@.service ...)"))
                    continue
                }
                let loader = UnitDirectoryLoader(directories: [directory], source: source)
                let unit = loader.load(file)
                diagnostics += unit.diagnostics
                loaded.append(unit)
                unitCount += 1
            case .missing, .other:
                diagnostics.append(Diagnostic(.error, at: SourceLocation(file: path, line: 0), "no such file or directory"))
            }
        }
        // Every unit checked together: two sockets on one endpoint may sit in different paths.
        diagnostics += ListenConflicts.diagnostics(for: loaded)
        for unit in loaded where abilities != nil && (unit.isService || unit.isSocket) {
            let exec = unit.isService ? unit.settings.service.exec : unit.settings.socket.exec
            // A template an Accept=yes socket activates runs as per-connection instances.
            let acceptInstance = unit.isService && unit.name.isTemplate
                && loaded.contains { $0.isSocket && $0.settings.socket.accept && $0.activatedServiceName == unit.name.name }
            for report in ResourceSupport.unenforced(exec, isService: unit.isService, acceptInstance: acceptInstance, abilities: abilities ?? .none) {
                let location = unit.directiveLocations[report.directive] ?? SourceLocation(file: unit.fragmentPath ?? unit.name.name, line: 0)
                diagnostics.append(Diagnostic(.warning, at: location, directive: report.directive, report.message + " (on this host)"))
            }
        }
        diagnostics.sort { ($0.location.file, $0.location.line) < ($1.location.file, $1.location.line) }
        return VerifyReport(diagnostics: diagnostics, unitCount: unitCount)
    }

    static func split(_ path: String) -> (directory: String, file: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = path[..<slash]
        return (directory.isEmpty ? "/" : String(directory), String(path[path.index(after: slash)...]))
    }
}
