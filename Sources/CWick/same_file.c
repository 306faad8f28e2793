#define _GNU_SOURCE
#include "cwick.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* systemd's same_fd() (src/basic/fd-util.c), for the fd store's duplicates: kcmp(KCMP_FILE), true
 * only for one open file description (dup()ed, or the same fd sent twice); where kcmp is missing or
 * refused, the same inode, not a device, with the same status flags. */
int cwick_same_file(int a, int b) {
    struct stat first, second;
    int flags_a, flags_b;
    pid_t pid = getpid();
    long r;

    if (a == b) return 1;
    r = syscall(SYS_kcmp, pid, pid, KCMP_FILE, (unsigned long)a, (unsigned long)b);
    if (r == 0) return 1;
    if (r > 0) return 0;
    if (errno != ENOSYS && errno != EPERM && errno != EACCES && errno != EOPNOTSUPP) return -1;
    if (fstat(a, &first) < 0 || fstat(b, &second) < 0) return -1;
    if (first.st_dev != second.st_dev || first.st_ino != second.st_ino) return 0;
    if (S_ISCHR(first.st_mode) || S_ISBLK(first.st_mode)) return 0;
    flags_a = fcntl(a, F_GETFL);
    flags_b = fcntl(b, F_GETFL);
    if (flags_a < 0 || flags_b < 0) return -1;
    return flags_a == flags_b;
}

/* kcmp(KCMP_FILE)'s order of the open file descriptions of two fds: 0 the same, -1 a's first, 1
 * b's first; 2 when the kernel gives no order (kcmp missing or refused, or an fd not open). */
int cwick_file_order(int a, int b) {
    pid_t pid = getpid();
    long r = syscall(SYS_kcmp, pid, pid, KCMP_FILE, (unsigned long)a, (unsigned long)b);
    if (r == 0) return 0;
    if (r == 1) return -1;
    if (r == 2) return 1;
    return 2;
}
