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

    /// The options as plain values (what `run` uses, and what `DaemonOptions.parse` produces
    /// without this parser).
    var options: DaemonOptions {
        DaemonOptions(
            units: units, root: root, runtimeDirectory: runtimeDirectory, control: control, exitWith: exitWith,
            controlGroup: controlGroup, metrics: metrics, watch: watch, sandbox: sandbox, logLevel: logLevel,
            logFormat: logFormat, logTarget: logTarget, journalSocket: journalSocket, shutdownTimeout: shutdownTimeout)
    }

    public func validate() throws { try options.validate() }

    public func run() throws { try options.run() }

    /// Unit directories as absolute paths, so that `FragmentPath=` and `wick cat` name real files.
    static func absolute(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
