/// The `[Service]` section (systemd.service(5) "Options"), with systemd's defaults.
public struct ServiceSection: Hashable, Sendable {
    /// `Type=` (systemd.service(5)); `dbus` runs as `simple` in wick (no bus to watch).
    public enum ServiceType: String, Sendable, CaseIterable {
        case simple, exec, forking, oneshot, dbus, notify, notifyReload = "notify-reload", idle
    }

    /// `Restart=`, the table "Exit causes and the effect of the Restart= settings".
    public enum RestartPolicy: String, Sendable, CaseIterable {
        case no, always, onSuccess = "on-success", onFailure = "on-failure", onAbnormal = "on-abnormal"
        case onAbort = "on-abort", onWatchdog = "on-watchdog"
    }

    /// `NotifyAccess=`: who may send sd_notify(3) messages.
    public enum NotifyAccess: String, Sendable, CaseIterable {
        case none, main, exec, all
    }

    public var type = ServiceType.simple
    public var execCondition: [ExecCommand] = []
    public var execStartPre: [ExecCommand] = []
    public var execStart: [ExecCommand] = []
    public var execStartPost: [ExecCommand] = []
    public var execReload: [ExecCommand] = []
    public var execStop: [ExecCommand] = []
    public var execStopPost: [ExecCommand] = []
    public var remainAfterExit = false
    public var guessMainPID = true
    public var pidFile: String?
    public var restart = RestartPolicy.no
    /// `RestartSec=`: 100 ms, systemd's default.
    public var restartSec = TimeSpan.milliseconds(100)
    public var restartPreventExitStatus = ExitStatusSet()
    public var restartForceExitStatus = ExitStatusSet()
    public var successExitStatus = ExitStatusSet()
    /// `TimeoutStartSec=` as written (or through `TimeoutSec=`); nil means systemd's default, see
    /// `effectiveTimeoutStart`.
    public var timeoutStart: TimeSpan?
    /// `TimeoutStopSec=`: systemd's `DefaultTimeoutStopSec=90s`.
    public var timeoutStop = TimeSpan.seconds(90)
    public var timeoutAbort: TimeSpan?
    public var runtimeMax = TimeSpan.infinity
    /// `WatchdogSec=`: 0 disables the watchdog.
    public var watchdog = TimeSpan.zero
    /// `nil` means systemd's default: `main` for `Type=notify`, otherwise `none`.
    public var notifyAccess: NotifyAccess?
    public var fileDescriptorStoreMax: UInt32 = 0
    public var sockets: [String] = []
    public var busName: String?
    public var permissionsStartOnly = false
    public var exec = ExecContext()
    public var kill = KillContext()

    public init() {}

    /// systemd's `DefaultTimeoutStartSec=90s`, except that `Type=oneshot` has no start timeout
    /// unless one is set (service.c: "Oneshot services have disabled start timeout by default").
    public var effectiveTimeoutStart: TimeSpan {
        timeoutStart ?? (type == .oneshot ? .infinity : .seconds(90))
    }

    /// Whether `WatchdogSec=` enables the watchdog (0 and infinity do not).
    public var hasWatchdog: Bool { watchdog != .zero && !watchdog.isInfinite }

    /// `NotifyAccess=` in force: `main` by default for `Type=notify`/`notify-reload` and for a
    /// service with a watchdog, otherwise `none`; and systemd 252 forces `main` over an explicit
    /// `none` in those two cases too (service.c, service_add_extras()), so that `READY=1` and
    /// `WATCHDOG=1` can arrive.
    public var effectiveNotifyAccess: NotifyAccess {
        let needsMain = type == .notify || type == .notifyReload || hasWatchdog
        guard let notifyAccess else { return needsMain ? .main : .none }
        return notifyAccess == .none && needsMain ? .main : notifyAccess
    }
}
