import ArgumentParser
import Glibc
import WickCore
import WickDaemon
import WickUnits

/// The options of `wick daemon` as plain values: what `DaemonCommand` (swift-argument-parser)
/// declares, and what `parse` reads without it. Starting the daemon through the parser reflected
/// over every command and option (the Swift runtime's metadata and conformance lookups): about 10
/// of the 41 million instructions from exec to 1,000 listening sockets (docs/performance.md
/// "Start-up"), and the pages of its code. The parser stays the one place for help and errors.
struct DaemonOptions: Equatable {
    var units: [String]
    var root: String?
    var runtimeDirectory: String?
    var control: String?
    var exitWith: String?
    var controlGroup: String?
    var metrics: String?
    var watch: Bool
    var sandbox: String
    var logLevel: String?
    var logFormat: String
    var logTarget: String
    var journalSocket: String
    var shutdownTimeout: String

    /// The defaults `DaemonCommand` declares (a test compares them with the parser's).
    static let defaults = DaemonOptions(
        units: [], root: nil, runtimeDirectory: nil, control: nil, exitWith: nil, controlGroup: nil, metrics: nil,
        watch: false, sandbox: "strict", logLevel: nil, logFormat: "text", logTarget: "console",
        journalSocket: "/run/systemd/journal/socket", shutdownTimeout: "9s")

    /// The arguments after `daemon` when each is one of its long options (`--name value`,
    /// `--name=value`, `--watch`); nil for anything else (help, a short or unknown option, a
    /// value that looks like an option, a single-valued option given twice), which the parser then
    /// reads, and explains when it is wrong.
    static func parse(_ arguments: [String]) -> DaemonOptions? {
        var options = defaults
        var given = Set<String>()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
                guard value != "" else { return nil }  // the parser: "missing value"
            }
            if name == "watch" {
                guard value == nil else { return nil }
                options.watch = true
                continue
            }
            if value == nil {
                guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                value = arguments[index]
                index += 1
            }
            guard let value else { return nil }
            guard name == "units" || given.insert(name).inserted else { return nil }
            switch name {
            case "units": options.units.append(value)
            case "root": options.root = value
            case "runtime-dir": options.runtimeDirectory = value
            case "control": options.control = value
            case "exit-with": options.exitWith = value
            case "control-group": options.controlGroup = value
            case "metrics": options.metrics = value
            case "sandbox": options.sandbox = value
            case "log-level": options.logLevel = value
            case "log-format": options.logFormat = value
            case "log-target": options.logTarget = value
            case "journal-socket": options.journalSocket = value
            case "shutdown-timeout": options.shutdownTimeout = value
            default: return nil
            }
        }
        return options
    }

    func validate() throws {
        if LogFormat(rawValue: logFormat) == nil { throw ValidationError("--log-format: expected text or json, got '\(logFormat)'") }
        if !["console", "journal"].contains(logTarget) { throw ValidationError("--log-target: expected console or journal, got '\(logTarget)'") }
        if !["strict", "best-effort"].contains(sandbox) { throw ValidationError("--sandbox: expected strict or best-effort, got '\(sandbox)'") }
        if Self.level(logLevel) == nil {
            throw ValidationError("--log-level/WICK_LOG_LEVEL: expected emerg, alert, crit, err, warning, notice, info, debug or 0-7, got '\(logLevel ?? Self.environmentLevel ?? "")'")
        }
        _ = try timeout()
        _ = try metricsAddress()
    }

    func timeout() throws -> TimeSpan {
        do throws(ValueError) {
            return try TimeSpan.parse(shutdownTimeout)
        } catch {
            throw ValidationError("--shutdown-timeout: \(error.message)")
        }
    }

    func metricsAddress() throws -> SocketAddress? {
        guard let metrics else { return nil }
        do throws(ValueError) {
            return try SocketAddress.parse(metrics)
        } catch {
            throw ValidationError("--metrics \(metrics): \(error.message)")
        }
    }

    static var environmentLevel: String? { getenv("WICK_LOG_LEVEL").map { String(cString: $0) } }

    /// The level from the option, else the environment, else info; nil when unreadable.
    static func level(_ option: String?) -> LogLevel? {
        guard let text = option ?? environmentLevel else { return .info }
        return LogLevel(parsing: text)
    }

    func run() throws {
        let timeout = try timeout()
        if let root {
            guard chroot(root) == 0, chdir("/") == 0 else {
                FileHandleOutput.error("wick daemon: --root \(root): \(String(cString: strerror(errno)))")
                throw ExitCode.failure
            }
        }
        let runtime = runtimeDirectory ?? (getuid() == 0 ? "/run" : getenv("XDG_RUNTIME_DIR").map { String(cString: $0) } ?? "/tmp")
        let searchPath = units.isEmpty ? UnitSearchPath(environment: getenv("SYSTEMD_UNIT_PATH").map { String(cString: $0) }) : nil
        var configuration = DaemonConfiguration(
            unitDirectories: searchPath?.loaderOrder ?? units.map(DaemonCommand.absolute), runtimeDirectory: runtime,
            shutdownTimeout: timeout, controlPath: control, exitWith: exitWith, controlGroup: controlGroup)
        configuration.searchPath = searchPath
        configuration.watch = watch
        configuration.sandboxBestEffort = sandbox == "best-effort"
        configuration.logLevel = Self.level(logLevel) ?? .info
        configuration.logFormat = LogFormat(rawValue: logFormat) ?? .text
        configuration.journalSocket = logTarget == "journal" ? journalSocket : nil
        configuration.metricsAddress = try metricsAddress()
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
}
