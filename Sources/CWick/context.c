#define _GNU_SOURCE
#include "cwick.h"
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The execution context of one process (systemd.exec(5)), applied in the child between the fd
 * placement and execve, in the order of systemd 252's exec_child(): OOM score, nice, scheduling,
 * CPU affinity, I/O priority, personality, directories, umask, limits, groups, bounding set, (secure bits),
 * chroot, user (keeping capabilities for the ambient set), ambient capabilities, working
 * directory, no_new_privs, the seccomp filter. Namespaces and mounts (sandbox.c) come right
 * after the limits. Every step
 * is a plain system call or a libcap call that does not allocate (the cap_t objects are built by
 * the parent); a failure returns the step's systemd exit status (EXIT_*) and its errno. */

static int write_number(const char *path, long value) {
    char buffer[32];
    size_t length = 0;
    int fd, negative = value < 0;
    unsigned long magnitude = negative ? (unsigned long)(-(value + 1)) + 1 : (unsigned long)value;
    char digits[24];
    size_t count = 0;
    do { digits[count++] = (char)('0' + magnitude % 10); magnitude /= 10; } while (magnitude > 0);
    if (negative) buffer[length++] = '-';
    while (count > 0) buffer[length++] = digits[--count];
    buffer[length++] = '\n';
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    if (write(fd, buffer, length) != (ssize_t)length) {
        int error = errno ? errno : EIO;
        close(fd);
        return error;
    }
    close(fd);
    return 0;
}

/* mkdir -p for the parents (0755, root's), then the directory itself with its mode; an existing
 * one gets its mode set again (systemd's setup_exec_directory()), except ConfigurationDirectory=.
 * The owner is the service's user and group; only the directory itself is chowned, not what it
 * holds (systemd chowns the tree when the top is not the user's). The path is at most PATH_MAX, checked by the parent. */
static int make_directory(const struct cwick_directory *directory, const struct cwick_exec_context *context) {
    char buffer[PATH_MAX];
    size_t length = strlen(directory->path), i;
    if (length == 0 || length >= sizeof buffer) return ENAMETOOLONG;
    memcpy(buffer, directory->path, length + 1);
    for (i = 1; i < length; i++) {
        if (buffer[i] != '/') continue;
        buffer[i] = '\0';
        if (mkdir(buffer, 0755) < 0 && errno != EEXIST) return errno;
        buffer[i] = '/';
    }
    if (mkdir(buffer, directory->mode) < 0) {
        struct stat status;
        if (errno != EEXIST) return errno;
        if (lstat(buffer, &status) < 0) return errno;
        if (!S_ISDIR(status.st_mode)) return ENOTDIR;
        if (directory->keep_existing) return 0;
    }
    if (chmod(buffer, directory->mode) < 0) return errno;
    if (context->set_owner && chown(buffer, context->owner_uid, context->owner_gid) < 0) return errno;
    return 0;
}

#define FAIL(status_value, error_value) do { *status = (status_value); return (error_value); } while (0)

