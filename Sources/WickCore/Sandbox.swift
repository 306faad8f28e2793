import WickUnits

/// A process's sandbox (systemd.exec(5) "Sandboxing"): the namespaces it gets and the mount steps
/// of systemd's namespace.c, planned here (pure) with every path already below the staging root;
/// the child only executes the steps (`cwick_apply_namespaces`). The system-call filters are
/// `SeccompPolicy`'s.
public struct Sandbox: Equatable, Sendable {
    public struct Namespaces: OptionSet, Equatable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// clone(2) flags.
        public static let mount = Namespaces(rawValue: 0x0002_0000)
        public static let uts = Namespaces(rawValue: 0x0400_0000)
        public static let ipc = Namespaces(rawValue: 0x0800_0000)
        public static let network = Namespaces(rawValue: 0x4000_0000)
    }

    /// `struct cwick_mount`'s kinds.
    public enum StepKind: Int32, Sendable {
        case bind = 1, readOnly, noExec, tmpfs, mkdir, touch, symlink, devpts, inaccessible, moveRoot, proc, node
    }

    public struct Step: Equatable, Sendable {
        public var kind: StepKind
        public var path: String
        public var source: String? = nil
        public var options: String? = nil
        public var flag: UInt32 = 0
        public var ignoreMissing = false
    }

    /// What the daemon provides: where the unit's tree is assembled before it becomes its root,
    /// the 0000 nodes that make a path inaccessible, and the unit's private /tmp and /var/tmp.
    public struct Host: Equatable, Sendable {
        public var stagingRoot: String
        public var inaccessibleDirectory: String
        public var inaccessibleFile: String
        /// `PrivateTmp=`: the unit's directories that become its /tmp and /var/tmp.
        public var privateTmp: PrivateTmp?

        public init(stagingRoot: String, inaccessibleDirectory: String, inaccessibleFile: String) {
            (self.stagingRoot, self.inaccessibleDirectory, self.inaccessibleFile) = (stagingRoot, inaccessibleDirectory, inaccessibleFile)
        }
    }

    public struct PrivateTmp: Equatable, Sendable {
        public var tmp: String
        public var varTmp: String
        public init(tmp: String, varTmp: String) { (self.tmp, self.varTmp) = (tmp, varTmp) }
    }

    public var namespaces: Namespaces = []
    public var steps: [Step] = []
    /// The directives that asked for namespaces, for messages ("PrivateNetwork=, ProtectSystem=").
    public var directives: [String] = []

    public init() {}

    /// One entry of systemd's mount list, before it becomes steps. Entries are applied parents
    /// first; for one path the first mode of this enum wins (namespace.c's `MountMode` order).
    enum Mode: Int, Comparable {
        case inaccessible, bind, bindReadOnly, privateTmp, privateDevices, procfs, readOnly, readWrite, noExec, exec, tmpfs, readWriteImplicit
        static func < (a: Mode, b: Mode) -> Bool { a.rawValue < b.rawValue }
    }

    struct Entry {
        var path: String
        var mode: Mode
        var ignoreMissing = false
        var source: String? = nil
        var options: String? = nil
        /// A bind whose mount point may be missing in the tree (made first).
        var createTarget = false
    }

    /// systemd 252's tables (src/core/namespace.c).
    static func protectSystem(_ value: String) -> [Entry] {
        let usr = [Entry(path: "/usr", mode: .readOnly), Entry(path: "/boot", mode: .readOnly, ignoreMissing: true),
                   Entry(path: "/efi", mode: .readOnly, ignoreMissing: true)]
        switch value {
        case "yes": return usr
        case "full": return usr + [Entry(path: "/etc", mode: .readOnly)]
        case "strict":
            return [Entry(path: "/", mode: .readOnly)] + ["/proc", "/sys", "/dev"].map { Entry(path: $0, mode: .readWriteImplicit) }
                + ["/home", "/run/user", "/root"].map { Entry(path: $0, mode: .readWriteImplicit, ignoreMissing: true) }
        default: return []
        }
    }

    static func protectHome(_ value: String) -> [Entry] {
        let paths = ["/home", "/run/user", "/root"]
        switch value {
        case "yes": return paths.map { Entry(path: $0, mode: .inaccessible, ignoreMissing: true) }
        case "read-only": return paths.map { Entry(path: $0, mode: .readOnly, ignoreMissing: true) }
        case "tmpfs":
            return paths.map { Entry(path: $0, mode: .tmpfs, ignoreMissing: true, options: ($0 == "/root" ? "mode=0700" : "mode=0755") + ",size=4m,nr_inodes=1k,ro") }
        default: return []
        }
    }

    static let kernelTunables: [Entry] = [
        Entry(path: "/proc/acpi", mode: .readOnly, ignoreMissing: true), Entry(path: "/proc/apm", mode: .readOnly, ignoreMissing: true),
        Entry(path: "/proc/asound", mode: .readOnly, ignoreMissing: true), Entry(path: "/proc/bus", mode: .readOnly, ignoreMissing: true),
        Entry(path: "/proc/fs", mode: .readOnly, ignoreMissing: true), Entry(path: "/proc/irq", mode: .readOnly, ignoreMissing: true),
        Entry(path: "/proc/kallsyms", mode: .inaccessible, ignoreMissing: true), Entry(path: "/proc/kcore", mode: .inaccessible, ignoreMissing: true),
        Entry(path: "/proc/latency_stats", mode: .readOnly, ignoreMissing: true), Entry(path: "/proc/mtrr", mode: .readOnly, ignoreMissing: true),
        Entry(path: "/proc/scsi", mode: .readOnly, ignoreMissing: true), Entry(path: "/proc/sys", mode: .readOnly, ignoreMissing: true),
        Entry(path: "/proc/sysrq-trigger", mode: .readOnly, ignoreMissing: true), Entry(path: "/proc/timer_stats", mode: .readOnly, ignoreMissing: true),
        Entry(path: "/sys", mode: .readOnly), Entry(path: "/sys/fs/bpf", mode: .readOnly, ignoreMissing: true),
        Entry(path: "/sys/fs/cgroup", mode: .readWriteImplicit, ignoreMissing: true),
        Entry(path: "/sys/fs/selinux", mode: .readWriteImplicit, ignoreMissing: true),
        Entry(path: "/sys/kernel/debug", mode: .readOnly, ignoreMissing: true), Entry(path: "/sys/kernel/tracing", mode: .readOnly, ignoreMissing: true),
    ]
    static let kernelModules: [Entry] = [
        Entry(path: "/usr/lib/modules", mode: .inaccessible, ignoreMissing: true),
    ]
    static let kernelLogs: [Entry] = [
        Entry(path: "/proc/kmsg", mode: .inaccessible, ignoreMissing: true), Entry(path: "/dev/kmsg", mode: .inaccessible, ignoreMissing: true),
    ]

    /// `ReadOnlyPaths=` and its kin: `-` tolerates a missing path, `+` (relative to
    /// `RootDirectory=`) is how wick reads every path anyway: the tree is the unit's root.
    static func paths(_ values: [String], _ mode: Mode) -> [Entry] {
        values.map { value in
            let bare = value.drop { $0 == "-" || $0 == "+" }
            return Entry(path: String(bare), mode: mode, ignoreMissing: value.prefix(value.count - bare.count).contains("-"))
        }
    }

    /// Plans the namespaces and mounts of `context`; `writable` are the exec directories, kept
    /// writable under `ProtectSystem=strict`.
    public static func plan(_ context: ExecContext, host: Host, writable: [String], notifySocket: String? = nil) -> Sandbox {
        var sandbox = Sandbox()
        var entries: [Entry] = []
        func use(_ directive: String, _ added: [Entry]) {
            sandbox.directives.append(directive)
            entries += added
        }
        if context.privateNetwork {
            sandbox.namespaces.insert(.network)
            sandbox.directives.append("PrivateNetwork=")
        }
        if context.protectHostname {
            sandbox.namespaces.insert(.uts)
            sandbox.directives.append("ProtectHostname=")
        }
        if context.privateIPC {
            sandbox.namespaces.insert(.ipc)
            sandbox.directives.append("PrivateIPC=")
        }
        let system = protectSystem(context.protectSystem)
        if !system.isEmpty { use("ProtectSystem=", system + (context.protectSystem == "strict" ? writable.map { Entry(path: $0, mode: .readWrite) } : [])) }
        let home = protectHome(context.protectHome)
        if !home.isEmpty { use("ProtectHome=", home) }
        if context.protectKernelTunables { use("ProtectKernelTunables=", kernelTunables) }
        if context.protectKernelModules { use("ProtectKernelModules=", kernelModules) }
        if context.protectKernelLogs { use("ProtectKernelLogs=", kernelLogs) }
        if context.protectControlGroups { use("ProtectControlGroups=", [Entry(path: "/sys/fs/cgroup", mode: .readOnly)]) }
        if let tmp = host.privateTmp, context.privateTmp {
            use("PrivateTmp=", [Entry(path: "/tmp", mode: .privateTmp, source: tmp.tmp), Entry(path: "/var/tmp", mode: .privateTmp, source: tmp.varTmp)])
        }
        if context.privateDevices { use("PrivateDevices=", [Entry(path: "/dev", mode: .privateDevices)]) }
        if context.protectProc != "default" || context.procSubset != "all" {
            // A procfs of its own (systemd's mount_procfs()): hidepid= and subset=.
            let hide = context.protectProc == "default" ? "off" : context.protectProc
            use(context.protectProc != "default" ? "ProtectProc=" : "ProcSubset=",
                [Entry(path: "/proc", mode: .procfs, options: "hidepid=\(hide)" + (context.procSubset == "pid" ? ",subset=pid" : ""))])
        }
        if !context.readOnlyPaths.isEmpty { use("ReadOnlyPaths=", paths(context.readOnlyPaths, .readOnly)) }
        if !context.readWritePaths.isEmpty { use("ReadWritePaths=", paths(context.readWritePaths, .readWrite)) }
        if !context.inaccessiblePaths.isEmpty { use("InaccessiblePaths=", paths(context.inaccessiblePaths, .inaccessible)) }
        if !context.execPaths.isEmpty { use("ExecPaths=", paths(context.execPaths, .exec)) }
        if !context.noExecPaths.isEmpty { use("NoExecPaths=", paths(context.noExecPaths, .noExec)) }
        for value in context.temporaryFileSystem {
            // The parser admits absolute paths only; an entry without one is skipped, not read
            // past its end.
            let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let path = parts.first, !path.isEmpty else { continue }
            let extra = parts.count == 2 ? parts.last ?? "" : ""
            let options = "mode=0755,size=10%,nr_inodes=400k" + (extra.isEmpty ? "" : "," + extra)
            use("TemporaryFileSystem=", [Entry(path: String(path), mode: .tmpfs, options: options)])
        }
        for (value, readOnly) in context.bindPaths.map({ ($0, false) }) + context.bindReadOnlyPaths.map({ ($0, true) }) {
            let ignore = value.hasPrefix("-")
            let parts = (ignore ? String(value.dropFirst()) : value).split(separator: ":")
            guard let source = parts.first else { continue }
            let target = parts.count > 1 ? String(parts[1]) : String(source)
            use(readOnly ? "BindReadOnlyPaths=" : "BindPaths=", [Entry(path: target, mode: readOnly ? .bindReadOnly : .bind, ignoreMissing: ignore, source: String(source))])
        }
        if context.privateMounts { sandbox.directives.append("PrivateMounts=") }
        guard !entries.isEmpty || context.privateMounts else { return sandbox }
        if context.protectHostname {
            entries += ["/proc/sys/kernel/hostname", "/proc/sys/kernel/domainname"].map { Entry(path: $0, mode: .readOnly, ignoreMissing: true) }
        }
        // The notify socket stays reachable whatever hides its directory (systemd binds it in too).
        if let notifySocket { entries.append(Entry(path: notifySocket, mode: .readWriteImplicit, ignoreMissing: true, createTarget: true)) }
        sandbox.namespaces.insert(.mount)
        sandbox.steps = steps(for: entries, root: context.rootDirectory ?? "/", host: host)
        return sandbox
    }

    /// Parents first; for one path the first mode wins (namespace.c's `mount_path_compare()` and
    /// `drop_duplicates()`); then each entry as primitive steps below the staging root, which
    /// finally becomes the root.
    static func steps(for entries: [Entry], root: String, host: Host) -> [Step] {
        let sorted = entries.sorted { a, b in
            let left = a.path.split(separator: "/"), right = b.path.split(separator: "/")
            return left.lexicographicallyPrecedes(right) || (left == right && a.mode < b.mode)
        }
        var kept: [Entry] = []
        for entry in sorted where kept.last.map({ $0.path.split(separator: "/") != entry.path.split(separator: "/") }) ?? true {
            // drop_inaccessible(): nothing below an inaccessible path.
            let components = entry.path.split(separator: "/")
            if kept.contains(where: { $0.mode == .inaccessible && components.starts(with: $0.path.split(separator: "/")) }) { continue }
            kept.append(entry)
        }
        let stage = host.stagingRoot
        func staged(_ path: String) -> String { path == "/" ? stage : stage + path }
        func original(_ path: String) -> String { root == "/" ? path : root + path }
        var steps = [Step(kind: .bind, path: stage, source: root)]
        for entry in kept {
            let path = staged(entry.path), ignore = entry.ignoreMissing
            switch entry.mode {
            case .inaccessible:
                steps.append(Step(kind: .inaccessible, path: path, source: host.inaccessibleDirectory, options: host.inaccessibleFile, ignoreMissing: ignore))
            case .bind, .bindReadOnly, .privateTmp:
                // BindPaths=/BindReadOnlyPaths=: a missing target is made, as a directory or an
                // empty file like the source (systemd's apply_one_mount(), which retries the bind
                // after make_mount_point_inode_from_path()): under PrivateTmp='s new /tmp or a
                // TemporaryFileSystem= there is nothing yet.
                steps.append(Step(kind: .bind, path: path, source: entry.source, flag: entry.mode == .privateTmp ? 0 : 1, ignoreMissing: ignore))
                if entry.mode == .bindReadOnly { steps.append(Step(kind: .readOnly, path: path, ignoreMissing: ignore)) }
            case .privateDevices:
                steps += privateDevices(path)
            case .procfs:
                steps.append(Step(kind: .proc, path: path, options: entry.options))
            case .readOnly:
                steps.append(Step(kind: .readOnly, path: path, ignoreMissing: ignore))
            case .readWrite, .readWriteImplicit, .exec:
                // The path as it is outside, whatever its parent here became.
                steps.append(Step(kind: .bind, path: path, source: entry.createTarget ? entry.path : original(entry.path),
                                  flag: entry.createTarget ? 1 : 0, ignoreMissing: ignore))
            case .noExec:
                steps.append(Step(kind: .noExec, path: path, ignoreMissing: ignore))
            case .tmpfs:
                var options = (entry.options ?? "mode=0755").split(separator: ",").map(String.init)
                let readOnly = options.contains("ro")
                options.removeAll { $0 == "ro" || $0 == "rw" }
                steps.append(Step(kind: .tmpfs, path: path, source: options.joined(separator: ","), flag: readOnly ? 1 : 0, ignoreMissing: ignore))
            }
        }
        steps.append(Step(kind: .moveRoot, path: stage))
        return steps
    }

    /// systemd's `mount_private_dev()`: a tmpfs /dev with the harmless device nodes (the host's,
    /// bound over empty files, as systemd does without CAP_MKNOD), the host's /dev/pts and
    /// /dev/shm, /dev/mqueue and /dev/hugepages when there, the usual symbolic links; then the
    /// /dev mount itself read-only.
    static func privateDevices(_ dev: String) -> [Step] {
        // DEV_MOUNT_OPTIONS: nosuid, noexec.
        var steps = [Step(kind: .tmpfs, path: dev, source: "mode=0755,size=4m,nr_inodes=64k", flag: 2)]
        for directory in ["pts", "shm", "mqueue", "hugepages"] {
            steps.append(Step(kind: .mkdir, path: dev + "/" + directory, flag: 0o755))
            steps.append(Step(kind: .bind, path: dev + "/" + directory, source: "/dev/" + directory, ignoreMissing: directory == "mqueue" || directory == "hugepages"))
        }
        // mount_private_dev(): /dev/ptmx as the host has it, a link to pts/ptmx or the node
        // (whose pts/ptmx is mode 000: a link to it refused every pty to a service not root).
        steps.append(Step(kind: .node, path: dev + "/ptmx", source: "/dev/ptmx"))
        steps.append(Step(kind: .symlink, path: dev + "/log", source: "/run/systemd/journal/dev-log"))
        for node in ["null", "zero", "full", "random", "urandom", "tty"] {
            steps.append(Step(kind: .touch, path: dev + "/" + node))
            steps.append(Step(kind: .bind, path: dev + "/" + node, source: "/dev/" + node, ignoreMissing: true))
        }
        for (name, target) in [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")] {
            steps.append(Step(kind: .symlink, path: dev + "/" + name, source: target))
        }
        steps.append(Step(kind: .readOnly, path: dev, flag: 1))
        return steps
    }
}
