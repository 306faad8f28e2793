import CWick
import Glibc
import WickCore

/// An `ExecRequest`'s context in C memory for the child (`struct cwick_exec_context`): every
/// array, string and libcap object is allocated here, before the clone, and freed after it.
enum ContextPlan {
    static func with(_ request: ExecRequest?, filters: [CompiledFilter], _ body: (UnsafePointer<cwick_exec_context>?) -> Int32) -> Int32 {
        guard let request else { return body(nil) }
        var strings: [UnsafeMutablePointer<CChar>] = []
        func copy(_ text: String?) -> UnsafePointer<CChar>? {
            guard let text, let pointer = strdup(text) else { return nil }
            strings.append(pointer)
            return UnsafePointer(pointer)
        }
        let directories = request.directories.map { directory in
            cwick_directory(path: copy(directory.path), mode: directory.mode, exit_status: directory.exitStatus,
                            keep_existing: directory.keepExisting ? 1 : 0)
        }
        let limits = request.limits.map { cwick_rlimit(resource: $0.resource, soft: $0.soft, hard: $0.hard) }
        let mounts = request.sandbox.steps.map { step in
            cwick_mount(kind: step.kind.rawValue, path: copy(step.path), source: copy(step.source), options: copy(step.options),
                        flag: step.flag, ignore_missing: step.ignoreMissing ? 1 : 0)
        }
        let programs = filters.map { cwick_bpf(instructions: UnsafeRawPointer($0.instructions), length: $0.length) }
        let groups = request.credentials?.groups.map { gid_t($0) } ?? []
        let capabilities = request.capabilitySets.map { cwick_capabilities_new($0.permitted, $0.inheritable) } ?? nil
        defer {
            cwick_capabilities_free(capabilities)
            strings.forEach { free($0) }
        }
        if request.capabilitySets != nil && capabilities == nil { return ENOMEM }
        var context = cwick_exec_context()
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
        context.capabilities = capabilities
        context.ambient_set = request.ambient
        context.no_new_privileges = request.noNewPrivileges ? 1 : 0
        context.ignore_sigpipe = request.ignoreSIGPIPE ? 1 : 0
        context.cgroup_procs = copy(request.controlGroupProcs)
        context.cgroup_join_by_write = request.controlGroupJoinByWrite ? 1 : 0
        context.unshare_flags = request.sandbox.namespaces.rawValue
        context.network_fd = request.networkNamespaceFD ?? -1
        context.ipc_fd = request.ipcNamespaceFD ?? -1
        // The arrays stay valid for the whole call: the child runs and execs inside it. (One
        // closure per array, flat: they only nest to keep each buffer alive.)
        return withExtendedLifetime(filters) {
            directories.withUnsafeBufferPointer { directoryBuffer in
            limits.withUnsafeBufferPointer { limitBuffer in
            groups.withUnsafeBufferPointer { groupBuffer in
            request.cpuAffinity.withUnsafeBufferPointer { cpuBuffer in
            mounts.withUnsafeBufferPointer { mountBuffer in
            programs.withUnsafeBufferPointer { programBuffer in
                context.directories = directoryBuffer.baseAddress
                context.directory_count = Int32(directoryBuffer.count)
                context.limits = limitBuffer.baseAddress
                context.limit_count = Int32(limitBuffer.count)
                context.groups = groupBuffer.baseAddress
                context.group_count = Int32(groupBuffer.count)
                context.cpu_affinity = cpuBuffer.baseAddress
                context.cpu_affinity_count = Int32(cpuBuffer.count)
                context.mounts = mountBuffer.baseAddress
                context.mount_count = Int32(mountBuffer.count)
                context.seccomp_programs = programBuffer.baseAddress
                context.seccomp_program_count = Int32(programBuffer.count)
                return withUnsafePointer(to: &context) { body($0) }
            }
            }
            }
            }
            }
            }
        }
    }
}
