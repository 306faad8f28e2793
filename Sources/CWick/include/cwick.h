#ifndef CWICK_H
#define CWICK_H

/* wick's C layer: the spawn path and the few Linux calls and macros Swift's Glibc module does not
 * expose. Every function is prefixed cwick_. Do not define _GNU_SOURCE here (see SWIFT-NOTES). */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <linux/netlink.h>

/* Where a standard stream of the child comes from: an fd, or /dev/null when -1. */
enum { CWICK_DEV_NULL = -1 };

/* systemd's exit statuses for a child that failed before exec (src/basic/exit-status.h). */
enum {
    CWICK_EXIT_CHDIR = 200, CWICK_EXIT_NICE = 201, CWICK_EXIT_EXEC = 203, CWICK_EXIT_LIMITS = 205,
    CWICK_EXIT_OOM_ADJUST = 206, CWICK_EXIT_CHROOT = 210, CWICK_EXIT_IOPRIO = 211, CWICK_EXIT_SECUREBITS = 213,
    CWICK_EXIT_SETSCHEDULER = 214, CWICK_EXIT_CPUAFFINITY = 215, CWICK_EXIT_GROUP = 216, CWICK_EXIT_USER = 217,
    CWICK_EXIT_CAPABILITIES = 218, CWICK_EXIT_NO_NEW_PRIVILEGES = 227, CWICK_EXIT_RUNTIME_DIRECTORY = 233,
    CWICK_EXIT_STATE_DIRECTORY = 238, CWICK_EXIT_CACHE_DIRECTORY = 239, CWICK_EXIT_LOGS_DIRECTORY = 240,
    CWICK_EXIT_CONFIGURATION_DIRECTORY = 241, CWICK_EXIT_PERSONALITY = 230, CWICK_EXIT_NETWORK = 225,
    CWICK_EXIT_NAMESPACE = 226, CWICK_EXIT_SECCOMP = 228, CWICK_EXIT_CGROUP = 219,
};

struct cwick_rlimit {
    int resource;                /* RLIMIT_* */
    unsigned long long soft, hard;  /* RLIM_INFINITY = ~0ULL */
};

struct cwick_directory {
    const char *path;            /* absolute; parents are created 0755 */
    unsigned mode;
    int exit_status;             /* CWICK_EXIT_*_DIRECTORY */
    int keep_existing;           /* 1: an existing directory is left alone (ConfigurationDirectory=) */
};

/* One primitive step of a unit's mount namespace (systemd's namespace.c, reduced to what the
 * child must do): the parent plans them all, with paths already below the staging root. */
enum {
    CWICK_MOUNT_BIND = 1,        /* source onto path, recursively: also how a path gets back the
                                    host's flags under a read-only or noexec parent (systemd never
                                    clears a flag, it keeps such paths out of the parent's remount);
                                    `flag` 1: create the mount point (and its parents) if missing */
    CWICK_MOUNT_READ_ONLY,       /* bind path onto itself and make it and everything below it
                                    read-only (mount_setattr); `flag` 1: only the mount at path */
    CWICK_MOUNT_NO_EXEC,         /* bind path onto itself, noexec below */
    CWICK_MOUNT_TMPFS,           /* a tmpfs on path, nosuid; options in `source`; `flag` bit 1:
                                    read-only, bit 2: noexec (else nodev) */
    CWICK_MOUNT_MKDIR,           /* mkdir path with mode `flag` (existing is fine) */
    CWICK_MOUNT_TOUCH,           /* create an empty file at path (a bind target) */
    CWICK_MOUNT_SYMLINK,         /* symlink path -> source */
    CWICK_MOUNT_DEVPTS,          /* a new devpts instance on path */
    CWICK_MOUNT_INACCESSIBLE,    /* bind `source` (a 0000 directory) or `options` (a 0000 file)
                                    over path, read-only, by what path is */
    CWICK_MOUNT_MOVE_ROOT,       /* make path (the staging root) the process's root */
    CWICK_MOUNT_PROC,            /* a new procfs on path with `options` (hidepid=, subset=) */
    CWICK_MOUNT_NODE,            /* the host's `source` at path as systemd's clone_device_node():
                                    a symbolic link copied as one, a node made with mknod(2) (or,
                                    where that is not allowed, bound onto an empty file) */
};