int cwick_apply_context(const struct cwick_exec_context *context, int in_cgroup, int *status) {
    int i, error;

    /* systemd's cg_attach_everywhere(): into the unit's cgroup before anything else, so that
     * every process the service makes is there too (unless born there: cwick_spawn). */
    if (context->cgroup_procs && !in_cgroup) {
        int fd = open(context->cgroup_procs, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) FAIL(CWICK_EXIT_CGROUP, errno);
        if (write(fd, "0", 1) != 1) {
            error = errno ? errno : EIO;
            close(fd);
            FAIL(CWICK_EXIT_CGROUP, error);
        }
        close(fd);
    }
    if (context->ignore_sigpipe) {
        struct sigaction ignore;
        memset(&ignore, 0, sizeof ignore);
        ignore.sa_handler = SIG_IGN;
        (void)sigaction(SIGPIPE, &ignore, NULL);
    }
    if (context->set_oom_score_adjust) {
        /* systemd ignores a refusal ("assuming containerized execution"): lowering the score
         * needs CAP_SYS_RESOURCE, which a container's root often lacks. */
        error = write_number("/proc/self/oom_score_adj", context->oom_score_adjust);
        if (error && error != EPERM && error != EACCES) FAIL(CWICK_EXIT_OOM_ADJUST, error);
    }
    if (context->set_nice && setpriority(PRIO_PROCESS, 0, context->nice) < 0) {
        /* systemd's setpriority_closest(): when a lower value is refused, as low as RLIMIT_NICE
         * allows (its soft limit n permits nice 20 - n). */
        struct rlimit limit;
        int lowest;
        if ((errno != EPERM && errno != EACCES) || getrlimit(RLIMIT_NICE, &limit) < 0) FAIL(CWICK_EXIT_NICE, errno);
        lowest = limit.rlim_cur >= 40 ? -20 : 20 - (int)limit.rlim_cur;
        if (lowest <= context->nice || setpriority(PRIO_PROCESS, 0, lowest) < 0) FAIL(CWICK_EXIT_NICE, errno ? errno : EPERM);
    }
    if (context->set_scheduling) {
        struct sched_param parameter;
        memset(&parameter, 0, sizeof parameter);
        parameter.sched_priority = context->scheduling_priority;
        if (sched_setscheduler(0, context->scheduling_policy | (context->scheduling_reset_on_fork ? SCHED_RESET_ON_FORK : 0), &parameter) < 0)
            FAIL(CWICK_EXIT_SETSCHEDULER, errno);
    }
    if (context->cpu_affinity_count > 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (i = 0; i < context->cpu_affinity_count; i++) {
            if (context->cpu_affinity[i] >= 0 && context->cpu_affinity[i] < CPU_SETSIZE) CPU_SET(context->cpu_affinity[i], &set);
        }
        if (sched_setaffinity(0, sizeof set, &set) < 0) FAIL(CWICK_EXIT_CPUAFFINITY, errno);
    }
    if (context->set_io_priority && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, context->io_priority) < 0)
        FAIL(CWICK_EXIT_IOPRIO, errno);
    if (context->set_personality && personality(context->personality) < 0) FAIL(CWICK_EXIT_PERSONALITY, errno);
    for (i = 0; i < context->directory_count; i++) {
        error = make_directory(&context->directories[i], context);
        if (error) FAIL(context->directories[i].exit_status, error);
    }
    umask((mode_t)context->umask);
    for (i = 0; i < context->limit_count; i++) {
        struct rlimit limit = { .rlim_cur = context->limits[i].soft, .rlim_max = context->limits[i].hard };
        if (setrlimit(context->limits[i].resource, &limit) < 0) FAIL(CWICK_EXIT_LIMITS, errno);
    }
    /* Namespaces and mounts need CAP_SYS_ADMIN: before the change of user (systemd's step
     * apply_mount_namespace(), after the limits). */
    error = cwick_apply_namespaces(context, status);
    if (error) return error;
    if (context->set_credentials) {
        if (setgroups((size_t)context->group_count, context->groups) < 0) FAIL(CWICK_EXIT_GROUP, errno);
        if (setresgid(context->gid, context->gid, context->gid) < 0) FAIL(CWICK_EXIT_GROUP, errno);
    }
    if (context->set_bounding_set) {
        /* Needs CAP_SETPCAP, so before the user changes. */
        int last = (int)cap_max_bits() - 1;
        for (i = 0; i <= last && i < 64; i++) {
            if (context->bounding_set & (1ULL << i)) continue;
            if (cap_drop_bound((cap_value_t)i) < 0 && errno != EINVAL) FAIL(CWICK_EXIT_CAPABILITIES, errno);
        }
    }
    /* Secure bits need CAP_SETPCAP too: set while still privileged, so that they also govern the
     * change of user below (keep-caps, no-setuid-fixup). systemd sets them after it. */
    if (context->set_securebits && prctl(PR_SET_SECUREBITS, (unsigned long)context->securebits, 0, 0, 0) < 0)
        FAIL(CWICK_EXIT_SECUREBITS, errno);
    if (context->root_directory && chroot(context->root_directory) < 0) FAIL(CWICK_EXIT_CHROOT, errno);
    if (context->set_credentials) {
        /* With ambient capabilities, the permitted set must survive the change of user
         * (PR_SET_KEEPCAPS, as systemd's enforce_user()). */
        if (context->ambient_set && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) FAIL(CWICK_EXIT_USER, errno);
        if (setresuid(context->uid, context->uid, context->uid) < 0) FAIL(CWICK_EXIT_USER, errno);
    }
    if (context->capabilities) {
        /* The sets the parent built: the ambient capabilities must be inheritable and permitted
         * before they may be raised (capabilities(7)). */
        if (cap_set_proc((cap_t)context->capabilities) < 0) FAIL(CWICK_EXIT_CAPABILITIES, errno);
        for (i = 0; i < 64; i++) {
            if (!(context->ambient_set & (1ULL << i))) continue;
            if (cap_set_ambient((cap_value_t)i, CAP_SET) < 0) FAIL(CWICK_EXIT_CAPABILITIES, errno);
        }
    }
    /* After the change of user, as systemd: a directory only the user may enter works. */
    if (context->working_directory) {
        if (chdir(context->working_directory) < 0 && !context->working_directory_optional) FAIL(CWICK_EXIT_CHDIR, errno);
    } else if (context->root_directory && chdir("/") < 0) {
        FAIL(CWICK_EXIT_CHDIR, errno);
    }
    if (context->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) FAIL(CWICK_EXIT_NO_NEW_PRIVILEGES, errno);
    /* The system-call filter last: everything above may use calls it forbids. */
    return cwick_apply_seccomp(context, status);
}

static int set_flags(cap_t caps, cap_flag_t flag, unsigned long long set) {
    cap_value_t values[64];
    int count = 0, i;
    for (i = 0; i < 64 && i < (int)cap_max_bits(); i++) {
        if (set & (1ULL << i)) values[count++] = (cap_value_t)i;
    }
    return count > 0 ? cap_set_flag(caps, flag, count, values, CAP_SET) : 0;
}

void *cwick_capabilities_new(unsigned long long permitted, unsigned long long inheritable) {
    cap_t caps = cap_init();
    if (!caps) return NULL;
    if (set_flags(caps, CAP_PERMITTED, permitted) < 0 || set_flags(caps, CAP_EFFECTIVE, permitted) < 0
        || set_flags(caps, CAP_INHERITABLE, inheritable) < 0) {
        cap_free(caps);
        return NULL;
    }
    return caps;
}

void cwick_capabilities_free(void *caps) {
    if (caps) cap_free(caps);
}
