#include <stddef.h>

long cwick_clone3_run(void *args, size_t size, int (*fn)(void *), void *arg);

/* clone3(2) with a function to run on the child's stack, as glibc's internal __clone3
 * (sysdeps/unix/sysv/linux/x86_64/clone3.S), which glibc does not export. The child of a
 * CLONE_VM clone3 starts on args->stack with the parent's registers: it must not return into
 * the parent's C frames, so this runs fn(arg) and then exit(2) with its result. The parent gets
 * the child's pid or -errno. Other architectures return -ENOSYS and the caller falls back to
 * clone(2). */
#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".globl cwick_clone3_run\n"
    ".type cwick_clone3_run,@function\n"
    "cwick_clone3_run:\n"
    "    mov %rcx, %r8\n"          /* arg, in a register the syscall keeps (rcx and r11 are not) */
    "    mov $435, %eax\n"         /* __NR_clone3; rdi = args, rsi = size; rdx = fn is kept */
    "    syscall\n"
    "    test %rax, %rax\n"
    "    jz 1f\n"
    "    ret\n"                    /* the parent: pid or -errno */
    "1:  xor %ebp, %ebp\n"         /* the child: no frame to unwind into */
    "    mov %r8, %rdi\n"
    "    call *%rdx\n"
    "    mov %eax, %edi\n"
    "    mov $60, %eax\n"          /* __NR_exit */
    "    syscall\n"
    "    hlt\n"
    ".size cwick_clone3_run, .-cwick_clone3_run\n");
#else
#include <errno.h>
long cwick_clone3_run(void *args, size_t size, int (*fn)(void *), void *arg) {
    (void)args; (void)size; (void)fn; (void)arg;
    return -ENOSYS;
}
#endif
