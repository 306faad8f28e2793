/// systemd 252's system-call sets (src/shared/seccomp-util.c `syscall_filter_sets[]`), as
/// `systemd-analyze syscall-filter` lists them. A member is a system call name or another set.
/// `@known` is the build-time `syscall-list.h` (src/basic/syscall-list.txt as
/// src/shared/generate-syscall-list.py emits it on x86_64: the `s390_*` and `arm_*` names dropped).
public enum SyscallGroups {
    /// The sets in systemd's order (`syscall_filter_sets[]`, the order `systemd-analyze syscall-filter` prints).
    public static let names: [String] = [
        "@default", "@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug", "@file-system", "@io-event",
        "@ipc", "@keyring", "@memlock", "@module", "@mount", "@network-io", "@obsolete", "@pkey", "@privileged",
        "@process", "@raw-io", "@reboot", "@resources", "@setuid", "@signal", "@swap", "@sync", "@system-service",
        "@timer", "@known",
    ]

    /// Each set's `.help` string.
    public static let help: [String: String] = [
        "@default": "System calls that are always permitted",
        "@aio": "Asynchronous IO",
        "@basic-io": "Basic IO",
        "@chown": "Change ownership of files and directories",
        "@clock": "Change the system time",
        "@cpu-emulation": "System calls for CPU emulation functionality",
        "@debug": "Debugging, performance monitoring and tracing functionality",
        "@file-system": "File system operations",
        "@io-event": "Event loop system calls",
        "@ipc": "SysV IPC, POSIX Message Queues or other IPC",
        "@keyring": "Kernel keyring access",
        "@memlock": "Memory locking control",
        "@module": "Loading and unloading of kernel modules",
        "@mount": "Mounting and unmounting of file systems",
        "@network-io": "Network or Unix socket IO, should not be needed if not network facing",
        "@obsolete": "Unusual, obsolete or unimplemented system calls",
        "@pkey": "System calls used for memory protection keys",
        "@privileged": "All system calls which need super-user capabilities",
        "@process": "Process control, execution, namespacing operations",
        "@raw-io": "Raw I/O port access",
        "@reboot": "Reboot and reboot preparation/kexec",
        "@resources": "Alter resource settings",
        "@setuid": "Operations for changing user/group credentials",
        "@signal": "Process signal handling",
        "@swap": "Enable/disable swap devices",
        "@sync": "Synchronize files and memory to storage",
        "@system-service": "General system service operations",
        "@timer": "Schedule operations by time",
        "@known": "All known syscalls declared in the kernel",
    ]

