/// Whole-unit checks made after all files are applied, as systemd's `service_verify()` and
/// `socket_verify()` make them: an error marks the unit `bad-setting`. Also the warnings for
/// values wick accepts but treats differently from systemd.
enum UnitValidator {
    static func validate(_ unit: inout LoadedUnit) {
        let unitLocation = SourceLocation(file: unit.fragmentPath ?? unit.name.name, line: 0)
        let locations = unit.directiveLocations
        // A directive whose value was rejected is not reported again as missing.
        let rejected = Set(unit.diagnostics.filter { $0.severity == .error }.compactMap { $0.directive })
        func location(_ directive: String?) -> SourceLocation {
            directive.flatMap { locations[$0] } ?? unitLocation
        }
        func error(_ directive: String?, _ message: String) {
            if let directive, rejected.contains(directive) { return }
            unit.diagnostics.append(Diagnostic(.error, at: location(directive), directive: directive, message))
        }
        func warning(_ directive: String?, _ message: String) {
            unit.diagnostics.append(Diagnostic(.warning, at: location(directive), directive: directive, message))
        }
        switch unit.name.type {
        case "socket": validateSocket(unit.settings.socket, isTemplate: unit.name.isTemplate, error: error, warning: warning)
        case "service":
            validateService(unit.settings.service, successAction: unit.settings.unit.successAction != "none", error: error, warning: warning)
        default:
            warning(nil, "unit type .\(unit.name.type) is not supported by wick: only its [Unit] and [Install] sections are read")
        }
    }

    static func validateSocket(
        _ socket: SocketSection, isTemplate: Bool, error: (String?, String) -> Void,
        warning: (String?, String) -> Void
    ) {
        if socket.listen.isEmpty {
            error("ListenStream", "socket unit has no Listen*= setting, refusing to load it")
        }
        if socket.accept {
            if let bad = socket.listen.first(where: { !$0.canAccept }) {
                error("Accept", "Accept=yes works only on stream and sequential-packet sockets, but \(bad.directive)=\(bad) is not one")
            }
            if socket.service != nil {
                error("Service", "Service= cannot be used with Accept=yes (systemd refuses this too)")
            }
            if socket.maxConnections == 0 {
                error("MaxConnections", "MaxConnections=0 would refuse every connection")
            }
        }
        // socket_verify(): the links need exactly one node in the file system to point at.
        if !socket.symlinks.isEmpty && socket.listen.filter({ $0.fileSystemPath != nil }).count != 1 {
            error("Symlinks", "Symlinks= needs exactly one socket path or FIFO in the unit, refusing to load it")
        }
        if let service = socket.service {
            if let name = try? UnitName(service) {
                // A template socket names its service through %i, which is empty until instantiated.
                if name.type != "service" || (name.isTemplate && !isTemplate) {
                    error("Service", "Service= must name a non-template .service unit, got '\(service)'")
                }
            } else {
                error("Service", "Service= is not a valid unit name: '\(service)'")
            }
        }
    }

    /// systemd's service_verify(); `successAction`: `SuccessAction=` is set, which stands in
    /// for the commands there.
    static func validateService(
        _ service: ServiceSection, successAction: Bool = false, error: (String?, String) -> Void, warning: (String?, String) -> Void
    ) {
        if service.execStart.isEmpty && service.execStop.isEmpty && !successAction {
            error("ExecStart", "service has no ExecStart=, ExecStop= or SuccessAction= setting, refusing to load it")
        } else if service.execStart.isEmpty && service.type != .oneshot {
            error("ExecStart", "service has no ExecStart= setting, which only Type=oneshot allows, refusing to load it")
        } else if service.execStart.isEmpty && !service.remainAfterExit && !successAction {
            error("ExecStart", "service has no ExecStart= and no SuccessAction= setting and not RemainAfterExit=yes, refusing to load it")
        }
        if service.execStart.count > 1 && service.type != .oneshot {
            error("ExecStart", "service has more than one ExecStart= command, which only Type=oneshot allows")
        }
        if service.type == .oneshot && (service.restart == .always || service.restart == .onSuccess) {
            error("Restart", "Restart=\(service.restart.rawValue) is not allowed for Type=oneshot services")
        }
        if service.type == .dbus && service.busName == nil {
            error("BusName", "Type=dbus needs BusName=")
        }
        switch service.type {
        case .dbus:
            warning("Type", "Type=dbus runs as Type=simple in wick: the bus name is not awaited")
        case .idle:
            warning("Type", "Type=idle runs as Type=simple in wick: there is no job queue to wait for")
        case .notifyReload:
            warning("Type", "Type=notify-reload runs as Type=notify in wick: reload is not signalled")
        case .simple, .exec, .forking, .oneshot, .notify:
            break
        }
        if service.fileDescriptorStorePreserve == .yes {
            warning("FileDescriptorStorePreserve", "FileDescriptorStorePreserve=yes keeps the store while wick runs and the unit stays loaded, "
                + "but the stopped unit shows 'dead' (not 'dead-resources-pinned') and wick has no 'clean' verb to release it")
        }
        let streams: [(String, StandardStream?)] = [
            ("StandardOutput", service.exec.standardOutput), ("StandardError", service.exec.standardError),
        ]
        for (directive, stream) in streams {
            switch stream {
            case .kmsg, .kmsgConsole, .journalConsole, .tty:
                warning(directive, "\(directive)=\(stream!) is captured like 'journal' in wick (no kmsg or console output)")
            default:
                break
            }
        }
    }
}
