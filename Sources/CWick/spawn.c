#define _GNU_SOURCE
#include "cwick.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <linux/filter.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

/* clone3.c: clone3(2) running fn(arg) on the new stack; pid or -errno. */
long cwick_clone3_run(void *args, size_t size, int (*fn)(void *), void *arg);

/* The child runs in the parent's memory (clone(CLONE_VM | CLONE_VFORK), as glibc's posix_spawn):
 * no page tables are copied, and the parent sleeps until the child has exec'd or exited. So below,
 * only async-signal-safe calls, no malloc, no stdio, no Swift, and nothing written to the parent's
 * memory except `error` and the spare slot of `environment`, both prepared for it. The child has
 * its own fd table and signal dispositions (no CLONE_FILES, no CLONE_SIGHAND). */

struct child_arguments {
    const struct cwick_spawn_plan *plan;
    int *moved;                 /* 3 + plan->fd_count slots for place_fds, allocated by the parent */
    const char **environment;   /* plan->envp, free slots for LISTEN_PID, WATCHDOG_PID and SYSTEMD_EXEC_PID, then NULL */
    size_t environment_count;   /* entries before the free slots */
    int in_cgroup;              /* 1: born in the unit's cgroup (CLONE_INTO_CGROUP), no move */
    int in_place;               /* 1: cwick_exec, the process itself execs (dispositions kept) */
    volatile int error;         /* the child's errno when it could not exec */
    volatile int status;        /* and the systemd exit status of the step that failed */
};

static void release(struct child_arguments *arguments) {
    free(arguments->environment);
    free(arguments->moved);
    arguments->environment = NULL;
    arguments->moved = NULL;
}

static void child_fail(struct child_arguments *arguments, int error) {
    arguments->error = error;
    _exit(arguments->status);
}

static size_t format_pid(char *buffer, pid_t pid) {
    char digits[16];
    size_t count = 0, i;
    do { digits[count++] = (char)('0' + pid % 10); pid /= 10; } while (pid > 0);
    for (i = 0; i < count; i++) buffer[i] = digits[count - 1 - i];
    buffer[count] = '\0';
    return count;
}

/* The signals whose disposition in wick is not SIG_DFL (a handler, or SIG_IGN, which execve
 * would keep), read once by the parent at its first spawn: wick installs no handler after it
 * starts (its signals arrive through a signalfd), so the set does not change. Resetting only
 * these spares the child 60-odd rt_sigaction calls, made while the daemon waits for it (vfork). */
static sigset_t non_default_dispositions;
static int dispositions_read;

static void read_dispositions(void) {
    struct sigaction action;
    int sig;
    if (dispositions_read) return;
    sigemptyset(&non_default_dispositions);
    for (sig = 1; sig < _NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        /* Unreadable (glibc's reserved real-time signals): reset in the child to be safe. */
        if (sigaction(sig, NULL, &action) < 0 || action.sa_handler != SIG_DFL) sigaddset(&non_default_dispositions, sig);
    }
    dispositions_read = 1;
}

/* Default dispositions for every signal; the mask (everything blocked since clone) is cleared
 * just before execve, so no handler of wick's can ever run in the child. */
static void reset_dispositions(void) {
    struct sigaction action;
    int sig;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    for (sig = 1; sig < _NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || (dispositions_read && !sigismember(&non_default_dispositions, sig))) continue;
        (void)sigaction(sig, &action, NULL);
    }
}

static void unblock_signals(void) {
    sigset_t empty;
    sigemptyset(&empty);
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);
}

/* Puts each source fd on its target. When a source lies inside the target range, every source is
 * first moved above it, then down to its target (systemd's shift_fds(): no target overwrites a
 * source still to be placed; dup2(fd, fd) would keep close-on-exec set, SWIFT-NOTES "the dup2
 * trap"). When none does, the usual case (wick's own fds are above 2, a unit's few fds above its
 * targets), each is duplicated onto its target at once: half the system calls, made while the
 * daemon waits for the child (vfork). */