    public static let sets: [String: [String]] = [
        /// System calls that are always permitted
        "@default": [
            "arch_prctl", "brk", "cacheflush", "clock_getres", "clock_getres_time64", "clock_gettime",
            "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "execve", "exit", "exit_group", "futex",
            "futex_time64", "get_robust_list", "get_thread_area", "getegid", "getegid32", "geteuid", "geteuid32",
            "getgid", "getgid32", "getgroups", "getgroups32", "getpgid", "getpgrp", "getpid", "getppid", "getrandom",
            "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getsid", "gettid", "gettimeofday",
            "getuid", "getuid32", "membarrier", "mmap", "mmap2", "mprotect", "munmap", "nanosleep", "pause",
            "prlimit64", "restart_syscall", "riscv_flush_icache", "rseq", "rt_sigreturn", "sched_getaffinity",
            "sched_yield", "set_robust_list", "set_thread_area", "set_tid_address", "set_tls", "sigreturn", "time",
            "ugetrlimit",
        ],
        /// Asynchronous IO
        "@aio": [
            "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
            "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup",
        ],
        /// Basic IO
        "@basic-io": [
            "_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek", "pread64", "preadv", "preadv2",
            "pwrite64", "pwritev", "pwritev2", "read", "readv", "write", "writev",
        ],
        /// Change ownership of files and directories
        "@chown": [
            "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32",
        ],
        /// Change the system time
        "@clock": [
            "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64", "settimeofday",
        ],
        /// System calls for CPU emulation functionality
        "@cpu-emulation": [
            "modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old",
        ],
        /// Debugging, performance monitoring and tracing functionality
        "@debug": [
            "lookup_dcookie", "perf_event_open", "pidfd_getfd", "ptrace", "rtas", "s390_runtime_instr",
            "sys_debug_setcontext",
        ],
        /// File system operations
        "@file-system": [
            "access", "chdir", "chmod", "close", "creat", "faccessat", "faccessat2", "fallocate", "fchdir", "fchmod",
            "fchmodat", "fcntl", "fcntl64", "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "fstat", "fstat64",
            "fstatat64", "fstatfs", "fstatfs64", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents",
            "getdents64", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
            "lgetxattr", "link", "linkat", "listxattr", "llistxattr", "lremovexattr", "lsetxattr", "lstat", "lstat64",
            "mkdir", "mkdirat", "mknod", "mknodat", "newfstatat", "oldfstat", "oldlstat", "oldstat", "open", "openat",
            "openat2", "readlink", "readlinkat", "removexattr", "rename", "renameat", "renameat2", "rmdir", "setxattr",
            "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "truncate", "truncate64",
            "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes",
        ],
        /// Event loop system calls
        "@io-event": [
            "_newselect", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
            "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll", "ppoll_time64", "pselect6",
            "pselect6_time64", "select",
        ],
        /// SysV IPC, POSIX Message Queues or other IPC
        "@ipc": [
            "ipc", "memfd_create", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
            "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv",
            "msgsnd", "pipe", "pipe2", "process_madvise", "process_vm_readv", "process_vm_writev", "semctl", "semget",
            "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
        ],
        /// Kernel keyring access
        "@keyring": [
            "add_key", "keyctl", "request_key",
        ],
        /// Memory locking control
        "@memlock": [
            "mlock", "mlock2", "mlockall", "munlock", "munlockall",
        ],
        /// Loading and unloading of kernel modules
        "@module": [
            "delete_module", "finit_module", "init_module",
        ],
        /// Mounting and unmounting of file systems
        "@mount": [
            "chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount", "mount_setattr", "move_mount", "open_tree",
            "pivot_root", "umount", "umount2",
        ],
        /// Network or Unix socket IO, should not be needed if not network facing
        "@network-io": [
            "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv",
            "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto",
            "setsockopt", "shutdown", "socket", "socketcall", "socketpair",
        ],
        /// Unusual, obsolete or unimplemented system calls
        "@obsolete": [
            "_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime", "get_kernel_syms", "getpmsg",
            "gtty", "idle", "lock", "mpx", "prof", "profil", "putpmsg", "query_module", "security", "sgetmask",
            "ssetmask", "stime", "stty", "sysfs", "tuxcall", "ulimit", "uselib", "ustat", "vserver",
        ],
        /// System calls used for memory protection keys
        "@pkey": [
            "pkey_alloc", "pkey_free", "pkey_mprotect",
        ],
        /// All system calls which need super-user capabilities
        "@privileged": [
            "@chown", "@clock", "@module", "@raw-io", "@reboot", "@swap", "_sysctl", "acct", "bpf", "capset", "chroot",
            "fanotify_init", "fanotify_mark", "nfsservctl", "open_by_handle_at", "pivot_root", "quotactl",
            "setdomainname", "setfsuid", "setfsuid32", "setgroups", "setgroups32", "sethostname", "setresuid",
            "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32", "vhangup",
        ],
        /// Process control, execution, namespacing operations
        "@process": [
            "capget", "clone", "clone3", "execveat", "fork", "getrusage", "kill", "pidfd_open", "pidfd_send_signal",
            "prctl", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "setns", "swapcontext", "tgkill", "times", "tkill",
            "unshare", "vfork", "wait4", "waitid", "waitpid",
        ],
        /// Raw I/O port access
        "@raw-io": [
            "ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write", "s390_pci_mmio_read",
            "s390_pci_mmio_write",
        ],
        /// Reboot and reboot preparation/kexec
        "@reboot": [
            "kexec_file_load", "kexec_load", "reboot",
        ],
        /// Alter resource settings
        "@resources": [
            "ioprio_set", "mbind", "migrate_pages", "move_pages", "nice", "sched_setaffinity", "sched_setattr",
            "sched_setparam", "sched_setscheduler", "set_mempolicy", "setpriority", "setrlimit",
        ],
        /// Operations for changing user/group credentials
        "@setuid": [
            "setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32", "setresgid", "setresgid32",
            "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32",
        ],
        /// Process signal handling
        "@signal": [
            "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigsuspend", "rt_sigtimedwait",
            "rt_sigtimedwait_time64", "sigaction", "sigaltstack", "signal", "signalfd", "signalfd4", "sigpending",
            "sigprocmask", "sigsuspend",
        ],
        /// Enable/disable swap devices
        "@swap": [
            "swapoff", "swapon",
        ],
        /// Synchronize files and memory to storage
        "@sync": [
            "fdatasync", "fsync", "msync", "sync", "sync_file_range", "sync_file_range2", "syncfs",
        ],
        /// General system service operations
        "@system-service": [
            "@aio", "@basic-io", "@chown", "@default", "@file-system", "@io-event", "@ipc", "@keyring", "@memlock",
            "@network-io", "@process", "@resources", "@setuid", "@signal", "@sync", "@timer", "capget", "capset",
            "copy_file_range", "fadvise64", "fadvise64_64", "flock", "get_mempolicy", "getcpu", "getpriority", "ioctl",
            "ioprio_get", "kcmp", "madvise", "mremap", "name_to_handle_at", "oldolduname", "olduname", "personality",
            "readahead", "readdir", "remap_file_pages", "sched_get_priority_max", "sched_get_priority_min",
            "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
            "sched_rr_get_interval_time64", "sched_yield", "sendfile", "sendfile64", "setfsgid", "setfsgid32",
            "setfsuid", "setfsuid32", "setpgid", "setsid", "splice", "sysinfo", "tee", "umask", "uname", "userfaultfd",
            "vmsplice",
        ],
        /// Schedule operations by time
        "@timer": [
            "alarm", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
            "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
            "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
        ],
        /// All known syscalls declared in the kernel
        "@known": [
            "@obsolete", "_llseek", "_newselect", "_sysctl", "accept", "accept4", "access", "acct", "add_key",
            "adjtimex", "alarm", "arc_gettls", "arc_settls", "arc_usr_cmpxchg", "arch_prctl", "atomic_barrier",
            "atomic_cmpxchg_32", "bdflush", "bind", "bpf", "brk", "cachectl", "cacheflush", "capget", "capset",
            "chdir", "chmod", "chown", "chown32", "chroot", "clock_adjtime", "clock_adjtime64", "clock_getres",
            "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
            "clock_settime", "clock_settime64", "clone", "clone2", "clone3", "close", "close_range", "connect",
            "copy_file_range", "creat", "create_module", "delete_module", "dipc", "dup", "dup2", "dup3",
            "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
            "epoll_wait_old", "eventfd", "eventfd2", "exec_with_loader", "execv", "execve", "execveat", "exit",
            "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_init",
            "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64",
            "fdatasync", "fgetxattr", "finit_module", "flistxattr", "flock", "fork", "fp_udfiex_crtl", "fremovexattr",
            "fsconfig", "fsetxattr", "fsmount", "fsopen", "fspick", "fstat", "fstat64", "fstatat64", "fstatfs",
            "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat",
            "get_kernel_syms", "get_mempolicy", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents",
            "getdents64", "getdomainname", "getdtablesize", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
            "getgid32", "getgroups", "getgroups32", "gethostname", "getitimer", "getpagesize", "getpeername",
            "getpgid", "getpgrp", "getpid", "getpmsg", "getppid", "getpriority", "getrandom", "getresgid",
            "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt",
            "gettid", "gettimeofday", "getuid", "getuid32", "getunwind", "getxattr", "getxgid", "getxpid", "getxuid",
            "idle", "init_module", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
            "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
            "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ioctl", "ioperm", "iopl",
            "ioprio_get", "ioprio_set", "ipc", "kcmp", "kern_features", "kexec_file_load", "kexec_load", "keyctl",
            "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32",
            "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "lookup_dcookie", "lremovexattr",
            "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "mbind", "membarrier", "memfd_create", "memfd_secret",
            "memory_ordering", "migrate_pages", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2",
            "mlockall", "mmap", "mmap2", "modify_ldt", "mount", "mount_setattr", "move_mount", "move_pages",
            "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
            "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd",
            "msync", "multiplexer", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat",
            "nfsservctl", "nice", "old_adjtimex", "old_getpagesize", "oldfstat", "oldlstat", "oldolduname", "oldstat",
            "oldumount", "olduname", "open", "open_by_handle_at", "open_tree", "openat", "openat2", "or1k_atomic",
            "osf_adjtime", "osf_afs_syscall", "osf_alt_plock", "osf_alt_setsid", "osf_alt_sigpending",
            "osf_asynch_daemon", "osf_audcntl", "osf_audgen", "osf_chflags", "osf_execve", "osf_exportfs",
            "osf_fchflags", "osf_fdatasync", "osf_fpathconf", "osf_fstat", "osf_fstatfs", "osf_fstatfs64", "osf_fuser",
            "osf_getaddressconf", "osf_getdirentries", "osf_getdomainname", "osf_getfh", "osf_getfsstat",
            "osf_gethostid", "osf_getitimer", "osf_getlogin", "osf_getmnt", "osf_getrusage", "osf_getsysinfo",
            "osf_gettimeofday", "osf_kloadcall", "osf_kmodcall", "osf_lstat", "osf_memcntl", "osf_mincore",
            "osf_mount", "osf_mremap", "osf_msfs_syscall", "osf_msleep", "osf_mvalid", "osf_mwakeup", "osf_naccept",
            "osf_nfssvc", "osf_ngetpeername", "osf_ngetsockname", "osf_nrecvfrom", "osf_nrecvmsg", "osf_nsendmsg",
            "osf_ntp_adjtime", "osf_ntp_gettime", "osf_old_creat", "osf_old_fstat", "osf_old_getpgrp",
            "osf_old_killpg", "osf_old_lstat", "osf_old_open", "osf_old_sigaction", "osf_old_sigblock",
            "osf_old_sigreturn", "osf_old_sigsetmask", "osf_old_sigvec", "osf_old_stat", "osf_old_vadvise",
            "osf_old_vtrace", "osf_old_wait", "osf_oldquota", "osf_pathconf", "osf_pid_block", "osf_pid_unblock",
            "osf_plock", "osf_priocntlset", "osf_profil", "osf_proplist_syscall", "osf_reboot", "osf_revoke",
            "osf_sbrk", "osf_security", "osf_select", "osf_set_program_attributes", "osf_set_speculative",
            "osf_sethostid", "osf_setitimer", "osf_setlogin", "osf_setsysinfo", "osf_settimeofday", "osf_shmat",
            "osf_signal", "osf_sigprocmask", "osf_sigsendset", "osf_sigstack", "osf_sigwaitprim", "osf_sstk",
            "osf_stat", "osf_statfs", "osf_statfs64", "osf_subsys_info", "osf_swapctl", "osf_swapon", "osf_syscall",
            "osf_sysinfo", "osf_table", "osf_uadmin", "osf_usleep_thread", "osf_uswitch", "osf_utc_adjtime",
            "osf_utc_gettime", "osf_utimes", "osf_utsname", "osf_wait4", "osf_waitid", "pause", "pciconfig_iobase",
            "pciconfig_read", "pciconfig_write", "perf_event_open", "perfctr", "personality", "pidfd_getfd",
            "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pivot_root", "pkey_alloc", "pkey_free",
            "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
            "process_madvise", "process_mrelease", "process_vm_readv", "process_vm_writev", "pselect6",
            "pselect6_time64", "ptrace", "pwrite64", "pwritev", "pwritev2", "query_module", "quotactl", "quotactl_fd",
            "read", "readahead", "readdir", "readlink", "readlinkat", "readv", "reboot", "recv", "recvfrom",
            "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat",
            "renameat2", "request_key", "restart_syscall", "riscv_flush_icache", "rmdir", "rseq", "rt_sigaction",
            "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
            "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "rtas", "sched_get_affinity", "sched_get_priority_max",
            "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler",
            "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_set_affinity", "sched_setaffinity",
            "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
            "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
            "sendmsg", "sendto", "set_mempolicy", "set_mempolicy_home_node", "set_robust_list", "set_thread_area",
            "set_tid_address", "setdomainname", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid",
            "setgid32", "setgroups", "setgroups32", "sethae", "sethostname", "setitimer", "setns", "setpgid",
            "setpgrp", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32",
            "setreuid", "setreuid32", "setrlimit", "setsid", "setsockopt", "settimeofday", "setuid", "setuid32",
            "setxattr", "sgetmask", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaction", "sigaltstack",
            "signal", "signalfd", "signalfd4", "sigpending", "sigprocmask", "sigreturn", "sigsuspend", "socket",
            "socketcall", "socketpair", "splice", "spu_create", "spu_run", "ssetmask", "stat", "stat64", "statfs",
            "statfs64", "statx", "stime", "subpage_prot", "swapcontext", "swapoff", "swapon", "switch_endian",
            "symlink", "symlinkat", "sync", "sync_file_range", "sync_file_range2", "syncfs", "sys_debug_setcontext",
            "syscall", "sysfs", "sysinfo", "syslog", "sysmips", "tee", "tgkill", "time", "timer_create",
            "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
            "timerfd", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
            "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "umount",
            "umount2", "uname", "unlink", "unlinkat", "unshare", "uselib", "userfaultfd", "ustat", "utime",
            "utimensat", "utimensat_time64", "utimes", "utrap_install", "vfork", "vhangup", "vm86", "vm86old",
            "vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
        ],
    ]

    /// Every system call in a set, nested sets expanded, sorted and without duplicates; nil for an
    /// unknown set. A set met a second time (a cycle, or one reached twice) is expanded once.
    public static func expand(_ name: String) -> [String]? {
        guard sets[name] != nil else { return nil }
        var visited: Set<String> = []
        var calls: Set<String> = []
        var pending: [String] = [name]
        while let current = pending.popLast() {
            guard visited.insert(current).inserted, let members = sets[current] else { continue }
            for member in members {
                if member.hasPrefix("@") {
                    pending.append(member)
                } else {
                    calls.insert(member)
                }
            }
        }
        return calls.sorted()
    }

    /// Every name a set mentions, so `SystemCallFilter=` can tell a typo from a call.
    static let known: Set<String> = Set(sets.values.joined().filter { !$0.hasPrefix("@") })

    public static func isKnown(_ name: String) -> Bool { known.contains(name) }
}
