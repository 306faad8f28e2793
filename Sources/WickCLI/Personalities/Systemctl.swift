import Glibc
import WickControl
import WickSystem
import WickUnits

/// wick invoked as `systemctl` (a symlink, `wick install-links`): systemctl's command line,
/// formats and exit statuses (systemctl(1) "Exit status": 0 success, 1 failure, 3 not active or
/// not implemented, 4 no such unit), answered by the running daemon, or from the unit files for
/// the verbs systemctl runs without a manager (`enable`, `disable`, `mask`, `unmask`, `preset`,
/// `is-enabled`, `list-unit-files`, and all of them with `--root=`).
struct Systemctl {
    var options: SystemctlArguments
    let control = ControlClient.defaultPath()

    /// LSB's and systemd's EXIT_NOTIMPLEMENTED: a verb wick does not have.
    static let notImplemented: Int32 = 3

    static func main(_ arguments: [String]) -> Never {
        let options: SystemctlArguments
        do throws(SystemctlArguments.Failure) {
            options = try SystemctlArguments(parsing: arguments)
        } catch {
            FileHandleOutput.error(error.message)
            exit(1)
        }
        exit(Systemctl(options: options).run())
    }

    /// Verbs systemctl has that wick cannot honour: refused with EXIT_NOTIMPLEMENTED, never a
    /// silent success.
    static let unsupported: Set<String> = [
        "isolate", "suspend", "hibernate", "hybrid-sleep", "suspend-then-hibernate", "kexec", "switch-root",
        "set-property", "bind", "mount-image", "freeze", "thaw", "clean", "edit", "link", "revert", "set-default",
        "list-machines", "list-paths", "show-environment", "set-environment", "unset-environment", "import-environment",
        "daemon-reexec", "log-level", "log-target", "service-watchdogs", "add-wants", "add-requires", "rescue",
        "emergency", "default", "preset-all", "service-log-level", "service-log-target", "list-automounts",
    ]

    /// `--version`'s first line as scripts read it (`systemd NNN (...)`): the systemd release whose
    /// behaviour wick follows.
    static let version = "systemd 252 (wick \(Wick.configuration.version))"

    func run() -> Int32 {
        if options.version {
            print(Self.version)
            return 0
        }
        if options.help || options.verb == "help" {
            print(Self.usage)
            return 0
        }
        if options.user {
            FileHandleOutput.error("systemctl: --user is not supported: wick is the system manager of its container")
            return Self.notImplemented
        }
        if options.host != nil {
            FileHandleOutput.error("systemctl: --host/--machine are not supported: run systemctl in the container")
            return Self.notImplemented
        }
        if let option = options.unsupported.first {
            FileHandleOutput.error("systemctl: \(option) is not supported by wick (docs/cli.md lists the options it has)")
            return Self.notImplemented
        }
        let verb = options.verb ?? "list-units"
        if options.dryRun && !["enable", "disable", "reenable", "mask", "unmask", "preset"].contains(verb) {
            FileHandleOutput.error("systemctl \(verb) --dry-run: wick has --dry-run for the unit-file verbs only")
            return Self.notImplemented
        }
        if Self.unsupported.contains(verb) {
            FileHandleOutput.error("systemctl \(verb): not supported by wick (docs/cli.md lists the verbs it has)")
            return Self.notImplemented
        }
        switch verb {
        case "enable", "disable", "reenable", "mask", "unmask", "preset", "is-enabled", "list-unit-files", "get-default":
            return SystemctlOffline(options: options, control: control).run(verb)
        case "cat" where options.root != nil:
            return SystemctlOffline(options: options, control: control).run(verb)
        default:
            break
        }
        if options.root != nil {
            FileHandleOutput.error("systemctl \(verb): --root= works with the unit-file verbs only (enable, disable, mask, unmask, preset, is-enabled, list-unit-files, cat)")
            return 1
        }
        do throws(Failure) {
            return try runOnline(verb)
        } catch {
            if !error.message.isEmpty { FileHandleOutput.error(error.message) }
            return error.status
        }
    }

    static let usage = """
        systemctl [OPTIONS...] COMMAND ...   (wick: docs/cli.md)

        Unit commands: list-units list-sockets list-timers list-jobs list-dependencies status show cat
          is-active is-failed start stop restart try-restart reload-or-restart try-reload-or-restart
          reload kill reset-failed
        Unit file commands (also offline, --root=DIR): enable disable reenable mask unmask preset
          is-enabled list-unit-files get-default
        Manager commands: daemon-reload is-system-running poweroff halt reboot exit
        Options: -p/--property -P --value -a/--all -t/--type --state --failed --no-legend --plain -q
          --now --no-block --root --reverse --show-types -n -s/--signal -f/--force --dry-run --no-reload
        Other verbs and options of systemctl are refused with status 3.
        """

    struct Failure: Error {
        var message: String
        var status: Int32
    }

    // MARK: Talking to the daemon

    @discardableResult
    func query(_ request: ControlRequest) throws(Failure) -> JSONValue {
        let response: JSONValue
        do throws(ControlClient.Failure) {
            response = try ControlClient.send(request.line, to: control)
        } catch {
            // systemctl without a manager: "System has not been booted with systemd as init
            // system (PID 1). Can't operate." and status 1.
            throw Failure(message: "systemctl \(request.verb): \(error)", status: 1)
        }
        if let code = ControlErrorCode.of(response) {
            throw Failure(message: ControlResponse.message(response), status: code.exitStatus)
        }
        return response
    }

