import WickControl
import WickSystem
import WickUnits

/// systemctl's per-unit verbs: `status`, `show`, `cat`, `is-active`, `is-failed`.
struct SystemctlStatus {
    let systemctl: Systemctl
    var options: SystemctlArguments { systemctl.options }

    /// The named units split into loaded and unknown (globs expanded).
    private func partition() throws(Systemctl.Failure) -> (known: [String], unknown: [String]) {
        let names = try systemctl.expand(options.arguments)
        let loaded = Set(try systemctl.loadedUnits().map { $0.unit })
        let known = names.filter { loaded.contains($0) }
        return (known, names.filter { !loaded.contains($0) })
    }

    /// `status [UNIT...]`: systemctl's blocks; 0 when every unit is active, 3 when one is not,
    /// 4 when one could not be found ("Unit X could not be found.").
    func status() throws(Systemctl.Failure) -> Int32 {
        if options.arguments.isEmpty {
            let response = try systemctl.query(ControlRequest(verb: "status", lines: options.lines))
            if let system = ControlResponse.system(response) {
                print(StatusRenderer.system(system, units: ControlResponse.units(response), now: WallClock.microseconds()), terminator: "")
            }
            return 0
        }
        let (known, unknown) = try partition()
        var status: Int32 = 0
        if !known.isEmpty {
            let response = try systemctl.query(ControlRequest(verb: "status", units: known, lines: options.lines))
            let reports = ControlResponse.units(response)
            if options.json != nil {
                print(response.serialized)
            } else {
                print(reports.map { StatusRenderer.unit($0, now: WallClock.microseconds(), preset: Self.preset) }.joined(separator: "\n"), terminator: "")
            }
            if reports.contains(where: { !["active", "reloading"].contains($0.active) }) { status = 3 }
        }
        for name in unknown {
            FileHandleOutput.error("Unit \(name) could not be found.")
            status = 4
        }
        return status
    }

    /// systemd's vendor preset of a unit, from this machine's preset files.
    static func preset(_ name: String) -> String { PresetRules(root: "").enables(name) ? "enabled" : "disabled" }

    /// `show UNIT...`: KEY=VALUE, empty values hidden unless `--all` or named with `-p`;
    /// `--value` prints values only; units separated by a blank line. An unknown unit is
    /// `LoadState=not-found`, status 0, as systemctl's.
    func show() throws(Systemctl.Failure) -> Int32 {
        let units = try systemctl.expand(options.arguments)
        guard !units.isEmpty else {
            // systemctl show without a unit: the manager's properties.
            let response = try systemctl.query(ControlRequest(verb: "status", lines: 0))
            guard let system = ControlResponse.system(response) else { return 1 }
            let pairs = [("Version", Systemctl.version), ("SystemState", system.state), ("NNames", String(system.units)),
                         ("NFailedUnits", String(system.failed))]
            print(format(pairs), terminator: "")
            return 0
        }
        let response = try systemctl.query(ControlRequest(verb: "show", units: units))
        var blocks: [String] = []
        for unit in ControlResponse.properties(response) {
            blocks.append(format(unit.properties.map { ($0.key, $0.value) }))
        }
        print(blocks.joined(separator: "\n"), terminator: "")
        return 0
    }

    private func format(_ pairs: [(String, String)]) -> String {
        var output = ""
        // In the manager's order, as systemctl (a repeated key such as Listen= printed each time).
        let wanted = Set(options.properties)
        let selected = wanted.isEmpty ? pairs : pairs.filter { wanted.contains($0.0) }
        for (key, value) in selected where options.showEmpty || !value.isEmpty {
            output += (options.value ? value : "\(key)=\(value)") + "\n"
        }
        return output
    }

    /// `cat UNIT...`: each file after `# PATH`.
    func cat() throws(Systemctl.Failure) -> Int32 {
        guard !options.arguments.isEmpty else { throw Systemctl.Failure(message: "Too few arguments.", status: 1) }
        let (known, unknown) = try partition()
        if let name = unknown.first {
            throw Systemctl.Failure(message: "No files found for \(name).", status: 1)
        }
        let response = try systemctl.query(ControlRequest(verb: "cat", units: known))
        var blocks: [String] = []
        for unit in ControlResponse.sources(response) {
            for file in unit.files {
                var contents = file.contents ?? ""
                if !contents.hasSuffix("\n") { contents += "\n" }
                blocks.append("# \(file.path)\n" + contents)
            }
        }
        print(blocks.joined(separator: "\n"), terminator: "")
        return 0
    }

    /// `is-active` / `is-failed UNIT...`: the active state of each, 0 when at least one is
    /// active (failed); unknown units are inactive.
    func isActive(failed: Bool) throws(Systemctl.Failure) -> Int32 {
        let units = try systemctl.expand(options.arguments)
        guard !units.isEmpty else { throw Systemctl.Failure(message: "Too few arguments.", status: 1) }
        let response = try systemctl.query(ControlRequest(verb: "show", units: units))
        var found = false
        for unit in ControlResponse.properties(response) {
            let state = unit["ActiveState"] ?? "inactive"
            if failed ? state == "failed" : state == "active" || state == "reloading" { found = true }
            if !options.quiet { print(state) }
        }
        return found ? 0 : (failed ? 1 : 3)
    }
}
