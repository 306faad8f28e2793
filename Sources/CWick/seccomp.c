#define _GNU_SOURCE
#include "cwick.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The parent's half of the system-call filters: libseccomp builds the BPF program (it allocates,
 * so never in the child), exported through a memfd into plain memory the child loads. */

static int export_program(scmp_filter_ctx context, void **program, int *length) {
    int fd = memfd_create("wick-seccomp", MFD_CLOEXEC), error = 0;
    struct stat status;
    char *buffer = NULL;
    size_t done = 0;
    if (fd < 0) return errno;
    error = -seccomp_export_bpf(context, fd);
    if (!error && fstat(fd, &status) < 0) error = errno;
    if (!error && (status.st_size <= 0 || status.st_size % 8 != 0 || status.st_size > 8 * 65535)) error = EINVAL;
    if (!error && lseek(fd, 0, SEEK_SET) < 0) error = errno;
    if (!error && !(buffer = malloc((size_t)status.st_size))) error = ENOMEM;
    while (!error && done < (size_t)status.st_size) {
        ssize_t count = read(fd, buffer + done, (size_t)status.st_size - done);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) error = count < 0 ? errno : EIO;
        else done += (size_t)count;
    }
    close(fd);
    if (error) {
        free(buffer);
        return error;
    }
    *program = buffer;
    *length = (int)(status.st_size / 8);   /* struct sock_filter is 8 bytes */
    return 0;
}

int cwick_seccomp_compile(unsigned default_action, int native_only, const char *abi, const struct cwick_seccomp_rule *rules,
                          int rule_count, void **program, int *length) {
    uint32_t arch = abi ? seccomp_arch_resolve_name(abi) : SCMP_ARCH_NATIVE;
    scmp_filter_ctx context;
    int i, j, error = 0;
    *program = NULL;
    *length = 0;
    if (arch == 0) return EINVAL;
    context = seccomp_init(default_action);
    if (!context) return ENOMEM;
    /* systemd's seccomp_init_for_arch(): this ABI alone. */
    if (arch != SCMP_ARCH_NATIVE && arch != seccomp_arch_native()) {
        int removed = seccomp_arch_remove(context, seccomp_arch_native());
        int added = seccomp_arch_add(context, arch);
        if (removed < 0 || added < 0) error = -(added < 0 ? added : removed);
    }
    /* Without native_only, another ABI's calls pass this filter (libseccomp's default kills). */
    if (!native_only && seccomp_attr_set(context, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW) < 0) error = EINVAL;
    /* no_new_privs is the child's decision (NoNewPrivileges=), not libseccomp's. */
    if (!error && seccomp_attr_set(context, SCMP_FLTATR_CTL_NNP, 0) < 0) error = EINVAL;
    for (i = 0; !error && i < rule_count; i++) {
        struct scmp_arg_cmp comparisons[6];
        int number = seccomp_syscall_resolve_name(rules[i].syscall), result;
        if (number == __NR_SCMP_ERROR || rules[i].action == default_action) continue;
        if (rules[i].condition_count > 6) { error = EINVAL; break; }
        for (j = 0; j < rules[i].condition_count; j++) {
            const struct cwick_seccomp_condition *condition = &rules[i].conditions[j];
            comparisons[j].arg = condition->argument;
            comparisons[j].op = (enum scmp_compare)condition->op;
            comparisons[j].datum_a = condition->op == SCMP_CMP_MASKED_EQ ? condition->mask : condition->value;
            comparisons[j].datum_b = condition->op == SCMP_CMP_MASKED_EQ ? condition->value : 0;
        }
        /* Exact, as systemd's add_seccomp_syscall_filter(): no rewriting into a multiplexer. */
        result = seccomp_rule_add_exact_array(context, rules[i].action, number, (unsigned)rules[i].condition_count, comparisons);
        /* A call this ABI does not have, or a rule the filter already holds, is no error. */
        if (result < 0 && result != -EEXIST && result != -EDOM && result != -EOPNOTSUPP) error = -result;
    }
    if (!error) error = export_program(context, program, length);
    seccomp_release(context);
    return error;
}
