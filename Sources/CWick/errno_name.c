#define _GNU_SOURCE
#include "cwick.h"

#include <string.h>

/* strerrorname_np() (glibc 2.32): "ENOENT" for ENOENT, NULL for a number with no name; for
 * ERRNO=NAME in sd_notify(3), as systemd's errno_from_name(). */
const char *cwick_errno_name(int number) { return strerrorname_np(number); }