/* A compiled seccomp filter: struct sock_filter[length]. */
struct cwick_bpf {
    const void *instructions;
    int length;
};

/* A seccomp rule for cwick_seccomp_compile(): libseccomp's action value (SCMP_ACT_*) and up to
 * six argument comparisons (libseccomp's scmp_compare values; for MASKED_EQ, value under mask). */
struct cwick_seccomp_condition {
    unsigned argument;
    int op;
    unsigned long long value, mask;
};

struct cwick_seccomp_rule {
    const char *syscall;
    unsigned action;
    const struct cwick_seccomp_condition *conditions;
    int condition_count;
};

/* Compiles one filter with libseccomp in the parent (libseccomp allocates) for one ABI, as
 * systemd's seccomp_init_for_arch(): `abi` is libseccomp's name of it ("x86_64", "x86", "x32"
 * ...; NULL: the native one), calls of another ABI allowed unless native_only (then they kill
 * the process). Unknown call names, and calls the ABI does not have, are skipped, as systemd
 * does. *program is malloc'd (free()), *length in instructions. Returns 0 or an errno. */
int cwick_seccomp_compile(unsigned default_action, int native_only, const char *abi, const struct cwick_seccomp_rule *rules,
                          int rule_count, void **program, int *length);

struct cwick_mount {
    int kind;
    const char *path;
    const char *source;
    const char *options;
    unsigned flag;
    int ignore_missing;          /* ENOENT is not an error */
};

/* The execution context of one process (systemd.exec(5)), built by Swift (`ExecRequest`) and
 * applied by cwick_apply_context() in the child, in systemd's order. */
struct cwick_exec_context {
    int set_oom_score_adjust, oom_score_adjust;
    int set_nice, nice;
    int set_scheduling, scheduling_policy, scheduling_priority, scheduling_reset_on_fork;
    const int *cpu_affinity;     /* CPU numbers */
    int cpu_affinity_count;
    int set_io_priority, io_priority;   /* IOPRIO_PRIO_VALUE(class, data) */
    int set_personality;
    unsigned personality;        /* PER_LINUX, PER_LINUX32 */
    unsigned umask;
    const struct cwick_directory *directories;
    int directory_count;
    int set_owner;               /* chown the directories to owner_uid:owner_gid */
    uid_t owner_uid;             /* the unit's user, even when this command keeps wick's (`+`) */
    gid_t owner_gid;
    const struct cwick_rlimit *limits;
    int limit_count;
    const char *root_directory;  /* chroot, or NULL */
    const char *working_directory;  /* or NULL */
    int working_directory_optional;
    int set_bounding_set;
    unsigned long long bounding_set;
    int set_securebits, securebits;
    int set_credentials;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    int group_count;
    void *capabilities;          /* cap_t from cwick_capabilities_new, or NULL */
    unsigned long long ambient_set;
    int no_new_privileges;
    int ignore_sigpipe;          /* IgnoreSIGPIPE=: SIGPIPE set to SIG_IGN */
    const char *cgroup_procs;    /* the unit's cgroup.procs: the child moves itself there first */
    int cgroup_join_by_write;    /* 1: join by writing cgroup.procs, never born in it (see spawn.c) */
    int unshare_flags;           /* CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC */
    int network_fd;              /* a network namespace to join (setns), or -1 */
    int ipc_fd;                  /* an IPC namespace to join, or -1 */
    const struct cwick_mount *mounts;
    int mount_count;
    const struct cwick_bpf *seccomp_programs;  /* compiled by the parent, loaded last in order */
    int seccomp_program_count;
};

/* Applies a context in the child (in_cgroup: the child was born in the cgroup of cgroup_procs);
 * returns 0, or an errno with *status set to the EXIT_* code. */
int cwick_apply_context(const struct cwick_exec_context *context, int in_cgroup, int *status);

/* A cap_t (libcap) with these permitted (and effective) and inheritable sets, built before the
 * clone because libcap allocates; NULL when it could not be built. */
void *cwick_capabilities_new(unsigned long long permitted, unsigned long long inheritable);
void cwick_capabilities_free(void *capabilities);

/* Everything the child needs, prepared by Swift before the clone so that the child only places
 * fds, resets signals, applies the context and execs (systemd's exec_child(), skalibs' cspawn). */
