/* The bpf(2) calls of the cgroup programs (IPAddressAllow=/IPAddressDeny=, IPAccounting=,
 * SocketBindAllow=/SocketBindDeny=): the instructions are assembled in Swift
 * (WickCore/CgroupPrograms.swift), as systemd's bpf-firewall.c assembles its own; this file only
 * loads, attaches and reads. And a socket created inside a cgroup, as systemd's
 * socket_address_listen_in_cgroup(), so that the cgroup's programs see its traffic. */
#include "cwick.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long bpf_call(int command, union bpf_attr *attributes) {
    return syscall(__NR_bpf, command, attributes, sizeof *attributes);
}

int cwick_bpf_map_create_array(unsigned entries) {
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.map_type = BPF_MAP_TYPE_ARRAY;
    attributes.key_size = sizeof(unsigned);
    attributes.value_size = sizeof(unsigned long long);
    attributes.max_entries = entries;
    attributes.map_flags = 0;
    int fd = (int)bpf_call(BPF_MAP_CREATE, &attributes);
    return fd < 0 ? -errno : fd;
}

int cwick_bpf_map_read(int map, unsigned key, unsigned long long *value) {
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.map_fd = (unsigned)map;
    attributes.key = (unsigned long)&key;
    attributes.value = (unsigned long)value;
    return bpf_call(BPF_MAP_LOOKUP_ELEM, &attributes) < 0 ? -errno : 0;
}

int cwick_bpf_map_zero(int map, unsigned key) {
    union bpf_attr attributes;
    unsigned long long zero = 0;
    memset(&attributes, 0, sizeof attributes);
    attributes.map_fd = (unsigned)map;
    attributes.key = (unsigned long)&key;
    attributes.value = (unsigned long)&zero;
    attributes.flags = BPF_ANY;
    return bpf_call(BPF_MAP_UPDATE_ELEM, &attributes) < 0 ? -errno : 0;
}

int cwick_bpf_prog_load(unsigned type, unsigned expected_attach_type, const void *instructions, unsigned count,
                        char *log, unsigned log_size) {
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.prog_type = type;
    attributes.expected_attach_type = expected_attach_type;
    attributes.insns = (unsigned long)instructions;
    attributes.insn_cnt = count;
    attributes.license = (unsigned long)"GPL";
    if (log && log_size > 0) {
        log[0] = 0;
        attributes.log_buf = (unsigned long)log;
        attributes.log_size = log_size;
        attributes.log_level = 1;
    }
    int fd = (int)bpf_call(BPF_PROG_LOAD, &attributes);
    if (fd < 0 && errno == ENOSPC && log) {
        /* The log did not fit; load again without it so that the error is the program's. */
        attributes.log_buf = 0;
        attributes.log_size = 0;
        attributes.log_level = 0;
        fd = (int)bpf_call(BPF_PROG_LOAD, &attributes);
    }
    return fd < 0 ? -errno : fd;
}

int cwick_bpf_prog_attach(int program, int cgroup, unsigned attach_type) {
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.target_fd = (unsigned)cgroup;
    attributes.attach_bpf_fd = (unsigned)program;
    attributes.attach_type = attach_type;
    attributes.attach_flags = BPF_F_ALLOW_MULTI;
    return bpf_call(BPF_PROG_ATTACH, &attributes) < 0 ? -errno : 0;
}

int cwick_bpf_prog_test_run(int program, const void *packet, unsigned size, unsigned *result) {
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.test.prog_fd = (unsigned)program;
    attributes.test.data_in = (unsigned long)packet;
    attributes.test.data_size_in = size;
    attributes.test.repeat = 1;
    if (bpf_call(BPF_PROG_TEST_RUN, &attributes) < 0) return -errno;
    *result = attributes.test.retval;
    return 0;
}

int cwick_socket_in_cgroup(int cgroup, int domain, int type, int protocol) {
    /* A child that shares wick's descriptor table (CLONE_FILES) is born in the cgroup
     * (CLONE_INTO_CGROUP), creates the socket there and puts it at a number wick reserved; the
     * socket stays associated with the cgroup for life, as do the connections accepted from it. */
    int slot = fcntl(cgroup, F_DUPFD_CLOEXEC, 3);
    if (slot < 0) return -errno;
    struct clone_args arguments;
    memset(&arguments, 0, sizeof arguments);
    arguments.flags = CLONE_FILES | CLONE_VFORK | CLONE_INTO_CGROUP;
    arguments.exit_signal = 0;
    arguments.cgroup = (unsigned long long)cgroup;
    long pid = syscall(__NR_clone3, &arguments, sizeof arguments);
    if (pid < 0) {
        int error = errno;
        close(slot);
        return -error;
    }
    if (pid == 0) {
        int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
        if (fd < 0) _exit(errno);
        int placed = (int)syscall(__NR_dup3, fd, slot, O_CLOEXEC);
        close(fd);
        _exit(placed < 0 ? errno : 0);
    }
    int status = 0;
    while (waitpid((pid_t)pid, &status, __WALL) < 0) {
        if (errno != EINTR) { close(slot); return -errno; }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        close(slot);
        return -(WIFEXITED(status) ? WEXITSTATUS(status) : EIO);
    }
    return slot;
}
