/// systemd.exec(5) and systemd.kill(5) directives, valid in `[Service]` and `[Socket]` alike.
enum ExecDirectives {
    typealias Exec = Field<ExecContext>

    /// `Limit*=` names, the resource they set and how their values are measured.
    static let limits: [(directive: String, resource: String, unit: ResourceLimit.Unit)] = [
        ("LimitCPU", "CPU", .seconds), ("LimitFSIZE", "FSIZE", .bytes), ("LimitDATA", "DATA", .bytes),
        ("LimitSTACK", "STACK", .bytes), ("LimitCORE", "CORE", .bytes), ("LimitRSS", "RSS", .bytes),
        ("LimitNOFILE", "NOFILE", .count), ("LimitAS", "AS", .bytes), ("LimitNPROC", "NPROC", .count),
        ("LimitMEMLOCK", "MEMLOCK", .bytes), ("LimitLOCKS", "LOCKS", .count),
        ("LimitSIGPENDING", "SIGPENDING", .count), ("LimitMSGQUEUE", "MSGQUEUE", .bytes),
        ("LimitNICE", "NICE", .nice), ("LimitRTPRIO", "RTPRIO", .count), ("LimitRTTIME", "RTTIME", .microseconds),
    ]

    /// Sandboxing booleans and words that need a mount namespace or seccomp, parsed as systemd
    /// does and reported as not enforced.
    static let sandboxBooleans: [(String, DirectiveSupport)] = [
        ("PrivateUsers", NotEnforced.credentials), ("MountAPIVFS", NotEnforced.filesystem),
        ("RemoveIPC", NotEnforced.credentials),
    ]

    static let sandboxWords: [(String, DirectiveSupport)] = [
        ("SystemCallLog", NotEnforced.seccomp),
        ("DevicePolicy", NotEnforced.cgroups), ("DeviceAllow", NotEnforced.cgroups),
        ("RestrictNetworkInterfaces", NotEnforced.network), ("Slice", NotEnforced.cgroups),
        ("Delegate", NotEnforced.delegate), ("CPUAccounting", NotEnforced.accounting),
        ("MemoryAccounting", NotEnforced.accounting), ("TasksAccounting", NotEnforced.accounting),
        ("IOAccounting", NotEnforced.accounting),
        ("KeyringMode", NotEnforced.credentials), ("LoadCredentialEncrypted", NotEnforced.credentials),
        ("SetCredentialEncrypted", NotEnforced.credentials), ("SELinuxContext", NotEnforced.seccomp),
        ("AppArmorProfile", NotEnforced.seccomp), ("SmackProcessLabel", NotEnforced.seccomp),
        ("TTYPath", NotEnforced.terminal), ("TTYReset", NotEnforced.terminal), ("TTYVHangup", NotEnforced.terminal),
        ("TTYVTDisallocate", NotEnforced.terminal), ("UtmpIdentifier", NotEnforced.terminal),
        ("UtmpMode", NotEnforced.terminal), ("LogLevelMax", NotEnforced.logging),
        ("LogExtraFields", NotEnforced.logging), ("SyslogFacility", NotEnforced.logging),
        ("LogRateLimitIntervalSec", NotEnforced.logging), ("LogRateLimitBurst", NotEnforced.logging),
        ("LogNamespace", NotEnforced.logging), ("CoredumpFilter", NotEnforced.coredump),
        ("TimerSlackNSec", NotEnforced.scheduling), ("NUMAPolicy", NotEnforced.scheduling),
        ("NUMAMask", NotEnforced.scheduling), ("RootImage", NotEnforced.filesystem),
        ("MountFlags", NotEnforced.filesystem), ("ManagedOOMSwap", NotEnforced.cgroups),
        ("ManagedOOMMemoryPressure", NotEnforced.cgroups), ("RuntimeRandomizedExtraSec", NotEnforced.jobs),
    ]

