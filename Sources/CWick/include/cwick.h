#ifndef CWICK_H
#define CWICK_H

/* wick's C layer: the spawn path and the few Linux calls and macros Swift's Glibc module does not
 * expose. Every function is prefixed cwick_. Do not define _GNU_SOURCE here (see SWIFT-NOTES). */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <linux/netlink.h>

/* Where a standard stream of the child comes from: an fd, or /dev/null when -1. */
enum { CWICK_DEV_NULL = -1 };

/* Everything the child needs, prepared by Swift before the clone so that the child only places
 * fds, resets signals and execs (systemd's exec_child(), skalibs' cspawn). */
struct cwick_spawn_plan {
    const char *path;            /* executable: absolute, or looked up in search_path */
    char *const *argv;           /* NULL-terminated */
    char *const *envp;           /* NULL-terminated; LISTEN_PID is added by the child */
    int set_listen_pid;          /* 1: append LISTEN_PID=<the child's own pid> to envp */
    int set_watchdog_pid;        /* 1: append WATCHDOG_PID=<the child's own pid> to envp */
    int nonblocking;             /* NonBlocking=: 1 sets, 0 clears O_NONBLOCK on fds 3..; -1 leaves them */
    const int *fds;              /* placed at 3, 4, ... in this order */
    int fd_count;
    int stdin_fd, stdout_fd, stderr_fd;  /* CWICK_DEV_NULL or an fd to place at 0, 1, 2 */
    int new_session;             /* 1: setsid(), so the service is its own process group */
    const char *search_path;     /* colon-separated, for paths without '/' */
};

/* Starts the plan with clone(CLONE_VM | CLONE_VFORK) and exec. Returns 0 and sets *pid when the
 * child exec'd; returns an errno value when clone failed (*pid = -1) or when the child could not
 * exec (*pid = the child, already exited with status 127 or 126 and to be reaped by the caller). */
int cwick_spawn(const struct cwick_spawn_plan *plan, pid_t *pid);

/* Execs the plan in the current process (systemd-socket-activate's exec_process()): fds placed at
 * 3.., LISTEN_PID is this process's pid. Returns the errno when it could not exec. */
int cwick_exec(const struct cwick_spawn_plan *plan);

int cwick_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
int cwick_pipe2(int fds[2], int flags);

int cwick_wifexited(int status);
int cwick_wexitstatus(int status);
int cwick_wifsignaled(int status);
int cwick_wtermsig(int status);

/* SO_PEERCRED of a Unix socket (struct ucred needs _GNU_SOURCE). Returns 0 or -1 with errno. */
int cwick_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/* Whether the peer of a Unix socket has `group` as its primary or a supplementary group
 * (SO_PEERCRED, SO_PEERGROUPS). Returns 1, 0, or -1 with errno. */
int cwick_peer_in_group(int fd, gid_t group);

/* Receives one datagram with its sender's credentials (SCM_CREDENTIALS, for sd_notify(3)); fds
 * passed along are closed. Returns the datagram's full length (more than size when it was
 * truncated), or -1 with errno (EAGAIN when none is pending).
 * *pid is 0 when the sender's credentials were not attached. */
ssize_t cwick_receive_with_credentials(int fd, void *buffer, size_t size, pid_t *pid);

/* mq_open(name, O_RDONLY|O_CREAT|O_CLOEXEC|O_NONBLOCK, mode, attr) for ListenMessageQueue= (mq_open
 * is variadic). max_messages and message_size of 0 keep the kernel's defaults. */
int cwick_mq_open(const char *name, unsigned mode, long max_messages, long message_size);

int cwick_mq_unlink(const char *name);

/* Raises wick's soft RLIMIT_NOFILE to its hard limit (as systemd does for itself), so that it can
 * hold thousands of sockets; every child spawned afterwards gets the original soft limit back.
 * Returns 0 or -1 with errno. */
int cwick_raise_open_files_limit(void);

/* PR_SET_CHILD_SUBREAPER (prctl is variadic, so not callable from Swift). */
int cwick_set_child_subreaper(void);

#endif