static int place_fds(const struct cwick_spawn_plan *plan, int *moved) {
    int total = 3 + plan->fd_count;
    int i, inside = 0;
    for (i = 0; i < total; i++) {
        int source = i == 0 ? plan->stdin_fd : i == 1 ? plan->stdout_fd : i == 2 ? plan->stderr_fd : plan->fds[i - 3];
        if (source == CWICK_DEV_NULL) {
            source = open("/dev/null", O_RDWR | O_CLOEXEC);
            if (source < 0) return errno;
        }
        moved[i] = source;
        if (source < total) inside = 1;
    }
    for (i = 0; inside && i < total; i++) {
        moved[i] = fcntl(moved[i], F_DUPFD_CLOEXEC, total);
        if (moved[i] < 0) return errno;
    }
    for (i = 0; i < total; i++) {
        if (dup2(moved[i], i) < 0) return errno;   /* the new fd has close-on-exec cleared */
    }
    /* Anything else still open (an fd wick itself inherited without close-on-exec) must not
     * reach the service: mark the rest close-on-exec. Older kernels lack the flag; every fd wick
     * opens is close-on-exec from birth anyway. */
    (void)syscall(SYS_close_range, (unsigned)total, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
    return 0;
}

/* wick's soft RLIMIT_NOFILE before cwick_raise_open_files_limit() raised it; children get it back
 * (systemd keeps 1024 as services' soft limit for select()). 0: never raised. */
static rlim_t inherited_open_files_soft;

int cwick_raise_open_files_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0) return -1;
    if (limit.rlim_cur >= limit.rlim_max) return 0;
    rlim_t original = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) < 0) return -1;
    inherited_open_files_soft = original;
    return 0;
}

/* Everything between clone (or, for cwick_exec, the decision to exec in place) and execve.
 * Returns the errno that stopped it; never returns when the exec succeeded. */
static int become(struct child_arguments *arguments) {
    const struct cwick_spawn_plan *plan = arguments->plan;
    char pid_variable[32] = "LISTEN_PID=";
    char watchdog_variable[32] = "WATCHDOG_PID=";
    char exec_variable[40] = "SYSTEMD_EXEC_PID=";
    size_t slot = arguments->environment_count;
    int error;

    /* A spawned child starts with default dispositions (systemd's FORK_RESET_SIGNALS); an exec
     * in place keeps the ones wick inherited, SIG_IGN included, as systemd-socket-activate's
     * exec_process() does (wick installs no handler, which execve would reset anyway). */
    if (!arguments->in_place) reset_dispositions();
    if (plan->death_signal) {
        /* systemd's safe_fork() with FORK_DEATHSIG: the signal when the parent dies, and at once
         * when it died before the prctl (the child was reparented already). */
        if (prctl(PR_SET_PDEATHSIG, plan->death_signal) < 0) return errno;
        if (getppid() != plan->parent) raise(plan->death_signal);
    }
    if (plan->new_session && setsid() < 0) return errno;
    error = place_fds(plan, arguments->moved);
    if (error) return error;
    if (plan->nonblocking >= 0) {
        /* systemd's flags_fds(): NonBlocking= sets or clears O_NONBLOCK on every passed socket fd
         * (the flag lives in the open file description, shared with wick's copy). */
        int i;
        for (i = 3; i < 3 + plan->socket_fd_count && i < 3 + plan->fd_count; i++) {
            int flags = fcntl(i, F_GETFL);
            if (flags < 0) return errno;
            int wanted = plan->nonblocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
            if (wanted != flags && fcntl(i, F_SETFL, wanted) < 0) return errno;
        }
    }
    if (inherited_open_files_soft) {
        /* After the fds are placed: a lower soft limit does not close fds already above it. */
        struct rlimit limit;
        if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
            limit.rlim_cur = inherited_open_files_soft;
            (void)setrlimit(RLIMIT_NOFILE, &limit);
        }
    }
    if (plan->context) {
        int status = CWICK_EXIT_EXEC;
        error = cwick_apply_context(plan->context, arguments->in_cgroup, &status);
        if (error) {
            arguments->status = status;
            return error;
        }
    }
    if (plan->set_listen_pid) {
        format_pid(pid_variable + strlen("LISTEN_PID="), getpid());
        arguments->environment[slot++] = pid_variable;
    }
    if (plan->set_watchdog_pid) {
        format_pid(watchdog_variable + strlen("WATCHDOG_PID="), getpid());
        arguments->environment[slot++] = watchdog_variable;
    }
    if (plan->set_exec_pid) {
        format_pid(exec_variable + strlen("SYSTEMD_EXEC_PID="), getpid());
        arguments->environment[slot++] = exec_variable;
    }
    unblock_signals();

    if (strchr(plan->path, '/') || !plan->search_path) {
        execve(plan->path, plan->argv, (char *const *)arguments->environment);
        return errno;
    } else {
        /* execvpe() may allocate: walk the search path by hand. */
        char candidate[PATH_MAX];
        const char *start = plan->search_path;
        int last_error = ENOENT;
        size_t name_length = strlen(plan->path);
        while (*start) {
            const char *end = strchr(start, ':');
            size_t length = end ? (size_t)(end - start) : strlen(start);
            if (length + 1 + name_length + 1 <= sizeof candidate && length > 0) {
                memcpy(candidate, start, length);
                candidate[length] = '/';
                memcpy(candidate + length + 1, plan->path, name_length + 1);
                execve(candidate, plan->argv, (char *const *)arguments->environment);
                if (errno != ENOENT && errno != ENOTDIR) last_error = errno;
            }
            if (!end) break;
            start = end + 1;
        }
        return last_error;
    }
}