    /// systemd 252's systemd.exec(5) and systemd.resource-control(5) directives wick reads and
    /// ignores, whatever their value.
    static let unsupported: Set<String> = [
        "RootImageOptions", "RootHash", "RootHashSignature", "RootVerity", "ExtensionDirectories", "ExtensionImages",
        "MountImages", "TTYRows", "TTYColumns", "Capabilities", "RestrictFileSystems", "ExecSearchPath",
        "NetworkNamespacePath", "IPCNamespacePath", "TimeoutCleanSec", "PAMName", "AllowedCPUs", "StartupAllowedCPUs",
        "AllowedMemoryNodes", "StartupAllowedMemoryNodes", "StartupCPUWeight", "StartupCPUShares", "DefaultMemoryMin",
        "DefaultMemoryLow", "StartupIOWeight", "IODeviceWeight", "IOReadBandwidthMax", "IOWriteBandwidthMax",
        "IOReadIOPSMax", "IOWriteIOPSMax", "IODeviceLatencyTargetSec", "BlockIOAccounting", "BlockIOWeight",
        "StartupBlockIOWeight", "BlockIODeviceWeight", "BlockIOReadBandwidth", "BlockIOWriteBandwidth",
        "DisableControllers", "IPIngressFilterPath", "IPEgressFilterPath", "ManagedOOMMemoryPressureLimit",
        "ManagedOOMPreference", "NetClass", "BPFProgram",
    ]

    /// What stands in a unit's execution context while a directive writes it (`Field.lifted`).
    static let placeholder = ExecContext()

    /// The kill or exec directive `key` of the section whose contexts are at `root` and `kill`
    /// (a kill directive wins over an exec one of the same name), lifted for this one assignment:
    /// lifting both tables into `[Service]` and `[Socket]` when the first unit was read cost
    /// 850,000 instructions at every start of the daemon.

    static func directive(_ key: String, _ root: WritableKeyPath<UnitSettings, ExecContext>, kill: WritableKeyPath<UnitSettings, KillContext>) -> Directive? {
        if let make = killTable[key] { return make().lifted(kill) }
        return exec(key)?.lifted(root, placeholder: placeholder)
    }

    /// systemd.kill(5).
    nonisolated(unsafe) static let killTable: [String: () -> Field<KillContext>] = [
        "KillMode": { .choice(\.mode) },
        "KillSignal": { .signal(\.signal) },
        "RestartKillSignal": { .optionalSignal(\.restartSignal) },
        "SendSIGHUP": { .boolean(\.sendSIGHUP) },
        "SendSIGKILL": { .boolean(\.sendSIGKILL) },
        "FinalKillSignal": { .signal(\.finalSignal) },
        "WatchdogSignal": { .signal(\.watchdogSignal) },
    ]

