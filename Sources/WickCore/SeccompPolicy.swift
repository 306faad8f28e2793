import WickUnits

/// The ABIs a process can call the kernel with (libseccomp's names): systemd's
/// seccomp_local_archs[] holds those of the machine (on x86-64: x86-64, i386 and x32).
public enum SeccompABI: String, Hashable, Sendable {
    case x86_64, x86, x32, aarch64, arm
}

/// One seccomp filter, described (pure); `SeccompCompiler` in WickSystem turns it into BPF with
/// libseccomp before the clone, one program for each ABI of the machine (systemd's
/// SECCOMP_FOREACH_LOCAL_ARCH), and the child loads them last (`cwick_apply_seccomp`). systemd
/// installs one filter per setting, each allowing what it does not name, in a fixed order;
/// the kernel runs them all and the strictest answer wins.
public struct SeccompFilter: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        case allow
        case errno(Int32)
        case killProcess
    }

    /// A condition on an argument, as libseccomp's `scmp_arg_cmp`.
    public struct Condition: Hashable, Sendable {
        public enum Operator: Int32, Sendable {
            // libseccomp's enum scmp_compare.
            case notEqual = 1, less, lessOrEqual, equal, greaterOrEqual, greater, maskedEqual
        }
        public var argument: UInt32
        public var op: Operator
        public var value: UInt64
        public var mask: UInt64 = 0
    }

    public struct Rule: Hashable, Sendable {
        public var syscall: String
        public var action: Action
        public var conditions: [Condition] = []
        /// The ABIs the rule is for; nil: every ABI.
        public var abis: Set<SeccompABI>? = nil
    }

    /// The setting it implements, for messages.
    public var directive: String
    public var defaultAction: Action = .allow
    public var rules: [Rule] = []
    /// The ABIs the filter is made for; nil: every ABI of the machine.
    public var abis: Set<SeccompABI>? = nil
    /// `SystemCallArchitectures=native`: one program for the native ABI, and calls of another
    /// ABI (x32, i386) kill the process.
    public var nativeOnly = false
}

/// The filters of a context, in systemd 252's order (execute.c, exec_child()).
public enum SeccompPolicy {
    static let eperm = SeccompFilter.Action.errno(1)
    static let eafnosupport = SeccompFilter.Action.errno(97)
    static let enosys = SeccompFilter.Action.errno(38)

    static func denying(_ directive: String, _ calls: [String]) -> SeccompFilter {
        SeccompFilter(directive: directive, rules: calls.map { SeccompFilter.Rule(syscall: $0, action: eperm) })
    }

    public static func filters(_ context: ExecContext) -> [SeccompFilter] {
        var filters: [SeccompFilter] = []
        if let families = context.restrictAddressFamilies { filters.append(addressFamilies(families)) }
        if context.memoryDenyWriteExecute { filters.append(memoryDenyWriteExecute()) }
        if context.restrictRealtime {
            // sched_setscheduler(2) with SCHED_FIFO (1), SCHED_RR (2), 4, or anything above SCHED_IDLE (5).
            filters.append(SeccompFilter(directive: "RestrictRealtime=", rules: [1, 2, 4].map {
                .init(syscall: "sched_setscheduler", action: eperm, conditions: [.init(argument: 1, op: .equal, value: $0)])
            } + [.init(syscall: "sched_setscheduler", action: eperm, conditions: [.init(argument: 1, op: .greater, value: 5)])]))
        }
        if context.restrictSUIDSGID { filters.append(suidSGID()) }
        if let retained = context.restrictNamespaces, let filter = namespaces(retained: retained) { filters.append(filter) }
        if context.protectKernelTunables { filters.append(denying("ProtectKernelTunables=", ["_sysctl"])) }
        if context.protectKernelModules { filters.append(denying("ProtectKernelModules=", SyscallGroups.expand("@module") ?? [])) }
        if context.protectKernelLogs { filters.append(denying("ProtectKernelLogs=", ["syslog"])) }
        if context.protectClock { filters.append(denying("ProtectClock=", SyscallGroups.expand("@clock") ?? [])) }
        if context.privateDevices { filters.append(denying("PrivateDevices=", SyscallGroups.expand("@raw-io") ?? [])) }
        if context.protectHostname { filters.append(denying("ProtectHostname=", ["sethostname", "setdomainname"])) }
        if context.systemCallArchitectures == ["native"] {
            filters.append(SeccompFilter(directive: "SystemCallArchitectures=", nativeOnly: true))
        }
        if context.lockPersonality {
            filters.append(SeccompFilter(directive: "LockPersonality=", rules: [
                .init(syscall: "personality", action: eperm, conditions: [.init(argument: 0, op: .notEqual, value: UInt64(context.personality ?? 0))]),
            ]))
        }
        if let filter = context.systemCallFilter { filters.append(systemCalls(filter, errno: context.systemCallErrorNumber)) }
        return filters
    }

