#ifndef CWICK_SANDBOX_H
#define CWICK_SANDBOX_H

#include "cwick.h"

/* Namespaces, loopback, mount steps (after the limits, before the change of user). */
int cwick_apply_namespaces(const struct cwick_exec_context *context, int *status);
/* The seccomp filter (last, after no_new_privs). */
int cwick_apply_seccomp(const struct cwick_exec_context *context, int *status);

#endif
