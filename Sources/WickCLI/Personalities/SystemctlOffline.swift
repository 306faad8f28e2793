import Glibc
import WickControl
import WickSystem
import WickUnits

/// The verbs systemctl runs on the unit files themselves (install.c), with or without a daemon:
/// a `docker build` step has none. Changes go to /etc/systemd/system below `--root=`, their
/// lines to stderr as systemctl's; without `--root=` a running daemon then reloads (systemctl
/// enable's implicit daemon-reload, unless `--no-reload`) and `--now` starts or stops the units;
/// `--dry-run` prints the changes without making them, `--force` replaces symlinks in the way.
struct SystemctlOffline {
    let options: SystemctlArguments
    let control: String

    private var files: UnitFiles {
        UnitFiles(searchPath: UnitSearchPath(root: options.root ?? "", environment: getenv("SYSTEMD_UNIT_PATH").map { String(cString: $0) }))
    }

    func run(_ verb: String) -> Int32 {
        let names = options.arguments.map(Systemctl.mangle)
        if options.runtime && ["enable", "disable", "reenable", "mask", "unmask", "preset"].contains(verb) {
            FileHandleOutput.error("systemctl \(verb) --runtime: not supported by wick (links go to /etc/systemd/system)")
            return Systemctl.notImplemented
        }
        do throws(InstallError) {
            switch verb {
            case "is-enabled": return isEnabled(names)
            case "list-unit-files": return listUnitFiles()
            case "get-default":
                print(files.loader.symlinkAliases["default.target"] ?? "multi-user.target")
                return 0
            case "cat": return cat(names)
            default: break
            }
            guard !names.isEmpty else {
                FileHandleOutput.error("Too few arguments.")
                return 1
            }
            let units = files
            var changes: [InstallChange] = []
            var notInstallable: [String] = []
            switch verb {
            case "enable":
                (changes, notInstallable) = try units.enable(names, force: options.force)
            case "disable":
                changes = try units.disable(names)
            case "reenable":
                changes = try units.disable(names)
                try write(changes)
                // Read again: enable sees what disable removed.
                (changes, notInstallable) = try files.enable(names, force: options.force)
            case "mask":
                changes = try units.mask(names, force: options.force)
            case "unmask":
                changes = units.unmask(names)
            case "preset":
                (changes, notInstallable) = try units.preset(names, rules: PresetRules(root: options.root ?? ""), force: options.force)
            default:
                return 1
            }
            try write(changes)
            if !notInstallable.isEmpty && !options.quiet { FileHandleOutput.error(Self.notInstallableWarning) }
        } catch {
            FileHandleOutput.error(error.description)
            return 1
        }
        return afterChange(verb, names)
    }

    /// systemctl's warning for `enable` of units without an `[Install]` section.
    static let notInstallableWarning = """
        The unit files have no installation config (WantedBy=, RequiredBy=, Also=,
        Alias= settings in the [Install] section, and DefaultInstance= for template
        units). This means they are not meant to be enabled or disabled using systemctl.
        \u{20}
        Possible reasons for having this kind of units are:
        • A unit may be statically enabled by being symlinked from another unit's
          .wants/ or .requires/ directory.
        • A unit's purpose may be to act as a helper for some other unit which has
          a requirement dependency on it.
        • A unit may be started when needed via activation (socket, path, timer,
          D-Bus, udev, scripted systemctl call, ...).
        • In case of template units, the unit is meant to be enabled with some
          instance name specified.
        """

    /// Applies and reports the changes; with `--dry-run` only reports them.
    private func write(_ changes: [InstallChange]) throws(InstallError) {
        for change in changes {
            if options.dryRun {
                if !options.quiet { FileHandleOutput.error(change.message) }
                continue
            }
            do throws(SystemError) {
                try InstallChangeWriter.apply(change, root: UnitSearchPath(root: options.root ?? "").root)
            } catch {
                throw InstallError("Failed to write: \(error.operation): \(error.reason)")
            }
            if !options.quiet { FileHandleOutput.error(change.message) }
        }
    }