    /// `MemoryDenyWriteExecute=` as systemd's seccomp_memory_deny_write_execute() per ABI: a
    /// mapping both writable and executable fails (mmap; mmap2 on i386 and arm, where i386's old
    /// mmap, whose arguments are in memory, fails whatever it asks), as does making memory
    /// executable (mprotect, pkey_mprotect) or attaching shared memory executable (shmat, where it
    /// is a call of its own: not on i386, where it goes through ipc()).
    static func memoryDenyWriteExecute() -> SeccompFilter {
        let both: UInt64 = 0x2 | 0x4  // PROT_WRITE | PROT_EXEC
        let writableExecutable = [SeccompFilter.Condition(argument: 2, op: .maskedEqual, value: both, mask: both)]
        let executable = [SeccompFilter.Condition(argument: 2, op: .maskedEqual, value: 0x4, mask: 0x4)]
        return SeccompFilter(directive: "MemoryDenyWriteExecute=", rules: [
            .init(syscall: "mmap", action: eperm, conditions: writableExecutable, abis: [.x86_64, .x32, .aarch64]),
            .init(syscall: "mmap2", action: eperm, conditions: writableExecutable, abis: [.x86, .arm]),
            .init(syscall: "mmap", action: eperm, abis: [.x86]),
            .init(syscall: "mprotect", action: eperm, conditions: executable),
            .init(syscall: "pkey_mprotect", action: eperm, conditions: executable),
            .init(syscall: "shmat", action: eperm, conditions: [.init(argument: 2, op: .maskedEqual, value: 0o100000, mask: 0o100000)],
                  abis: [.x86_64, .x32, .aarch64, .arm]),
        ])
    }

    /// `RestrictAddressFamilies=`: socket(2) of another family fails with EAFNOSUPPORT. Not on
    /// i386, where socket(2) can be reached through socketcall(2), whose arguments are in memory
    /// (systemd's seccomp_restrict_address_families() leaves such ABIs out too).
    static func addressFamilies(_ setting: AddressFamilySetting) -> SeccompFilter {
        var filter = SeccompFilter(directive: "RestrictAddressFamilies=", abis: [.x86_64, .x32, .aarch64, .arm])
        func socket(_ op: SeccompFilter.Condition.Operator, _ family: Int32) -> SeccompFilter.Rule {
            .init(syscall: "socket", action: eafnosupport, conditions: [.init(argument: 0, op: op, value: UInt64(family))])
        }
        let valid = setting.families.filter { $0 > 0 && $0 < AddressFamilies.familyMax }
        if !setting.allowList {
            filter.rules = valid.sorted().map { socket(.equal, $0) }
        } else if let first = valid.min(), let last = valid.max() {
            filter.rules = [socket(.less, first), socket(.greater, last)]
                + (first...last).filter { !valid.contains($0) }.map { socket(.equal, $0) }
        } else {
            filter.rules = [.init(syscall: "socket", action: eafnosupport)]
        }
        return filter
    }

    /// `RestrictSUIDSGID=`: creating or chmod-ing a file set-user-ID or set-group-ID fails.
    static func suidSGID() -> SeccompFilter {
        var rules: [SeccompFilter.Rule] = []
        let create: UInt64 = 0o100  // O_CREAT
        for bit: UInt64 in [0o4000, 0o2000] {
            func mode(_ argument: UInt32) -> SeccompFilter.Condition { .init(argument: argument, op: .maskedEqual, value: bit, mask: bit) }
            for (call, argument) in [("chmod", 1), ("fchmod", 1), ("fchmodat", 2), ("mkdir", 1), ("mkdirat", 2), ("mknod", 1), ("mknodat", 2), ("creat", 1)] as [(String, UInt32)] {
                rules.append(.init(syscall: call, action: eperm, conditions: [mode(argument)]))
            }
            rules.append(.init(syscall: "open", action: eperm, conditions: [.init(argument: 1, op: .maskedEqual, value: create, mask: create), mode(2)]))
            rules.append(.init(syscall: "openat", action: eperm, conditions: [.init(argument: 2, op: .maskedEqual, value: create, mask: create), mode(3)]))
        }
        rules.append(.init(syscall: "openat2", action: enosys))
        return SeccompFilter(directive: "RestrictSUIDSGID=", rules: rules)
    }

