import ArgumentParser
import Glibc
import WickCore
import WickDaemon
import WickUnits

/// `wick daemon`: load the unit directories, bind every socket, start services on traffic.
public struct DaemonCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the supervisor: bind every socket unit and start services on traffic.",
        discussion: """
            With --units: loads every unit of those directories (a later directory overrides an earlier \
            one by file name), opens the listeners of every .socket unit and starts the services wanted \
            by multi-user.target or default.target (the drop-in rule). Without --units: reads systemd's \
            unit search path (/etc/systemd/system, /run/systemd/system, /usr/local/lib/systemd/system, \
            /lib/systemd/system, /usr/lib/systemd/system, or $SYSTEMD_UNIT_PATH) and starts what systemd \
            would at boot: the units `systemctl enable` linked into sockets.target, multi-user.target, \
            default.target and the targets they pull in. SIGTERM, SIGINT and SIGQUIT stop every service and exit.
            """
    )

    @Option(name: .customLong("units"), help: "A unit directory (repeatable); without it, systemd's search path and what is enabled in it.")
    var units: [String] = []

    @Option(help: "Run inside this directory tree, as its init: chroot(2) into it first (its /proc, /dev and /sys are the caller's to mount).")
    var root: String?

    @Option(name: .customLong("runtime-dir"), help: "The runtime directory (%t): /run as root, $XDG_RUNTIME_DIR otherwise.")
    var runtimeDirectory: String?

    @Option(name: .customLong("control"), help: "The control socket (default: RUNTIME/wick/control).")
    var control: String?

    @Option(name: .customLong("exit-with"), help: "Exit when this service ends, with its exit status (128+N for signal N).")
    var exitWith: String?

    @Option(name: .customLong("control-group"), help: "Members of this group may use the read-only verbs (status, logs, list-units...).")
    var controlGroup: String?

    @Option(help: "Serve Prometheus metrics at http://ADDRESS/metrics (PORT, IP:PORT, [IPv6]:PORT).")
    var metrics: String?

    @Flag(help: "Reload automatically when files in the unit directories change (inotify, debounced).")
    var watch = false

    @Option(help: "strict: a sandbox setting the system does not allow fails the start (226/NAMESPACE, 228/SECCOMP); best-effort: it is left out, logged and shown by status.")
    var sandbox = "strict"

    @Option(name: .customLong("log-level"), help: "wick's own messages up to this level: emerg, alert, crit, err, warning, notice, info, debug (default: $WICK_LOG_LEVEL, else info). debug adds a line per Accept=yes connection.")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "text (wick: message, unit[pid]: line) or json (one object per line: time, unit, identifier, pid, priority, message).")
    var logFormat = "text"

    @Option(name: .customLong("log-target"), help: "console (stdout and stderr) or journal (journald's native socket, e.g. bind-mounted from the host; the console when it cannot be reached).")
    var logTarget = "console"

    @Option(name: .customLong("journal-socket"), help: "The journal socket for --log-target=journal.")
    var journalSocket = "/run/systemd/journal/socket"

    @Option(name: .customLong("shutdown-timeout"), help: "Longest orderly shutdown before everything left is killed.")
    var shutdownTimeout = "9s"

    public init() {}

    public func validate() throws {
        if LogFormat(rawValue: logFormat) == nil { throw ValidationError("--log-format: expected text or json, got '\(logFormat)'") }
        if !["console", "journal"].contains(logTarget) { throw ValidationError("--log-target: expected console or journal, got '\(logTarget)'") }
        if !["strict", "best-effort"].contains(sandbox) { throw ValidationError("--sandbox: expected strict or best-effort, got '\(sandbox)'") }
        if Self.level(logLevel) == nil {
            throw ValidationError("--log-level/WICK_LOG_LEVEL: expected emerg, alert, crit, err, warning, notice, info, debug or 0-7, got '\(logLevel ?? Self.environmentLevel ?? "")'")
        }
    }

    static var environmentLevel: String? { getenv("WICK_LOG_LEVEL").map { String(cString: $0) } }

    /// The level from the option, else the environment, else info; nil when unreadable.
    static func level(_ option: String?) -> LogLevel? {
        guard let text = option ?? environmentLevel else { return .info }
        return LogLevel(parsing: text)
    }

    public func run() throws {
        let timeout: TimeSpan
        do throws(ValueError) {
            timeout = try TimeSpan.parse(shutdownTimeout)
        } catch {
            throw ValidationError("--shutdown-timeout: \(error.message)")
        }
        if let root {
            guard chroot(root) == 0, chdir("/") == 0 else {
                FileHandleOutput.error("wick daemon: --root \(root): \(String(cString: strerror(errno)))")
                throw ExitCode.failure
            }
        }
        let runtime = runtimeDirectory ?? (getuid() == 0 ? "/run" : getenv("XDG_RUNTIME_DIR").map { String(cString: $0) } ?? "/tmp")
        let searchPath = units.isEmpty ? UnitSearchPath(environment: getenv("SYSTEMD_UNIT_PATH").map { String(cString: $0) }) : nil
        var configuration = DaemonConfiguration(
            unitDirectories: searchPath?.loaderOrder ?? units.map(Self.absolute), runtimeDirectory: runtime, shutdownTimeout: timeout, controlPath: control,
            exitWith: exitWith, controlGroup: controlGroup)
        configuration.searchPath = searchPath
        configuration.watch = watch
        configuration.sandboxBestEffort = sandbox == "best-effort"
        configuration.logLevel = Self.level(logLevel) ?? .info
        configuration.logFormat = LogFormat(rawValue: logFormat) ?? .text
        configuration.journalSocket = logTarget == "journal" ? journalSocket : nil
        if let metrics {
            do throws(ValueError) {
                configuration.metricsAddress = try SocketAddress.parse(metrics)
            } catch {
                throw ValidationError("--metrics \(metrics): \(error.message)")
            }
        }
        let daemon: Daemon
        do {
            daemon = try Daemon(configuration)
        } catch {
            FileHandleOutput.error("wick daemon: \(error)")
            throw ExitCode.failure
        }
        let code = daemon.run()
        if code != 0 { throw ExitCode(code) }
    }

    /// Unit directories as absolute paths, so that `FragmentPath=` and `wick cat` name real files.
    static func absolute(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