    /// systemd.exec(5) and the resource-control directives, on an `ExecContext`, for `[Service]`
    /// and `[Socket]`: the maker of each field (`Field`).
    nonisolated(unsafe) static let table: [String: () -> Exec] = {
        let table: [String: () -> Exec] = [
            "User": { Exec.optionalText(\.user) },
            "Group": { Exec.optionalText(\.group) },
            "SupplementaryGroups": { Exec.words(\.supplementaryGroups) },
            "DynamicUser": { Exec.boolean(\.dynamicUser).with(NotEnforced.dynamicUser) },
            "WorkingDirectory": { workingDirectory() },
            "RootDirectory": { Exec.path(\.rootDirectory).with(NotEnforced.rootDirectory) },
            "UMask": { Exec.mode(\.umask) },
            "Nice": { Exec.integer(\.nice, in: -20...19) },
            "OOMScoreAdjust": { Exec.integer(\.oomScoreAdjust, in: -1000...1000) },
            "CPUSchedulingPolicy": { named(\.cpuSchedulingPolicy, ["other": 0, "fifo": 1, "rr": 2, "batch": 3, "idle": 5]) },
            "CPUSchedulingPriority": { Exec.integer(\.cpuSchedulingPriority, in: 0...99) },
            "CPUSchedulingResetOnFork": { Exec.boolean(\.cpuSchedulingResetOnFork) },
            "IOSchedulingClass": { named(\.ioSchedulingClass, ["none": 0, "realtime": 1, "best-effort": 2, "idle": 3]) },
            "IOSchedulingPriority": { Exec.integer(\.ioSchedulingPriority, in: 0...7) },
            "CPUAffinity": { cpuAffinity(\.cpuAffinity) },
            "Personality": { personality(\.personality) },
            "LoadCredential": { loadCredential(\.loadCredentials) },
            "SetCredential": { setCredential(\.setCredentials) },
            "Environment": { environment() },
            "EnvironmentFile": { environmentFile() },
            "PassEnvironment": { .words(\.passEnvironment) },
            "UnsetEnvironment": { .words(\.unsetEnvironment) },
            "StandardInput": { standardInput() },
            "IgnoreSIGPIPE": { Exec.boolean(\.ignoreSIGPIPE) },
            "StandardOutput": { optionalStream(\.standardOutput) },
            "StandardError": { stream(\.standardError, input: false) },
            "StandardInputText": { standardInputText(\.standardInputData) },
            "StandardInputData": { standardInputData(\.standardInputData) },
            "SyslogIdentifier": { Exec.optionalText(\.syslogIdentifier) },
            "SyslogLevel": { syslogLevel(\.syslogLevel) },
            "SyslogLevelPrefix": { Exec.boolean(\.syslogLevelPrefix) },
            "RuntimeDirectory": { directories(\.runtimeDirectory) },
            "StateDirectory": { directories(\.stateDirectory) },
            "CacheDirectory": { directories(\.cacheDirectory) },
            "LogsDirectory": { directories(\.logsDirectory) },
            "ConfigurationDirectory": { directories(\.configurationDirectory) },
            "RuntimeDirectoryMode": { Exec.mode(\.runtimeDirectoryMode) },
            "StateDirectoryMode": { Exec.mode(\.stateDirectoryMode) },
            "CacheDirectoryMode": { Exec.mode(\.cacheDirectoryMode) },
            "LogsDirectoryMode": { Exec.mode(\.logsDirectoryMode) },
            "ConfigurationDirectoryMode": { Exec.mode(\.configurationDirectoryMode) },
            "RuntimeDirectoryPreserve": { Exec.wordOrBoolean(\.runtimeDirectoryPreserve, ["restart"]) },
            "CapabilityBoundingSet": { capabilities(\.capabilityBoundingSet) },
            "AmbientCapabilities": { capabilities(\.ambientCapabilities) },
            "NoNewPrivileges": { Exec.boolean(\.noNewPrivileges) },
            "SecureBits": { secureBits(\.secureBits) },
            "PrivateNetwork": { Exec.boolean(\.privateNetwork) },
            "IPAddressAllow": { addressPrefixes(\.ipAddressAllow) },
            "IPAddressDeny": { addressPrefixes(\.ipAddressDeny) },
            "IPAccounting": { Exec.boolean(\.ipAccounting) },
            "ProtectProc": { Exec.word(\.protectProc, ["default", "noaccess", "invisible", "ptraceable"]) },
            "ProcSubset": { Exec.word(\.procSubset, ["all", "pid"]) },
            "ProtectSystem": { Exec.wordOrBoolean(\.protectSystem, ["full", "strict"]) },
            "ProtectHome": { Exec.wordOrBoolean(\.protectHome, ["read-only", "tmpfs"]) },
            "ReadOnlyPaths": { Exec.paths(\.readOnlyPaths) },
            "ReadWritePaths": { Exec.paths(\.readWritePaths) },
            "InaccessiblePaths": { Exec.paths(\.inaccessiblePaths) },
            // The older names systemd 252 still reads for the three above.
            "ReadOnlyDirectories": { Exec.paths(\.readOnlyPaths) },
            "ReadWriteDirectories": { Exec.paths(\.readWritePaths) },
            "InaccessibleDirectories": { Exec.paths(\.inaccessiblePaths) },
            "ExecPaths": { Exec.paths(\.execPaths) },
            "NoExecPaths": { Exec.paths(\.noExecPaths) },
            // PATH[:OPTIONS]: an entry whose path is not absolute is skipped and the others apply,
            // as systemd's config_parse_temporary_filesystems() does.
            "TemporaryFileSystem": { Exec { settings, value, resolver throws(ValueError) in
                if value.isEmpty { settings.temporaryFileSystem = []; return }
                var skipped: [String] = []
                for word in try WordSplitter.split(value) {
                    let entry = try resolver.expand(word.text)
                    let path = String(entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                    if (try? ListenSpec.absolutePath(path)) == nil { skipped.append(entry); continue }
                    settings.temporaryFileSystem.append(entry)
                }
                if !skipped.isEmpty { throw ValueError("not an absolute path, ignored (the others apply): \(skipped.joined(separator: ", "))") }
            } },
            // The sandboxing booleans wick enforces (systemd.exec(5) "Sandboxing").
            "PrivateTmp": { .boolean(\.privateTmp) },
            "PrivateDevices": { .boolean(\.privateDevices) },
            "PrivateMounts": { .boolean(\.privateMounts) },
            "PrivateIPC": { .boolean(\.privateIPC) },
            "ProtectKernelTunables": { .boolean(\.protectKernelTunables) },
            "ProtectKernelModules": { .boolean(\.protectKernelModules) },
            "ProtectKernelLogs": { .boolean(\.protectKernelLogs) },
            "ProtectControlGroups": { .boolean(\.protectControlGroups) },
            "ProtectClock": { .boolean(\.protectClock) },
            "ProtectHostname": { .boolean(\.protectHostname) },
            "MemoryDenyWriteExecute": { .boolean(\.memoryDenyWriteExecute) },
            "LockPersonality": { .boolean(\.lockPersonality) },
            "RestrictRealtime": { .boolean(\.restrictRealtime) },
            "RestrictSUIDSGID": { .boolean(\.restrictSUIDSGID) },
            "BindPaths": { Exec.words(\.bindPaths) },
            "BindReadOnlyPaths": { Exec.words(\.bindReadOnlyPaths) },
            "SystemCallFilter": { Exec { settings, value, _ throws(ValueError) in
                try SyscallFilterSetting.assign(value, to: &settings.systemCallFilter)
            } },
            "RestrictAddressFamilies": { Exec { settings, value, _ throws(ValueError) in
                try AddressFamilySetting.assign(value, to: &settings.restrictAddressFamilies)
            } },
            "RestrictNamespaces": { restrictNamespaces(\.restrictNamespaces) },
            "SystemCallErrorNumber": { Exec { settings, value, _ throws(ValueError) in
                if value.isEmpty || value == "kill" { settings.systemCallErrorNumber = nil; return }
                guard let number = ErrnoNames.number(value), number > 0 else { throw .expected("an errno name or number, or kill", got: value) }
                settings.systemCallErrorNumber = number
            } },
            "SystemCallArchitectures": { Exec { settings, value, _ throws(ValueError) in
                if value.isEmpty { settings.systemCallArchitectures = []; return }
                for word in value.split(separator: " ") where word != "native" {
                    throw .expected("native (wick knows no other architecture name)", got: String(word))
                }
                settings.systemCallArchitectures = ["native"]
            } },
        ]
        return table
    }()

    /// The field of the exec directive `key`: the table's, then a `Limit*=`, a resource-control
    /// directive, a parsed-only sandboxing word. The last three are looked up where they are
    /// listed, not copied into the table (about 95 entries, 90,000 instructions at every start).
    static func exec(_ key: String) -> Exec? {
        if let make = table[key] { return make() }
        if let limit = limits.first(where: { $0.directive == key }) { return self.limit(resource: limit.resource, unit: limit.unit) }
        if let make = ResourceDirectives.table[key] { return make().lifted(\.resources) }
        if let support = sandboxBooleans.first(where: { $0.0 == key })?.1 {
            return Exec(support) { _, value, _ throws(ValueError) in _ = try Boolean.parse(value) }
        }
        if let support = sandboxWords.first(where: { $0.0 == key })?.1 {
            return Exec(support) { _, value, _ throws(ValueError) in _ = try WordSplitter.split(value) }
        }
        if unsupported.contains(key) { return Exec.unsupported }
        return nil
    }

    /// `WorkingDirectory=`: an absolute path, `~` (the user's home), with `-` to ignore a missing one.
    static func workingDirectory() -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings.workingDirectory = nil; return }
            let expanded = try resolver.expand(value)
            let bare = expanded.hasPrefix("-") ? String(expanded.dropFirst()) : expanded
            if bare != "~" { _ = try ListenSpec.absolutePath(bare) }
            settings.workingDirectory = expanded
        }
    }

    /// `Environment="A=1" B=2`: words with quotes and escapes, each `NAME=value`; the empty
    /// assignment resets the list (systemd.exec(5) "Environment").
    static func environment() -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings.environment = []; return }
            for word in try WordSplitter.split(value) {
                let assignment = try resolver.expand(word.text)
                guard let equals = assignment.firstIndex(of: "="), isValidVariableName(assignment[..<equals]) else {
                    throw .expected("NAME=value assignments (NAME of letters, digits and _)", got: assignment)
                }
                settings.environment.append(EnvironmentVariable(
                    name: String(assignment[..<equals]), value: String(assignment[assignment.index(after: equals)...])))
            }
        }
    }

    static func isValidVariableName(_ name: Substring) -> Bool {
        guard let first = name.first, !first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    static func environmentFile() -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings.environmentFiles = []; return }
            let expanded = try resolver.expand(value)
            let optional = expanded.hasPrefix("-")
            let path = try ListenSpec.absolutePath(optional ? String(expanded.dropFirst()) : expanded)
            settings.environmentFiles.append(EnvironmentFile(path: path, optional: optional))
        }
    }

    static func stream(_ keyPath: WritableKeyPath<ExecContext, StandardStream>, input: Bool) -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            settings[keyPath: keyPath] = try StandardStream.parse(try resolver.expand(value), input: input)
        }
    }

    /// `SyslogLevel=`: a syslog level name (emerg ... debug) or its number, as systemd's
    /// log_level_from_string().
    static func syslogLevel(_ keyPath: WritableKeyPath<ExecContext, LogLevel>) -> Exec {
        Exec { settings, value, _ throws(ValueError) in
            guard let level = LogLevel(parsing: value) else {
                throw .expected("a syslog level: emerg, alert, crit, err, warning, notice, info, debug or 0-7", got: value)
            }
            settings[keyPath: keyPath] = level
        }
    }

    static func optionalStream(_ keyPath: WritableKeyPath<ExecContext, StandardStream?>) -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            settings[keyPath: keyPath] = value.isEmpty ? nil : try StandardStream.parse(try resolver.expand(value), input: false)
        }
    }

    /// `IPAddressAllow=`/`IPAddressDeny=`: lines add up, the empty assignment resets. Enforced on
    /// the sockets wick passes (ingress); the service's own connections are not filtered.
    static func addressPrefixes(_ keyPath: WritableKeyPath<ExecContext, [IPAddressPrefix]>) -> Exec {
        Exec { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            Exec.append(try IPAddressPrefix.parseList(value), to: &settings, at: keyPath)
        }
    }

    /// `StandardInput=`; remembers that it was set (data alone implies `data`).
    static func standardInput() -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            settings.standardInput = try StandardStream.parse(try resolver.expand(value), input: true)
            settings.standardInputSet = true
        }
    }

    /// `StandardInputText=`: specifiers expanded, C escapes decoded, a newline added; appended to
    /// the data. The empty assignment resets the data.
    static func standardInputText(_ keyPath: WritableKeyPath<ExecContext, [UInt8]>) -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            Exec.append(Array(try WordSplitter.unescape(Substring(try resolver.expand(value))).utf8) + [10], to: &settings, at: keyPath)
        }
    }

    /// `StandardInputData=`: base64 (whitespace ignored), appended to the data; the empty
    /// assignment resets it.
    static func standardInputData(_ keyPath: WritableKeyPath<ExecContext, [UInt8]>) -> Exec {
        Exec { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            guard let bytes = Base64.decode(value) else { throw .expected("base64 data", got: String(value.prefix(40))) }
            Exec.append(bytes, to: &settings, at: keyPath)
        }
    }

    /// `Personality=`: the native architecture (`PER_LINUX`) or its 32-bit companion
    /// (`PER_LINUX32`), as systemd's `personality_from_string()` accepts; the empty assignment
    /// unsets it.
    static func personality(_ keyPath: WritableKeyPath<ExecContext, UInt32?>) -> Exec {
        Exec { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = nil; return }
            #if arch(x86_64)
            let native = "x86-64", secondary = "x86"
            #elseif arch(arm64)
            let native = "arm64", secondary = "arm"
            #else
            let native = "native", secondary = "none"
            #endif
            switch value {
            case native: settings[keyPath: keyPath] = 0
            case secondary: settings[keyPath: keyPath] = 8
            default: throw .expected("\(native) or \(secondary) (this machine's architectures)", got: value)
            }
        }
    }

    /// `RestrictNamespaces=`: `yes` (none allowed), `no` (all), or the types allowed (`~`: the
    /// types denied); later lines merge (systemd's `config_parse_restrict_namespaces()`).
    static func restrictNamespaces(_ keyPath: WritableKeyPath<ExecContext, UInt32?>) -> Exec {
        Exec { settings, value, _ throws(ValueError) in
            let all = UInt32(bitPattern: AddressFamilies.namespaceFlagsAll)
            if value.isEmpty { settings[keyPath: keyPath] = nil; return }
            if let yes = try? Boolean.parse(value) { settings[keyPath: keyPath] = yes ? 0 : all; return }
            let invert = value.hasPrefix("~")
            var flags: UInt32 = 0
            for word in value.dropFirst(invert ? 1 : 0).split(separator: " ") {
                guard let flag = AddressFamilies.namespaceFlags[String(word)] else {
                    throw .expected("namespace types (\(AddressFamilies.namespaceNames.joined(separator: " ")))", got: String(word))
                }
                flags |= UInt32(bitPattern: flag)
            }
            let retained = invert ? ~flags & all : flags
            settings[keyPath: keyPath] = settings[keyPath: keyPath].map { invert ? $0 & retained : $0 | retained } ?? retained
        }
    }

    /// A name from `names`, or its number; the empty assignment unsets it.
    static func named(_ keyPath: WritableKeyPath<ExecContext, Int32?>, _ names: KeyValuePairs<String, Int32>) -> Exec {
        Exec { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = nil; return }
            if let number = names.first(where: { $0.key == value })?.value ?? Int32(value).flatMap({ number in
                names.contains { $0.value == number } ? number : nil
            }) {
                settings[keyPath: keyPath] = number
                return
            }
            throw .expected(names.map { $0.key }.joined(separator: ", "), got: value)
        }
    }

    /// `CPUAffinity=`: CPU numbers and `a-b` ranges, separated by spaces or commas; lines add up,
    /// the empty assignment resets (systemd's `parse_cpu_set_extend()`).
    static func cpuAffinity(_ keyPath: WritableKeyPath<ExecContext, [Int32]>) -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            var cpus = Set(settings[keyPath: keyPath])
            for word in try resolver.expand(value).split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
                let bounds = word.split(separator: "-", maxSplits: 1).map { Int32($0) }
                guard let first = bounds.first ?? nil, let last = bounds.last ?? nil, first >= 0, first <= last, last < 8192 else {
                    throw .expected("CPU numbers and ranges such as 0 2-3", got: String(word))
                }
                cpus.formUnion(first...last)
            }
            settings[keyPath: keyPath] = cpus.sorted()
        }
    }

    /// A credential name (systemd's `credential_name_valid()`): a file name, not `.` or `..`.
    static func credentialID(_ text: Substring, whole: String) throws(ValueError) -> String {
        guard !text.isEmpty, text.count <= 255, !text.contains("/"), text != ".", text != ".." else {
            throw .expected("ID:VALUE with an ID that is a plain file name", got: whole)
        }
        return String(text)
    }

    /// `LoadCredential=ID[:PATH]`: an absolute PATH is read; a relative one (or none: the ID) is
    /// looked up in /etc/credstore, /run/credstore and /usr/lib/credstore. The empty assignment
    /// resets the list.
    static func loadCredential(_ keyPath: WritableKeyPath<ExecContext, [LoadCredential]>) -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            let expanded = try resolver.expand(value)
            let parts = expanded.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let id = try credentialID(parts[0], whole: expanded)
            let path = parts.count == 2 && !parts[1].isEmpty ? String(parts[1]) : id
            if !path.hasPrefix("/"), path.contains("/") || path == "." || path == ".." {
                throw .expected("an absolute path or a file name in the credential stores", got: path)
            }
            Exec.append([LoadCredential(id: id, path: path)], to: &settings, at: keyPath)
        }
    }

    /// `SetCredential=ID:VALUE`, C escapes decoded; a fallback for a `LoadCredential=` of the same
    /// ID that cannot be read. The empty assignment resets the list.
    static func setCredential(_ keyPath: WritableKeyPath<ExecContext, [SetCredential]>) -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            let expanded = try resolver.expand(value)
            let parts = expanded.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let id = try credentialID(parts[0], whole: expanded)
            let decoded = parts.count == 2 ? try WordSplitter.unescape(parts[1]) : ""
            settings[keyPath: keyPath].removeAll { $0.id == id }
            Exec.append([SetCredential(id: id, value: Array(decoded.utf8))], to: &settings, at: keyPath)
        }
    }

    /// `CapabilityBoundingSet=`, `AmbientCapabilities=` (`Capabilities.assign`).
    static func capabilities(_ keyPath: WritableKeyPath<ExecContext, CapabilitySet?>) -> Exec {
        Exec { settings, value, _ throws(ValueError) in
            try Capabilities.assign(value, to: &settings[keyPath: keyPath])
        }
    }

    /// `SecureBits=`: each line replaces the previous one (systemd's `config_parse_exec_secure_bits()`).
    static func secureBits(_ keyPath: WritableKeyPath<ExecContext, UInt32>) -> Exec {
        Exec { settings, value, _ throws(ValueError) in
            settings[keyPath: keyPath] = try SecureBits.parse(value)
        }
    }

    /// `RuntimeDirectory=` and its kin: relative paths below the kind's base, without `..`
    /// (systemd's `config_parse_exec_directories()`); the empty assignment resets.
    static func directories(_ keyPath: WritableKeyPath<ExecContext, [String]>) -> Exec {
        Exec { settings, value, resolver throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            for word in try WordSplitter.split(value) {
                let path = try resolver.expand(word.text)
                let parts = path.split(separator: "/")
                guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains(".") else {
                    throw .expected("a relative path without '..' (below /run, /var/lib, /var/cache, /var/log or /etc)", got: path)
                }
                Exec.append([parts.joined(separator: "/")], to: &settings, at: keyPath)
            }
        }
    }

    static func limit(resource: String, unit: ResourceLimit.Unit) -> Exec {
        Exec { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings.limits[resource] = nil; return }
            settings.limits[resource] = try ResourceLimit.parse(value, unit: unit)
        }
    }
}
