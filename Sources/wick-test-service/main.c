/* A test service for wick's end-to-end tests, built against libsystemd so that a real
 * sd_listen_fds_with_names() client proves wire compatibility (sd_listen_fds(3)).
 *
 *   wick-test-service report   Reports what it received and exits (the exit-on-idle pattern):
 *                              with listening sockets it accepts one connection on the first that
 *                              is readable and writes the report to it; with a connection at fd 3 it writes to fd 3;
 *                              in inetd style (no LISTEN_FDS) it writes to stdout.
 *
 *   wick-test-service notify   Sends STATUS= and READY=1 with sd_notify(), then reports as above.
 *   wick-test-service notify-exit   Exits 0 without READY=1.
 *   wick-test-service fdstore FILE NAME [fdpoll0] [twice]
 *                              The fd store (sd_notify(3) FDSTORE=1): appends to FILE a line with the
 *                              names it was passed and, for each passed fd named NAME (a memfd),
 *                              what it holds; then stores a new memfd holding "pid=PID" under NAME
 *                              (twice: the same fd in two messages) and the read end of a pipe whose
 *                              write end it keeps open (it hangs up when the service ends) under
 *                              "pipe" (FDPOLL=0 with fdpoll0), with sd_pid_notify_with_fds(), says
 *                              READY=1 and waits for SIGTERM.
 *   wick-test-service fdremove NAME   Sends FDSTOREREMOVE=1 with FDNAME=NAME and exits.
 *   wick-test-service barrier FILE   Sends READY=1, then waits for sd_notify_barrier() (5 s at most)
 *                              and writes "barrier=R" (its return value) to FILE, and waits for SIGTERM.
 *   wick-test-service i386     On x86-64, makes i386 system calls (int $0x80) and prints what each
 *                              returned, 0 or the errno: uname, mmap2 and the old mmap of a page
 *                              writable and executable ("unsupported" elsewhere).
 *
 * The report is lines of KEY=VALUE: listen_fds, names, pid_matches, open (the fds open in the
 * process, from /proc/self/fd), remote (REMOTE_ADDR:REMOTE_PORT), kinds (listening/connection per fd).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

static void open_fds(char *out, size_t size) {
    DIR *dir = opendir("/proc/self/fd");
    int own = dir ? dirfd(dir) : -1, fds[256], count = 0, i, j;
    struct dirent *entry;
    out[0] = '\0';
    if (!dir) return;
    while ((entry = readdir(dir)) && count < 256) {
        if (entry->d_name[0] == '.') continue;
        int fd = atoi(entry->d_name);
        if (fd != own) fds[count++] = fd;
    }
    closedir(dir);
    for (i = 1; i < count; i++)
        for (j = i; j > 0 && fds[j - 1] > fds[j]; j--) { int t = fds[j]; fds[j] = fds[j - 1]; fds[j - 1] = t; }
    for (i = 0; i < count; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%d", i ? "," : "", fds[i]);
    }
}

#if defined(__x86_64__)
/* An i386 system call from this x86-64 process (the kernel's ia32 entry): arguments in ebx,
 * ecx, edx, esi, edi, ebp, truncated to 32 bits. */
static int call32(long number, long a, long b, long c, long d, long e, long f) {
    long result;
    __asm__ volatile("push %%rbp\n\tmov %k[f], %%ebp\n\tint $0x80\n\tpop %%rbp"
                     : "=a"(result)
                     : "a"(number), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e), [f] "r"(f)
                     : "memory", "cc");
    int value = (int)result;   /* an error is -4095..-1; an address may look negative too */
    return value < 0 && value >= -4095 ? -value : 0;
}

static int i386_calls(void) {
    /* Memory under 4 GiB, where the calls' 32-bit pointers reach. */
    unsigned *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) { perror("mmap"); return 1; }
    int uname = call32(122, (long)low, 0, 0, 0, 0, 0);
    int mmap2 = call32(192, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned arguments[6] = { 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, (unsigned)-1, 0 };
    memcpy(low + 256, arguments, sizeof arguments);
    int old_mmap = call32(90, (long)(low + 256), 0, 0, 0, 0, 0);
    printf("uname=%d\nmmap2=%d\nmmap=%d\n", uname, mmap2, old_mmap);
    return 0;
}
#else
static int i386_calls(void) {
    printf("unsupported\n");
    return 0;
}
#endif

