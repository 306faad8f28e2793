/// systemd's exit statuses for a process that failed before or at exec (src/shared/exit-status.h),
/// shown as `217/USER` by `wick status`, as `systemctl status` does.
public enum SetupStatus {
    /// The statuses wick produces itself, before the clone; the child's come from CWick's
    /// `CWICK_EXIT_*`, the same numbers.
    public static let exec: Int32 = 203, limits: Int32 = 205, group: Int32 = 216, user: Int32 = 217, cgroup: Int32 = 219
    public static let runtimeDirectory: Int32 = 233, stateDirectory: Int32 = 238, cacheDirectory: Int32 = 239
    public static let logsDirectory: Int32 = 240, configurationDirectory: Int32 = 241, credentials: Int32 = 243

    static let names: [Int32: String] = [
        200: "CHDIR", 201: "NICE", 202: "FDS", 203: "EXEC", 204: "MEMORY", 205: "LIMITS", 206: "OOM_ADJUST",
        207: "SIGNAL_MASK", 208: "STDIN", 209: "STDOUT", 210: "CHROOT", 211: "IOPRIO", 212: "TIMERSLACK",
        213: "SECUREBITS", 214: "SETSCHEDULER", 215: "CPUAFFINITY", 216: "GROUP", 217: "USER", 218: "CAPABILITIES",
        219: "CGROUP", 220: "SETSID", 221: "CONFIRM", 222: "STDERR", 224: "PAM", 225: "NETWORK", 226: "NAMESPACE",
        227: "NO_NEW_PRIVILEGES", 228: "SECCOMP", 229: "SELINUX_CONTEXT", 230: "PERSONALITY", 231: "APPARMOR",
        232: "ADDRESS_FAMILIES", 233: "RUNTIME_DIRECTORY", 235: "CHOWN", 236: "SMACK_PROCESS_LABEL", 237: "KEYRING",
        238: "STATE_DIRECTORY", 239: "CACHE_DIRECTORY", 240: "LOGS_DIRECTORY", 241: "CONFIGURATION_DIRECTORY",
        242: "NUMA_POLICY", 243: "CREDENTIALS", 244: "BPF",
    ]

    /// The step of a status, for messages: "RuntimeDirectory=", "User=".
    public static func step(_ status: Int32) -> String {
        let steps: [Int32: String] = [
            200: "WorkingDirectory=", 201: "Nice=", 203: "exec", 205: "Limit*=", 206: "OOMScoreAdjust=", 210: "RootDirectory=",
            211: "IOSchedulingClass=", 213: "SecureBits=", 214: "CPUSchedulingPolicy=", 215: "CPUAffinity=", 230: "Personality=",
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