    /// `RestrictNamespaces=`: unshare(2), clone(2) and setns(2) of a type not retained fail; clone3
    /// fails with ENOSYS (its flags are out of seccomp's reach, so glibc falls back to clone).
    static func namespaces(retained: UInt32) -> SeccompFilter? {
        let all = UInt32(bitPattern: AddressFamilies.namespaceFlagsAll)
        guard retained & all != all else { return nil }
        var rules: [SeccompFilter.Rule] = [.init(syscall: "clone3", action: enosys)]
        if retained & all == 0 {
            rules.append(.init(syscall: "setns", action: eperm))
        } else {
            rules.append(.init(syscall: "setns", action: eperm, conditions: [.init(argument: 1, op: .equal, value: 0)]))
        }
        for name in AddressFamilies.namespaceNames {
            guard let flag = AddressFamilies.namespaceFlags[name].map({ UInt64(UInt32(bitPattern: $0)) }), retained & UInt32(flag) == 0 else { continue }
            let masked = SeccompFilter.Condition(argument: 0, op: .maskedEqual, value: flag, mask: flag)
            rules.append(.init(syscall: "unshare", action: eperm, conditions: [masked]))
            rules.append(.init(syscall: "clone", action: eperm, conditions: [masked]))
            if retained & all != 0 {
                rules.append(.init(syscall: "setns", action: eperm, conditions: [.init(argument: 1, op: .maskedEqual, value: flag, mask: flag)]))
            }
        }
        return SeccompFilter(directive: "RestrictNamespaces=", rules: rules)
    }

    /// `SystemCallFilter=`: an allow list (everything else fails) or a deny list, the failure being
    /// `SystemCallErrorNumber=` (default: the process is killed, SIGSYS) or an entry's own errno.
    static func systemCalls(_ setting: SyscallFilterSetting, errno: Int32?) -> SeccompFilter {
        let negative: SeccompFilter.Action = errno.map { .errno($0) } ?? .killProcess
        var calls: [String: Int32?] = [:]
        var order: [String] = []
        func apply(_ name: String, errno: Int32?, remove: Bool) {
            for call in name.hasPrefix("@") ? SyscallGroups.expand(name) ?? [] : [name] {
                if remove {
                    calls[call] = nil
                } else {
                    if calls[call] == nil { order.append(call) }
                    calls[call] = .some(errno)
                }
            }
        }
        if setting.allowList { apply("@default", errno: nil, remove: false) }
        for operation in setting.operations { apply(operation.name, errno: operation.errno, remove: operation.remove) }
        var filter = SeccompFilter(directive: "SystemCallFilter=", defaultAction: setting.allowList ? negative : .allow)
        for call in order {
            guard let entry = calls[call] else { continue }
            let action: SeccompFilter.Action = setting.allowList ? .allow : (entry.map { .errno($0) } ?? negative)
            filter.rules.append(.init(syscall: call, action: action))
        }
        return filter
    }

    /// Capabilities systemd drops from the bounding set for these settings (unit_patch_contexts()).
    public static func droppedCapabilities(_ context: ExecContext) -> UInt64 {
        var dropped: UInt64 = 0
        if context.protectKernelModules { dropped |= 1 << 16 }               // CAP_SYS_MODULE
        if context.protectKernelLogs { dropped |= 1 << 34 }                  // CAP_SYSLOG
        if context.protectClock { dropped |= 1 << 25 | 1 << 35 }             // CAP_SYS_TIME, CAP_WAKE_ALARM
        if context.privateDevices { dropped |= 1 << 27 | 1 << 17 }           // CAP_MKNOD, CAP_SYS_RAWIO
        return dropped
    }
}
