/// The text of one unit file or drop-in, and its path for messages.
public struct UnitSourceFile: Sendable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// Builds one unit from its fragment and drop-ins, applied in order (systemd.unit(5): drop-ins
/// after the fragment, in file-name order): lexes each file, applies each assignment through the
/// directive table, then checks the unit as a whole.
public enum UnitBuilder {
    /// systemd's service_add_extras(): a service without `Type=` is `dbus` when it has
    /// `BusName=`, `simple` when it has `ExecStart=`, and `oneshot` otherwise (which also takes
    /// away its start timeout, as for any oneshot).
    static func inferType(_ unit: inout LoadedUnit) {
        guard unit.directiveLocations["Type"] == nil else { return }
        if unit.settings.service.busName != nil {
            unit.settings.service.type = .dbus
        } else if unit.settings.service.execStart.isEmpty {
            unit.settings.service.type = .oneshot
        }
    }

    /// systemd's unit_patch_contexts() for `DynamicUser=yes`: "make sure that the unit can't
    /// leave its UID/GID around in the file system": a private /tmp, the whole system read-only
    /// (`ProtectSystem=strict`), `ProtectHome=read-only` unless set otherwise, and neither
    /// benefiting from nor making set-user-ID files (`NoNewPrivileges=`, `RestrictSUIDSGID=`).
    /// (`RemoveIPC=`, which it implies too, is not enforced by wick.)
    static func patchContexts(_ unit: inout LoadedUnit) {
        func patch(_ context: inout ExecContext) {
            guard context.dynamicUser else { return }
            context.privateTmp = true
            context.protectSystem = "strict"
            if context.protectHome == "no" { context.protectHome = "read-only" }
            context.noNewPrivileges = true
            context.restrictSUIDSGID = true
        }
        switch unit.name.type {
        case "service": patch(&unit.settings.service.exec)
        case "socket": patch(&unit.settings.socket.exec)
        default: break
        }
    }

    public static func build(
        name: UnitName, fragment: UnitSourceFile?, dropIns: [UnitSourceFile] = [], host: HostFacts = HostFacts()
    ) -> LoadedUnit {
        var unit = LoadedUnit(name: name, loadState: .loaded, fragmentPath: fragment?.path, dropInPaths: dropIns.map { $0.path })
        guard let fragment else {
            unit.loadState = .notFound
            unit.diagnostics.append(Diagnostic(
                .error, at: SourceLocation(file: name.name, line: 0), unit: name.name, "unit file not found"))
            return unit
        }
        let resolver = SpecifierResolver(unit: name, fragmentPath: fragment.path, host: host)
        var warnedDirectives: Set<String> = []
        for file in [fragment] + dropIns {
            apply(file, to: &unit, resolver: resolver, warned: &warnedDirectives)
        }
        if unit.name.type == "service" { inferType(&unit) }
        patchContexts(&unit)
        UnitValidator.validate(&unit)
        for index in unit.diagnostics.indices where unit.diagnostics[index].unit == nil {
            unit.diagnostics[index].unit = name.name
        }
        if unit.diagnostics.hasErrors { unit.loadState = .badSetting }
        return unit
    }

    static func apply(
        _ file: UnitSourceFile, to unit: inout LoadedUnit, resolver: SpecifierResolver, warned: inout Set<String>
    ) {
        let lexer = UnitFileLexer(file: file.path, bytes: file.bytes)
        unit.diagnostics += lexer.diagnostics
        let type = unit.name.type
        for (section, line) in lexer.sections where !DirectiveTable.hasSection(section, unitType: type) {
            guard !section.hasPrefix("X-") else { continue }
            let location = SourceLocation(file: file.path, line: line)
            if DirectiveTable.otherSystemdSections.contains(section) {
                unit.diagnostics.append(Diagnostic(
                    .warning, at: location, "section [\(section)] does not belong in a .\(type) unit, ignoring it"))
            } else {
                unit.diagnostics.append(Diagnostic(.warning, at: location, "unknown section [\(section)], ignoring it"))
            }
        }
        // A run of assignments to one key (a socket's `ListenStream=` lines) looks its directive
        // up once and records its location once, at the run's last line: a lookup hashes the
        // key (900 instructions a line).
        var run: (key: String, section: String, directive: Directive, location: SourceLocation)?
        for assignment in lexer.assignments {
            let directive: Directive
            if let current = run, current.key == assignment.key, current.section == assignment.section {
                directive = current.directive
                run?.location = assignment.location
            } else {
                guard DirectiveTable.hasSection(assignment.section, unitType: type) else { continue }
                guard let found = DirectiveTable.directive(assignment.key, section: assignment.section, unitType: type) else {
                    if !assignment.key.hasPrefix("X-") {
                        unit.diagnostics.append(Diagnostic(
                            .warning, at: assignment.location, directive: assignment.key,
                            DirectiveTable.unknownReason(assignment.key, section: assignment.section)))
                    }
                    continue
                }
                if let run { unit.directiveLocations[run.key] = run.location }
                directive = found
                run = (assignment.key, assignment.section, found, assignment.location)
            }
            do throws(ValueError) {
                try directive.apply(&unit.settings, assignment.value, resolver)
            } catch {
                unit.diagnostics.append(Diagnostic(
                    .error, at: assignment.location, directive: assignment.key,
                    "\(assignment.key)=: \(error.message)"))
                continue
            }
            if case .notEnforced(let reason) = directive.support, !assignment.value.isEmpty,
               warned.insert(assignment.key).inserted {
                unit.diagnostics.append(Diagnostic(
                    .warning, at: assignment.location, directive: assignment.key, "\(assignment.key)= is \(reason)"))
            }
        }
        if let run { unit.directiveLocations[run.key] = run.location }
    }
}