    /// systemctl's unit_name_mangle(): a name without a type suffix is a service.
    static func mangle(_ name: String) -> String {
        if (try? UnitName(name)) == nil, !Glob.isPattern(name), (try? UnitName(name + ".service")) != nil { return name + ".service" }
        return name
    }

    /// Every loaded unit with its states (the `list-units` verb of the protocol).
    func loadedUnits() throws(Failure) -> [UnitReport] {
        ControlResponse.units(try query(ControlRequest(verb: "list-units")))
    }

    /// The named units with globs expanded against the loaded units (systemctl's
    /// expand_unit_names()); a glob that matches nothing is dropped.
    func expand(_ names: [String]) throws(Failure) -> [String] {
        let mangled = names.map(Self.mangle)
        guard mangled.contains(where: Glob.isPattern) else { return mangled }
        let loaded = try loadedUnits().map { $0.unit }
        return mangled.flatMap { name in Glob.isPattern(name) ? loaded.filter { Glob.matches(name, $0) } : [name] }
    }

    private func runOnline(_ verb: String) throws(Failure) -> Int32 {
        switch verb {
        case "list-units": return try SystemctlLists(systemctl: self).units()
        case "list-sockets": return try SystemctlLists(systemctl: self).sockets()
        case "list-timers": return SystemctlLists(systemctl: self).timers()
        case "list-jobs": return try SystemctlLists(systemctl: self).jobs()
        case "list-dependencies": return try SystemctlLists(systemctl: self).dependencies()
        case "status": return try SystemctlStatus(systemctl: self).status()
        case "show": return try SystemctlStatus(systemctl: self).show()
        case "cat": return try SystemctlStatus(systemctl: self).cat()
        case "is-active", "is-failed": return try SystemctlStatus(systemctl: self).isActive(failed: verb == "is-failed")
        case "is-system-running":
            let state: String
            do throws(Failure) {
                state = ControlResponse.state(try query(ControlRequest(verb: "is-system-running"))) ?? "unknown"
            } catch {
                if !options.quiet { print("offline") }
                return 1
            }
            if !options.quiet { print(state) }
            return state == "running" ? 0 : 1
        case "start", "stop", "restart", "try-restart", "condrestart", "reload-or-restart", "try-reload-or-restart", "force-reload":
            return try jobs(verb)
        case "reload":
            try query(ControlRequest(verb: "reload", units: try needUnits(verb), noBlock: options.noBlock))
            return 0
        case "kill":
            var request = ControlRequest(verb: "kill", units: try needUnits(verb))
            if let text = options.signal {
                do throws(ValueError) { request.signal = try Signal.parse(text).number } catch {
                    throw Failure(message: "Failed to parse signal string \(text).", status: 1)
                }
            }
            try query(request)
            return 0
        case "reset-failed":
            try query(ControlRequest(verb: "reset-failed", units: try expand(options.arguments)))
            return 0
        case "daemon-reload":
            let errors = ControlResponse.errors(try query(ControlRequest(verb: "daemon-reload")))
            for error in errors { FileHandleOutput.error(error) }
            return 0
        case "poweroff", "halt", "exit", "reboot":
            if verb == "reboot" {
                FileHandleOutput.error("systemctl reboot: wick stops every unit and exits; the container's runtime decides whether it starts again")
            }
            try query(ControlRequest(verb: "poweroff"))
            return 0
        default:
            throw Failure(message: "Unknown command verb '\(verb)'.", status: 1)
        }
    }

    private func needUnits(_ verb: String) throws(Failure) -> [String] {
        let units = try expand(options.arguments)
        guard !units.isEmpty else { throw Failure(message: "Too few arguments.", status: 1) }
        return units
    }

    /// start, stop, restart and their conditional forms: one job per unit, waited for unless
    /// `--no-block`. try-restart restarts only running units; reload-or-restart restarts (wick's
    /// reload needs ExecReload=, which the restart covers).
    private func jobs(_ verb: String) throws(Failure) -> Int32 {
        var units = try needUnits(verb)
        var type = verb
        switch verb {
        case "try-restart", "condrestart", "try-reload-or-restart", "force-reload":
            let active = try loadedUnits().filter { ["active", "reloading", "activating"].contains($0.active) }.map { $0.unit }
            units = units.filter(active.contains)
            type = "restart"
            if units.isEmpty { return 0 }
        case "reload-or-restart": type = "restart"
        default: break
        }
        do throws(Failure) {
            try query(ControlRequest(verb: type, units: units, noBlock: options.noBlock))
        } catch {
            // systemctl: "Failed to start nope.service: Unit nope.service not found." (5 for start's
            // "not loaded" in LSB terms; systemctl returns 5 here).
            if error.status == 4 {
                let missing = error.message.split(separator: ":").last.map { String($0).trimmingSpaces } ?? ""
                throw Failure(message: "Failed to \(verb) \(missing): Unit \(missing) not found.", status: 5)
            }
            throw Failure(message: error.message, status: error.status)
        }
        return 0
    }
}