static int child(void *opaque) {
    struct child_arguments *arguments = opaque;
    child_fail(arguments, become(arguments));
    return 127;
}

/* The child's stack: its frames hold a path buffer, far below this. */
enum { CHILD_STACK_SIZE = 64 * 1024 };

/* The child's environment array (the plan's, with free slots for LISTEN_PID, WATCHDOG_PID and
 * SYSTEMD_EXEC_PID)
 * and its fd table, allocated before the clone: the child cannot allocate. */
static int prepare(const struct cwick_spawn_plan *plan, struct child_arguments *arguments) {
    size_t count = 0;
    if (plan->fd_count < 0 || plan->fd_count > INT_MAX - 3) return EINVAL;
    while (plan->envp[count]) count++;
    arguments->plan = plan;
    arguments->environment_count = count;
    arguments->in_cgroup = 0;
    arguments->in_place = 0;
    arguments->error = 0;
    arguments->status = CWICK_EXIT_EXEC;
    arguments->environment = malloc((count + 4) * sizeof(char *));
    arguments->moved = malloc((3 + (size_t)plan->fd_count) * sizeof(int));
    if (!arguments->environment || !arguments->moved) {
        release(arguments);
        return ENOMEM;
    }
    memcpy(arguments->environment, plan->envp, count * sizeof(char *));
    arguments->environment[count] = NULL;
    arguments->environment[count + 1] = NULL;
    arguments->environment[count + 2] = NULL;
    arguments->environment[count + 3] = NULL;
    return 0;
}

/* A unit with a cgroup: the child is born in it (clone3 with CLONE_INTO_CGROUP, kernel 5.7+,
 * as systemd's posix_spawn_wrapper() since v254), instead of moving itself there by writing
 * cgroup.procs, which takes the kernel's cgroup_threadgroup_rwsem for writing and waits for an RCU
 * grace period: about 1 to 12 ms per start here, most of a cold start. Returns the child's pid, or
 * -1 when clone3 cannot do it (an older kernel, a seccomp filter answering ENOSYS, a cgroup it
 * refuses): the caller then clones as before and the child writes cgroup.procs, which reports the
 * same refusals as systemd's exec_child() does (219/CGROUP). */