struct cwick_spawn_plan {
    const char *path;            /* executable: absolute, or looked up in search_path */
    char *const *argv;           /* NULL-terminated */
    char *const *envp;           /* NULL-terminated; LISTEN_PID is added by the child */
    int set_listen_pid;          /* 1: append LISTEN_PID=<the child's own pid> to envp */
    int set_watchdog_pid;        /* 1: append WATCHDOG_PID=<the child's own pid> to envp */
    int set_exec_pid;            /* 1: append SYSTEMD_EXEC_PID=<the child's own pid> to envp */
    int nonblocking;             /* NonBlocking=: 1 sets, 0 clears O_NONBLOCK on the sockets among fds; -1 leaves them */
    int socket_fd_count;         /* the first fds that are sockets (systemd's n_socket_fds): the rest, the fd
                                    store's, keep their flags */
    const int *fds;              /* placed at 3, 4, ... in this order */
    int fd_count;
    int stdin_fd, stdout_fd, stderr_fd;  /* CWICK_DEV_NULL or an fd to place at 0, 1, 2 */
    int new_session;             /* 1: setsid(), so the service is its own process group */
    int death_signal;            /* 0, or the signal the child gets when its parent dies (PR_SET_PDEATHSIG,
                                    as systemd's FORK_DEATHSIG) */
    pid_t parent;                /* with death_signal: the parent's pid, to see that it died before the prctl */
    const char *search_path;     /* colon-separated, for paths without '/' */
    const struct cwick_exec_context *context;  /* or NULL: wick's own credentials and limits */
};

/* Starts the plan with clone(CLONE_VM | CLONE_VFORK) and exec. Returns 0 and sets *pid when the
 * child exec'd; returns an errno value when clone failed (*pid = -1) or when the child could not
 * exec (*pid = the child, already exited and to be reaped by the caller; *status = the systemd
 * exit status of the step that failed, CWICK_EXIT_EXEC when it was the exec). */
int cwick_spawn(const struct cwick_spawn_plan *plan, pid_t *pid, int *status);

/* Execs the plan in the current process (systemd-socket-activate's exec_process()): fds placed at
 * 3.., LISTEN_PID is this process's pid. Returns the errno when it could not exec. */
int cwick_exec(const struct cwick_spawn_plan *plan);

int cwick_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
int cwick_pipe2(int fds[2], int flags);

/* TCP_INFO of a connection: payload bytes received and sent (tcpi_bytes_sent,
 * kernel 5.5+, retransmissions included), segments in and out. Returns 0 or -1 with errno. */
int cwick_tcp_counters(int fd, unsigned long long *bytes_received, unsigned long long *bytes_sent,
                       unsigned *segments_in, unsigned *segments_out);

/* SO_ATTACH_FILTER: a classic BPF program (struct sock_filter[count]) on a socket. Returns 0 or
 * -1 with errno. */
int cwick_attach_filter(int fd, const void *instructions, int count);
/* SO_DETACH_FILTER: removes it (none attached is not an error). Returns 0 or -1 with errno. */
int cwick_detach_filter(int fd);

/* pidfd_open(2) (kernel 5.3+): a descriptor that polls readable when the process has exited, for
 * a process that is not wick's child. Returns it, or -1 with errno (ESRCH: already gone). */
int cwick_pidfd_open(pid_t pid);
/* pidfd_send_signal(2): signals the process the pidfd was opened for, never a process that took
 * its number since. Returns 0, or -1 with errno (ESRCH: it has exited). */
int cwick_pidfd_send_signal(int fd, int signal);
/* Whether the process of a pidfd has exited (the pidfd polls readable): 1, 0, or -1 with errno. */
int cwick_pidfd_exited(int fd);

/* bpf(2) for the cgroup programs (bpf.c). Each returns a descriptor or 0, or -errno. An array map
 * of `entries` u64 counters keyed by u32. */
/* image.c: drops the page-table entries of the program's read-only segments (code, constants)
 * after start-up; they stay in the page cache and fault back in when used. */
void cwick_release_startup_pages(void);
/* image.c: returns the heap's free pages to the kernel (malloc_trim(3)), after start-up and after
 * a reload have freed their temporaries. */
void cwick_release_free_heap(void);

