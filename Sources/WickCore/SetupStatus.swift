/// systemd's exit statuses for a process that failed before or at exec (src/basic/exit-status.h),
/// shown as `217/USER` by `wick status`, as `systemctl status` does.
public enum SetupStatus {
    public static let chdir: Int32 = 200, nice: Int32 = 201, exec: Int32 = 203, limits: Int32 = 205
    public static let oomAdjust: Int32 = 206, chroot: Int32 = 210, ioprio: Int32 = 211, securebits: Int32 = 213
    public static let setscheduler: Int32 = 214, cpuaffinity: Int32 = 215, group: Int32 = 216, user: Int32 = 217
    public static let capabilities: Int32 = 218, noNewPrivileges: Int32 = 227, runtimeDirectory: Int32 = 233
    public static let stateDirectory: Int32 = 238, cacheDirectory: Int32 = 239, logsDirectory: Int32 = 240
    public static let configurationDirectory: Int32 = 241, credentials: Int32 = 243

    static let names: [Int32: String] = [
        200: "CHDIR", 201: "NICE", 202: "FDS", 203: "EXEC", 204: "MEMORY", 205: "LIMITS", 206: "OOM_ADJUST",
        207: "SIGNAL_MASK", 208: "STDIN", 209: "STDOUT", 210: "CHROOT", 211: "IOPRIO", 212: "TIMERSLACK",
        213: "SECUREBITS", 214: "SETSCHEDULER", 215: "CPUAFFINITY", 216: "GROUP", 217: "USER", 218: "CAPABILITIES",
        219: "CGROUP", 220: "SETSID", 221: "CONFIRM", 222: "STDERR", 224: "PERSONALITY", 225: "NETWORK",
        226: "NAMESPACE", 227: "NO_NEW_PRIVILEGES", 228: "SECCOMP", 233: "RUNTIME_DIRECTORY", 235: "CHOWN",
        238: "STATE_DIRECTORY", 239: "CACHE_DIRECTORY", 240: "LOGS_DIRECTORY", 241: "CONFIGURATION_DIRECTORY",
        243: "CREDENTIALS",
    ]

    /// The step of a status, for messages: "RuntimeDirectory=", "User=".
    public static func step(_ status: Int32) -> String {
        let steps: [Int32: String] = [
            200: "WorkingDirectory=", 201: "Nice=", 203: "exec", 205: "Limit*=", 206: "OOMScoreAdjust=", 210: "RootDirectory=",
            211: "IOSchedulingClass=", 213: "SecureBits=", 214: "CPUSchedulingPolicy=", 215: "CPUAffinity=",
            216: "Group=/SupplementaryGroups=", 217: "User=", 218: "CapabilityBoundingSet=/AmbientCapabilities=",
            227: "NoNewPrivileges=", 233: "RuntimeDirectory=", 238: "StateDirectory=", 239: "CacheDirectory=",
            240: "LogsDirectory=", 241: "ConfigurationDirectory=", 243: "LoadCredential=/SetCredential=",
        ]
        return steps[status] ?? "setup"
    }

    /// `217/USER`, or the bare number for a status systemd does not name.
    public static func describe(_ status: Int32) -> String {
        names[status].map { "\(status)/\($0)" } ?? String(status)
    }
}
