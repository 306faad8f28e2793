import CWick
import Glibc
import WickCore

/// An `ExecRequest`'s context in C memory for the child (`struct cwick_exec_context`): every
/// array, string and libcap object is allocated once, when the plan is made, and freed with it,
/// so that a request reused for many starts (an `Accept=yes` socket's instances) is copied into
/// C memory once, not at each spawn. The unit's cgroup, which each start prepares anew, is given
/// per spawn (`with(controlGroup:_:)`).
public final class ContextPlan {
    private var context = cwick_exec_context()
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var buffers: [UnsafeMutableRawPointer] = []
    private let capabilities: UnsafeMutableRawPointer?
    /// The compiled filters the context points into.
    private let filters: [CompiledFilter]

    /// Nil when libcap could not allocate the capability sets (ENOMEM).
    public init?(_ request: ExecRequest, filters: [CompiledFilter]) {
        self.filters = filters
        capabilities = request.capabilitySets.map { cwick_capabilities_new($0.permitted, $0.inheritable) } ?? nil
        if request.capabilitySets != nil && capabilities == nil { return nil }
        context.capabilities = capabilities
        let directories = request.directories.map { directory in
            cwick_directory(path: copy(directory.path), mode: directory.mode, exit_status: directory.exitStatus,
                            keep_existing: directory.keepExisting ? 1 : 0)
        }
        (context.directories, context.directory_count) = buffer(directories)
        (context.limits, context.limit_count) = buffer(request.limits.map { cwick_rlimit(resource: $0.resource, soft: $0.soft, hard: $0.hard) })
        let mounts = request.sandbox.steps.map { step in
            cwick_mount(kind: step.kind.rawValue, path: copy(step.path), source: copy(step.source), options: copy(step.options),
                        flag: step.flag, ignore_missing: step.ignoreMissing ? 1 : 0)
        }
        (context.mounts, context.mount_count) = buffer(mounts)
        (context.seccomp_programs, context.seccomp_program_count) = buffer(filters.map {
            cwick_bpf(instructions: UnsafeRawPointer($0.instructions), length: $0.length)
        })
        (context.groups, context.group_count) = buffer(request.credentials?.groups.map { gid_t($0) } ?? [])
        (context.cpu_affinity, context.cpu_affinity_count) = buffer(request.cpuAffinity)
        context.set_oom_score_adjust = request.oomScoreAdjust == nil ? 0 : 1
        context.oom_score_adjust = request.oomScoreAdjust ?? 0
        context.set_nice = request.nice == nil ? 0 : 1
        context.nice = request.nice ?? 0
        if let scheduling = request.scheduling {
            context.set_scheduling = 1
            context.scheduling_policy = scheduling.policy
            context.scheduling_priority = scheduling.priority
            context.scheduling_reset_on_fork = scheduling.resetOnFork ? 1 : 0
        }
        context.set_io_priority = request.ioPriority == nil ? 0 : 1
        context.io_priority = request.ioPriority ?? 0
        context.set_personality = request.personality == nil ? 0 : 1
        context.personality = request.personality ?? 0
        context.umask = request.umask
        context.root_directory = copy(request.rootDirectory)
        context.working_directory = copy(request.workingDirectory)
        context.working_directory_optional = request.workingDirectoryOptional ? 1 : 0
        context.set_bounding_set = request.boundingSet == nil ? 0 : 1
        context.bounding_set = request.boundingSet ?? 0
        context.set_securebits = request.secureBits == nil ? 0 : 1
        context.securebits = Int32(bitPattern: request.secureBits ?? 0)
        if let credentials = request.credentials {
            context.set_credentials = 1
            context.uid = credentials.uid
            context.gid = credentials.gid
        }
        if let owner = request.directoryOwner {
            context.set_owner = 1
            context.owner_uid = owner.uid
            context.owner_gid = owner.gid
        }
        context.ambient_set = request.ambient
        context.no_new_privileges = request.noNewPrivileges ? 1 : 0
        context.ignore_sigpipe = request.ignoreSIGPIPE ? 1 : 0
        context.unshare_flags = request.sandbox.namespaces.rawValue
        context.network_fd = request.networkNamespaceFD ?? -1
        context.ipc_fd = request.ipcNamespaceFD ?? -1
    }

    deinit {
        cwick_capabilities_free(capabilities)
        strings.forEach { free($0) }
        buffers.forEach { $0.deallocate() }
    }

    private func copy(_ text: String?) -> UnsafePointer<CChar>? {
        guard let text, let pointer = strdup(text) else { return nil }
        strings.append(pointer)
        return UnsafePointer(pointer)
    }

    /// The elements in memory the plan owns, and their count for C.
    private func buffer<Element>(_ elements: [Element]) -> (UnsafePointer<Element>?, Int32) {
        guard !elements.isEmpty else { return (nil, 0) }
        let memory = UnsafeMutablePointer<Element>.allocate(capacity: elements.count)
        memory.initialize(from: elements, count: elements.count)
        buffers.append(UnsafeMutableRawPointer(memory))
        return (UnsafePointer(memory), Int32(clamping: elements.count))
    }

    /// The unit's cgroup of one spawn: its `cgroup.procs`, and whether the child joins it by
    /// writing there (a cgroup that `cgroup.kill` has killed) instead of being born in it.
    public struct ControlGroup {
        public var procs: String
        public var joinByWrite: Bool

        public init(procs: String, joinByWrite: Bool) {
            self.procs = procs
            self.joinByWrite = joinByWrite
        }
    }

    /// The context for one spawn, valid during `body` (the child runs and execs inside it).
    func with(controlGroup: ControlGroup?, _ body: (UnsafePointer<cwick_exec_context>) -> Int32) -> Int32 {
        var spawnContext = context
        return withExtendedLifetime(self) {
            guard let controlGroup else { return withUnsafePointer(to: &spawnContext, body) }
            return controlGroup.procs.withCString { procs in
                spawnContext.cgroup_procs = procs
                spawnContext.cgroup_join_by_write = controlGroup.joinByWrite ? 1 : 0
                return withUnsafePointer(to: &spawnContext, body)
            }
        }
    }
}
