import WickUnits

/// Why a service stopped or failed, with systemd's names (systemd.service(5) `Result=`).
public enum ServiceResult: String, Sendable, Equatable {
    case success
    case resources
    case `protocol` = "protocol"
    case timeout
    case exitCode = "exit-code"
    case signal
    case coreDump = "core-dump"
    case watchdog
    /// The OOM killer killed a process of the service's cgroup (`OOMPolicy=stop` or `kill`).
    case oomKill = "oom-kill"
    case startLimitHit = "start-limit-hit"
    /// An `ExecCondition=` command exited 1-254: the unit was skipped, not failed.
    case execCondition = "exec-condition"
}

/// How a process ended, as the core sees it.
public enum ProcessExit: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)
}

/// The policy decisions of systemd.service(5) that depend only on settings and how a process
/// ended.
public enum ServicePolicy {
    /// Whether a process ended cleanly (systemd.service(5) `SuccessExitStatus=`, systemd's
    /// is_clean_exit()): status 0 or one of the unit's list; SIGHUP, SIGINT, SIGTERM and SIGPIPE
    /// too for a daemon, not for a `command` (a `Type=oneshot` main process, a control command:
    /// systemd's EXIT_CLEAN_COMMAND), plus the unit's own signals.
    public static func isSuccess(_ exit: ProcessExit, settings: ServiceSection, command: Bool) -> Bool {
        switch exit {
        case .exited(let code):
            return code == 0 || settings.successExitStatus.statuses.contains(UInt8(truncatingIfNeeded: code))
        case .signaled(let signal):
            return (!command && [1, 2, 13, 15].contains(signal)) || settings.successExitStatus.signals.contains(signal)
        }
    }

    /// The result a process's exit gives.
    public static func result(of exit: ProcessExit, settings: ServiceSection, command: Bool) -> ServiceResult {
        if isSuccess(exit, settings: settings, command: command) { return .success }
        switch exit {
        case .exited: return .exitCode
        case .signaled: return .signal
        }
    }

    /// The table "Exit causes and the effect of the Restart= settings" of systemd.service(5),
    /// with `RestartPreventExitStatus=` and `RestartForceExitStatus=`.
    public static func shouldRestart(result: ServiceResult, exit: ProcessExit?, settings: ServiceSection) -> Bool {
        if let exit {
            switch exit {
            case .exited(let code):
                let status = UInt8(truncatingIfNeeded: code)
                if settings.restartPreventExitStatus.statuses.contains(status) { return false }
                if settings.restartForceExitStatus.statuses.contains(status) { return true }
            case .signaled(let signal):
                if settings.restartPreventExitStatus.signals.contains(signal) { return false }
                if settings.restartForceExitStatus.signals.contains(signal) { return true }
            }
        }
        if result == .startLimitHit { return false }
        switch settings.restart {
        case .no: return false
        // A unit skipped by ExecCondition= is never restarted (service_shall_restart()).
        case .always: return result != .execCondition
        case .onSuccess: return result == .success
        case .onFailure: return result != .success && result != .execCondition
        // service_shall_restart(): every result but a clean exit, an exit code and a skip (the
        // man page's table names only signals, timeouts and the watchdog; `protocol`,
        // `resources` and `oom-kill` restart too).
        case .onAbnormal: return ![.success, .exitCode, .execCondition].contains(result)
        case .onAbort: return [.signal, .coreDump].contains(result)
        case .onWatchdog: return result == .watchdog
        }
    }
}