static pid_t clone_into_cgroup(const struct cwick_spawn_plan *plan, struct child_arguments *arguments, char *stack) {
    static int unavailable;
    char directory[PATH_MAX];
    const char *procs = plan->context ? plan->context->cgroup_procs : NULL;
    const char *slash;
    struct clone_args clone_arguments;
    int cgroup;
    long pid;

    /* A cgroup once killed through cgroup.kill kills every process later cloned into it on some
     * kernels (6.18: the kill sequence compared is the parent cgroup's), not one moved in. */
    if (!procs || unavailable || plan->context->cgroup_join_by_write) return -1;
    slash = strrchr(procs, '/');
    if (!slash || strcmp(slash, "/cgroup.procs") != 0 || (size_t)(slash - procs) >= sizeof directory) return -1;
    memcpy(directory, procs, (size_t)(slash - procs));
    directory[slash - procs] = '\0';
    cgroup = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (cgroup < 0) return -1;
    memset(&clone_arguments, 0, sizeof clone_arguments);
    clone_arguments.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP;
    clone_arguments.exit_signal = SIGCHLD;
    clone_arguments.stack = (unsigned long long)(unsigned long)stack;
    clone_arguments.stack_size = CHILD_STACK_SIZE;
    clone_arguments.cgroup = (unsigned long long)cgroup;
    arguments->in_cgroup = 1;
    pid = cwick_clone3_run(&clone_arguments, sizeof clone_arguments, child, arguments);
    close(cgroup);
    if (pid > 0) return (pid_t)pid;
    arguments->in_cgroup = 0;
    if (pid == -ENOSYS || pid == -E2BIG) unavailable = 1;
    return -1;
}

int cwick_spawn(const struct cwick_spawn_plan *plan, pid_t *pid, int *status) {
    struct child_arguments arguments;
    sigset_t all, previous;
    char *stack;
    pid_t child_pid;
    int clone_error;

    *pid = -1;
    *status = CWICK_EXIT_EXEC;
    read_dispositions();
    clone_error = prepare(plan, &arguments);
    if (clone_error) return clone_error;
    stack = malloc(CHILD_STACK_SIZE);
    if (!stack) {
        release(&arguments);
        return ENOMEM;
    }

    /* No signal may be delivered to the child while it shares wick's memory. */
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &previous);
    child_pid = clone_into_cgroup(plan, &arguments, stack);
    if (child_pid == -1) {
        child_pid = clone(child, stack + CHILD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &arguments);
        clone_error = errno;
    }
    sigprocmask(SIG_SETMASK, &previous, NULL);

    free(stack);
    release(&arguments);
    if (child_pid < 0) return clone_error;
    /* The child has exec'd (success) or exited with arguments.error and status set. */
    *pid = child_pid;
    *status = arguments.status;
    return arguments.error;
}

int cwick_exec(const struct cwick_spawn_plan *plan) {
    struct child_arguments arguments;
    int error = prepare(plan, &arguments);
    if (error) return error;
    arguments.in_place = 1;
    error = become(&arguments);
    release(&arguments);
    return error;
}

int cwick_signal_is_ignored(int signal) {
    struct sigaction current;
    return sigaction(signal, NULL, &current) == 0 && current.sa_handler == SIG_IGN;
}

int cwick_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int cwick_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

int cwick_attach_filter(int fd, const void *instructions, int count) {
    struct sock_fprog program;
    if (count <= 0 || count > 4096) { errno = EINVAL; return -1; }
    program.len = (unsigned short)count;
    program.filter = (struct sock_filter *)instructions;
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program);
}

int cwick_detach_filter(int fd) {
    int unused = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) == 0 || errno == ENOENT) return 0;
    return -1;
}

int cwick_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int cwick_pidfd_send_signal(int fd, int signal) {
    return (int)syscall(SYS_pidfd_send_signal, fd, signal, NULL, 0);
}

