#define _GNU_SOURCE
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The sandbox of one process (systemd's namespace.c and seccomp-util.c, applied): new
 * namespaces, the loopback interface, the mount steps the parent planned, and the seccomp filter
 * it compiled. Plain system calls only: the child cannot allocate. */

/* mount_setattr(2) on path, and with AT_RECURSIVE everything below it (kernel 5.12). */
static int set_attributes(const char *path, unsigned long long set, unsigned long long clear, int recursive) {
    struct mount_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.attr_set = set;
    attributes.attr_clr = clear;
    if (syscall(SYS_mount_setattr, AT_FDCWD, path, recursive | AT_SYMLINK_NOFOLLOW, &attributes, sizeof attributes) < 0)
        return errno;
    return 0;
}

static int bind_onto_itself(const char *path) {
    return mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0 ? errno : 0;
}

/* The mount point for a bind of `source` that the tree may lack (systemd's
 * make_mount_point_inode_from_path()): the parents as directories, then a directory or an empty
 * file like the source. */
static int make_mount_point(const char *source, const char *path) {
    char buffer[PATH_MAX];
    struct stat status;
    size_t length = strlen(path), i;
    int fd;
    if (length == 0 || length >= sizeof buffer) return ENAMETOOLONG;
    if (lstat(path, &status) == 0) return 0;
    memcpy(buffer, path, length + 1);
    for (i = 1; i < length; i++) {
        if (buffer[i] != '/') continue;
        buffer[i] = '\0';
        if (mkdir(buffer, 0755) < 0 && errno != EEXIST) return errno;
        buffer[i] = '/';
    }
    if (stat(source, &status) < 0) return errno;
    if (S_ISDIR(status.st_mode)) return mkdir(path, 0755) < 0 && errno != EEXIST ? errno : 0;
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

static int apply_mount(const struct cwick_mount *step) {
    struct stat status;
    int error = 0, fd;
    switch (step->kind) {
    case CWICK_MOUNT_BIND:
        if (step->flag) error = make_mount_point(step->source, step->path);
        if (!error && mount(step->source, step->path, NULL, MS_BIND | MS_REC, NULL) < 0) error = errno;
        break;
    case CWICK_MOUNT_READ_ONLY:
        if (step->flag) {
            error = set_attributes(step->path, MOUNT_ATTR_RDONLY, 0, 0);
            break;
        }
        error = bind_onto_itself(step->path);
        if (!error) error = set_attributes(step->path, MOUNT_ATTR_RDONLY, 0, AT_RECURSIVE);
        break;
    case CWICK_MOUNT_NO_EXEC:
        error = bind_onto_itself(step->path);
        if (!error) error = set_attributes(step->path, MOUNT_ATTR_NOEXEC, 0, AT_RECURSIVE);
        break;
    case CWICK_MOUNT_TMPFS:
        if (mount("tmpfs", step->path, "tmpfs", MS_NOSUID | (step->flag & 2 ? MS_NOEXEC : MS_NODEV) | (step->flag & 1 ? MS_RDONLY : 0),
                  step->source) < 0) error = errno;
        break;
    case CWICK_MOUNT_MKDIR:
        if (mkdir(step->path, (mode_t)step->flag) < 0 && errno != EEXIST) error = errno;
        break;
    case CWICK_MOUNT_TOUCH:
        fd = open(step->path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) error = errno; else close(fd);
        break;
    case CWICK_MOUNT_SYMLINK:
        if (symlink(step->source, step->path) < 0 && errno != EEXIST) error = errno;
        break;
    case CWICK_MOUNT_DEVPTS:
        if (mount("devpts", step->path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") < 0) error = errno;
        break;
    case CWICK_MOUNT_INACCESSIBLE:
        if (lstat(step->path, &status) < 0) { error = errno; break; }
        if (mount(S_ISDIR(status.st_mode) ? step->source : step->options, step->path, NULL, MS_BIND, NULL) < 0) { error = errno; break; }
        error = set_attributes(step->path, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0, AT_RECURSIVE);
        break;
    case CWICK_MOUNT_PROC:
        if (mount("proc", step->path, "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, step->options) < 0) error = errno;
        break;
    case CWICK_MOUNT_NODE: {
        char target[PATH_MAX];
        ssize_t length;
        if (lstat(step->source, &status) < 0) { error = errno; break; }
        if (S_ISLNK(status.st_mode)) {
            length = readlink(step->source, target, sizeof target - 1);
            if (length < 0) { error = errno; break; }
            target[length] = '\0';
            if (symlink(target, step->path) < 0 && errno != EEXIST) error = errno;
            break;
        }
        /* A node of its own in the tmpfs (a bound /dev/ptmx finds no devpts beside it: opening
         * it fails with ENOENT); bound onto an empty file where mknod is not allowed. */
        if (mknod(step->path, status.st_mode, status.st_rdev) == 0) {
            if (chmod(step->path, status.st_mode & 07777) < 0) error = errno;   /* not under the umask */
            break;
        }
        if (errno != EPERM) { error = errno; break; }
        fd = open(step->path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) { error = errno; break; }
        close(fd);
        if (mount(step->source, step->path, NULL, MS_BIND, NULL) < 0) error = errno;
        break;
    }
    case CWICK_MOUNT_MOVE_ROOT:
        /* systemd's mount_move_root(): the staging tree becomes / */
        if (chdir(step->path) < 0 || mount(step->path, "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0) error = errno;
        break;
    default:
        error = EINVAL;
    }
    if (error == ENOENT && step->ignore_missing) return 0;
    return error;
}

/* systemd's loopback_setup(): lo up in the new network namespace. */
static int loopback_up(void) {
    struct ifreq request;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), error = 0;
    if (fd < 0) return errno;
    memset(&request, 0, sizeof request);
    memcpy(request.ifr_name, "lo", 3);
    if (ioctl(fd, SIOCGIFFLAGS, &request) < 0) error = errno;
    else {
        request.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(fd, SIOCSIFFLAGS, &request) < 0) error = errno;
    }
    close(fd);
    return error;
}

int cwick_apply_namespaces(const struct cwick_exec_context *context, int *status) {
    int i, error;
    if (context->network_fd >= 0) {
        if (setns(context->network_fd, CLONE_NEWNET) < 0) { *status = CWICK_EXIT_NETWORK; return errno; }
    }
    if (context->ipc_fd >= 0) {
        if (setns(context->ipc_fd, CLONE_NEWIPC) < 0) { *status = CWICK_EXIT_NAMESPACE; return errno; }
    }
    if (context->unshare_flags && unshare(context->unshare_flags) < 0) {
        *status = context->unshare_flags & CLONE_NEWNET && !(context->unshare_flags & ~CLONE_NEWNET) ? CWICK_EXIT_NETWORK : CWICK_EXIT_NAMESPACE;
        return errno;
    }
    if (context->unshare_flags & CLONE_NEWNET) {
        error = loopback_up();
        if (error) { *status = CWICK_EXIT_NETWORK; return error; }
    }
    if (context->unshare_flags & CLONE_NEWNS) {
        /* Nothing this namespace mounts reaches the host, and the host's later mounts still
         * arrive (systemd's default MountFlags=shared... propagation, reduced to slave). */
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) { *status = CWICK_EXIT_NAMESPACE; return errno; }
        for (i = 0; i < context->mount_count; i++) {
            error = apply_mount(&context->mounts[i]);
            if (error) { *status = CWICK_EXIT_NAMESPACE; return error; }
        }
    }
    return 0;
}

int cwick_apply_seccomp(const struct cwick_exec_context *context, int *status) {
    int i;
    for (i = 0; i < context->seccomp_program_count; i++) {
        struct sock_fprog program;
        program.len = (unsigned short)context->seccomp_programs[i].length;
        program.filter = (struct sock_filter *)context->seccomp_programs[i].instructions;
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) < 0) { *status = CWICK_EXIT_SECCOMP; return errno; }
    }
    return 0;
}