int main(int argc, char **argv) {
    char **names = NULL;
    char report[4096], fds[1024] = "", kinds[256] = "";
    const char *listen_pid = getenv("LISTEN_PID");
    int pid_matches = listen_pid && atoi(listen_pid) == getpid();
    open_fds(fds, sizeof fds);   /* before sd_listen_fds, which does not open anything anyway */
    int n = sd_listen_fds_with_names(0, &names);
    if (argc < 2) {
        fprintf(stderr, "usage: wick-test-service report|notify|notify-exit\n");
        return 2;
    }
    if (strcmp(argv[1], "notify-exit") == 0) return 0;
    if (strcmp(argv[1], "i386") == 0) return i386_calls();
    if (strcmp(argv[1], "barrier") == 0 && argc >= 3) {
        FILE *out;
        int r;
        if (sd_notify(0, "READY=1") <= 0) { fprintf(stderr, "sd_notify failed\n"); return 1; }
        r = sd_notify_barrier(0, 5000000);
        out = fopen(argv[2], "w");
        if (!out) { perror("fopen"); return 1; }
        fprintf(out, "barrier=%d\n", r);
        fclose(out);
        for (;;) pause();
    }
    if (strcmp(argv[1], "fdremove") == 0 && argc >= 3) {
        char message[300];
        snprintf(message, sizeof message, "FDSTOREREMOVE=1\nFDNAME=%s", argv[2]);
        return sd_notify(0, message) > 0 ? 0 : 1;
    }
    if (strcmp(argv[1], "fdstore") == 0 && argc >= 4) {
        char line[2048] = "", held[64], message[300];
        FILE *out = fopen(argv[2], "a");
        int pipe_fds[2], memo, i;
        if (!out) { perror("fopen"); return 1; }
        for (i = 0; i < n && names && names[i]; i++) {
            size_t used = strlen(line);
            snprintf(line + used, sizeof line - used, "%s%s", i ? ":" : "names=", names[i]);
            if (strcmp(names[i], argv[3]) == 0) {
                ssize_t got = pread(SD_LISTEN_FDS_START + i, held, sizeof held - 1, 0);
                held[got > 0 ? got : 0] = '\0';
                used = strlen(line);
                snprintf(line + used, sizeof line - used, " held=%s", held);
            }
        }
        fprintf(out, "%s%s\n", n > 0 ? "" : "names=", line);
        fclose(out);
        memo = memfd_create("memo", MFD_CLOEXEC);
        if (memo < 0 || pipe2(pipe_fds, O_CLOEXEC) < 0) { perror("memfd/pipe"); return 1; }
        snprintf(held, sizeof held, "pid=%d", getpid());
        if (write(memo, held, strlen(held)) < 0) { perror("write"); return 1; }
        snprintf(message, sizeof message, "FDSTORE=1\nFDNAME=%s", argv[3]);
        int poll0 = 0, twice = 0;
        for (i = 4; i < argc; i++) {
            if (strcmp(argv[i], "fdpoll0") == 0) poll0 = 1;
            if (strcmp(argv[i], "twice") == 0) twice = 1;
        }
        for (i = 0; i <= twice; i++)
            if (sd_pid_notify_with_fds(0, 0, message, &memo, 1) <= 0) { fprintf(stderr, "FDSTORE failed\n"); return 1; }
        snprintf(message, sizeof message, "FDSTORE=1\nFDNAME=pipe%s", poll0 ? "\nFDPOLL=0" : "");
        if (sd_pid_notify_with_fds(0, 0, message, &pipe_fds[0], 1) <= 0) { fprintf(stderr, "FDSTORE failed\n"); return 1; }
        close(memo);
        close(pipe_fds[0]);
        sd_notify(0, "READY=1");
        for (;;) pause();
    }
    if (strcmp(argv[1], "notify") == 0) {
        sd_notify(0, "STATUS=warming up");
        usleep(100000);
        if (sd_notify(0, "READY=1\nSTATUS=serving") <= 0) { fprintf(stderr, "sd_notify failed\n"); return 1; }
    } else if (strcmp(argv[1], "report") != 0) {
        fprintf(stderr, "usage: wick-test-service report|notify|notify-exit\n");
        return 2;
    }
    char joined[1024] = "";
    for (int i = 0; i < n && names && names[i]; i++) {
        size_t used = strlen(joined);
        snprintf(joined + used, sizeof joined - used, "%s%s", i ? ":" : "", names[i]);
        used = strlen(kinds);
        snprintf(kinds + used, sizeof kinds - used, "%s%s", i ? "," : "",
                 sd_is_socket(SD_LISTEN_FDS_START + i, AF_UNSPEC, 0, 1) > 0 ? "listening" : "connection");
    }
    snprintf(report, sizeof report, "listen_fds=%d\nnames=%s\npid_matches=%d\nopen=%s\nkinds=%s\nremote=%s:%s\npid=%d\n",
             n, joined, pid_matches, fds, kinds, getenv("REMOTE_ADDR") ? getenv("REMOTE_ADDR") : "",
             getenv("REMOTE_PORT") ? getenv("REMOTE_PORT") : "", getpid());
    int out = 1;
    if (n >= 1) {
        out = SD_LISTEN_FDS_START;
        if (sd_is_socket(SD_LISTEN_FDS_START, AF_UNSPEC, 0, 1) > 0) {
            struct pollfd polled[64];
            int count = n < 64 ? n : 64, ready = -1;
            for (int i = 0; i < count; i++) polled[i] = (struct pollfd){ .fd = SD_LISTEN_FDS_START + i, .events = POLLIN };
            if (poll(polled, count, 10000) <= 0) { fprintf(stderr, "no connection\n"); return 1; }
            for (int i = 0; i < count && ready < 0; i++) if (polled[i].revents & POLLIN) ready = polled[i].fd;
            out = accept4(ready, NULL, NULL, SOCK_CLOEXEC);
            if (out < 0) { perror("accept4"); return 1; }
        }
    }
    size_t length = strlen(report);
    if (write(out, report, length) != (ssize_t)length) { perror("write"); return 1; }
    return 0;
}