int cwick_pidfd_exited(int fd) {
    struct pollfd entry = { .fd = fd, .events = POLLIN, .revents = 0 };
    int ready = poll(&entry, 1, 0);
    if (ready < 0) return -1;
    return ready > 0 && (entry.revents & (POLLIN | POLLHUP)) ? 1 : 0;
}

int cwick_memfd_with(const void *bytes, size_t length) {
    int fd = memfd_create("wick-stdin", MFD_CLOEXEC);
    size_t written = 0;
    if (fd < 0) return -1;
    while (written < length) {
        ssize_t count = write(fd, (const char *)bytes + written, length - written);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) { int error = errno; close(fd); errno = error ? error : EIO; return -1; }
        written += (size_t)count;
    }
    if (lseek(fd, 0, SEEK_SET) < 0) { int error = errno; close(fd); errno = error; return -1; }
    return fd;
}

int cwick_wifexited(int status) { return WIFEXITED(status); }
int cwick_wexitstatus(int status) { return WEXITSTATUS(status); }
int cwick_wifsignaled(int status) { return WIFSIGNALED(status); }
int cwick_wtermsig(int status) { return WTERMSIG(status); }

int cwick_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int cwick_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0) return -1;
    *pid = credentials.pid;
    *uid = credentials.uid;
    *gid = credentials.gid;
    return 0;
}

int cwick_peer_in_group(int fd, gid_t group) {
    pid_t pid;
    uid_t uid;
    gid_t gid;
    if (cwick_peer_credentials(fd, &pid, &uid, &gid) < 0) return -1;
    if (gid == group) return 1;
    gid_t groups[256];
    socklen_t length = sizeof groups;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &length) < 0) return errno == ERANGE ? -1 : 0;
    for (size_t index = 0; index < length / sizeof(gid_t); index++) {
        if (groups[index] == group) return 1;
    }
    return 0;
}

ssize_t cwick_receive_with_credentials(int fd, void *buffer, size_t size, pid_t *pid,
                                       int *fds, size_t *fd_count, int *truncated) {
    union {
        struct cmsghdr align;
        char data[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * CWICK_NOTIFY_FDS_MAX)];
    } control;
    struct iovec vector = { .iov_base = buffer, .iov_len = size };
    struct msghdr message = {
        .msg_iov = &vector, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control,
    };
    ssize_t length;
    struct cmsghdr *header;
    size_t i;
    *pid = 0;
    *fd_count = 0;
    *truncated = 0;
    do { length = recvmsg(fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC); } while (length < 0 && errno == EINTR);
    if (length < 0) return -1;
    for (header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET) continue;
        if (header->cmsg_type == SCM_CREDENTIALS && header->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
            struct ucred credentials;
            memcpy(&credentials, CMSG_DATA(header), sizeof credentials);
            *pid = credentials.pid;
        } else if (header->cmsg_type == SCM_RIGHTS && header->cmsg_len >= CMSG_LEN(0)) {
            size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int received[CWICK_NOTIFY_FDS_MAX];
            if (count > CWICK_NOTIFY_FDS_MAX) count = CWICK_NOTIFY_FDS_MAX;
            memcpy(received, CMSG_DATA(header), count * sizeof(int));
            for (i = 0; i < count; i++) {
                if (*fd_count < CWICK_NOTIFY_FDS_MAX) fds[(*fd_count)++] = received[i];
                else close(received[i]);
            }
        }
    }
    if (message.msg_flags & MSG_CTRUNC) {
        for (i = 0; i < *fd_count; i++) close(fds[i]);
        *fd_count = 0;
        *truncated = 1;
    }
    return length;   /* MSG_TRUNC: the datagram's real length, which may exceed size */
}

int cwick_mq_open(const char *name, unsigned mode, long max_messages, long message_size) {
    struct mq_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.mq_maxmsg = max_messages;
    attributes.mq_msgsize = message_size;
    int fd = mq_open(name, O_RDONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK, (mode_t)mode,
                     max_messages > 0 && message_size > 0 ? &attributes : NULL);
    return fd;
}

int cwick_mq_unlink(const char *name) { return mq_unlink(name); }
