/// systemd.resource-control(5) directives with cgroup effects, valid in `[Service]` and `[Socket]`.
/// Parsed here as systemd's load-fragment.c does; whether this host can enforce them is decided
/// at run time (WickCore `ResourceSupport`), so they carry no fixed "not enforced" note.
enum ResourceDirectives {
    typealias Resource = Field<ResourceControl>

    /// The maker of each field, on a `ResourceControl` (`ExecDirectives` lifts it into each
    /// section).
    nonisolated(unsafe) static let table: [String: () -> Resource] = [
        "MemoryMin": { memory(\.memoryMin, allowZero: true) },
        "MemoryLow": { memory(\.memoryLow, allowZero: true) },
        "MemoryHigh": { memory(\.memoryHigh, allowZero: false) },
        "MemoryMax": { memory(\.memoryMax, allowZero: false) },
        "MemorySwapMax": { memory(\.memorySwapMax, allowZero: true) },
        "MemoryLimit": { memory(\.memoryLimit, allowZero: false) },
        "TasksMax": { Resource { settings, value, _ throws(ValueError) in
            settings.tasksMax = value.isEmpty ? nil : try CgroupLimit.parse(value, allowZero: false) { text throws(ValueError) in
                guard let number = UInt64(text) else { throw .expected("a number of tasks, a percentage or 'infinity'", got: text) }
                return number
            }
        } },
        "CPUWeight": { Resource { settings, value, _ throws(ValueError) in
            settings.cpuIdle = value == "idle"
            settings.cpuWeight = value.isEmpty || value == "idle" ? nil : try weight(value)
        } },
        // cgroup v1's CPUShares= (2-262144), converted to a weight as systemd does on v2.
        "CPUShares": { Resource { settings, value, _ throws(ValueError) in
            guard !value.isEmpty else { settings.cpuWeight = nil; return }
            guard let shares = UInt64(value), (2...262_144).contains(shares) else { throw .expected("a number from 2 to 262144", got: value) }
            settings.cpuWeight = min(max(shares * 100 / 1024, 1), 10_000)
        } },
        "CPUQuota": { Resource { settings, value, _ throws(ValueError) in
            guard !value.isEmpty else { settings.cpuQuotaPerSecond = nil; return }
            guard let permyriad = try Permyriad.parse(value), permyriad > 0, value.hasSuffix("%") else {
                throw .expected("a percentage above 0 such as 20% or 150%", got: value)
            }
            let (perSecond, overflow) = permyriad.multipliedReportingOverflow(by: 100)
            guard !overflow else { throw ValueError("CPU quota '\(value)' is too large") }
            settings.cpuQuotaPerSecond = perSecond
        } },
        "CPUQuotaPeriodSec": { Resource { settings, value, _ throws(ValueError) in
            settings.cpuQuotaPeriod = value.isEmpty ? nil
                : min(max(try TimeSpan.parse(value).microseconds, 1000), 1_000_000)   // systemd clamps to 1ms-1s
        } },
        "IOWeight": { Resource { settings, value, _ throws(ValueError) in
            settings.ioWeight = value.isEmpty ? nil : try weight(value)
        } },
        "SocketBindAllow": { socketBind(\.socketBindAllow) },
        "SocketBindDeny": { socketBind(\.socketBindDeny) },
    ]

    static func memory(_ keyPath: WritableKeyPath<ResourceControl, CgroupLimit?>, allowZero: Bool) -> Resource {
        Resource { settings, value, _ throws(ValueError) in
            settings[keyPath: keyPath] = value.isEmpty ? nil : try CgroupLimit.parse(value, allowZero: allowZero) { text throws(ValueError) in try ByteSize.parse(text) }
        }
    }

    static func weight(_ value: String) throws(ValueError) -> UInt64 {
        guard let weight = UInt64(value), (1...10_000).contains(weight) else { throw .expected("a weight from 1 to 10000", got: value) }
        return weight
    }

    /// A rule per assignment, at most 128 each (systemd's limit); empty clears the list.
    static func socketBind(_ keyPath: WritableKeyPath<ResourceControl, [SocketBindRule]>) -> Resource {
        Resource { settings, value, _ throws(ValueError) in
            if value.isEmpty { settings[keyPath: keyPath] = []; return }
            guard settings[keyPath: keyPath].count < 128 else { throw ValueError("at most 128 rules are allowed") }
            Resource.append([try SocketBindRule.parse(value)], to: &settings, at: keyPath)
        }
    }
}