int cwick_bpf_map_create_array(unsigned entries);
int cwick_bpf_map_read(int map, unsigned key, unsigned long long *value);
/* Sets an array map's entry to 0 (a counter reset); 0 or -errno. */
int cwick_bpf_map_zero(int map, unsigned key);
/* Loads eBPF instructions (struct bpf_insn[count]) as a GPL program of `type`; the verifier's log
 * goes to `log` (may be NULL). */
int cwick_bpf_prog_load(unsigned type, unsigned expected_attach_type, const void *instructions, unsigned count,
                        char *log, unsigned log_size);
/* Attaches with BPF_F_ALLOW_MULTI, as systemd: programs of parent cgroups run too. */
int cwick_bpf_prog_attach(int program, int cgroup, unsigned attach_type);
/* BPF_PROG_TEST_RUN: runs a cgroup_skb program on one packet (from its IP header); for tests. */
int cwick_bpf_prog_test_run(int program, const void *packet, unsigned size, unsigned *result);
/* A socket(2) created inside the cgroup whose directory `cgroup` is open (clone3 with
 * CLONE_INTO_CGROUP and CLONE_FILES), close-on-exec; its traffic meets that cgroup's programs. */
int cwick_socket_in_cgroup(int cgroup, int domain, int type, int protocol);

/* A sealed-size memfd (close-on-exec) holding `length` bytes, positioned at 0: the standard input
 * of StandardInput=data. Returns the fd or -1 with errno. */
int cwick_memfd_with(const void *bytes, size_t length);

int cwick_wifexited(int status);
int cwick_wexitstatus(int status);
int cwick_wifsignaled(int status);
int cwick_wtermsig(int status);

/* SO_PEERCRED of a Unix socket (struct ucred needs _GNU_SOURCE). Returns 0 or -1 with errno. */
int cwick_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/* Whether the peer of a Unix socket has `group` as its primary or a supplementary group
 * (SO_PEERCRED, SO_PEERGROUPS). Returns 1, 0, or -1 with errno. */
int cwick_peer_in_group(int fd, gid_t group);

/* recvmsg() of one notify datagram with the sender's credentials (SO_PASSCRED) and the fds sent with
 * it (SCM_RIGHTS, at most CWICK_NOTIFY_FDS_MAX: the kernel's SCM_MAX_FD), which are the caller's
 * to keep or close (O_CLOEXEC). Returns the datagram's full length (more than size when it was
 * truncated), or -1 with errno (EAGAIN when none is pending). *pid is 0 when the sender's
 * credentials were not attached. *truncated is 1 when the control data did not fit (the fds that
 * did are closed here, *fd_count is 0: systemd ignores such a message). */
enum { CWICK_NOTIFY_FDS_MAX = 253 };

/* 1 when a and b are the same open file (systemd's same_fd(): kcmp KCMP_FILE, else the same
 * inode, not a device, with the same status flags), 0 when not, -1 with errno. */
int cwick_same_file(int a, int b);
int cwick_file_order(int a, int b);

/* The name of an errno value ("ENOENT"), NULL when it has none. */
const char *cwick_errno_name(int number);
ssize_t cwick_receive_with_credentials(int fd, void *buffer, size_t size, pid_t *pid,
                                       int *fds, size_t *fd_count, int *truncated);

/* mq_open(name, O_RDONLY|O_CREAT|O_CLOEXEC|O_NONBLOCK, mode, attr) for ListenMessageQueue= (mq_open
 * is variadic). max_messages and message_size of 0 keep the kernel's defaults. */
int cwick_mq_open(const char *name, unsigned mode, long max_messages, long message_size);

int cwick_mq_unlink(const char *name);

/* Raises wick's soft RLIMIT_NOFILE to its hard limit (as systemd does for itself), so that it can
 * hold thousands of sockets; every child spawned afterwards gets the original soft limit back.
 * Returns 0 or -1 with errno. */
int cwick_raise_open_files_limit(void);

/* 1 when `signal`'s disposition is SIG_IGN (inherited: `nohup`, a background job's SIGINT). */
int cwick_signal_is_ignored(int signal);

/* PR_SET_CHILD_SUBREAPER (prctl is variadic, so not callable from Swift). */
int cwick_set_child_subreaper(void);

#endif
