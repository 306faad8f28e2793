/// The `[Service]` section (systemd.service(5) "Options"), with systemd's defaults.
/// Its fields sit behind one shared reference (`CopyOnWrite`), as `ExecContext`'s do: a
/// service machine keeps the section, and every copy of it was 45 fields' worth of reference
/// counting, six times a connection of an `Accept=yes` socket (docs/performance.md).
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

    /// `FileDescriptorStorePreserve=` (systemd.service(5), systemd 254): when the fd store is
    /// released. `no`: at every stop, restarts included (service_enter_dead()); `restart` (the
    /// default): once the service is inactive or failed with no job and no restart ahead
    /// (service_release_resources()); `yes`: while the unit stays loaded.
    public enum FDStorePreserve: String, Sendable, CaseIterable { case no, yes, restart }

    /// `OOMPolicy=` (systemd.service(5)): what an OOM kill in the service's cgroup does.
    public enum OOMPolicy: String, Sendable, Hashable { case `continue`, stop, kill }

    var fields = CopyOnWrite(ServiceSectionFields())

    public init() {}

    /// systemd's `DefaultTimeoutStartSec=90s`, except that `Type=oneshot` has no start timeout
    /// unless one is set (service.c: "Oneshot services have disabled start timeout by default").
    public var effectiveTimeoutStart: TimeSpan {
        timeoutStart ?? (type == .oneshot ? .infinity : .seconds(90))
    }

    /// Whether `WatchdogSec=` is set (not 0): the main process then gets `WATCHDOG_USEC=` and
    /// `WATCHDOG_PID=` (infinity included, as systemd exports it), and a finite interval is
    /// enforced.
    public var hasWatchdog: Bool { watchdog != .zero }

    /// `NotifyAccess=` in force. systemd 252's service_add_extras(): `none` (the default, or
    /// written: the two cannot be told apart) becomes `main` for `Type=notify`/`notify-reload`, a
    /// service with `WatchdogSec=` or with `FileDescriptorStoreMax=`, so that `READY=1` and
    /// `WATCHDOG=1` can arrive.
    public var effectiveNotifyAccess: NotifyAccess {
        let needsMain = type == .notify || type == .notifyReload || hasWatchdog || fileDescriptorStoreMax > 0
        let access = notifyAccess ?? .none
        return access == .none && needsMain ? .main : access
    }
}

/// The fields of `ServiceSection`, kept behind one reference (see `ServiceSection`).
public struct ServiceSectionFields: Hashable, Sendable {
    public var type = ServiceSection.ServiceType.simple
    public var execCondition: [ExecCommand] = []
    public var execStartPre: [ExecCommand] = []
    public var execStart: [ExecCommand] = []
    public var execStartPost: [ExecCommand] = []
    public var execReload: [ExecCommand] = []
    public var execStop: [ExecCommand] = []
    public var execStopPost: [ExecCommand] = []
    public var remainAfterExit = false
    public var oomPolicy = ServiceSection.OOMPolicy.stop
    public var guessMainPID = true
    public var pidFile: String?
    public var restart = ServiceSection.RestartPolicy.no
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
    public var notifyAccess: ServiceSection.NotifyAccess?
    public var fileDescriptorStoreMax: UInt32 = 0
    public var fileDescriptorStorePreserve = ServiceSection.FDStorePreserve.restart
    public var sockets: [String] = []
    public var busName: String?
    public var permissionsStartOnly = false
    public var exec = ExecContext()
    public var kill = KillContext()

    public init() {}
}