    /// Without `--root=`: a running daemon reloads, and `--now` starts (enable, unmask) or stops
    /// (disable, mask) the units. No daemon: nothing more (a build step).
    private func afterChange(_ verb: String, _ names: [String]) -> Int32 {
        guard options.root == nil, !options.dryRun else { return 0 }
        // Whether a daemon answers; it reloads unless --no-reload.
        let reached = (try? ControlClient.send(ControlRequest(verb: options.noReload ? "ping" : "daemon-reload").line, to: control)) != nil
        guard reached else {
            if options.now {
                FileHandleOutput.error("systemctl \(verb) --now: wick is not running at \(control), nothing to start or stop")
                return 1
            }
            return 0
        }
        guard options.now else { return 0 }
        let job = ["enable", "reenable", "unmask", "preset"].contains(verb) ? "start" : "stop"
        let targets = names.filter { !$0.hasSuffix("@.service") && !$0.hasSuffix("@.socket") }
        guard let response = try? ControlClient.send(ControlRequest(verb: job, units: targets, noBlock: options.noBlock).line, to: control) else { return 1 }
        if let code = ControlErrorCode.of(response) {
            FileHandleOutput.error(ControlResponse.message(response))
            return code.exitStatus
        }
        return 0
    }

    /// `is-enabled UNIT...`: one state per line, 0 when at least one is enabled, static,
    /// indirect, alias or generated (systemctl-is-enabled.c).
    private func isEnabled(_ names: [String]) -> Int32 {
        guard !names.isEmpty else {
            FileHandleOutput.error("Too few arguments.")
            return 1
        }
        let units = files
        var enabled = false
        // With a daemon and no --root=, the manager answers (GetUnitFileState): under --units it
        // has its own rule.
        let daemon = options.root == nil ? try? ControlClient.send(ControlRequest(verb: "show", units: names).line, to: control) : nil
        var answers: [String: String] = [:]
        for unit in daemon.map(ControlResponse.properties) ?? [] {
            if let state = unit["UnitFileState"], !state.isEmpty { answers[unit.unit] = state }
        }
        for name in names {
            if let answer = answers[name] {
                if UnitFileState(rawValue: answer)?.isEnabledForExit == true { enabled = true }
                if !options.quiet { print(answer) }
                continue
            }
            guard let state = units.state(of: name) else {
                FileHandleOutput.error("Failed to get unit file state for \(name): No such file or directory")
                return 1
            }
            if state.isEnabledForExit { enabled = true }
            if !options.quiet { print(state.rawValue) }
        }
        return enabled ? 0 : 1
    }

    /// `list-unit-files [PATTERN...]`: UNIT FILE, STATE, VENDOR PRESET.
    private func listUnitFiles() -> Int32 {
        let units = files
        let rules = PresetRules(root: options.root ?? "")
        let patterns = options.arguments
        var rows: [[String]] = []
        for name in (Array(units.loader.fragments.keys) + Array(units.loader.masked) + Array(units.loader.symlinkAliases.keys)).sorted()
        where patterns.isEmpty || patterns.contains(where: { Glob.matches($0, name) }) {
            if !options.types.isEmpty, !options.types.contains(where: { name.hasSuffix("." + $0) }) { continue }
            guard rows.last?.first != name, let state = units.state(of: name) else { continue }
            if !options.states.isEmpty, !options.states.contains(state.rawValue) { continue }
            let preset = [.static, .alias, .masked, .maskedRuntime, .generated, .transient].contains(state) ? "-" : (rules.enables(name) ? "enabled" : "disabled")
            rows.append([name, state.rawValue, preset])
        }
        if let json = options.json {
            print(Table.json(["UNIT FILE", "STATE", "VENDOR PRESET"], rows, pretty: json == "pretty"), terminator: "")
            return 0
        }
        var output = Table.render(["UNIT FILE", "STATE", "VENDOR PRESET"], rows)
        if !options.legend { output = output.split(separator: "\n").dropFirst().map { $0 + "\n" }.joined() }
        if options.legend { output += "\n\(rows.count) unit files listed.\n" }
        print(output, terminator: "")
        return 0
    }

    /// `cat` with `--root=`: the fragment and drop-ins from the files.
    private func cat(_ names: [String]) -> Int32 {
        let loader = files.loader
        var blocks: [String] = []
        for name in names {
            let unit = loader.load(name)
            guard let fragment = unit.fragmentPath else {
                FileHandleOutput.error("No files found for \(name).")
                return 1
            }
            for path in [fragment] + unit.dropInPaths {
                var text = (try? FileSystemUnitSource().contents(of: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                if !text.hasSuffix("\n") { text += "\n" }
                blocks.append("# \(path)\n" + text)
            }
        }
        print(blocks.joined(separator: "\n"), terminator: "")
        return 0
    }
}
